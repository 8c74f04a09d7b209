#include "core/symbolic.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "core/checked_math.h"
#include "kiln/error.h"

namespace kiln::core {

namespace {

// floor(a / b) for b != 0; nullopt where it does not fit (the most negative value divided by -1).
std::optional<int64_t> floorDivValue(int64_t a, int64_t b) {
  if (b == -1) return trySub<int64_t>(0, a);
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// a - floor(a / b) * b for b != 0, without forming the product (which can overflow when a is near the limits).
int64_t floorModValue(int64_t a, int64_t b) {
  if (b == -1) return 0;
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

bool isDivision(ExprOp op) { return op == ExprOp::kFLOOR_DIV || op == ExprOp::kCEIL_DIV || op == ExprOp::kMOD; }

const char* operatorSymbol(ExprOp op) {
  switch (op) {
    case ExprOp::kADD: return "+";
    case ExprOp::kSUB: return "-";
    case ExprOp::kMUL: return "*";
    case ExprOp::kFLOOR_DIV: return "floor/";
    case ExprOp::kCEIL_DIV: return "ceil/";
    case ExprOp::kMOD: return "%";
    default: return "?";
  }
}

bool isCommutative(ExprOp op) {
  return op == ExprOp::kADD || op == ExprOp::kMUL || op == ExprOp::kMIN || op == ExprOp::kMAX;
}

}  // namespace

int64_t applyExprOp(ExprOp op, int64_t a, int64_t b, bool& ok) {
  std::optional<int64_t> result;
  switch (op) {
    case ExprOp::kADD: result = tryAdd(a, b); break;
    case ExprOp::kSUB: result = trySub(a, b); break;
    case ExprOp::kMUL: result = tryMul(a, b); break;
    case ExprOp::kFLOOR_DIV:
      if (b != 0) result = floorDivValue(a, b);
      break;
    case ExprOp::kCEIL_DIV:
      // ceil(a / b) = -floor(-a / b)
      if (b != 0)
        if (auto negated = trySub<int64_t>(0, a))
          if (auto q = floorDivValue(*negated, b)) result = trySub<int64_t>(0, *q);
      break;
    case ExprOp::kMOD:
      if (b != 0) result = floorModValue(a, b);
      break;
    case ExprOp::kMIN: return std::min(a, b);
    case ExprOp::kMAX: return std::max(a, b);
    case ExprOp::kBROADCAST: return a == 1 ? b : a;
    case ExprOp::kCONST:
    case ExprOp::kINPUT_DIM:
    case ExprOp::kINPUT_VALUE: break;
  }
  if (result) return *result;
  ok = false;
  return 0;
}

size_t ExprPool::NodeHash::operator()(const ExprNode& n) const {
  size_t h = static_cast<size_t>(n.op);
  h = h * 1000003u ^ std::hash<int64_t>()(n.value);
  h = h * 1000003u ^ std::hash<int32_t>()(n.a);
  h = h * 1000003u ^ std::hash<int32_t>()(n.b);
  return h;
}

ExprId ExprPool::intern(const ExprNode& node) {
  auto it = memo_.find(node);
  if (it != memo_.end()) return it->second;
  ExprId id = static_cast<ExprId>(nodes_.size());
  nodes_.push_back(node);
  memo_.emplace(node, id);
  return id;
}

std::optional<ExprPool::Monomial> ExprPool::monomial(ExprId id) const {
  Monomial m;
  std::vector<ExprId> stack{id};
  while (!stack.empty()) {
    const ExprNode& n = nodes_[stack.back()];
    ExprId current = stack.back();
    stack.pop_back();
    if (n.op == ExprOp::kCONST) {
      auto coefficient = tryMul(m.coefficient, n.value);
      if (!coefficient) return std::nullopt;
      m.coefficient = *coefficient;
    } else if (n.op == ExprOp::kMUL) {
      stack.push_back(n.a);
      stack.push_back(n.b);
    } else {
      m.factors.push_back(current);
    }
  }
  std::sort(m.factors.begin(), m.factors.end());
  return m;
}

ExprId ExprPool::product(const Monomial& m) {
  if (m.coefficient == 0 || m.factors.empty()) return constant(m.coefficient);
  ExprId result = m.factors[0];
  for (size_t i = 1; i < m.factors.size(); ++i) result = intern({ExprOp::kMUL, 0, result, m.factors[i]});
  return m.coefficient == 1 ? result : intern({ExprOp::kMUL, 0, result, constant(m.coefficient)});
}

std::optional<ExprId> ExprPool::cancelCommonFactors(ExprOp op, ExprId a, ExprId b) {
  auto numerator = monomial(a), denominator = monomial(b);
  if (!numerator || !denominator) return std::nullopt;
  Monomial& num = *numerator;
  Monomial& den = *denominator;
  // The most negative coefficient has no gcd or negation in int64.
  constexpr int64_t kLowest = std::numeric_limits<int64_t>::min();
  if (den.coefficient == 0 || num.coefficient == kLowest || den.coefficient == kLowest) return std::nullopt;
  std::vector<ExprId> common;
  std::set_intersection(num.factors.begin(), num.factors.end(), den.factors.begin(), den.factors.end(),
                        std::back_inserter(common));
  int64_t g = std::gcd(num.coefficient, den.coefficient);
  if (common.empty() && (g <= 1 || (num.factors.empty() && den.factors.empty()))) return std::nullopt;
  // The quotient of the two products is the same rational number after cancelling (a common factor of 0 makes both
  // a division by zero), so floor and ceiling are too.
  auto remove = [&](std::vector<ExprId>& factors) {
    std::vector<ExprId> rest;
    std::set_difference(factors.begin(), factors.end(), common.begin(), common.end(), std::back_inserter(rest));
    factors = std::move(rest);
  };
  remove(num.factors);
  remove(den.factors);
  if (g > 1) {
    num.coefficient /= g;
    den.coefficient /= g;
  }
  if (den.coefficient < 0) {
    num.coefficient = -num.coefficient;
    den.coefficient = -den.coefficient;
  }
  if (den.factors.empty() && den.coefficient == 1) return product(num);
  return make(op, product(num), product(den));
}

ExprId ExprPool::constant(int64_t value) { return intern({ExprOp::kCONST, value, -1, -1}); }

ExprId ExprPool::inputDim(int32_t input, int32_t axis) {
  return intern({ExprOp::kINPUT_DIM, static_cast<int64_t>(input) * kLeafStride + axis, -1, -1});
}

ExprId ExprPool::inputValue(int32_t input, int32_t element) {
  return intern({ExprOp::kINPUT_VALUE, static_cast<int64_t>(input) * kLeafStride + element, -1, -1});
}

bool ExprPool::readsInputValues(ExprId id) const {
  std::vector<ExprId> stack{id};
  while (!stack.empty()) {
    const ExprNode& n = nodes_[stack.back()];
    stack.pop_back();
    if (n.op == ExprOp::kINPUT_VALUE) return true;
    if (n.a >= 0) stack.push_back(n.a);
    if (n.b >= 0) stack.push_back(n.b);
  }
  return false;
}

std::optional<int64_t> ExprPool::constantValue(ExprId id) const {
  if (id < 0 || id >= size() || nodes_[id].op != ExprOp::kCONST) return std::nullopt;
  return nodes_[id].value;
}

ExprId ExprPool::make(ExprOp op, ExprId a, ExprId b) {
  auto ca = constantValue(a);
  auto cb = constantValue(b);
  if (ca && cb) {
    bool ok = true;
    int64_t v = applyExprOp(op, *ca, *cb, ok);
    if (ok) return constant(v);
    // A zero divisor stays a node (the shape is refused where it is evaluated); any other failure is an overflow.
    if (*cb != 0 || !isDivision(op))
      throwOverflow({ErrorCode::kINVALID_GRAPH, "shape arithmetic", {}},
                    std::to_string(*ca) + " " + operatorSymbol(op) + " " + std::to_string(*cb));
  }
  // Canonical operand order for commutative operations: constant last, otherwise lower id first.
  if (isCommutative(op) && (ca || (!cb && a > b))) {
    std::swap(a, b);
    std::swap(ca, cb);
  }
  const ExprNode na = nodes_[a];  // a copy: creating nodes below may reallocate nodes_
  switch (op) {
    case ExprOp::kADD:
      if (cb && *cb == 0) return a;
      // (x + c1) + c2 -> x + (c1 + c2)
      if (cb && na.op == ExprOp::kADD && isConstant(na.b))
        if (auto sum = tryAdd(*constantValue(na.b), *cb)) return add(na.a, constant(*sum));
      // (x - y) + y -> x
      if (na.op == ExprOp::kSUB && na.b == b) return na.a;
      break;
    case ExprOp::kSUB:
      if (a == b) return constant(0);
      if (cb && *cb == 0) return a;
      if (cb && *cb != std::numeric_limits<int64_t>::min()) return add(a, constant(-*cb));
      // (x + y) - y -> x
      if (na.op == ExprOp::kADD && na.b == b) return na.a;
      if (na.op == ExprOp::kADD && na.a == b) return na.b;
      break;
    case ExprOp::kMUL: {
      if (cb && *cb == 1) return a;
      if (cb && *cb == 0) return constant(0);
      // Products are kept as one canonical chain (sorted factors, constant last), so that the same product built in
      // another order is the same node and quotients of products can cancel.
      auto m = monomial(a), mb = monomial(b);
      auto coefficient = m && mb ? tryMul(m->coefficient, mb->coefficient) : std::nullopt;
      if (!coefficient) break;  // a coefficient beyond int64: kept as built
      m->coefficient = *coefficient;
      m->factors.insert(m->factors.end(), mb->factors.begin(), mb->factors.end());
      std::sort(m->factors.begin(), m->factors.end());
      return product(*m);
    }
    case ExprOp::kFLOOR_DIV:
    case ExprOp::kCEIL_DIV:
      if (cb && *cb == 1) return a;
      if (a == b) return constant(1);
      // (x * y) / (x * z) -> y / z: a reshape's -1 divides the input's volume by the other dimensions, and bounding
      // that quotient without cancelling would multiply the profile's range into it.
      if (auto cancelled = cancelCommonFactors(op, a, b)) return *cancelled;
      break;
    case ExprOp::kMOD:
      if (cb && *cb == 1) return constant(0);
      if (a == b) return constant(0);
      if (na.op == ExprOp::kMUL) {  // (c1 * x * y) % (c2 * x) is 0 when c2 divides c1
        auto num = monomial(a), den = monomial(b);
        if (num && den && den->coefficient != 0 && floorModValue(num->coefficient, den->coefficient) == 0 &&
            std::includes(num->factors.begin(), num->factors.end(), den->factors.begin(), den->factors.end()))
          return constant(0);
      }
      break;
    case ExprOp::kMIN:
    case ExprOp::kMAX:
      if (a == b) return a;
      break;
    case ExprOp::kBROADCAST:
      if (a == b || (cb && *cb == 1)) return a;
      if (ca && *ca == 1) return b;
      break;
    case ExprOp::kCONST:
    case ExprOp::kINPUT_DIM:
    case ExprOp::kINPUT_VALUE: break;
  }
  return intern({op, 0, a, b});
}

ExprId ExprPool::add(ExprId a, ExprId b) { return make(ExprOp::kADD, a, b); }
ExprId ExprPool::sub(ExprId a, ExprId b) { return make(ExprOp::kSUB, a, b); }
ExprId ExprPool::mul(ExprId a, ExprId b) { return make(ExprOp::kMUL, a, b); }
ExprId ExprPool::floorDiv(ExprId a, ExprId b) { return make(ExprOp::kFLOOR_DIV, a, b); }
ExprId ExprPool::ceilDiv(ExprId a, ExprId b) { return make(ExprOp::kCEIL_DIV, a, b); }
ExprId ExprPool::mod(ExprId a, ExprId b) { return make(ExprOp::kMOD, a, b); }
ExprId ExprPool::min(ExprId a, ExprId b) { return make(ExprOp::kMIN, a, b); }
ExprId ExprPool::max(ExprId a, ExprId b) { return make(ExprOp::kMAX, a, b); }
ExprId ExprPool::broadcast(ExprId a, ExprId b) { return make(ExprOp::kBROADCAST, a, b); }

std::string ExprPool::toString(ExprId id, const std::function<std::string(int32_t, int32_t)>& inputName) const {
  const ExprNode& n = nodes_[id];
  auto sub = [&](ExprId c) {
    std::string s = toString(c, inputName);
    ExprOp op = nodes_[c].op;
    bool atomic = isLeaf(op) || op == ExprOp::kMIN || op == ExprOp::kMAX || op == ExprOp::kBROADCAST ||
                  op == ExprOp::kFLOOR_DIV || op == ExprOp::kCEIL_DIV;
    return atomic ? s : "(" + s + ")";
  };
  switch (n.op) {
    case ExprOp::kCONST: return std::to_string(n.value);
    case ExprOp::kINPUT_DIM: {
      int32_t input = static_cast<int32_t>(n.value / kLeafStride), axis = static_cast<int32_t>(n.value % kLeafStride);
      return inputName ? inputName(input, axis) : "in" + std::to_string(input) + "." + std::to_string(axis);
    }
    case ExprOp::kINPUT_VALUE: {
      std::string s = "value(in";
      s += std::to_string(n.value / kLeafStride);
      s += "[";
      s += std::to_string(n.value % kLeafStride);
      s += "])";
      return s;
    }
    case ExprOp::kADD: return sub(n.a) + "+" + sub(n.b);
    case ExprOp::kSUB: return sub(n.a) + "-" + sub(n.b);
    case ExprOp::kMUL: return sub(n.a) + "*" + sub(n.b);
    case ExprOp::kFLOOR_DIV: return "floor(" + sub(n.a) + "/" + sub(n.b) + ")";
    case ExprOp::kCEIL_DIV: return "ceil(" + sub(n.a) + "/" + sub(n.b) + ")";
    case ExprOp::kMOD: return sub(n.a) + "%" + sub(n.b);
    case ExprOp::kMIN: return "min(" + toString(n.a, inputName) + "," + toString(n.b, inputName) + ")";
    case ExprOp::kMAX: return "max(" + toString(n.a, inputName) + "," + toString(n.b, inputName) + ")";
    case ExprOp::kBROADCAST: return "broadcast(" + toString(n.a, inputName) + "," + toString(n.b, inputName) + ")";
  }
  return "?";
}

std::vector<ExprId> ExprPool::copyInto(ExprPool& out, std::span<const ExprId> roots) const {
  std::vector<ExprId> mapped(nodes_.size(), -1);
  // Children have smaller ids, so one ascending sweep over the needed nodes maps everything.
  std::vector<char> needed(nodes_.size(), 0);
  for (ExprId r : roots) needed[r] = 1;
  for (ExprId i = size() - 1; i >= 0; --i) {
    if (!needed[i]) continue;
    if (nodes_[i].a >= 0) needed[nodes_[i].a] = 1;
    if (nodes_[i].b >= 0) needed[nodes_[i].b] = 1;
  }
  for (ExprId i = 0; i < size(); ++i) {
    if (!needed[i]) continue;
    const ExprNode& n = nodes_[i];
    if (n.op == ExprOp::kCONST)
      mapped[i] = out.constant(n.value);
    else if (isLeaf(n.op))
      mapped[i] = out.intern(n);
    else
      mapped[i] = out.make(n.op, mapped[n.a], mapped[n.b]);
  }
  std::vector<ExprId> result;
  result.reserve(roots.size());
  for (ExprId r : roots) result.push_back(mapped[r]);
  return result;
}

bool evaluateExprs(std::span<const ExprNode> nodes, const std::function<int64_t(int32_t, int32_t)>& inputDim,
                   std::span<int64_t> values, const std::function<int64_t(int32_t, int32_t)>& inputValue) {
  bool ok = true;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const ExprNode& n = nodes[i];
    auto input = static_cast<int32_t>(n.value / kLeafStride), index = static_cast<int32_t>(n.value % kLeafStride);
    if (n.op == ExprOp::kCONST) {
      values[i] = n.value;
    } else if (n.op == ExprOp::kINPUT_DIM) {
      values[i] = inputDim(input, index);
    } else if (n.op == ExprOp::kINPUT_VALUE) {
      ok &= static_cast<bool>(inputValue);
      values[i] = inputValue ? inputValue(input, index) : 0;
    } else {
      values[i] = applyExprOp(n.op, values[n.a], values[n.b], ok);
    }
  }
  return ok;
}

namespace {

// Interval ends saturate here, far from int64 overflow; an unbounded shape-input value starts at this bound.
constexpr int64_t kUnbounded = int64_t{1} << 62;

// One corner of an interval operation, computed wide so that saturated ends cannot overflow.
int64_t corner(ExprOp op, int64_t a, int64_t b, bool& ok) {
  __int128 wide;
  switch (op) {
    case ExprOp::kADD: wide = static_cast<__int128>(a) + b; break;
    case ExprOp::kSUB: wide = static_cast<__int128>(a) - b; break;
    case ExprOp::kMUL: wide = static_cast<__int128>(a) * b; break;
    default: return applyExprOp(op, a, b, ok);
  }
  return static_cast<int64_t>(std::clamp<__int128>(wide, -kUnbounded, kUnbounded));
}

// A leaf's bounds saturated like every other end, so that negating or subtracting them cannot overflow. A bound cut
// to 2^62 still bounds every tensor it sizes beyond any memory, which the builder refuses.
Interval saturate(Interval bounds) {
  return {std::clamp(bounds.lo, -kUnbounded, kUnbounded), std::clamp(bounds.hi, -kUnbounded, kUnbounded)};
}

}  // namespace

void evaluateIntervals(std::span<const ExprNode> nodes, const std::function<Interval(int32_t, int32_t)>& inputDim,
                       std::span<Interval> values, const std::function<Interval(int32_t, int32_t)>& inputValue) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    const ExprNode& n = nodes[i];
    auto input = static_cast<int32_t>(n.value / kLeafStride), index = static_cast<int32_t>(n.value % kLeafStride);
    if (n.op == ExprOp::kCONST) {
      values[i] = saturate({n.value, n.value});
      continue;
    }
    if (n.op == ExprOp::kINPUT_DIM) {
      values[i] = saturate(inputDim(input, index));
      continue;
    }
    if (n.op == ExprOp::kINPUT_VALUE) {
      values[i] = inputValue ? saturate(inputValue(input, index)) : Interval{-kUnbounded, kUnbounded};
      continue;
    }
    Interval x = values[n.a], y = values[n.b];
    if (n.op == ExprOp::kBROADCAST) {
      values[i] = {std::min(x.lo, y.lo), std::max(x.hi, y.hi)};
      continue;
    }
    if (n.op == ExprOp::kMOD) {
      // Result lies in [0, |divisor|) for a positive divisor; be conservative otherwise.
      int64_t m = std::max(std::abs(y.lo), std::abs(y.hi));
      values[i] = {y.lo > 0 ? 0 : -m, m};
      continue;
    }
    if ((n.op == ExprOp::kFLOOR_DIV || n.op == ExprOp::kCEIL_DIV) && y.lo <= 0 && y.hi >= 0) {
      // A divisor interval containing zero: clamp it to its positive part (run time rejects zero).
      if (y.hi <= 0) {
        values[i] = {std::min(x.lo, -x.hi), std::max(x.hi, -x.lo)};
        continue;
      }
      y.lo = 1;
    }
    int64_t corners[4];
    bool ok = true;
    corners[0] = corner(n.op, x.lo, y.lo, ok);
    corners[1] = corner(n.op, x.lo, y.hi, ok);
    corners[2] = corner(n.op, x.hi, y.lo, ok);
    corners[3] = corner(n.op, x.hi, y.hi, ok);
    values[i] = {*std::min_element(corners, corners + 4), *std::max_element(corners, corners + 4)};
  }
}

bool assertionHolds(AssertionKind kind, int64_t a, int64_t b) {
  switch (kind) {
    case AssertionKind::kEQUAL: return a == b;
    case AssertionKind::kGREATER_EQUAL: return a >= b;
    case AssertionKind::kBROADCAST: return a == b || a == 1 || b == 1;
  }
  return false;
}

}  // namespace kiln::core
