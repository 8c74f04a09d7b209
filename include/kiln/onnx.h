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

struct ModelInfo {
  int64_t irVersion = 0;
  int64_t opset = 0;  // of the default domain
  std::string producerName;
  std::string producerVersion;
  std::string domain;
  int64_t modelVersion = 0;
  std::string docString;
};

// A node kiln cannot import, and why.
struct UnsupportedNode {
  std::string opType;
  std::string nodeName;
  int64_t opset = 0;
  std::string reason;
};

class Parser {
 public:
  // Layers are added to `network`, which must outlive the parser.
  explicit Parser(NetworkDefinition& network, Logger& logger = nullLogger());
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Throws kiln::Error: kIO for an unreadable file, kINVALID_GRAPH for a malformed model, kUNSUPPORTED listing
  // every node that cannot be imported (op type, node name, opset). External data is read relative to the file.
  void parseFromFile(const std::string& path);
  // Same, for a model in memory; external data (if any) is read relative to `baseDir`.
  void parse(const void* data, size_t size, const std::string& baseDir = ".");

  const ModelInfo& getModelInfo() const;
  // After a failed parse: every node that could not be imported.
  const std::vector<UnsupportedNode>& getUnsupportedNodes() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// What `kiln inspect model.onnx` shows, read without building anything.
struct ModelSummary {
  ModelInfo info;
  struct Input {
    std::string name;
    std::string type;
    std::vector<std::string> dims;  // numbers, or the symbolic name ("batch"), or "?"
  };
  std::vector<Input> inputs;
  std::vector<std::string> outputs;
  std::map<std::string, int64_t> opHistogram;  // op type -> count
  std::vector<std::string> unsupportedOps;     // op types this kiln has no importer for at the model's opset
  int64_t initializerBytes = 0;
};
ModelSummary summarizeModel(const std::string& path);

// The op types (default domain) kiln imports at `opset`.
std::vector<std::string> supportedOps(int64_t opset);

}  // namespace kiln::onnx
