// What an op importer sees: the network being built, the model's tensors by name, node attributes, and helpers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kiln/error.h"
#include "kiln/network.h"
#include "kiln/plugin.h"
#include "onnx/onnx_proto.h"
#include "onnx/tensor_proto.h"

namespace kiln::onnx {

using Node = ::onnx::NodeProto;

class ImportContext {
 public:
  ImportContext(NetworkDefinition& network, int64_t opset, std::string baseDir)
      : network_(network), opset_(opset), baseDir_(std::move(baseDir)) {}

  NetworkDefinition& network() { return network_; }
  int64_t opset() const { return opset_; }
  const std::string& baseDir() const { return baseDir_; }

  // Tensors by ONNX name.
  void define(const std::string& name, Tensor* tensor);
  Tensor* find(const std::string& name) const;

  // Input `i` of the node; nullptr when absent or given as "" (an omitted optional input).
  Tensor* input(const Node& node, int32_t i) const;
  // Like input(), but fails naming the node when it is missing.
  Tensor& requiredInput(const Node& node, int32_t i) const;
  int32_t nbInputs(const Node& node) const { return node.input_size(); }
  // Binds output `i` of the node (ignored when the model does not use that output).
  void setOutput(const Node& node, int32_t i, Tensor* tensor);

  // Attributes.
  bool has(const Node& node, const std::string& name) const;
  int64_t getInt(const Node& node, const std::string& name, int64_t fallback) const;
  float getFloat(const Node& node, const std::string& name, float fallback) const;
  std::string getString(const Node& node, const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> getInts(const Node& node, const std::string& name) const;
  std::vector<float> getFloats(const Node& node, const std::string& name) const;
  std::vector<std::string> getStrings(const Node& node, const std::string& name) const;
  const ::onnx::TensorProto* getTensorAttr(const Node& node, const std::string& name) const;

  // True when the tensor's values are known as expressions (see Tensor::isShapeTensor). An int32/int64 graph input
  // of rank 0 or 1 that a node uses for its values (a reshape's target, a slice's starts) is made a shape input
  // here, as TensorRT's parser does: its values are then read on the host at run time, bounded by the profile.
  bool asShapeTensor(Tensor& tensor);

  // Values of a tensor known at build time (an initializer, a Constant, shape arithmetic folded to constants).
  std::optional<std::vector<int64_t>> constantInts(Tensor* tensor) const;
  std::optional<std::vector<float>> constantFloats(Tensor* tensor) const;

  // New constants.
  Tensor* constantInt64(const std::vector<int64_t>& values, const Dims& dims);
  Tensor* constantInt64(const std::vector<int64_t>& values) {
    return constantInt64(values, Dims{static_cast<int64_t>(values.size())});
  }
  Tensor* constantScalar(float value, DataType type, int32_t rank);  // shape 1x...x1 of `rank`
  Tensor* constantData(const HostData& data);

  // Common rewrites.
  Tensor* cast(Tensor& x, DataType type);
  // Reshape to `rank` by prepending 1s (numpy alignment before broadcasting).
  Tensor* unsqueezeTo(Tensor& x, int32_t rank);
  Tensor* reshape(Tensor& x, const Dims& dims);
  Tensor* transpose(Tensor& x, const std::vector<int32_t>& permutation);

  // Fails the node: kUNSUPPORTED, naming op type and node.
  [[noreturn]] void unsupported(const Node& node, const std::string& reason) const;
  [[noreturn]] void invalid(const Node& node, const std::string& reason) const;
  // Normalizes an ONNX axis attribute against `rank`.
  int32_t axis(const Node& node, int64_t axis, int32_t rank) const;

 private:
  const ::onnx::AttributeProto* attr(const Node& node, const std::string& name) const;
  // attr(), refusing an attribute that holds another type than `type` (kINVALID_GRAPH naming the node).
  const ::onnx::AttributeProto* typedAttr(const Node& node, const std::string& name,
                                          ::onnx::AttributeProto::AttributeType type) const;

  NetworkDefinition& network_;
  int64_t opset_;
  std::string baseDir_;
  std::map<std::string, Tensor*> tensors_;
};

// A node's display name: its name, or "<OpType> #<index>" when unnamed.
std::string nodeLabel(const Node& node);

using OpImporter = std::function<void(ImportContext&, const Node&)>;

// The registered plugin creator whose name is the node's op type (in any domain, newest version), or null.
IPluginCreatorV3* pluginCreatorFor(const Node& node);
// Imports the node as that plugin, its attributes as fields (src/onnx/ops_plugin.cpp).
void importPlugin(ImportContext& ctx, const Node& node, const IPluginCreatorV3& creator);

// Importers by op type and the opset they apply from; the newest one at or below the model's opset is used.
class OpRegistry {
 public:
  void add(const std::string& opType, int64_t sinceVersion, OpImporter importer);
  const OpImporter* find(const std::string& opType, int64_t opset) const;
  std::vector<std::string> opTypes(int64_t opset) const;

 private:
  std::map<std::string, std::map<int64_t, OpImporter>> importers_;
};

const OpRegistry& opRegistry();

// The registry is built once, on first use, by calling every family's register*Importers function below
// (import_context.cpp); each adds its ONNX ops (OpRegistry::add, with the opset each version applies from) from its own
// file, src/onnx/ops_<family>.cpp, named after the family of the kiln layers the ops import into (the families of
// docs/adding-an-op.md). A new op of an existing family is added in that file only; a new family adds its
// declaration here and its call in import_context.cpp. ONNX ops that compose layers of several families have
// importer-only families (loss, signal, quantized).
void registerCopyImporters(OpRegistry& registry);
void registerElementwiseImporters(OpRegistry& registry);
void registerGenerationImporters(OpRegistry& registry);
void registerIndexingImporters(OpRegistry& registry);
void registerMatrixImporters(OpRegistry& registry);
void registerNormalizationImporters(OpRegistry& registry);
void registerPoolingImporters(OpRegistry& registry);
void registerConvolutionImporters(OpRegistry& registry);
void registerRecurrenceImporters(OpRegistry& registry);
void registerReductionImporters(OpRegistry& registry);
void registerResizeImporters(OpRegistry& registry);
void registerShapeImporters(OpRegistry& registry);
void registerLossImporters(OpRegistry& registry);
void registerSignalImporters(OpRegistry& registry);
void registerQuantizedImporters(OpRegistry& registry);

}  // namespace kiln::onnx
