#include "graph/infer.h"

#include <mutex>
#include <sstream>

#include "core/checked_math.h"
#include "ops/op_schema.h"

namespace kiln::graph {

const TensorNode& InferContext::input(int32_t i) const {
  if (!hasInput(i)) fail("input " + std::to_string(i) + " is missing");
  return graph_.tensors[layer().inputs[i]];
}

void InferContext::setOutput(int32_t i, DataType type, std::vector<ExprId> dims,
                             std::optional<std::vector<ExprId>> values) {
  if (dims.size() > static_cast<size_t>(Dims::MAX_DIMS))
    fail("output rank " + std::to_string(dims.size()) + " exceeds " + std::to_string(Dims::MAX_DIMS));
  // A tensor's element count must fit in int64: every size computed from it (bytes, offsets, strides) does too.
  std::vector<int64_t> known;
  for (ExprId d : dims)
    if (auto c = constantValue(d)) known.push_back(*c);
  if (!core::tryProduct(known)) {
    std::string text;
    for (int64_t d : known) {
      if (!text.empty()) text += 'x';
      text += std::to_string(d);
    }
    fail("output " + std::to_string(i) + " has dimensions " + text + ", more elements than 64-bit integers count");
  }
  TensorNode& t = graph_.tensors[layer().outputs.at(i)];
  t.type = type;
  t.dims = std::move(dims);
  t.values = std::move(values);
}

void InferContext::fail(const std::string& message) const {
  throw Error(ErrorCode::kINVALID_GRAPH, std::string(layerTypeName(layer().type)) + " layer: " + message, layer().name);
}

void InferContext::requireEqual(ExprId a, ExprId b, const std::string& message) {
  if (a == b) return;
  auto ca = constantValue(a), cb = constantValue(b);
  if (ca && cb) {
    if (*ca != *cb) fail(message + " (" + std::to_string(*ca) + " vs " + std::to_string(*cb) + ")");
    return;
  }
  graph_.layers[layerId_].assertions.push_back({Assertion::Kind::kEQUAL, a, b, message});
}

void InferContext::requireGreaterEqual(ExprId a, ExprId b, const std::string& message) {
  if (a == b) return;
  auto ca = constantValue(a), cb = constantValue(b);
  if (ca && cb) {
    if (*ca < *cb) fail(message + " (" + std::to_string(*ca) + " < " + std::to_string(*cb) + ")");
    return;
  }
  graph_.layers[layerId_].assertions.push_back({Assertion::Kind::kGREATER_EQUAL, a, b, message});
}

ExprId InferContext::broadcastDim(ExprId a, ExprId b, const std::string& what) {
  if (a == b) return a;
  auto ca = constantValue(a), cb = constantValue(b);
  if (ca && *ca == 1) return b;
  if (cb && *cb == 1) return a;
  if (ca && cb)
    fail(what + ": dimensions " + std::to_string(*ca) + " and " + std::to_string(*cb) + " do not broadcast");
  graph_.layers[layerId_].assertions.push_back(
      {Assertion::Kind::kBROADCAST, a, b, what + ": dimensions do not broadcast"});
  // A constant other than 1 fixes the result; otherwise numpy's rule, evaluated at run time.
  if (ca) return a;
  if (cb) return b;
  return exprs().broadcast(a, b);
}

int32_t InferContext::normalizeAxis(int64_t axis, int32_t rank, const char* what) const {
  if (axis < -rank || axis >= rank)
    fail(std::string(what) + " " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return static_cast<int32_t>(axis < 0 ? axis + rank : axis);
}

bool InferContext::constantValues(const std::vector<ExprId>& exprs, std::vector<int64_t>& out) const {
  out.clear();
  for (ExprId e : exprs) {
    auto c = constantValue(e);
    if (!c) return false;
    out.push_back(*c);
  }
  return true;
}

std::string InferContext::dimsToString(const std::vector<ExprId>& dims) const {
  std::ostringstream s;
  s << "[";
  for (size_t i = 0; i < dims.size(); ++i) s << (i ? "," : "") << graph_.exprs.toString(dims[i]);
  s << "]";
  return s.str();
}

ExprId InferContext::volume(const std::vector<ExprId>& dims) {
  ExprId v = constant(1);
  for (ExprId d : dims) v = exprs().mul(v, d);
  return v;
}

void InferContext::requireFloat(int32_t i) const {
  if (!isFloatingPoint(input(i).type))
    fail("input " + std::to_string(i) + " must be a floating-point tensor, not " + dataTypeName(input(i).type));
}

void InferContext::requireSameType(int32_t a, int32_t b) const {
  if (input(a).type != input(b).type)
    fail(std::string("inputs have different types (") + dataTypeName(input(a).type) + " and " +
         dataTypeName(input(b).type) + ")");
}

void InferContext::requireShape(int32_t i, const std::vector<ExprId>& dims, const std::string& what) {
  const auto& actual = input(i).dims;
  if (actual.size() != dims.size())
    fail(what + " has rank " + std::to_string(actual.size()) + ", not " + std::to_string(dims.size()));
  for (size_t a = 0; a < dims.size(); ++a)
    requireEqual(actual[a], dims[a], what + " differs on axis " + std::to_string(a));
}

static const OpTable& table() {
  static OpTable t = [] {
    OpTable built;
    registerCopyOps(built);
    registerElementwiseOps(built);
    registerGenerationOps(built);
    registerIndexingOps(built);
    registerMatrixOps(built);
    registerNormalizationOps(built);
    registerPluginOps(built);
    registerPoolingOps(built);
    registerConvolutionOps(built);
    registerRecurrenceOps(built);
    registerReductionOps(built);
    registerResizeOps(built);
    registerShapeOps(built);
    return built;
  }();
  return t;
}

void inferLayer(Graph& graph, int32_t layerId) {
  LayerNode& layer = graph.layers[layerId];
  layer.assertions.clear();
  layer.derived = Attrs{};
  const OpDef* def = table().find(layer.type);
  if (!def)
    throw Error(ErrorCode::kUNSUPPORTED, std::string("no shape rule for layer type ") + layerTypeName(layer.type));
  InferContext ctx(graph, layerId);
  const ops::InputSet& valueInputs = ops::opSchema(layer.type).valueInputs;
  for (int32_t v = 0; v < ctx.nbInputs(); ++v) {
    if (valueInputs.contains(v) && ctx.hasInput(v) && !ctx.input(v).values)
      ctx.fail("input " + std::to_string(v) + " ('" + ctx.input(v).name +
               "') must be a shape tensor whose values are known at build time");
  }
  try {
    def->infer(ctx);
  } catch (const Error& e) {
    // Shape arithmetic that overflows is refused by the expression pool, which does not know the layer.
    if (!e.object().empty()) throw;
    throw Error(e.code(), std::string(layerTypeName(layer.type)) + " layer: " + e.message(), layer.name);
  }
}

}  // namespace kiln::graph
