// Importers of the copy family (constant, identity, cast and shape layers): Constant, Identity, Dropout, Cast,
// CastLike, Shape and Size.
#include <cstring>
#include <optional>
#include <vector>

#include "onnx/elementwise_common.h"
#include "onnx/shape_math.h"

namespace kiln::onnx {

namespace {

using namespace shape_math;

// ---- Constant ---------------------------------------------------------------------------------------------------

template <typename T>
HostData hostData(DataType type, const std::vector<T>& values, bool scalar) {
  HostData data;
  data.type = type;
  data.dims = scalar ? Dims{} : Dims{static_cast<int64_t>(values.size())};
  data.bytes.resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(data.bytes.data(), values.data(), data.bytes.size());
  return data;
}

void importConstant(ImportContext& ctx, const Node& node) {
  // "Exactly one of the provided attributes, either value, sparse_value, or value_* must be specified."
  std::string which;
  for (const char* name : {"value", "sparse_value", "value_float", "value_floats", "value_int", "value_ints",
                           "value_string", "value_strings"}) {
    if (!ctx.has(node, name)) continue;
    if (!which.empty()) ctx.invalid(node, "both " + which + " and " + name + " are set; exactly one may be");
    which = name;
  }
  HostData data;
  if (which == "value") {
    const auto* tensor = ctx.getTensorAttr(node, "value");
    if (!tensor) ctx.invalid(node, "attribute value does not hold a tensor");
    data = readTensor(*tensor, ctx.baseDir());
  } else if (which == "value_float" || which == "value_floats") {
    bool scalar = which == "value_float";
    data = hostData(DataType::kFLOAT,
                    scalar ? std::vector<float>{ctx.getFloat(node, which, 0)} : ctx.getFloats(node, which), scalar);
  } else if (which == "value_int" || which == "value_ints") {
    bool scalar = which == "value_int";
    data = hostData(DataType::kINT64,
                    scalar ? std::vector<int64_t>{ctx.getInt(node, which, 0)} : ctx.getInts(node, which), scalar);
  } else if (which == "sparse_value") {
    ctx.unsupported(node, "sparse_value: sparse tensors are not supported");
  } else if (!which.empty()) {
    ctx.unsupported(node, which + ": string tensors are not supported");
  } else {
    ctx.invalid(node, "none of value, sparse_value and value_* is set");
  }
  ctx.setOutput(node, 0, ctx.constantData(data));
}

// ---- Cast, identity, dropout --------------------------------------------------------------------------------------

// Cast-19 adds saturate: "It only applies for float 8 conversion", and kiln has no float 8 types (a float 8 `to` is
// reported as unsupported), so it never changes a supported cast. Cast-1 names the type as a string.
void importCast(ImportContext& ctx, const Node& node) {
  checkAttributes(ctx, node, {"to", "saturate"});
  if (!ctx.has(node, "to")) ctx.invalid(node, "attribute 'to' is required");
  int64_t to = 0;
  if (ctx.opset() < 6) {
    ::onnx::TensorProto::DataType parsed;
    std::string name = ctx.getString(node, "to", "");
    if (!::onnx::TensorProto::DataType_Parse(name, &parsed)) ctx.invalid(node, "unknown type '" + name + "'");
    to = parsed;
  } else {
    to = ctx.getInt(node, "to", 0);
  }
  DataType type = kilnType(ctx, node, to, "target type");
  ctx.setOutput(node, 0, ctx.network().addCast(ctx.requiredInput(node, 0), type)->getOutput(0));
}

void importCastLike(ImportContext& ctx, const Node& node) {
  checkAttributes(ctx, node, {"saturate"});  // float 8 only, as for Cast
  DataType type = ctx.requiredInput(node, 1).getType();
  ctx.setOutput(node, 0, ctx.network().addCast(ctx.requiredInput(node, 0), type)->getOutput(0));
}

void importIdentity(ImportContext& ctx, const Node& node) {
  checkAttributes(ctx, node, {});
  ctx.setOutput(node, 0, ctx.network().addIdentity(ctx.requiredInput(node, 0))->getOutput(0));
}

// A bool tensor of x's shape, all true (Dropout's mask at inference).
Tensor* allTrue(ImportContext& ctx, Tensor& x) {
  Tensor* shape = ctx.network().addShape(x)->getOutput(0);  // added first: layers read only earlier tensors
  FillLayer* fill = ctx.network().addFill(Dims{}, FillOperation::kCONSTANT, DataType::kBOOL);
  fill->setAlpha(1.0);
  fill->setInput(0, *shape);
  return fill->getOutput(0);
}

// Inference dropout passes the input through; the mask (when used) keeps every element. Training-mode dropout is
// random, so it is reported unless its ratio is 0 ("output = data" then, with an all-true mask).
// Opsets 1-6: is_test selects training (0) or test (1) mode; an inference engine runs every model in test mode,
// as other runtimes do. Opset 7 has no modes (the operator is an identity at inference) and its mask has the
// input's type; opset 10 makes the mask bool; opset 12 turns ratio and training_mode into inputs and adds the
// seed of the (never used) random generator.
OpImporter dropout(int64_t version) {
  return [version](ImportContext& ctx, const Node& node) {
    if (version < 7)
      checkAttributes(ctx, node, {"is_test", "ratio"});
    else if (version < 12)
      checkAttributes(ctx, node, {"ratio"});
    else
      checkAttributes(ctx, node, {"seed"});
    Tensor& x = ctx.requiredInput(node, 0);
    if (Tensor* training = ctx.input(node, 2)) {
      auto mode = ctx.constantFloats(training);
      if (!mode || mode->size() != 1)
        ctx.unsupported(node, "training_mode must be known at build time (training-mode dropout is random)");
      auto ratio = ctx.constantFloats(ctx.input(node, 1));
      bool zeroRatio = ratio && ratio->size() == 1 && (*ratio)[0] == 0.0f;
      if ((*mode)[0] != 0 && !zeroRatio) ctx.unsupported(node, "training-mode dropout is random");
    }
    ctx.setOutput(node, 0, ctx.network().addIdentity(x)->getOutput(0));
    if (node.output_size() > 1 && !node.output(1).empty()) {
      Tensor* mask = allTrue(ctx, x);
      ctx.setOutput(node, 1, version < 10 ? ctx.cast(*mask, x.getType()) : mask);
    }
  };
}

// ---- Shape, Size ---------------------------------------------------------------------------------------------------

// Shape-15: negative start and end count from the back; then "specifying any end value > r is equivalent to
// specifying an end value of r, and specifying any start value < -r is equivalent to specifying a start value of 0".
void importShape(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  int64_t rank = rankOf(x);
  auto bound = [rank](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
  int64_t start = bound(ctx.getInt(node, "start", 0)), end = bound(ctx.getInt(node, "end", rank));
  ShapeMath m(ctx);
  Tensor* shape = m.shape(x);
  ctx.setOutput(node, 0, start == 0 && end == rank ? shape : m.pick(*shape, range(start, end)));
}

void importSize(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  ShapeMath m(ctx);
  ctx.setOutput(node, 0, ctx.reshape(*m.product(*m.shape(x)), Dims{}));
}

}  // namespace

void registerCopyImporters(OpRegistry& r) {
  r.add("Constant", 1, importConstant);
  r.add("Identity", 1, importIdentity);
  for (int64_t v : {1, 7, 10, 12}) r.add("Dropout", v, dropout(v));
  r.add("Cast", 1, importCast);
  r.add("CastLike", 15, importCastLike);
  r.add("Shape", 1, importShape);
  r.add("Size", 1, importSize);
}

}  // namespace kiln::onnx
