#include "onnx/import_context.h"

#include <cstring>

#include "core/element_types.h"
#include "core/half.h"
#include "graph/graph.h"
#include "graph/network_access.h"
#include "ops/copy.h"

namespace kiln::onnx {

std::string nodeLabel(const Node& node) {
  return node.name().empty() ? node.op_type() + " (outputs " + (node.output_size() ? node.output(0) : "") + ")"
                             : node.name();
}

void ImportContext::define(const std::string& name, Tensor* tensor) { tensors_[name] = tensor; }

Tensor* ImportContext::find(const std::string& name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : it->second;
}

Tensor* ImportContext::input(const Node& node, int32_t i) const {
  if (i >= node.input_size() || node.input(i).empty()) return nullptr;
  Tensor* t = find(node.input(i));
  if (!t)
    throw Error(ErrorCode::kINVALID_GRAPH, "input '" + node.input(i) + "' is not produced by any earlier node",
                nodeLabel(node));
  return t;
}

Tensor& ImportContext::requiredInput(const Node& node, int32_t i) const {
  Tensor* t = input(node, i);
  if (!t) invalid(node, "input " + std::to_string(i) + " is required");
  return *t;
}

void ImportContext::setOutput(const Node& node, int32_t i, Tensor* tensor) {
  if (i >= node.output_size() || node.output(i).empty()) return;
  // Name kiln's tensor after the ONNX one, so users find outputs by their model names; an ONNX name already taken
  // (an identity to a network input) keeps kiln's generated name.
  const std::string& name = node.output(i);
  if (!network_.getTensor(name.c_str()) && !tensor->isNetworkInput()) tensor->setName(name.c_str());
  define(name, tensor);
}

const ::onnx::AttributeProto* ImportContext::attr(const Node& node, const std::string& name) const {
  for (const auto& a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

const ::onnx::AttributeProto* ImportContext::typedAttr(const Node& node, const std::string& name,
                                                       ::onnx::AttributeProto::AttributeType type) const {
  const auto* a = attr(node, name);
  // A FLOAT "axis" read as an int would silently be 0. Attributes of models older than the type field (UNDEFINED)
  // are read by the field they hold.
  if (a && a->type() != ::onnx::AttributeProto::UNDEFINED && a->type() != type)
    invalid(node, "attribute '" + name + "' is " + ::onnx::AttributeProto::AttributeType_Name(a->type()) + ", not " +
                      ::onnx::AttributeProto::AttributeType_Name(type));
  return a;
}

bool ImportContext::has(const Node& node, const std::string& name) const { return attr(node, name) != nullptr; }

int64_t ImportContext::getInt(const Node& node, const std::string& name, int64_t fallback) const {
  const auto* a = typedAttr(node, name, ::onnx::AttributeProto::INT);
  return a ? a->i() : fallback;
}

float ImportContext::getFloat(const Node& node, const std::string& name, float fallback) const {
  const auto* a = typedAttr(node, name, ::onnx::AttributeProto::FLOAT);
  return a ? a->f() : fallback;
}

std::string ImportContext::getString(const Node& node, const std::string& name, const std::string& fallback) const {
  const auto* a = typedAttr(node, name, ::onnx::AttributeProto::STRING);
  return a ? a->s() : fallback;
}

std::vector<int64_t> ImportContext::getInts(const Node& node, const std::string& name) const {
  const auto* a = typedAttr(node, name, ::onnx::AttributeProto::INTS);
  if (!a) return {};
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

std::vector<float> ImportContext::getFloats(const Node& node, const std::string& name) const {
  const auto* a = typedAttr(node, name, ::onnx::AttributeProto::FLOATS);
  if (!a) return {};
  return std::vector<float>(a->floats().begin(), a->floats().end());
}

std::vector<std::string> ImportContext::getStrings(const Node& node, const std::string& name) const {
  const auto* a = typedAttr(node, name, ::onnx::AttributeProto::STRINGS);
  if (!a) return {};
  return std::vector<std::string>(a->strings().begin(), a->strings().end());
}

const ::onnx::TensorProto* ImportContext::getTensorAttr(const Node& node, const std::string& name) const {
  const auto* a = attr(node, name);
  return a && a->has_t() ? &a->t() : nullptr;
}

namespace {

// The bytes behind a tensor produced by a Constant layer, or nullptr.
const std::vector<uint8_t>* constantBlob(const NetworkDefinition& network, const Tensor* tensor) {
  const graph::Graph& g = graph::NetworkAccess::graph(network);
  int32_t producer = g.tensors[graph::NetworkAccess::id(*tensor)].producer;
  if (producer < 0 || g.layers[producer].type != LayerType::kCONSTANT) return nullptr;
  return &g.blobs.at(g.layers[producer].opAttrs().get(ops::Constant::kBlob));
}

}  // namespace

bool ImportContext::asShapeTensor(Tensor& tensor) {
  if (tensor.isShapeTensor()) return true;
  if (!tensor.isNetworkInput()) return false;
  DataType type = tensor.getType();
  Dims dims = tensor.getDimensions();
  bool fits = (type == DataType::kINT32 || type == DataType::kINT64) &&
              (dims.nbDims == 0 || (dims.nbDims == 1 && dims.d[0] >= 0 && dims.d[0] <= 64));
  if (!fits) return false;
  network_.markShapeInput(tensor);
  return true;
}

std::optional<std::vector<int64_t>> ImportContext::constantInts(Tensor* tensor) const {
  if (!tensor) return std::nullopt;
  const graph::Graph& g = graph::NetworkAccess::graph(network_);
  const auto& node = g.tensors[graph::NetworkAccess::id(*tensor)];
  if (node.values) {
    std::vector<int64_t> out;
    for (auto e : *node.values) {
      auto c = g.exprs.constantValue(e);
      if (!c) return std::nullopt;
      out.push_back(*c);
    }
    return out;
  }
  const auto* blob = constantBlob(network_, tensor);
  if (!blob) return std::nullopt;
  std::vector<int64_t> out;
  DataType type = tensor->getType();
  size_t n = blob->size() / dataTypeSize(type);
  for (size_t i = 0; i < n; ++i) {
    if (type == DataType::kINT64)
      out.push_back(reinterpret_cast<const int64_t*>(blob->data())[i]);
    else if (type == DataType::kINT32)
      out.push_back(reinterpret_cast<const int32_t*>(blob->data())[i]);
    else
      return std::nullopt;
  }
  return out;
}

std::optional<std::vector<float>> ImportContext::constantFloats(Tensor* tensor) const {
  if (!tensor) return std::nullopt;
  const auto* blob = constantBlob(network_, tensor);
  if (!blob) {
    auto ints = constantInts(tensor);
    if (!ints) return std::nullopt;
    return std::vector<float>(ints->begin(), ints->end());
  }
  DataType type = tensor->getType();
  size_t n = blob->size() / dataTypeSize(type);
  std::vector<float> out(n);
  const uint8_t* bytes = blob->data();
  for (size_t i = 0; i < n; ++i) {
    bool plain = core::dispatchArithmetic(type, [&](auto tag) {
      decltype(tag) v;
      std::memcpy(&v, bytes + i * sizeof(v), sizeof(v));
      out[i] = static_cast<float>(v);
    });
    if (plain) continue;
    uint16_t bits = 0;
    if (type != DataType::kBOOL) std::memcpy(&bits, bytes + 2 * i, 2);
    if (type == DataType::kHALF)
      out[i] = core::halfToFloat(bits);
    else if (type == DataType::kBF16)
      out[i] = core::bf16ToFloat(bits);
    else
      out[i] = bytes[i];
  }
  return out;
}

Tensor* ImportContext::constantInt64(const std::vector<int64_t>& values, const Dims& dims) {
  return network_.addConstant(dims, Weights{DataType::kINT64, values.data(), static_cast<int64_t>(values.size())})
      ->getOutput(0);
}

Tensor* ImportContext::constantScalar(float value, DataType type, int32_t rank) {
  Dims dims;
  dims.nbDims = rank;
  for (int32_t i = 0; i < rank; ++i) dims.d[i] = 1;
  HostData data;
  data.type = type;
  data.dims = dims;
  data.bytes.resize(dataTypeSize(type));
  bool plain = core::dispatchArithmetic(type, [&](auto tag) {
    auto v = static_cast<decltype(tag)>(value);
    std::memcpy(data.bytes.data(), &v, sizeof(v));
  });
  if (!plain) {
    uint16_t bits = type == DataType::kHALF ? core::floatToHalf(value) : core::floatToBf16(value);
    if (type == DataType::kBOOL)
      data.bytes[0] = value != 0;
    else
      std::memcpy(data.bytes.data(), &bits, 2);
  }
  return constantData(data);
}

Tensor* ImportContext::constantData(const HostData& data) {
  return network_.addConstant(data.dims, Weights{data.type, data.bytes.data(), data.count()})->getOutput(0);
}

Tensor* ImportContext::cast(Tensor& x, DataType type) {
  if (x.getType() == type) return &x;
  return network_.addCast(x, type)->getOutput(0);
}

Tensor* ImportContext::unsqueezeTo(Tensor& x, int32_t rank) {
  Dims dims = x.getDimensions();
  if (dims.nbDims >= rank) return &x;
  // Leading 1s, then copy every existing dimension with the 0 placeholder... which only works index-aligned, so
  // build the target from the input's shape tensor instead, which also covers dynamic dimensions. It must exist
  // before the shuffle that reads it, and its 0s are sizes (an empty axis), not placeholders.
  Tensor* shape = network_.addShape(x)->getOutput(0);
  std::vector<int64_t> ones(rank - dims.nbDims, 1);
  Tensor* target = network_.addConcatenation({constantInt64(ones), shape})->getOutput(0);
  auto* s = network_.addShuffle(x);
  s->setZeroIsPlaceholder(false);
  s->setInput(1, *target);
  return s->getOutput(0);
}

Tensor* ImportContext::reshape(Tensor& x, const Dims& dims) {
  auto* s = network_.addShuffle(x);
  s->setReshapeDimensions(dims);
  return s->getOutput(0);
}

Tensor* ImportContext::transpose(Tensor& x, const std::vector<int32_t>& permutation) {
  auto* s = network_.addShuffle(x);
  s->setFirstTranspose(permutation);
  return s->getOutput(0);
}

void ImportContext::unsupported(const Node& node, const std::string& reason) const {
  throw Error(ErrorCode::kUNSUPPORTED, node.op_type() + ": " + reason, nodeLabel(node));
}

void ImportContext::invalid(const Node& node, const std::string& reason) const {
  throw Error(ErrorCode::kINVALID_GRAPH, node.op_type() + ": " + reason, nodeLabel(node));
}

int32_t ImportContext::axis(const Node& node, int64_t axis, int32_t rank) const {
  if (axis < -rank || axis >= rank)
    invalid(node, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return static_cast<int32_t>(axis < 0 ? axis + rank : axis);
}

void OpRegistry::add(const std::string& opType, int64_t sinceVersion, OpImporter importer) {
  importers_[opType][sinceVersion] = std::move(importer);
}

const OpImporter* OpRegistry::find(const std::string& opType, int64_t opset) const {
  auto it = importers_.find(opType);
  if (it == importers_.end()) return nullptr;
  auto v = it->second.upper_bound(opset);
  if (v == it->second.begin()) return nullptr;
  return &std::prev(v)->second;
}

std::vector<std::string> OpRegistry::opTypes(int64_t opset) const {
  std::vector<std::string> names;
  for (const auto& [name, versions] : importers_)
    if (find(name, opset)) names.push_back(name);
  return names;
}

const OpRegistry& opRegistry() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    registerCopyImporters(r);
    registerElementwiseImporters(r);
    registerGenerationImporters(r);
    registerIndexingImporters(r);
    registerMatrixImporters(r);
    registerNormalizationImporters(r);
    registerPoolingImporters(r);
    registerConvolutionImporters(r);
    registerRecurrenceImporters(r);
    registerReductionImporters(r);
    registerResizeImporters(r);
    registerShapeImporters(r);
    registerLossImporters(r);
    registerSignalImporters(r);
    registerQuantizedImporters(r);
    return r;
  }();
  return registry;
}

}  // namespace kiln::onnx
