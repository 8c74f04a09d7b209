// Shape rules: element-wise binary operations, activations and unary operations.
#include <span>

#include "graph/broadcast.h"
#include "graph/infer.h"
#include "ops/elementwise.h"

namespace kiln::graph {

namespace {

bool isComparison(ElementWiseOperation op) {
  return op == ElementWiseOperation::kEQUAL || op == ElementWiseOperation::kGREATER ||
         op == ElementWiseOperation::kLESS;
}
bool isLogical(ElementWiseOperation op) {
  return op == ElementWiseOperation::kAND || op == ElementWiseOperation::kOR || op == ElementWiseOperation::kXOR;
}
bool isShift(ElementWiseOperation op) {
  return op == ElementWiseOperation::kSHIFT_LEFT || op == ElementWiseOperation::kSHIFT_RIGHT;
}

// The value the element-wise kernels compute for two integer constants of `type` (int32 or int64): sums,
// differences and products wrap in two's complement, the most negative value divided by -1 is itself, as numpy.
// nullopt for a zero divisor, which the kernel run at build time refuses naming the layer.
std::optional<int64_t> kernelResult(ElementWiseOperation op, int64_t x, int64_t y, DataType type) {
  auto wrap = [type](uint64_t bits) {
    return type == DataType::kINT32 ? static_cast<int64_t>(static_cast<int32_t>(bits)) : static_cast<int64_t>(bits);
  };
  auto ux = static_cast<uint64_t>(x), uy = static_cast<uint64_t>(y);
  switch (op) {
    case ElementWiseOperation::kSUM: return wrap(ux + uy);
    case ElementWiseOperation::kSUB: return wrap(ux - uy);
    case ElementWiseOperation::kPROD: return wrap(ux * uy);
    case ElementWiseOperation::kMAX: return std::max(x, y);
    case ElementWiseOperation::kMIN: return std::min(x, y);
    default: break;
  }
  if (y == 0) return std::nullopt;
  if (y == -1) {
    if (op == ElementWiseOperation::kMOD) return 0;
    if (op == ElementWiseOperation::kDIV || op == ElementWiseOperation::kFLOOR_DIV) return wrap(0 - ux);
    return std::nullopt;
  }
  bool ok = true;
  switch (op) {
    case ElementWiseOperation::kDIV: return x / y;  // truncates, as C and ONNX
    case ElementWiseOperation::kFLOOR_DIV: return core::applyExprOp(core::ExprOp::kFLOOR_DIV, x, y, ok);
    case ElementWiseOperation::kMOD: return core::applyExprOp(core::ExprOp::kMOD, x, y, ok);
    default: return std::nullopt;
  }
}

// Shape arithmetic (Mul/Div/Add on Shape outputs) folds into expressions; constants fold to the kernels' values.
std::optional<ExprId> foldValue(InferContext& ctx, ElementWiseOperation op, ExprId a, ExprId b, DataType type) {
  auto ca = ctx.constantValue(a), cb = ctx.constantValue(b);
  if (ca && cb) {
    auto value = kernelResult(op, *ca, *cb, type);
    return value ? std::optional(ctx.constant(*value)) : std::nullopt;
  }
  auto& e = ctx.exprs();
  switch (op) {
    case ElementWiseOperation::kSUM: return e.add(a, b);
    case ElementWiseOperation::kSUB: return e.sub(a, b);
    case ElementWiseOperation::kPROD: return e.mul(a, b);
    // Symbolic shape values are sizes (>= 0), for which truncation and floor agree.
    case ElementWiseOperation::kDIV:
    case ElementWiseOperation::kFLOOR_DIV: return e.floorDiv(a, b);
    case ElementWiseOperation::kMOD: return e.mod(a, b);
    case ElementWiseOperation::kMAX: return e.max(a, b);
    case ElementWiseOperation::kMIN: return e.min(a, b);
    default: return std::nullopt;
  }
}

// Bounds of a shape value over every input shape: dimensions are sizes (never negative), shape-input values unbounded.
core::Interval valueRange(InferContext& ctx, ExprId id) {
  constexpr int64_t kLargestSize = int64_t{1} << 62;
  std::span<const core::ExprNode> nodes(ctx.exprs().nodes().data(), static_cast<size_t>(id) + 1);
  std::vector<core::Interval> ranges(nodes.size());
  core::evaluateIntervals(
      nodes,
      [](int32_t, int32_t) {
        return core::Interval{0, kLargestSize};
      },
      ranges);
  return ranges.back();
}

// A comparison of shape values folds (to 1 or 0) when it has the same answer for every input shape: the same
// expression on both sides, or value ranges that decide it. PyTorch exports expand() as
// Expand(x, Where(Equal(shape, -1), 1, shape)), which compares sizes with -1.
std::optional<ExprId> compareValue(InferContext& ctx, ElementWiseOperation op, ExprId a, ExprId b) {
  if (op == ElementWiseOperation::kEQUAL && a == b) return ctx.constant(1);
  core::Interval x = valueRange(ctx, a), y = valueRange(ctx, b);
  std::optional<bool> known;
  if (op == ElementWiseOperation::kEQUAL && (x.hi < y.lo || y.hi < x.lo)) known = false;
  if (op == ElementWiseOperation::kGREATER && (x.lo > y.hi || x.hi <= y.lo)) known = x.lo > y.hi;
  if (op == ElementWiseOperation::kLESS && (x.hi < y.lo || x.lo >= y.hi)) known = x.hi < y.lo;
  if (!known) return std::nullopt;
  return ctx.constant(*known ? 1 : 0);
}

void inferElementWise(InferContext& ctx) {
  ElementWiseOperation op = ctx.attrs().get(ops::ElementWise::kOp);
  if (op < ElementWiseOperation::kSUM || op > ElementWiseOperation::kSHIFT_RIGHT) ctx.fail("unknown operation");
  ctx.requireSameType(0, 1);
  const TensorNode& a = ctx.input(0);
  const TensorNode& b = ctx.input(1);
  if (isLogical(op) && a.type != DataType::kBOOL) ctx.fail("logical operations need bool inputs");
  if (!isLogical(op) && a.type == DataType::kBOOL && op != ElementWiseOperation::kEQUAL)
    ctx.fail("arithmetic on bool inputs is not defined");
  if (isShift(op) && !isUnsignedInteger(a.type))
    ctx.fail(std::string("shifts need unsigned integer inputs, not ") + dataTypeName(a.type));
  auto out = broadcastShapes(ctx, {a.dims, b.dims});
  DataType type = isComparison(op) || isLogical(op) ? DataType::kBOOL : a.type;
  std::optional<std::vector<ExprId>> values;
  bool integer = a.type == DataType::kINT32 || a.type == DataType::kINT64;
  if (integer && a.values && b.values) {
    auto va = broadcastValues(ctx, *a.values, a.dims, out);
    auto vb = broadcastValues(ctx, *b.values, b.dims, out);
    if (va && vb) {
      std::vector<ExprId> folded;
      for (size_t i = 0; i < va->size(); ++i) {
        auto v = isComparison(op) ? compareValue(ctx, op, (*va)[i], (*vb)[i])
                                  : foldValue(ctx, op, (*va)[i], (*vb)[i], a.type);
        if (!v) break;
        folded.push_back(*v);
      }
      if (folded.size() == va->size()) values = std::move(folded);
    }
  }
  ctx.setOutput(0, type, out, values);
}

void inferActivation(InferContext& ctx) {
  ActivationType op = ctx.attrs().get(ops::Activation::kOp);
  if (op < ActivationType::kRELU || op > ActivationType::kGELU_TANH) ctx.fail("unknown activation type");
  ctx.requireFloat(0);
  ctx.setOutput(0, ctx.input(0).type, ctx.input(0).dims);
}

void inferUnary(InferContext& ctx) {
  UnaryOperation op = ctx.attrs().get(ops::Unary::kOp);
  if (op < UnaryOperation::kEXP || op > UnaryOperation::kISNAN) ctx.fail("unknown unary operation");
  const TensorNode& in = ctx.input(0);
  DataType type = in.type;
  switch (op) {
    case UnaryOperation::kNOT:
      if (type != DataType::kBOOL) ctx.fail("NOT needs a bool input");
      break;
    case UnaryOperation::kABS:
    case UnaryOperation::kNEG:
    case UnaryOperation::kSIGN:
      if (type == DataType::kBOOL) ctx.fail("operation is not defined on bool");
      break;
    case UnaryOperation::kISINF:
    case UnaryOperation::kISNAN:
      ctx.requireFloat(0);
      type = DataType::kBOOL;
      break;
    default: ctx.requireFloat(0);
  }
  std::optional<std::vector<ExprId>> values;
  if (op == UnaryOperation::kNEG && in.values) {
    std::vector<ExprId> v;
    for (ExprId x : *in.values) v.push_back(ctx.exprs().sub(ctx.constant(0), x));
    values = v;
  }
  ctx.setOutput(0, type, in.dims, values);
}

}  // namespace

void registerElementwiseOps(OpTable& table) {
  table.add({LayerType::kELEMENTWISE, inferElementWise});
  table.add({LayerType::kACTIVATION, inferActivation});
  table.add({LayerType::kUNARY, inferUnary});
}

}  // namespace kiln::graph
