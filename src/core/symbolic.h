// Symbolic dimension expressions over network-input dimensions and the values of shape inputs.
//
// Every dimension of every tensor is an ExprId into an ExprPool. Nodes are hash-consed and simplified on
// creation, so equal expressions built the same way share an id and constants fold immediately. Children
// always have smaller ids than their parents, so evaluating nodes in id order is a valid schedule: the
// runtime's shape program is exactly that loop.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace kiln::core {

using ExprId = int32_t;

// kBROADCAST(a, b) is numpy's broadcast of two sizes assumed compatible: b when a is 1, else a.
// kINPUT_VALUE is an element of a shape input (an int32/int64 network input whose values size other tensors, known
// on the host at run time and bounded by the profile's min/max values at build time).
enum class ExprOp : uint8_t {
  kCONST = 0,
  kINPUT_DIM,
  kADD,
  kSUB,
  kMUL,
  kFLOOR_DIV,
  kCEIL_DIV,
  kMOD,
  kMIN,
  kMAX,
  kBROADCAST,
  kINPUT_VALUE
};
constexpr int kExprOpCount = 12;

// Leaves (kINPUT_DIM, kINPUT_VALUE) pack the input index and the axis or element index into `value`.
constexpr int64_t kLeafStride = 256;
inline bool isLeaf(ExprOp op) { return op == ExprOp::kCONST || op == ExprOp::kINPUT_DIM || op == ExprOp::kINPUT_VALUE; }

struct ExprNode {
  ExprOp op = ExprOp::kCONST;
  // kCONST: the value. kINPUT_DIM: input index * 256 + axis. kINPUT_VALUE: input index * 256 + element.
  int64_t value = 0;
  ExprId a = -1;
  ExprId b = -1;
  bool operator==(const ExprNode&) const = default;
};

// How a shape condition relates its two expressions (checked by the builder at profile bounds, by a context at run
// time; the broadcast condition holds when the two are equal or either is 1).
enum class AssertionKind : uint8_t { kEQUAL = 0, kBROADCAST = 1, kGREATER_EQUAL = 2 };

// Whether a condition of `kind` holds for the values `a` and `b` of its two expressions.
bool assertionHolds(AssertionKind kind, int64_t a, int64_t b);

struct Interval {
  int64_t lo = 0;
  int64_t hi = 0;
};

class ExprPool {
 public:
  ExprId constant(int64_t value);
  ExprId inputDim(int32_t input, int32_t axis);
  ExprId inputValue(int32_t input, int32_t element);
  ExprId add(ExprId a, ExprId b);
  ExprId sub(ExprId a, ExprId b);
  ExprId mul(ExprId a, ExprId b);
  ExprId floorDiv(ExprId a, ExprId b);
  ExprId ceilDiv(ExprId a, ExprId b);
  ExprId mod(ExprId a, ExprId b);
  ExprId min(ExprId a, ExprId b);
  ExprId max(ExprId a, ExprId b);
  ExprId broadcast(ExprId a, ExprId b);
  // Creates (or finds) the node; operations on two constants fold. Throws kiln::Error (kINVALID_GRAPH, no object: the
  // caller names the layer) when two constants' result does not fit in int64.
  ExprId make(ExprOp op, ExprId a, ExprId b);

  std::optional<int64_t> constantValue(ExprId id) const;
  bool isConstant(ExprId id) const { return nodes_[id].op == ExprOp::kCONST; }
  // True when the expression depends on a shape input's values (which, unlike dimensions, may be 0 or negative).
  bool readsInputValues(ExprId id) const;
  const ExprNode& node(ExprId id) const { return nodes_[id]; }
  const std::vector<ExprNode>& nodes() const { return nodes_; }
  int32_t size() const { return static_cast<int32_t>(nodes_.size()); }

  // Human-readable form; `inputName(input, axis)` names input dimensions (default "in<i>.<axis>").
  std::string toString(ExprId id, const std::function<std::string(int32_t, int32_t)>& inputName = {}) const;

  // Copies the expressions `roots` depend on into `out` (a fresh pool); returns the new ids in `roots` order.
  std::vector<ExprId> copyInto(ExprPool& out, std::span<const ExprId> roots) const;

 private:
  ExprId intern(const ExprNode& node);
  // A product as its constant coefficient and its other factors sorted by id: c * f1 * f2 * ...
  struct Monomial {
    int64_t coefficient = 1;
    std::vector<ExprId> factors;
  };
  // nullopt when the coefficient does not fit in int64 (the product is then kept as it was built).
  std::optional<Monomial> monomial(ExprId id) const;
  // The canonical product node of a monomial: ((f1 * f2) * ...) * c, the constant last and omitted when 1.
  ExprId product(const Monomial& m);
  // Cancels the factors a product quotient shares, (c1 * x * y) / (c2 * x) -> (c1 * y) / c2; nullopt when none do.
  std::optional<ExprId> cancelCommonFactors(ExprOp op, ExprId a, ExprId b);
  struct NodeHash {
    size_t operator()(const ExprNode& n) const;
  };
  std::vector<ExprNode> nodes_;
  std::unordered_map<ExprNode, ExprId, NodeHash> memo_;
};

// Applies one operation to concrete values. Division by zero, or a result that does not fit in int64, yields 0 and
// sets `ok` false.
int64_t applyExprOp(ExprOp op, int64_t a, int64_t b, bool& ok);

// Evaluates nodes in order. `inputDim(input, axis)` and `inputValue(input, element)` supply the leaves. Returns
// false on division by zero or int64 overflow, or on a value leaf when no `inputValue` is given.
bool evaluateExprs(std::span<const ExprNode> nodes, const std::function<int64_t(int32_t, int32_t)>& inputDim,
                   std::span<int64_t> values, const std::function<int64_t(int32_t, int32_t)>& inputValue = {});

// Sound bounds of every node when each input dimension lies in `inputDim(input, axis)` and each shape-input value
// in `inputValue(input, element)` (unbounded when not given).
void evaluateIntervals(std::span<const ExprNode> nodes, const std::function<Interval(int32_t, int32_t)>& inputDim,
                       std::span<Interval> values, const std::function<Interval(int32_t, int32_t)>& inputValue = {});

}  // namespace kiln::core
