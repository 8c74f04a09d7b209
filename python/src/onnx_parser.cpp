// OnnxParser: TensorRT's parser interface over kiln::onnx::Parser. parse() answers False on failure and keeps the
// errors (one per unsupported node, else the one error) for num_errors / get_error.
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

#include "bindings.h"
#include "kiln/onnx.h"
#include "logger.h"

namespace kiln::python {

namespace {

// One problem of a failed parse (TensorRT's ParserError).
struct ParserError {
  ErrorCode code = ErrorCode::kINVALID_GRAPH;
  std::string description;
  std::string nodeName;      // empty when the error is not about one node
  std::string nodeOperator;  // the node's op type; empty when the error is not about one node
};

class PyOnnxParser {
 public:
  PyOnnxParser(NetworkDefinition& network, PyLogger* logger) : parser_(network, loggerOrQuiet(logger)) {}

  bool parse(const py::buffer& model, const std::string& path) {
    const py::buffer_info bytes = model.request();
    const std::string baseDir = path.empty() ? std::string(".") : parentDirectory(path);
    return run([&] { parser_.parse(bytes.ptr, static_cast<size_t>(bytes.size * bytes.itemsize), baseDir); });
  }
  bool parseFromFile(const std::string& path) {
    return run([&] { parser_.parseFromFile(path); });
  }

  const std::vector<ParserError>& errors() const { return errors_; }
  void clearErrors() { errors_.clear(); }
  const onnx::Parser& parser() const { return parser_; }

 private:
  static std::string parentDirectory(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
  }

  template <typename Parse>
  bool run(Parse&& parse) {
    errors_.clear();
    try {
      py::gil_scoped_release release;
      parse();
      return true;
    } catch (const Error& error) {
      for (const auto& node : parser_.getUnsupportedNodes()) {
        errors_.push_back({ErrorCode::kUNSUPPORTED,
                           node.opType + " (opset " + std::to_string(node.opset) + "): " + node.reason, node.nodeName,
                           node.opType});
      }
      if (errors_.empty()) errors_.push_back({error.code(), error.what(), error.object(), {}});
      return false;
    }
  }

  onnx::Parser parser_;
  std::vector<ParserError> errors_;
};

}  // namespace

void bindOnnxParser(py::module_& module) {
  py::class_<ParserError>(module, "ParserError", "One problem of a failed parse.")
      .def(
          "code", [](const ParserError& e) { return e.code; }, "The kiln.ErrorCode.")
      .def(
          "desc", [](const ParserError& e) { return e.description; }, "What went wrong.")
      .def(
          "node_name", [](const ParserError& e) { return e.nodeName; }, "The node at fault; '' when none.")
      .def(
          "node_operator", [](const ParserError& e) { return e.nodeOperator; }, "Its op type; '' when none.")
      .def("__str__", [](const ParserError& e) { return e.description; })
      .def("__repr__", [](const ParserError& e) { return "<kiln.ParserError " + e.description + ">"; });

  py::class_<onnx::ModelInfo>(module, "OnnxModelInfo", "The header of a parsed model.")
      .def_readonly("ir_version", &onnx::ModelInfo::irVersion)
      .def_readonly("opset", &onnx::ModelInfo::opset)
      .def_readonly("producer_name", &onnx::ModelInfo::producerName)
      .def_readonly("producer_version", &onnx::ModelInfo::producerVersion)
      .def_readonly("domain", &onnx::ModelInfo::domain)
      .def_readonly("model_version", &onnx::ModelInfo::modelVersion)
      .def_readonly("doc_string", &onnx::ModelInfo::docString);

  py::class_<PyOnnxParser>(module, "OnnxParser",
                           "Imports ONNX models into a NetworkDefinition (kiln::onnx::Parser). parse and "
                           "parse_from_file answer False on failure; num_errors and get_error(i) list why.")
      .def(py::init<NetworkDefinition&, PyLogger*>(), py::arg("network"), py::arg("logger") = nullptr,
           py::keep_alive<1, 2>(), py::keep_alive<1, 3>())
      .def("parse", &PyOnnxParser::parse, py::arg("model"), py::arg("path") = "",
           "Parses a serialized model (bytes); external data is read beside `path` when given.")
      .def("parse_from_file", &PyOnnxParser::parseFromFile, py::arg("model"), "Parses the model file at a path.")
      .def_property_readonly("num_errors", [](const PyOnnxParser& p) { return p.errors().size(); })
      .def(
          "get_error",
          [](const PyOnnxParser& p, size_t index) {
            if (index >= p.errors().size()) throw py::index_error("parser error index out of range");
            return p.errors()[index];
          },
          py::arg("index"))
      .def("clear_errors", &PyOnnxParser::clearErrors)
      .def_property_readonly(
          "model_info", [](const PyOnnxParser& p) { return p.parser().getModelInfo(); },
          "The header of the model parsed last.");
  module.def("supported_onnx_ops", &onnx::supportedOps, py::arg("opset") = onnx::kNewestOpset,
             "The ONNX op types kiln imports at an opset.");
}

}  // namespace kiln::python
