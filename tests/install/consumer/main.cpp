// An application built against an installed kiln: a network from the C++ API and a model parsed from ONNX, each
// built for the CPU backend, run, and checked against known values. Prints "consumer: ok" when all match.
#include <kiln/kiln.h>
#include <kiln/onnx.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace {

// Builds `network` (input "x" of shape batch x features, output "y") for the CPU backend with a batch of 1 to 4,
// runs it on `input` (batch rows of x) and returns y.
std::vector<float> buildAndRun(const kiln::Builder& builder, const kiln::NetworkDefinition& network, int64_t features,
                               std::vector<float> input) {
  kiln::OptimizationProfile profile;
  profile.setDimensions("x", kiln::OptProfileSelector::kMIN, kiln::Dims{1, features});
  profile.setDimensions("x", kiln::OptProfileSelector::kOPT, kiln::Dims{2, features});
  profile.setDimensions("x", kiln::OptProfileSelector::kMAX, kiln::Dims{4, features});
  kiln::BuilderConfig config;
  config.setBackend("cpu");
  config.addOptimizationProfile(profile);
  auto engine = kiln::Runtime().deserialize(builder.buildSerializedNetwork(network, config));
  auto context = engine->createExecutionContext();
  const auto batch = static_cast<int64_t>(input.size()) / features;
  context->setInputShape("x", kiln::Dims{batch, features}).check();
  std::vector<float> output(static_cast<size_t>(context->getTensorShape("y").volume()));
  context->setTensorAddress("x", input.data()).check();
  context->setTensorAddress("y", output.data()).check();
  context->executeV2().check();
  return output;
}

bool matches(const char* what, const std::vector<float>& actual, const std::vector<float>& expected) {
  bool same = actual.size() == expected.size();
  for (size_t i = 0; same && i < actual.size(); ++i) {
    same = std::fabs(actual[i] - expected[i]) <= 1e-5f;
  }
  if (!same) {
    std::printf("%s: got", what);
    for (float value : actual) std::printf(" %g", value);
    std::printf(", expected");
    for (float value : expected) std::printf(" %g", value);
    std::printf("\n");
  }
  return same;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: kiln_consumer tests/data/external_data/model.onnx\n");
    return 2;
  }
  try {
    kiln::Builder builder;

    // y = relu(x W) with W = [[1, 0], [0, 1], [1, 1]].
    auto network = builder.createNetwork();
    kiln::Tensor* x = network->addInput("x", kiln::DataType::kFLOAT, kiln::Dims{-1, 3});
    const float weights[] = {1, 0, 0, 1, 1, 1};
    auto* w = network->addConstant(kiln::Dims{3, 2}, kiln::Weights{kiln::DataType::kFLOAT, weights, 6});
    auto* product =
        network->addMatrixMultiply(*x, kiln::MatrixOperation::kNONE, *w->getOutput(0), kiln::MatrixOperation::kNONE);
    kiln::Tensor* y = network->addActivation(*product->getOutput(0), kiln::ActivationType::kRELU)->getOutput(0);
    y->setName("y");
    network->markOutput(*y);
    // x = [[1, -2, 3], [4, 5, -6]]: x W = [[4, 1], [-2, -1]], which relu makes [[4, 1], [0, 0]].
    bool ok = matches("layer API", buildAndRun(builder, *network, 3, {1, -2, 3, 4, 5, -6}), {4, 1, 0, 0});

    // The model computes y = x W + b (W and b in weights.bin beside it); x and y are the first rows of its
    // input.npy and output.npy.
    auto imported = builder.createNetwork();
    kiln::onnx::Parser parser(*imported);
    parser.parseFromFile(argv[1]);
    ok = matches("ONNX model", buildAndRun(builder, *imported, 4, {0.5988462f, 0.0397221f, -0.2924567f, -0.7819085f}),
                 {-0.6542156f, 0.1729001f, -0.8006086f}) &&
         ok;

    std::printf("consumer: %s (kiln %s)\n", ok ? "ok" : "wrong outputs", kiln::kilnVersion());
    return ok ? 0 : 1;
  } catch (const kiln::Error& error) {
    std::printf("consumer: kiln::Error: %s\n", error.what());
    return 1;
  }
}
