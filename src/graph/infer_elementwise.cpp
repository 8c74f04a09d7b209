// Shape rules: element-wise binary operations, activations and unary operations.
#include <span>

#include "graph/broadcast.h"
#include "graph/infer.h"

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

// Shape arithmetic (Mul/Div/Add on Shape outputs) folds into expressions.
std::optional<ExprId> foldValue(InferContext& ctx, ElementWiseOperation op, ExprId a, ExprId b) {
  auto& e = ctx.exprs();
  switch (op) {
    case ElementWiseOperation::kSUM: return e.add(a, b);
    case ElementWiseOperation::kSUB: return e.sub(a, b);
    case ElementWiseOperation::kPROD: return e.mul(a, b);
    case ElementWiseOperation::kDIV: {
      // Integer division truncates (C, ONNX). Constants fold exactly; symbolic shape values are sizes (>= 0),
      // for which truncation and floor agree.
      auto ca = ctx.constantValue(a), cb = ctx.constantValue(b);
      if (ca && cb) return *cb == 0 ? std::nullopt : std::optional(ctx.constant(*ca / *cb));
      return e.floorDiv(a, b);
    }
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
  auto op = static_cast<ElementWiseOperation>(ctx.attrs().getInt("op"));
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
        auto v = isComparison(op) ? compareValue(ctx, op, (*va)[i], (*vb)[i]) : foldValue(ctx, op, (*va)[i], (*vb)[i]);
        if (!v) break;
        folded.push_back(*v);
      }
      if (folded.size() == va->size()) values = std::move(folded);
    }
  }
  ctx.setOutput(0, type, out, values);
}

void inferActivation(InferContext& ctx) {
  auto op = static_cast<ActivationType>(ctx.attrs().getInt("op"));
  if (op < ActivationType::kRELU || op > ActivationType::kGELU_TANH) ctx.fail("unknown activation type");
  ctx.requireFloat(0);
  ctx.setOutput(0, ctx.input(0).type, ctx.input(0).dims);
}

void inferUnary(InferContext& ctx) {
  auto op = static_cast<UnaryOperation>(ctx.attrs().getInt("op"));
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
  table.add({LayerType::kELEMENTWISE, inferElementWise, {}});
  table.add({LayerType::kACTIVATION, inferActivation, {}});
  table.add({LayerType::kUNARY, inferUnary, {}});
}

}  // namespace kiln::graph
