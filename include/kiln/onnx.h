// ONNX import: parse a model into a NetworkDefinition the caller may still edit.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kiln/logger.h"
#include "kiln/network.h"

namespace kiln::onnx {

// What a model file says about itself (the ModelProto's header fields).
struct ModelInfo {
  int64_t irVersion = 0;        // the ONNX IR version
  int64_t opset = 0;            // of the default domain
  std::string producerName;     // the tool that wrote the model ("pytorch", ...)
  std::string producerVersion;  // that tool's version
  std::string domain;           // the model's domain
  int64_t modelVersion = 0;     // the model's own version number
  std::string docString;        // the model's documentation
};

// A node kiln cannot import, and why.
struct UnsupportedNode {
  std::string opType;    // the node's op type ("Loop", ...)
  std::string nodeName;  // the node's name; may be empty
  int64_t opset = 0;     // the opset of the node's domain
  std::string reason;    // why it cannot be imported
};

// Imports ONNX models into a NetworkDefinition (TensorRT's nvonnxparser::IParser).
class Parser {
 public:
  // Layers are added to `network`, which must outlive the parser.
  explicit Parser(NetworkDefinition& network, Logger& logger = nullLogger());
  // Frees the parser; the network keeps what was imported.
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Throws kiln::Error: kIO for an unreadable file, kINVALID_GRAPH for a malformed model, kUNSUPPORTED listing
  // every node that cannot be imported (op type, node name, opset). External data is read relative to the file.
  void parseFromFile(const std::string& path);
  // Same, for a model in memory; external data (if any) is read relative to `baseDir`.
  void parse(const void* data, size_t size, const std::string& baseDir = ".");

  // The header of the model parsed last; all fields empty or 0 before a parse.
  const ModelInfo& getModelInfo() const;
  // After a failed parse: every node that could not be imported.
  const std::vector<UnsupportedNode>& getUnsupportedNodes() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// What `kiln inspect model.onnx` shows, read without building anything.
struct ModelSummary {
  ModelInfo info;  // the model's header
  // A graph input that is not an initializer.
  struct Input {
    std::string name;               // the input's name
    std::string type;               // its element type's ONNX name ("FLOAT", "INT64", ...)
    std::vector<std::string> dims;  // numbers, or the symbolic name ("batch"), or "?"
  };
  std::vector<Input> inputs;         // the graph's inputs, initializers left out
  std::vector<std::string> outputs;  // the graph's output names
  // A node of the graph.
  struct Node {
    std::string name;                  // the node's name; may be empty
    std::string opType;                // its op type ("Conv", ...)
    std::vector<std::string> outputs;  // the names of the tensors it makes ("" for an omitted optional output)
  };
  std::vector<Node> nodes;                     // every node, in graph order (the order they run in)
  std::map<std::string, int64_t> opHistogram;  // op type -> count
  std::vector<std::string> unsupportedOps;     // op types this kiln has no importer for at the model's opset
  int64_t initializerBytes = 0;                // the initializers' size in bytes (4 per element unless raw data)
};
// Reads the model at `path` and summarizes it. Throws kiln::Error (kIO for an unreadable file, kINVALID_GRAPH for
// bytes that are not an ONNX model).
ModelSummary summarizeModel(const std::string& path);

// The newest opset of the default domain kiln's importers follow; a model of a newer opset is refused (kUNSUPPORTED),
// since an op may have changed meaning there. Older opsets, back to 1, are imported (before 7 with a warning).
constexpr int64_t kNewestOpset = 21;

// The op types (default domain) kiln imports at `opset`.
std::vector<std::string> supportedOps(int64_t opset);

}  // namespace kiln::onnx
