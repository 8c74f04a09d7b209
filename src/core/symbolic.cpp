#include "core/symbolic.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace kiln::core {

namespace {

int64_t floorDivValue(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

bool isCommutative(ExprOp op) {
  return op == ExprOp::kADD || op == ExprOp::kMUL || op == ExprOp::kMIN || op == ExprOp::kMAX;
}

}  // namespace

int64_t applyExprOp(ExprOp op, int64_t a, int64_t b, bool& ok) {
  switch (op) {
    case ExprOp::kADD: return a + b;
    case ExprOp::kSUB: return a - b;
    case ExprOp::kMUL: return a * b;
    case ExprOp::kFLOOR_DIV:
      if (b == 0) {
        ok = false;
        return 0;
      }
      return floorDivValue(a, b);
    case ExprOp::kCEIL_DIV:
      if (b == 0) {
        ok = false;
        return 0;
      }
      return -floorDivValue(-a, b);
    case ExprOp::kMOD:
      if (b == 0) {
        ok = false;
        return 0;
      }
      return a - floorDivValue(a, b) * b;
    case ExprOp::kMIN: return std::min(a, b);
    case ExprOp::kMAX: return std::max(a, b);
    case ExprOp::kBROADCAST: return a == 1 ? b : a;
    case ExprOp::kCONST:
    case ExprOp::kINPUT_DIM:
    case ExprOp::kINPUT_VALUE: break;
  }
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

ExprPool::Monomial ExprPool::monomial(ExprId id) const {
  Monomial m;
  std::vector<ExprId> stack{id};
  while (!stack.empty()) {
    const ExprNode& n = nodes_[stack.back()];
    ExprId current = stack.back();
    stack.pop_back();
    if (n.op == ExprOp::kCONST) {
      m.coefficient *= n.value;
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
  Monomial num = monomial(a), den = monomial(b);
  if (den.coefficient == 0) return std::nullopt;
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
      if (cb && na.op == ExprOp::kADD && isConstant(na.b)) return add(na.a, constant(*constantValue(na.b) + *cb));
      // (x - y) + y -> x
      if (na.op == ExprOp::kSUB && na.b == b) return na.a;
      break;
    case ExprOp::kSUB:
      if (a == b) return constant(0);
      if (cb && *cb == 0) return a;
      if (cb) return add(a, constant(-*cb));
      // (x + y) - y -> x
      if (na.op == ExprOp::kADD && na.b == b) return na.a;
      if (na.op == ExprOp::kADD && na.a == b) return na.b;
      break;
    case ExprOp::kMUL: {
      if (cb && *cb == 1) return a;
      if (cb && *cb == 0) return constant(0);
      // Products are kept as one canonical chain (sorted factors, constant last), so that the same product built in
      // another order is the same node and quotients of products can cancel.
      Monomial m = monomial(a), mb = monomial(b);
      m.coefficient *= mb.coefficient;
      m.factors.insert(m.factors.end(), mb.factors.begin(), mb.factors.end());
      std::sort(m.factors.begin(), m.factors.end());
      return product(m);
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
        Monomial num = monomial(a), den = monomial(b);
        if (den.coefficient != 0 && num.coefficient % den.coefficient == 0 &&
            std::includes(num.factors.begin(), num.factors.end(), den.factors.begin(), den.factors.end()))
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

}  // namespace

void evaluateIntervals(std::span<const ExprNode> nodes, const std::function<Interval(int32_t, int32_t)>& inputDim,
                       std::span<Interval> values, const std::function<Interval(int32_t, int32_t)>& inputValue) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    const ExprNode& n = nodes[i];
    auto input = static_cast<int32_t>(n.value / kLeafStride), index = static_cast<int32_t>(n.value % kLeafStride);
    if (n.op == ExprOp::kCONST) {
      values[i] = {n.value, n.value};
      continue;
    }
    if (n.op == ExprOp::kINPUT_DIM) {
      values[i] = inputDim(input, index);
      continue;
    }
    if (n.op == ExprOp::kINPUT_VALUE) {
      values[i] = inputValue ? inputValue(input, index) : Interval{-kUnbounded, kUnbounded};
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
