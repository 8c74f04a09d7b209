// Bad ONNX files: the importer refuses each with an error naming the node, tensor or field at fault.
#include <fstream>

#include "bad_input_case.h"
#include "kiln/onnx.h"
#include "onnx_model_builder.h"

namespace kiln::robustness {
namespace {

using test::OnnxModel;
using test::TensorProto;

Refusal importBytes(const std::string& bytes, const std::string& baseDir = ".") {
  return errorOf([&] {
    Builder builder;
    auto network = builder.createNetwork();
    onnx::Parser(*network).parse(bytes.data(), bytes.size(), baseDir);
  });
}

Refusal importFile(const std::filesystem::path& path) {
  return errorOf([&] {
    Builder builder;
    auto network = builder.createNetwork();
    onnx::Parser(*network).parseFromFile(path.string());
  });
}

// y = Relu(x) over x[2, 3], a valid model the cases below damage.
OnnxModel reluModel(int64_t opset = 17) {
  OnnxModel model(opset);
  model.input("x", {2, 3});
  model.outputNode("Relu", {"x"});
  return model;
}

Refusal importModel(const OnnxModel& model) { return importBytes(model.serialized()); }

// x + w where w[2, 3] is stored in `location` at `offset` (relative to the model's folder `dir`).
Refusal importWithExternalWeights(const std::filesystem::path& dir, const std::string& location,
                                  const std::string& offset = "0") {
  OnnxModel model(17);
  model.input("x", {2, 3});
  TensorProto w = test::tensorOfShape("w", {2, 3}, TensorProto::FLOAT);
  w.set_data_location(TensorProto::EXTERNAL);
  auto* entry = w.add_external_data();
  entry->set_key("location");
  entry->set_value(location);
  entry = w.add_external_data();
  entry->set_key("offset");
  entry->set_value(offset);
  model.initializer(w);
  model.outputNode("Add", {"x", "w"});
  return importFile(writeFile(dir / "model.onnx", model.serialized()));
}

KILN_BAD_INPUT_CASES({
    {"ONNX file", "empty file", "empty|no graph|not an ONNX",
     [] { return importFile(writeFile(scratchDir("onnx_empty") / "empty.onnx", "")); }},
    {"ONNX file", "random bytes", "ONNX",
     [] { return importBytes("\x13\x37 this is not a protobuf at all \xff\xfe\x01"); }},
    {"ONNX file", "truncated in the middle of the graph", "ONNX|protobuf|parse",
     [] {
       std::string bytes = reluModel().serialized();
       return importBytes(bytes.substr(0, bytes.size() / 2));
     }},
    {"ONNX file", "file does not exist", "missing\\.onnx",
     [] { return importFile(scratchDir("onnx_missing") / "missing.onnx"); }},
    {"ONNX file", "a directory instead of a file", "not_a_file",
     [] {
       auto dir = scratchDir("onnx_directory") / "not_a_file.onnx";
       std::filesystem::create_directories(dir);
       return importFile(dir);
     }},
    {"ONNX file", "node reads a tensor nothing produces", "nowhere",
     [] {
       OnnxModel model(17);
       model.input("x", {2, 3});
       model.outputNode("Add", {"x", "nowhere"});
       return importModel(model);
     }},
    {"ONNX file", "unknown op", "FrobnicateAll",
     [] {
       OnnxModel model(17);
       model.input("x", {2, 3});
       model.outputNode("FrobnicateAll", {"x"});
       return importModel(model);
     }},
    {"ONNX file", "op of an unknown domain", "com\\.example\\.nowhere",
     [] {
       OnnxModel model = reluModel();
       model.lastNode().set_domain("com.example.nowhere");
       return importModel(model);
     }},
    {"ONNX file", "attribute of the wrong type (FLOAT axis)", "axis",
     [] {
       OnnxModel model(17);
       model.input("x", {2, 3});
       test::setFloat(model.outputNode("Softmax", {"x"}), "axis", 1.0f);
       return importModel(model);
     }},
    {"ONNX file", "MatMul of mismatched inner dimensions", "MatMul|inner|mismatch",
     [] {
       OnnxModel model(17);
       model.input("a", {2, 3});
       model.input("b", {4, 5});
       model.outputNode("MatMul", {"a", "b"});
       return importModel(model);
     }},
    {"ONNX file", "Reshape to a shape of another element count", "Reshape|element|volume|count",
     [] {
       OnnxModel model(17);
       model.input("x", {2, 3});
       model.ints("shape", {4, 2});
       model.outputNode("Reshape", {"x", "shape"});
       return importModel(model);
     }},
    {"ONNX file", "Concat of inputs whose other axes differ", "Concat|concat",
     [] {
       OnnxModel model(17);
       model.input("a", {2, 3});
       model.input("b", {4, 5});
       test::setInt(model.outputNode("Concat", {"a", "b"}), "axis", 0);
       return importModel(model);
     }},
    {"ONNX file", "MaxPool whose dilated window exceeds int64",
     "MaxPool.*the dilated window \\(dilation 4611686018427387904, window 5\\) overflows 64-bit integers",
     [] {
       OnnxModel model(17);
       model.input("x", {1, 1, 8});
       auto& node = model.outputNode("MaxPool", {"x"});
       test::setInts(node, "kernel_shape", {5});
       test::setInts(node, "dilations", {int64_t{1} << 62});
       return importModel(model);
     }},
    {"ONNX file", "initializer raw data shorter than its dims", "w",
     [] {
       OnnxModel model(17);
       model.input("x", {2, 3});
       TensorProto w = test::tensorOfShape("w", {2, 3}, TensorProto::FLOAT);
       w.set_raw_data(std::string(8, '\0'));
       model.initializer(w);
       model.outputNode("Add", {"x", "w"});
       return importModel(model);
     }},
    {"ONNX file", "external data escaping its folder by ..", "\\.\\.",
     [] { return importFile(testDataDir() / "external_escape" / "model.onnx"); }},
    {"ONNX file", "external data at an absolute path", "/etc/passwd.*escapes",
     [] { return importWithExternalWeights(scratchDir("onnx_external_absolute"), "/etc/passwd"); }},
    {"ONNX file", "external data through a symlink leading out of the folder", "link\\.bin.*escapes",
     [] {
       auto dir = scratchDir("onnx_external_symlink");
       auto outside = writeFile(scratchDir("onnx_external_symlink_target") / "secret.bin", std::string(24, '\0'));
       std::filesystem::create_symlink(outside, dir / "link.bin");
       return importWithExternalWeights(dir, "link.bin");
     }},
    {"ONNX file", "external data offset past the end of its file", "weights\\.bin.*past its end",
     [] {
       auto dir = scratchDir("onnx_external_offset");
       writeFile(dir / "weights.bin", std::string(24, '\0'));
       return importWithExternalWeights(dir, "weights.bin", "16");
     }},
    {"ONNX file", "external data offset that is not a number", "w.*not a number",
     [] {
       auto dir = scratchDir("onnx_external_offset_text");
       writeFile(dir / "weights.bin", std::string(24, '\0'));
       return importWithExternalWeights(dir, "weights.bin", "twelve");
     }},
    {"ONNX file", "external data file missing", "absent\\.bin",
     [] { return importWithExternalWeights(scratchDir("onnx_external_missing"), "absent.bin"); }},
    {"ONNX file", "opset 99", "opset 99 is newer", [] { return importModel(reluModel(99)); }},
    {"ONNX file", "no opset for the default domain", "imports no opset",
     [] {
       OnnxModel model = reluModel();
       model.proto().clear_opset_import();
       return importModel(model);
     }},
    {"ONNX file", "two nodes produce the same tensor", "'t'.*produced twice",
     [] {
       OnnxModel model(17);
       model.input("x", {2, 3});
       model.node("Relu", {"x"}, {"t"});
       model.node("Neg", {"x"}, {"t"});
       model.outputNode("Abs", {"t"});
       return importModel(model);
     }},
    {"ONNX file", "a node overwrites a graph input", "'x'.*produced twice",
     [] {
       OnnxModel model(17);
       model.input("x", {2, 3});
       model.node("Relu", {"x"}, {"x"});
       model.outputNode("Abs", {"x"});
       return importModel(model);
     }},
    {"ONNX file", "a cycle (a node reads what a later node writes)", "'b'|\\bb\\b",
     [] {
       OnnxModel model(17);
       model.input("x", {2, 3});
       model.node("Add", {"x", "b"}, {"a"});
       model.node("Relu", {"a"}, {"b"});
       model.outputNode("Abs", {"b"});
       return importModel(model);
     }},
    {"ONNX file", "graph input with a negative dimension", "'x'.*dimension 1 is -5",
     [] {
       OnnxModel model(17);
       model.input("x", {2, 3});
       model.outputNode("Relu", {"x"});
       model.proto()
           .mutable_graph()
           ->mutable_input(0)
           ->mutable_type()
           ->mutable_tensor_type()
           ->mutable_shape()
           ->mutable_dim(1)
           ->set_dim_value(-5);
       return importModel(model);
     }},
    {"ONNX file", "graph input of an unknown element type", "'x'",
     [] {
       OnnxModel model(17);
       model.input("x", {2, 3}, 77);
       model.outputNode("Relu", {"x"});
       return importModel(model);
     }},
    {"ONNX file", "initializer of an unknown element type", "'w'|\\bw\\b",
     [] {
       OnnxModel model(17);
       model.input("x", {2, 3});
       TensorProto w = test::tensorOfShape("w", {2, 3}, 77);
       w.set_raw_data(std::string(24, '\0'));
       model.initializer(w);
       model.outputNode("Add", {"x", "w"});
       return importModel(model);
     }},
    {"ONNX file", "graph output nothing produces", "'ghost'",
     [] {
       OnnxModel model = reluModel();
       model.output("ghost");
       return importModel(model);
     }},
    {"ONNX file", "graph input of rank 9", "'x'.*rank",
     [] {
       OnnxModel model(17);
       model.input("x", {1, 1, 1, 1, 1, 1, 1, 1, 1});
       model.outputNode("Relu", {"x"});
       return importModel(model);
     }},
    {"ONNX file", "node with too few inputs", "Add",
     [] {
       OnnxModel model(17);
       model.input("x", {2, 3});
       model.outputNode("Add", {"x"});
       return importModel(model);
     }},
    {"ONNX file", "Transpose perm that is not a permutation", "perm",
     [] {
       OnnxModel model(17);
       model.input("x", {2, 3});
       test::setInts(model.outputNode("Transpose", {"x"}), "perm", {0, 0});
       return importModel(model);
     }},
    {"ONNX file", "Gather axis out of range", "axis",
     [] {
       OnnxModel model(17);
       model.input("x", {2, 3});
       model.ints("i", {0});
       test::setInt(model.outputNode("Gather", {"x", "i"}), "axis", 5);
       return importModel(model);
     }},
    {"ONNX file", "Conv weight of another channel count than its input", "Conv|channel",
     [] {
       OnnxModel model(17);
       model.input("x", {1, 3, 8, 8});
       model.floats("w", {4, 2, 3, 3}, std::vector<float>(72, 0.5f));
       model.outputNode("Conv", {"x", "w"});
       return importModel(model);
     }},
});

}  // namespace
}  // namespace kiln::robustness
