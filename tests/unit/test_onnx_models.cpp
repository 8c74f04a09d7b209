// Whole ONNX models: a PyTorch export with dynamic batch/height/width, and models with external weights.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "kiln/onnx.h"
#include "npy.h"
#include "test_util.h"

namespace kiln::test {
namespace {

const std::string kData = KILN_TEST_DATA_DIR;

HostTensor fromNpy(const std::string& path) {
  cli::NpyArray a = cli::readNpy(path);
  HostTensor t;
  t.type = a.type;
  t.dims = a.dims;
  t.bytes = std::move(a.bytes);
  return t;
}

TEST(OnnxModels, PyTorchDynamicExportMatchesPyTorchAtThreeShapes) {
  NetworkDefinition network;
  onnx::Parser parser(network);
  parser.parseFromFile(kData + "/pytorch_dynamic/model.onnx");
  ASSERT_EQ(network.getNbInputs(), 1);
  EXPECT_EQ(toString(network.getInput(0)->getDimensions()), "-1x3x-1x-1");
  EXPECT_STREQ(network.getOutput(0)->getName(), "probabilities");
  // One profile over the whole range; the saved inputs are 1x3x16x16, 3x3x32x24 and 4x3x48x64.
  BuilderConfig config;
  config.addOptimizationProfile(profileFor("input", Dims{1, 3, 16, 16}, Dims{2, 3, 32, 32}, Dims{4, 3, 64, 64}));
  auto engine = buildEngine(network, config);
  auto context = engine->createExecutionContext();
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    HostTensor input = fromNpy(kData + "/pytorch_dynamic/input_" + std::to_string(i) + ".npy");
    HostTensor expected = fromNpy(kData + "/pytorch_dynamic/output_" + std::to_string(i) + ".npy");
    auto out = runContext(*context, {input});
    ASSERT_EQ(toString(out[0].dims), toString(expected.dims));
    expectNear(out[0].f32(), expected.f32(), 1e-5f, 1e-4f);
  }
}

TEST(OnnxModels, ExternalWeightsLoadRelativeToTheModel) {
  NetworkDefinition network;
  onnx::Parser parser(network);
  parser.parseFromFile(kData + "/external_data/model.onnx");
  HostTensor input = fromNpy(kData + "/external_data/input.npy");
  HostTensor expected = fromNpy(kData + "/external_data/output.npy");
  auto out = buildAndRun(network, {input});
  expectNear(out[0].f32(), expected.f32(), 1e-5f, 1e-5f);
}

TEST(OnnxModels, ExternalLocationEscapingTheFolderIsRejected) {
  NetworkDefinition network;
  onnx::Parser parser(network);
  Error e = errorOf([&] { parser.parseFromFile(kData + "/external_escape/model.onnx"); });
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
  EXPECT_EQ(e.object(), "W");
  EXPECT_NE(std::string(e.what()).find("escapes the model's folder"), std::string::npos) << e.what();
}

TEST(OnnxModels, ExternalFileTooShortIsRejectedNamingTheTensor) {
  // The same model read from a folder where weights.bin is cut short.
  auto dir = std::filesystem::temp_directory_path() / "kiln_external_short";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(kData + "/external_data/model.onnx", dir / "model.onnx",
                             std::filesystem::copy_options::overwrite_existing);
  { std::ofstream(dir / "weights.bin", std::ios::binary).write("0123456789", 10); }
  NetworkDefinition network;
  onnx::Parser parser(network);
  Error e = errorOf([&] { parser.parseFromFile((dir / "model.onnx").string()); });
  EXPECT_EQ(e.object(), "W");
  EXPECT_NE(std::string(e.what()).find("past its end"), std::string::npos) << e.what();
}

// The model of external_data/ in a scratch folder whose weights.bin is made by `makeWeights`.
Error errorWithWeights(const char* folder, const std::function<void(const std::filesystem::path&)>& makeWeights) {
  auto dir = std::filesystem::temp_directory_path() / folder;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(kData + "/external_data/model.onnx", dir / "model.onnx");
  makeWeights(dir / "weights.bin");
  NetworkDefinition network;
  onnx::Parser parser(network);
  Error e = errorOf([&] { parser.parseFromFile((dir / "model.onnx").string()); });
  std::filesystem::remove_all(dir);
  return e;
}

TEST(OnnxModels, ExternalLocationThatIsAFifoIsRejectedInsteadOfBlocking) {
  Error e = errorWithWeights("kiln_external_fifo",
                             [](const std::filesystem::path& weights) { ASSERT_EQ(mkfifo(weights.c_str(), 0600), 0); });
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
  EXPECT_EQ(e.object(), "W");
  EXPECT_NE(std::string(e.what()).find("'weights.bin' is not a regular file"), std::string::npos) << e.what();
}

TEST(OnnxModels, ExternalLocationThatIsADirectoryIsRejected) {
  Error e = errorWithWeights("kiln_external_directory",
                             [](const std::filesystem::path& weights) { std::filesystem::create_directory(weights); });
  EXPECT_EQ(e.object(), "W");
  EXPECT_NE(std::string(e.what()).find("is not a regular file"), std::string::npos) << e.what();
}

TEST(OnnxModels, MalformedModelIsRejected) {
  NetworkDefinition network;
  onnx::Parser parser(network);
  std::string junk = "this is not a protobuf";
  Error e = errorOf([&] { parser.parse(junk.data(), junk.size()); });
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
  EXPECT_THROW(parser.parseFromFile("/nonexistent/model.onnx"), Error);
}

}  // namespace
}  // namespace kiln::test
