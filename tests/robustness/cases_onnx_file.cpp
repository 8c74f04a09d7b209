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
});

}  // namespace
}  // namespace kiln::robustness
