// Importers: reshape, flatten, squeeze, unsqueeze, transpose, concat, split, slice, gather (all modes), shape, size,
// expand, tile, pad, depth-to-space, space-to-depth and reverse-sequence.
//
// Shapes are never read as numbers here: every target shape, start and size is computed with layers on 1-D int64
// shape tensors (Shape -> Gather -> ElementWise -> Concat). Shape inference turns those into expressions of the input
// dimensions and the builder folds them away, so the same network serves every input shape at no run-time cost.
#include <algorithm>
#include <numeric>
#include <optional>
#include <set>

#include "onnx/import_context.h"

namespace kiln::onnx {

namespace {

using EW = ElementWiseOperation;

// Constant starts, ends and pads are clamped to this magnitude first (ONNX models pass INT64_MAX for "to the end"):
// far beyond any real dimension, and far enough from the int64 limits that adding a dimension cannot overflow.
constexpr int64_t kHuge = int64_t{1} << 62;

int32_t rankOf(Tensor& x) { return x.getDimensions().nbDims; }

std::vector<int64_t> range(int64_t begin, int64_t end) {
  std::vector<int64_t> v(static_cast<size_t>(std::max<int64_t>(end - begin, 0)));
  std::iota(v.begin(), v.end(), begin);
  return v;
}

// Arithmetic on 1-D int64 shape tensors; see the file comment.
class ShapeMath {
 public:
  explicit ShapeMath(ImportContext& ctx) : ctx_(ctx), net_(ctx.network()) {}

  Tensor* shape(Tensor& x) { return net_.addShape(x)->getOutput(0); }
  Tensor* constant(const std::vector<int64_t>& values) { return ctx_.constantInt64(values); }
  // Elements `indices` of the 1-D tensor `v`.
  Tensor* pick(Tensor& v, const std::vector<int64_t>& indices) {
    if (indices.empty()) return constant({});
    return net_.addGather(v, *constant(indices), 0)->getOutput(0);
  }
  Tensor* pick(Tensor& v, int64_t index) { return pick(v, std::vector<int64_t>{index}); }
  Tensor* op(Tensor& a, Tensor& b, EW operation) { return net_.addElementWise(a, b, operation)->getOutput(0); }
  Tensor* op(Tensor& a, int64_t b, EW operation) { return op(a, *constant({b}), operation); }
  Tensor* op(int64_t a, Tensor& b, EW operation) { return op(*constant({a}), b, operation); }
  // Concatenation of 1-D tensors; empty ones are left out.
  Tensor* concat(const std::vector<Tensor*>& parts) {
    std::vector<Tensor*> kept;
    for (Tensor* p : parts)
      if (p->getDimensions().d[0] != 0) kept.push_back(p);
    if (kept.empty()) return constant({});
    if (kept.size() == 1) return kept[0];
    return net_.addConcatenation(kept, 0)->getOutput(0);
  }
  // The product of the elements of the 1-D tensor `v`, as a 1-element tensor.
  Tensor* product(Tensor& v) {
    Tensor* p = constant({1});
    for (int64_t i = 0; i < v.getDimensions().d[0]; ++i) p = op(*p, *pick(v, i), EW::kPROD);
    return p;
  }
  // 1 where v < 0, else 0 (integers): min(max(-v, 0), 1).
  Tensor* isNegative(Tensor& v) { return op(*op(*op(0, v, EW::kSUB), 0, EW::kMAX), 1, EW::kMIN); }
  // 1 where v == 0, else 0 (integers): 1 - min(|v|, 1).
  Tensor* isZero(Tensor& v) { return op(1, *op(*op(v, *op(0, v, EW::kSUB), EW::kMAX), 1, EW::kMIN), EW::kSUB); }
  // a where `condition` (0 or 1) is 1, else b: b + condition * (a - b).
  Tensor* select(Tensor& condition, Tensor& a, Tensor& b) {
    return op(b, *op(condition, *op(a, b, EW::kSUB), EW::kPROD), EW::kSUM);
  }

 private:
  ImportContext& ctx_;
  NetworkDefinition& net_;
};

// x reshaped to the values of the 1-D shape tensor `shape` (0 is a size, not a placeholder), then permuted.
Tensor* reshapeTo(ImportContext& ctx, Tensor& x, Tensor& shape, const std::vector<int32_t>& secondPermutation = {}) {
  auto* s = ctx.network().addShuffle(x);
  s->setZeroIsPlaceholder(false);
  s->setInput(1, shape);
  if (!secondPermutation.empty()) s->setSecondTranspose(secondPermutation);
  return s->getOutput(0);
}

// A shape tensor input (values known at build time) cast to int64, or unsupported naming `what`.
Tensor& shapeInput(ImportContext& ctx, const Node& node, int32_t i, const char* what) {
  Tensor& t = ctx.requiredInput(node, i);
  if (!ctx.asShapeTensor(t))
    ctx.unsupported(
        node, std::string(what) + " must be known at build time (a constant, computed from shapes, or a graph input)");
  return *ctx.cast(t, DataType::kINT64);
}

// Integers from an input that must be a build-time constant; nullopt when the input is absent.
std::optional<std::vector<int64_t>> constantInput(ImportContext& ctx, const Node& node, int32_t i, const char* what) {
  Tensor* t = ctx.input(node, i);
  if (!t) return std::nullopt;
  auto values = ctx.constantInts(t);
  if (!values) ctx.unsupported(node, std::string(what) + " must be a constant");
  return values;
}

// Axes normalized against `rank`; repeated axes are invalid.
std::vector<int32_t> normalizeAxes(ImportContext& ctx, const Node& node, const std::vector<int64_t>& axes,
                                   int32_t rank) {
  std::vector<int32_t> out;
  std::set<int32_t> seen;
  for (int64_t a : axes) {
    int32_t n = ctx.axis(node, a, rank);
    if (!seen.insert(n).second) ctx.invalid(node, "axis " + std::to_string(a) + " is given twice");
    out.push_back(n);
  }
  return out;
}

// A slice of x whose start, size and stride are 1-D shape tensors.
Tensor* slice(ImportContext& ctx, Tensor& x, Tensor& start, Tensor& size, Tensor& stride,
              SampleMode mode = SampleMode::kSTRICT_BOUNDS, Tensor* fill = nullptr) {
  Dims zeros;
  zeros.nbDims = rankOf(x);
  // Created reading nothing (size 0 is valid for any start and stride), then given its real parameters.
  auto* layer = ctx.network().addSlice(x, zeros, zeros, zeros);
  if (mode != SampleMode::kSTRICT_BOUNDS) layer->setMode(mode);
  if (fill) layer->setInput(4, *fill);
  layer->setInput(1, start);
  layer->setInput(3, stride);
  layer->setInput(2, size);
  return layer->getOutput(0);
}

// x[..., start : start + size, ...] on one axis; start and size are 1-element shape tensors.
Tensor* sliceAxis(ImportContext& ctx, ShapeMath& m, Tensor& x, Tensor& shape, int32_t axis, Tensor& start,
                  Tensor& size) {
  int32_t rank = rankOf(x);
  Tensor* starts = m.concat(
      {m.constant(std::vector<int64_t>(axis, 0)), &start, m.constant(std::vector<int64_t>(rank - axis - 1, 0))});
  Tensor* sizes = m.concat({m.pick(shape, range(0, axis)), &size, m.pick(shape, range(axis + 1, rank))});
  return slice(ctx, x, *starts, *sizes, *m.constant(std::vector<int64_t>(rank, 1)));
}

// ---- Reshape, Flatten, Squeeze, Unsqueeze, Transpose -------------------------------------------------------------

void reshapeWith(ImportContext& ctx, const Node& node, Tensor& shape) {
  // "If 'allowzero' is set, and the new shape includes 0, the dimension will be set explicitly to zero (i.e. not
  // taken from input tensor)." Opsets before 14 have no allowzero: 0 always copies.
  bool allowZero = ctx.getInt(node, "allowzero", 0) != 0;
  auto* s = ctx.network().addShuffle(ctx.requiredInput(node, 0));
  s->setZeroIsPlaceholder(!allowZero);
  s->setInput(1, shape);
  ctx.setOutput(node, 0, s->getOutput(0));
}

void importReshapeV1(ImportContext& ctx, const Node& node) {
  // consumed_inputs (opset 1) is a legacy in-place hint that does not change the result.
  if (!ctx.has(node, "shape")) ctx.invalid(node, "the shape attribute is required");
  reshapeWith(ctx, node, *ctx.constantInt64(ctx.getInts(node, "shape")));
}

void importReshape(ImportContext& ctx, const Node& node) {
  reshapeWith(ctx, node, shapeInput(ctx, node, 1, "the target shape"));
}

// "(d_0 X d_1 ... d_(axis-1), d_axis X d_(axis+1) ... X dn)"; axis may equal the rank.
void importFlatten(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  int32_t rank = rankOf(x);
  int64_t axis = ctx.getInt(node, "axis", 1);
  if (axis < -rank || axis > rank) ctx.invalid(node, "axis " + std::to_string(axis) + " is outside [-r, r]");
  if (axis < 0) axis += rank;
  ShapeMath m(ctx);
  Tensor* shape = m.shape(x);
  Tensor* outer = m.product(*m.pick(*shape, range(0, axis)));
  Tensor* inner = m.product(*m.pick(*shape, range(axis, rank)));
  Tensor* target = m.concat({outer, inner});
  ctx.setOutput(node, 0, reshapeTo(ctx, x, *target));
}

// ---- Axes known only at run time (the values of a shape input) -----------------------------------------------------

// Per position 0..n-1: 1 where one of the run-time `axes` (normalized against n: a + n * (a < 0)) names it, else 0.
// A shape that `fails` (an extra row added to the target) makes resolution fail unless exactly the listed count of
// positions was named: axes out of range or repeated are errors, not ignored.
std::vector<Tensor*> listedPositions(ShapeMath& m, Tensor& axes, int64_t n, Tensor*& check) {
  int64_t k = axes.getDimensions().d[0];
  std::vector<Tensor*> normalized;
  for (int64_t i = 0; i < k; ++i) {
    Tensor* a = m.pick(axes, i);
    normalized.push_back(m.op(*a, *m.op(*m.isNegative(*a), n, EW::kPROD), EW::kSUM));
  }
  std::vector<Tensor*> listed;
  Tensor* total = m.constant({0});
  for (int64_t p = 0; p < n; ++p) {
    Tensor* hits = m.constant({0});
    for (Tensor* a : normalized) hits = m.op(*hits, *m.isZero(*m.op(*a, p, EW::kSUB)), EW::kSUM);
    listed.push_back(m.op(*hits, 1, EW::kMIN));
    total = m.op(*total, *listed.back(), EW::kSUM);
  }
  // 0 / 0 when fewer than k distinct positions were named.
  check = m.op(0, *m.isZero(*m.op(*total, k, EW::kSUB)), EW::kFLOOR_DIV);
  return listed;
}

// Element `index` (a run-time value in [0, n)) of the 1-D tensor `v` of length n.
Tensor* pickAt(ShapeMath& m, Tensor& v, Tensor& index, int64_t n) {
  Tensor* sum = m.constant({0});
  for (int64_t p = 0; p < n; ++p)
    sum = m.op(*sum, *m.op(*m.isZero(*m.op(index, p, EW::kSUB)), *m.pick(v, p), EW::kPROD), EW::kSUM);
  return sum;
}

void squeezeRuntime(ImportContext& ctx, const Node& node, Tensor& axes) {
  Tensor& x = ctx.requiredInput(node, 0);
  int64_t rank = rankOf(x), k = axes.getDimensions().d[0];
  if (k > rank) ctx.invalid(node, "more axes than the input has dimensions");
  ShapeMath m(ctx);
  Tensor* shape = m.shape(x);
  Tensor* check = nullptr;
  auto removed = listedPositions(m, axes, rank, check);
  // Output j is the input dimension p that is the (j+1)-th kept one.
  std::vector<Tensor*> kept, out;
  Tensor* keptSoFar = m.constant({0});
  for (int64_t p = 0; p < rank; ++p) {
    kept.push_back(m.op(1, *removed[p], EW::kSUB));
    keptSoFar = m.op(*keptSoFar, *kept[p], EW::kSUM);
    kept[p] = m.op(*kept[p], *keptSoFar, EW::kPROD);  // its output position + 1, or 0 when removed
  }
  for (int64_t j = 0; j < rank - k; ++j) {
    Tensor* dim = m.constant({0});
    for (int64_t p = 0; p < rank; ++p)
      dim = m.op(*dim, *m.op(*m.isZero(*m.op(*kept[p], j + 1, EW::kSUB)), *m.pick(*shape, p), EW::kPROD), EW::kSUM);
    out.push_back(j == 0 ? m.op(*dim, *check, EW::kSUM) : dim);
  }
  // Removed dimensions other than 1 change the volume, which the reshape checks; a scalar result passes through
  // a 1-element reshape that carries the check.
  Tensor* source = &x;
  if (out.empty()) source = reshapeTo(ctx, x, *m.op(1, *check, EW::kSUM));
  ctx.setOutput(node, 0, reshapeTo(ctx, *source, *m.concat(out)));
}

void unsqueezeRuntime(ImportContext& ctx, const Node& node, Tensor& axes) {
  Tensor& x = ctx.requiredInput(node, 0);
  int64_t rank = rankOf(x), outRank = rank + axes.getDimensions().d[0];
  ShapeMath m(ctx);
  Tensor* shape = m.shape(x);
  Tensor* check = nullptr;
  auto inserted = listedPositions(m, axes, outRank, check);
  std::vector<Tensor*> out;
  Tensor* insertedSoFar = m.constant({0});
  for (int64_t j = 0; j < outRank; ++j) {
    insertedSoFar = m.op(*insertedSoFar, *inserted[j], EW::kSUM);
    Tensor* source = m.op(j, *insertedSoFar, EW::kSUB);  // the input dimension a kept position copies
    Tensor* dim = m.select(*inserted[j], *m.constant({1}), *pickAt(m, *shape, *source, rank));
    out.push_back(j == 0 ? m.op(*dim, *check, EW::kSUM) : dim);
  }
  ctx.setOutput(node, 0, reshapeTo(ctx, x, *m.concat(out)));
}

void squeeze(ImportContext& ctx, const Node& node, const std::optional<std::vector<int64_t>>& axesList) {
  Tensor& x = ctx.requiredInput(node, 0);
  Dims dims = x.getDimensions();
  std::vector<bool> removed(dims.nbDims, false);
  if (axesList) {
    for (int32_t a : normalizeAxes(ctx, node, *axesList, dims.nbDims)) {
      if (dims.d[a] >= 0 && dims.d[a] != 1)
        ctx.invalid(node, "axis " + std::to_string(a) + " has size " + std::to_string(dims.d[a]) + ", not 1");
      removed[a] = true;  // a dynamic size is checked by the reshape's volume assertion
    }
  } else {
    // "If axes is not provided, all the single dimensions will be removed from the shape."
    for (int32_t a = 0; a < dims.nbDims; ++a) {
      if (dims.d[a] < 0)
        ctx.unsupported(node, "without axes, every dimension must be known at build time (axis " + std::to_string(a) +
                                  " is dynamic)");
      removed[a] = dims.d[a] == 1;
    }
  }
  std::vector<int64_t> kept;
  for (int32_t a = 0; a < dims.nbDims; ++a)
    if (!removed[a]) kept.push_back(a);
  ShapeMath m(ctx);
  ctx.setOutput(node, 0, reshapeTo(ctx, x, *m.pick(*m.shape(x), kept)));
}

void importSqueezeV1(ImportContext& ctx, const Node& node) {
  squeeze(ctx, node, ctx.has(node, "axes") ? std::optional(ctx.getInts(node, "axes")) : std::nullopt);
}

void importSqueeze(ImportContext& ctx, const Node& node) {
  Tensor* axes = ctx.input(node, 1);
  if (axes && !ctx.constantInts(axes) && ctx.asShapeTensor(*axes))
    return squeezeRuntime(ctx, node, *ctx.cast(*axes, DataType::kINT64));
  squeeze(ctx, node, constantInput(ctx, node, 1, "axes"));
}

// "Each value in axes should be within the (inclusive) range [-output_rank, output_rank - 1]."
void unsqueeze(ImportContext& ctx, const Node& node, const std::vector<int64_t>& axesList) {
  Tensor& x = ctx.requiredInput(node, 0);
  int32_t rank = rankOf(x);
  auto outRank = static_cast<int32_t>(rank + axesList.size());
  std::vector<bool> inserted(outRank, false);
  for (int32_t a : normalizeAxes(ctx, node, axesList, outRank)) inserted[a] = true;
  // Output dims pick from x's shape followed by a 1 (at index `rank`).
  std::vector<int64_t> picks;
  int64_t next = 0;
  for (int32_t a = 0; a < outRank; ++a) picks.push_back(inserted[a] ? rank : next++);
  ShapeMath m(ctx);
  Tensor* extended = m.concat({m.shape(x), m.constant({1})});
  ctx.setOutput(node, 0, reshapeTo(ctx, x, *m.pick(*extended, picks)));
}

void importUnsqueezeV1(ImportContext& ctx, const Node& node) {
  if (!ctx.has(node, "axes")) ctx.invalid(node, "the axes attribute is required");
  unsqueeze(ctx, node, ctx.getInts(node, "axes"));
}

void importUnsqueeze(ImportContext& ctx, const Node& node) {
  if (Tensor* given = ctx.input(node, 1); given && !ctx.constantInts(given) && ctx.asShapeTensor(*given))
    return unsqueezeRuntime(ctx, node, *ctx.cast(*given, DataType::kINT64));
  auto axes = constantInput(ctx, node, 1, "axes");
  if (!axes) ctx.invalid(node, "the axes input is required");
  unsqueeze(ctx, node, *axes);
}

// "By default, reverse the dimensions, otherwise permute the axes according to the values given."
void importTranspose(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  std::vector<int32_t> perm;
  if (ctx.has(node, "perm")) {
    for (int64_t p : ctx.getInts(node, "perm")) perm.push_back(static_cast<int32_t>(p));
  } else {
    for (int32_t a = rankOf(x) - 1; a >= 0; --a) perm.push_back(a);
  }
  ctx.setOutput(node, 0, ctx.transpose(x, perm));
}

// ---- Concat, Split -------------------------------------------------------------------------------------------------

OpImporter concat(bool axisRequired) {
  return [axisRequired](ImportContext& ctx, const Node& node) {
    if (axisRequired && !ctx.has(node, "axis")) ctx.invalid(node, "the axis attribute is required");
    std::vector<Tensor*> inputs;
    for (int32_t i = 0; i < ctx.nbInputs(node); ++i) inputs.push_back(&ctx.requiredInput(node, i));
    if (inputs.empty()) ctx.invalid(node, "at least one input is required");
    // Concat-1: "Which axis to concat on. Default value is 1."
    int32_t axis = ctx.axis(node, ctx.getInt(node, "axis", 1), rankOf(*inputs[0]));
    ctx.setOutput(node, 0, ctx.network().addConcatenation(inputs, axis)->getOutput(0));
  };
}

// Output i is x[start_i : start_i + size_i] along `axis`; explicit sizes, or `parts` equal parts.
void split(ImportContext& ctx, const Node& node, const std::optional<std::vector<int64_t>>& sizes, bool unevenLast) {
  Tensor& x = ctx.requiredInput(node, 0);
  int32_t rank = rankOf(x);
  int32_t axis = ctx.axis(node, ctx.getInt(node, "axis", 0), rank);
  int64_t known = x.getDimensions().d[axis];
  auto parts = static_cast<int64_t>(node.output_size());
  if (ctx.has(node, "num_outputs") && ctx.getInt(node, "num_outputs", 0) != parts)
    ctx.invalid(node, "num_outputs differs from the number of outputs");
  ShapeMath m(ctx);
  Tensor* shape = m.shape(x);
  Tensor* dim = m.pick(*shape, axis);
  if (sizes) {
    if (static_cast<int64_t>(sizes->size()) != parts)
      ctx.invalid(node, std::to_string(sizes->size()) + " split sizes for " + std::to_string(parts) + " outputs");
    int64_t total = 0;
    for (int64_t s : *sizes) {
      if (s < 0) ctx.invalid(node, "split sizes must not be negative");
      total += s;
    }
    if (known >= 0 && total != known)
      ctx.invalid(node, "split sizes add up to " + std::to_string(total) + ", not " + std::to_string(known));
    int64_t start = 0;
    for (int64_t i = 0; i < parts; ++i) {
      ctx.setOutput(node, static_cast<int32_t>(i),
                    sliceAxis(ctx, m, x, *shape, axis, *m.constant({start}), *m.constant({(*sizes)[i]})));
      start += (*sizes)[i];
    }
    return;
  }
  if (parts < 1) ctx.invalid(node, "no outputs");
  Tensor* chunk;
  if (unevenLast) {
    // Split-18: "If the tensor is not evenly splittable the last chunk will be smaller."
    chunk = m.op(*m.op(*dim, parts - 1, EW::kSUM), parts, EW::kFLOOR_DIV);
  } else {
    if (known >= 0 && known % parts != 0)
      ctx.invalid(node, "axis size " + std::to_string(known) + " does not split into " + std::to_string(parts) +
                            " equal parts");
    chunk = m.op(*dim, parts, EW::kFLOOR_DIV);
  }
  for (int64_t i = 0; i < parts; ++i) {
    // start = min(i * chunk, dim), size = min(chunk, dim - start): later parts shrink to what is left.
    Tensor* start = m.op(*m.op(*chunk, i, EW::kPROD), *dim, EW::kMIN);
    Tensor* size = m.op(*chunk, *m.op(*dim, *start, EW::kSUB), EW::kMIN);
    ctx.setOutput(node, static_cast<int32_t>(i), sliceAxis(ctx, m, x, *shape, axis, *start, *size));
  }
}

void importSplitV1(ImportContext& ctx, const Node& node) {
  auto sizes = constantInput(ctx, node, 1, "split");
  if (!sizes && ctx.has(node, "split")) sizes = ctx.getInts(node, "split");
  split(ctx, node, sizes, false);
}

void importSplitV2(ImportContext& ctx, const Node& node) {
  split(ctx, node, ctx.has(node, "split") ? std::optional(ctx.getInts(node, "split")) : std::nullopt, false);
}

// Split sizes known only at run time (a shape input's values): output i starts where output i-1 ends.
void splitBySizeTensor(ImportContext& ctx, const Node& node, Tensor& sizes) {
  Tensor& x = ctx.requiredInput(node, 0);
  int32_t axis = ctx.axis(node, ctx.getInt(node, "axis", 0), rankOf(x));
  auto parts = static_cast<int64_t>(node.output_size());
  if (sizes.getDimensions().nbDims != 1 || sizes.getDimensions().d[0] != parts)
    ctx.invalid(node, "split must hold one size per output (" + std::to_string(parts) + ")");
  ShapeMath m(ctx);
  Tensor* shape = m.shape(x);
  Tensor* start = m.constant({0});
  for (int64_t i = 0; i < parts; ++i) {
    Tensor* size = m.pick(sizes, i);
    ctx.setOutput(node, static_cast<int32_t>(i), sliceAxis(ctx, m, x, *shape, axis, *start, *size));
    start = m.op(*start, *size, EW::kSUM);
  }
}

// The split input as constants, or nullopt after importing the node by run-time sizes; absent stays nullopt too.
std::optional<std::vector<int64_t>> splitSizes(ImportContext& ctx, const Node& node, bool& imported) {
  imported = false;
  Tensor* t = ctx.input(node, 1);
  if (!t) return std::nullopt;
  if (auto values = ctx.constantInts(t)) return values;
  if (!ctx.asShapeTensor(*t))
    ctx.unsupported(node, "split must be known at build time (a constant, computed from shapes, or a shape input)");
  splitBySizeTensor(ctx, node, *ctx.cast(*t, DataType::kINT64));
  imported = true;
  return std::nullopt;
}

void importSplitV13(ImportContext& ctx, const Node& node) {
  bool imported;
  auto sizes = splitSizes(ctx, node, imported);
  if (!imported) split(ctx, node, sizes, false);
}

void importSplitV18(ImportContext& ctx, const Node& node) {
  bool imported;
  auto sizes = splitSizes(ctx, node, imported);
  if (imported) return;
  if (sizes.has_value() == ctx.has(node, "num_outputs"))
    ctx.invalid(node, "exactly one of the split input and the num_outputs attribute must be given");
  split(ctx, node, sizes, true);
}

// ---- Slice ---------------------------------------------------------------------------------------------------------

// Entry j of a start or end list for an axis of size `dim`: "If a negative value is passed for any of the start or
// end indices, it represents number of elements before the end of that dimension", then clamped to
// [lo, dim + hiOffset]. Constant entries are decided here; symbolic ones (from shape arithmetic) by expressions.
Tensor* sliceBound(ShapeMath& m, Tensor& list, const std::optional<std::vector<int64_t>>& constants, int64_t j,
                   Tensor& dim, int64_t lo, int64_t hiOffset) {
  Tensor* v;
  if (constants) {
    int64_t c = std::clamp((*constants)[j], -kHuge, kHuge);
    v = c < 0 ? m.op(dim, c, EW::kSUM) : m.constant({c});
  } else {
    Tensor* x = m.pick(list, j);
    v = m.op(*x, *m.op(dim, *m.isNegative(*x), EW::kPROD), EW::kSUM);
  }
  return m.op(*m.op(*v, lo, EW::kMAX), *m.op(dim, hiOffset, EW::kSUM), EW::kMIN);
}

// One axis of kiln's start/size/stride slice.
struct SliceAxis {
  Tensor* start;
  Tensor* size;
  Tensor* stride;
};

// ONNX Slice entry j on an axis of size `dim`, with step s (a constant, or element j of `steps` at run time). After
// making negative bounds relative to the end: s > 0 clamps start and end to [0, d]; s < 0 clamps start to [0, d-1]
// and end to [-1, d-1]; the size is max(0, ceil((end - start) / s)). A step known only at run time computes both
// cases and selects by its sign (a step of 0 then divides by zero and fails shape resolution).
SliceAxis sliceEntry(ShapeMath& m, Tensor& starts, Tensor& ends, const std::optional<std::vector<int64_t>>& constStarts,
                     const std::optional<std::vector<int64_t>>& constEnds, int64_t j, Tensor& dim,
                     std::optional<int64_t> constStep, Tensor* steps) {
  auto forSign = [&](bool positive, Tensor& magnitude) {
    Tensor* first = sliceBound(m, starts, constStarts, j, dim, 0, positive ? 0 : -1);
    Tensor* end = sliceBound(m, ends, constEnds, j, dim, positive ? 0 : -1, positive ? 0 : -1);
    Tensor* span = positive ? m.op(*end, *first, EW::kSUB) : m.op(*first, *end, EW::kSUB);
    // ceil(span / |s|) as floor((span + |s| - 1) / |s|).
    Tensor* taken = m.op(*m.op(*m.op(*span, magnitude, EW::kSUM), 1, EW::kSUB), magnitude, EW::kFLOOR_DIV);
    return std::pair{first, m.op(*taken, 0, EW::kMAX)};
  };
  if (constStep) {
    int64_t s = *constStep;
    auto [first, size] = forSign(s > 0, *m.constant({s > 0 ? s : -s}));
    return {first, size, m.constant({s})};
  }
  Tensor* s = m.pick(*steps, j);
  Tensor* negative = m.isNegative(*s);
  Tensor* magnitude = m.op(*s, *m.op(1, *m.op(*negative, 2, EW::kPROD), EW::kSUB), EW::kPROD);
  auto [firstUp, sizeUp] = forSign(true, *magnitude);
  auto [firstDown, sizeDown] = forSign(false, *magnitude);
  return {m.select(*negative, *firstDown, *firstUp), m.select(*negative, *sizeDown, *sizeUp), s};
}

// ONNX Slice on kiln's start/size/stride slice. Axes and steps are constants, or (opset 10+) run-time values of shape
// inputs: then every axis considers every entry and takes the one whose axis matches it.
void sliceWith(ImportContext& ctx, const Node& node, Tensor& starts, Tensor& ends, Tensor* axesTensor,
               const std::optional<std::vector<int64_t>>& axesList, Tensor* stepsTensor,
               const std::optional<std::vector<int64_t>>& stepsList) {
  Tensor& x = ctx.requiredInput(node, 0);
  int32_t rank = rankOf(x);
  if (starts.getDimensions().nbDims != 1 || ends.getDimensions() != starts.getDimensions())
    ctx.invalid(node, "starts and ends must be 1-D and of the same length");
  int64_t count = starts.getDimensions().d[0];
  auto lengthOf = [&](Tensor* t, const std::optional<std::vector<int64_t>>& list) {
    return list ? static_cast<int64_t>(list->size()) : t ? t->getDimensions().d[0] : count;
  };
  if (lengthOf(axesTensor, axesList) != count || lengthOf(stepsTensor, stepsList) != count)
    ctx.invalid(node, "starts, ends, axes and steps must have the same length");
  if (rank == 0 && count > 0) ctx.invalid(node, "a scalar has no axes to slice");
  bool axesKnown = axesList || !axesTensor;
  std::vector<int64_t> axes = axesList.value_or(range(0, count));
  auto constStarts = ctx.constantInts(&starts), constEnds = ctx.constantInts(&ends);
  ShapeMath m(ctx);
  Tensor* shape = m.shape(x);
  std::vector<Tensor*> dim(rank), start(rank), size(rank), stride(rank);
  for (int32_t a = 0; a < rank; ++a) {
    dim[a] = size[a] = m.pick(*shape, a);
    start[a] = m.constant({0});
    stride[a] = m.constant({1});
  }
  auto normalized = axesKnown ? normalizeAxes(ctx, node, axes, rank) : std::vector<int32_t>{};
  for (int64_t j = 0; j < count; ++j) {
    std::optional<int64_t> step;
    if (stepsList)
      step = (*stepsList)[j];
    else if (!stepsTensor)
      step = 1;
    if (step == 0) ctx.invalid(node, "steps must not be 0");
    if (axesKnown) {
      int32_t a = normalized[j];
      SliceAxis e = sliceEntry(m, starts, ends, constStarts, constEnds, j, *dim[a], step, stepsTensor);
      start[a] = e.start;
      size[a] = e.size;
      stride[a] = e.stride;
      continue;
    }
    Tensor* axis = m.pick(*axesTensor, j);
    axis = m.op(*axis, *m.op(*m.isNegative(*axis), rank, EW::kPROD), EW::kSUM);
    Tensor* hits = m.constant({0});
    for (int32_t a = 0; a < rank; ++a) {
      Tensor* hit = m.isZero(*m.op(*axis, a, EW::kSUB));
      hits = m.op(*hits, *hit, EW::kSUM);
      SliceAxis e = sliceEntry(m, starts, ends, constStarts, constEnds, j, *dim[a], step, stepsTensor);
      start[a] = m.select(*hit, *e.start, *start[a]);
      size[a] = m.select(*hit, *e.size, *size[a]);
      stride[a] = m.select(*hit, *e.stride, *stride[a]);
    }
    // An axis outside [-rank, rank) matches none: make shape resolution fail (division by zero) rather than ignore it.
    start[0] = m.op(*start[0], *m.op(0, *hits, EW::kFLOOR_DIV), EW::kSUM);
  }
  ctx.setOutput(node, 0, slice(ctx, x, *m.concat(start), *m.concat(size), *m.concat(stride)));
}

void importSliceV1(ImportContext& ctx, const Node& node) {
  if (!ctx.has(node, "starts") || !ctx.has(node, "ends")) ctx.invalid(node, "starts and ends are required");
  Tensor* starts = ctx.constantInt64(ctx.getInts(node, "starts"));
  Tensor* ends = ctx.constantInt64(ctx.getInts(node, "ends"));
  sliceWith(ctx, node, *starts, *ends, nullptr,
            ctx.has(node, "axes") ? std::optional(ctx.getInts(node, "axes")) : std::nullopt, nullptr, std::nullopt);
}

// Axes and steps (optional inputs 3 and 4): constants, or values known at run time through a shape input.
void importSlice(ImportContext& ctx, const Node& node) {
  Tensor& starts = shapeInput(ctx, node, 1, "starts");
  Tensor& ends = shapeInput(ctx, node, 2, "ends");
  Tensor* parts[2] = {nullptr, nullptr};
  std::optional<std::vector<int64_t>> lists[2];
  for (int32_t k = 0; k < 2; ++k) {
    if (!ctx.input(node, 3 + k)) continue;
    lists[k] = ctx.constantInts(ctx.input(node, 3 + k));
    if (!lists[k]) parts[k] = &shapeInput(ctx, node, 3 + k, k == 0 ? "axes" : "steps");
  }
  sliceWith(ctx, node, starts, ends, parts[0], lists[0], parts[1], lists[1]);
}

// ---- Gather, GatherElements, GatherND ----------------------------------------------------------------------------

void importGather(ImportContext& ctx, const Node& node) {
  Tensor& data = ctx.requiredInput(node, 0);
  int32_t axis = ctx.axis(node, ctx.getInt(node, "axis", 0), rankOf(data));
  ctx.setOutput(node, 0, ctx.network().addGather(data, ctx.requiredInput(node, 1), axis)->getOutput(0));
}

void importGatherElements(ImportContext& ctx, const Node& node) {
  Tensor& data = ctx.requiredInput(node, 0);
  int32_t axis = ctx.axis(node, ctx.getInt(node, "axis", 0), rankOf(data));
  auto* gather = ctx.network().addGatherV2(data, ctx.requiredInput(node, 1), GatherMode::kELEMENT);
  if (axis != 0) gather->setGatherAxis(axis);
  ctx.setOutput(node, 0, gather->getOutput(0));
}

// GatherND-11 has no batch_dims; from 12 it defaults to 0.
void importGatherND(ImportContext& ctx, const Node& node) {
  auto* gather = ctx.network().addGatherV2(ctx.requiredInput(node, 0), ctx.requiredInput(node, 1), GatherMode::kND);
  if (int64_t b = ctx.getInt(node, "batch_dims", 0); b != 0) gather->setNbElementWiseDims(static_cast<int32_t>(b));
  ctx.setOutput(node, 0, gather->getOutput(0));
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

// ---- Expand, Tile --------------------------------------------------------------------------------------------------

// "The broadcast rule is similar to numpy.array(input) * numpy.ones(shape)": both align on the right and either may
// be 1. A slice with stride 0 repeats the single element of an axis of size 1; the others are read as they are.
void importExpand(ImportContext& ctx, const Node& node) {
  Tensor& input = ctx.requiredInput(node, 0);
  Tensor& target = shapeInput(ctx, node, 1, "the target shape");
  if (target.getDimensions().nbDims != 1) ctx.invalid(node, "the shape must be 1-D");
  auto length = static_cast<int32_t>(target.getDimensions().d[0]);
  int32_t rank = std::max(rankOf(input), length);
  Tensor& x = *ctx.unsqueezeTo(input, rank);
  ShapeMath m(ctx);
  Tensor* wanted = m.concat({m.constant(std::vector<int64_t>(rank - length, 1)), &target});
  // Incompatible constant sizes are caught here; a dynamic input size is checked by the slice's bounds assertion only
  // where it is smaller than the target (and not 1).
  auto wantedValues = ctx.constantInts(wanted);
  Dims have = x.getDimensions();
  for (int32_t a = 0; wantedValues && a < rank; ++a) {
    int64_t w = (*wantedValues)[a], h = have.d[a];
    if (h >= 0 && h != 1 && w != 1 && w != h)
      ctx.invalid(node, "axis " + std::to_string(a) + ": size " + std::to_string(h) + " does not broadcast to " +
                            std::to_string(w));
  }
  // Per axis with input size d and target w: the output has w unless w == 1, then d. An input of size 1 is read with
  // stride 0, any other with stride 1 (d == 0 reads nothing). With one = 1 - min(|w - 1|, 1):
  // size = w + (d - w) * one, stride = min(d - 1, 1).
  Tensor* dims = m.shape(x);
  Tensor* offOne = m.op(*m.op(*wanted, 1, EW::kSUB), *m.op(1, *wanted, EW::kSUB), EW::kMAX);
  Tensor* one = m.op(1, *m.op(*offOne, 1, EW::kMIN), EW::kSUB);
  Tensor* size = m.op(*wanted, *m.op(*m.op(*dims, *wanted, EW::kSUB), *one, EW::kPROD), EW::kSUM);
  Tensor* stride = m.op(*m.op(*dims, 1, EW::kSUB), 1, EW::kMIN);
  ctx.setOutput(node, 0, slice(ctx, x, *m.constant(std::vector<int64_t>(rank, 0)), *size, *stride));
}

// Output size d * r per axis, read with wrap-around: element i of an axis reads input element i mod d.
void tile(ImportContext& ctx, const Node& node, Tensor& repeats) {
  Tensor& x = ctx.requiredInput(node, 0);
  int32_t rank = rankOf(x);
  if (repeats.getDimensions().nbDims != 1 || repeats.getDimensions().d[0] != rank)
    ctx.invalid(node, "repeats must be a 1-D tensor with one value per input axis");
  if (auto r = ctx.constantInts(&repeats))
    for (int64_t v : *r)
      if (v < 0) ctx.invalid(node, "repeats must not be negative");
  ShapeMath m(ctx);
  Tensor* size = m.op(*m.shape(x), repeats, EW::kPROD);
  std::vector<int64_t> zeros(rank, 0), ones(rank, 1);
  ctx.setOutput(node, 0, slice(ctx, x, *m.constant(zeros), *size, *m.constant(ones), SampleMode::kWRAP));
}

// Tile-1: inputs (input, tiles, axis), "Number of repeated copies to make of the input tensor" along one axis.
void importTileV1(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  auto tiles = constantInput(ctx, node, 1, "tiles");
  auto axis = constantInput(ctx, node, 2, "axis");
  if (!tiles || !axis || tiles->size() != 1 || axis->size() != 1)
    ctx.invalid(node, "tiles and axis must be single values");
  std::vector<int64_t> repeats(rankOf(x), 1);
  repeats[ctx.axis(node, (*axis)[0], rankOf(x))] = (*tiles)[0];
  tile(ctx, node, *ctx.constantInt64(repeats));
}

void importTile(ImportContext& ctx, const Node& node) { tile(ctx, node, shapeInput(ctx, node, 1, "repeats")); }

// ---- Pad -----------------------------------------------------------------------------------------------------------

SampleMode padMode(ImportContext& ctx, const Node& node) {
  std::string mode = ctx.getString(node, "mode", "constant");
  if (mode == "constant") return SampleMode::kFILL;
  if (mode == "reflect") return SampleMode::kREFLECT;
  if (mode == "edge") return SampleMode::kCLAMP;
  if (mode == "wrap") return SampleMode::kWRAP;  // opset 19
  ctx.unsupported(node, "pad mode '" + mode + "'");
}

// pads = [x1_begin, x2_begin, ..., x1_end, x2_end, ...] for `axes` (all axes when empty); negative values crop.
// Output element i of an axis reads input element i - begin, mapped by the mode when outside the input.
void pad(ImportContext& ctx, const Node& node, Tensor& pads, const std::vector<int64_t>& axesList, Tensor* fill) {
  Tensor& x = ctx.requiredInput(node, 0);
  int32_t rank = rankOf(x);
  std::vector<int32_t> axes;
  if (axesList.empty()) {
    for (int32_t a = 0; a < rank; ++a) axes.push_back(a);
  } else {
    axes = normalizeAxes(ctx, node, axesList, rank);
  }
  auto n = static_cast<int64_t>(axes.size());
  if (pads.getDimensions().nbDims != 1 || pads.getDimensions().d[0] != 2 * n)
    ctx.invalid(node, "pads must hold " + std::to_string(2 * n) + " values (a begin and an end per axis)");
  SampleMode mode = padMode(ctx, node);
  ShapeMath m(ctx);
  Tensor* shape = m.shape(x);
  std::vector<Tensor*> start(rank), size(rank);
  for (int32_t a = 0; a < rank; ++a) {
    start[a] = m.constant({0});
    size[a] = m.pick(*shape, a);
  }
  for (int64_t j = 0; j < n; ++j) {
    int32_t a = axes[j];
    Tensor* begin = m.pick(pads, j);
    start[a] = m.op(0, *begin, EW::kSUB);
    size[a] = m.op(*m.op(*size[a], *begin, EW::kSUM), *m.pick(pads, j + n), EW::kSUM);
  }
  if (mode != SampleMode::kFILL) fill = nullptr;  // "constant_value" only applies to constant mode
  if (fill && fill->getType() != x.getType()) ctx.invalid(node, "constant_value must have the data's type");
  Tensor* ones = m.constant(std::vector<int64_t>(rank, 1));
  ctx.setOutput(node, 0, slice(ctx, x, *m.concat(start), *m.concat(size), *ones, mode, fill));
}

// Pad-1 and Pad-2: pads ("paddings" in opset 1) and the float `value` are attributes.
OpImporter padWithAttributes(const char* padsName) {
  return [padsName](ImportContext& ctx, const Node& node) {
    if (!ctx.has(node, padsName)) ctx.invalid(node, std::string("the ") + padsName + " attribute is required");
    Tensor& x = ctx.requiredInput(node, 0);
    Tensor* fill = ctx.constantScalar(ctx.getFloat(node, "value", 0.0f), x.getType(), 0);
    pad(ctx, node, *ctx.constantInt64(ctx.getInts(node, padsName)), {}, fill);
  };
}

// Pad-11 (inputs pads and constant_value) and Pad-18 (adds axes).
void importPad(ImportContext& ctx, const Node& node) {
  Tensor& pads = shapeInput(ctx, node, 1, "pads");
  auto axes = constantInput(ctx, node, 3, "axes");
  pad(ctx, node, pads, axes.value_or(std::vector<int64_t>{}), ctx.input(node, 2));
}

// ---- DepthToSpace, SpaceToDepth ------------------------------------------------------------------------------------

// The 4-D input's dimensions as four 1-element shape tensors, and the blocksize (checked positive).
struct Nchw {
  Tensor *n, *c, *h, *w;
  int64_t block;
};

Nchw nchw(ImportContext& ctx, const Node& node, ShapeMath& m, Tensor& x) {
  if (rankOf(x) != 4) ctx.invalid(node, "the input must be 4-D (N, C, H, W)");
  if (!ctx.has(node, "blocksize")) ctx.invalid(node, "the blocksize attribute is required");
  int64_t block = ctx.getInt(node, "blocksize", 0);
  if (block < 1) ctx.invalid(node, "blocksize must be positive");
  Tensor* shape = m.shape(x);
  return {m.pick(*shape, 0), m.pick(*shape, 1), m.pick(*shape, 2), m.pick(*shape, 3), block};
}

// "tmp = np.reshape(x, [b, blocksize, blocksize, c // (blocksize**2), h, w]); tmp = np.transpose(tmp, [0, 3, 4, 1, 5,
// 2])" for DCR; CRD reshapes to [b, c // (blocksize ** 2), blocksize, blocksize, h, w] and permutes [0, 1, 4, 2, 5, 3].
// Both end with "y = np.reshape(tmp, [b, c // (blocksize**2), h * blocksize, w * blocksize])".
void depthToSpace(ImportContext& ctx, const Node& node, bool dcr) {
  Tensor& x = ctx.requiredInput(node, 0);
  ShapeMath m(ctx);
  Nchw d = nchw(ctx, node, m, x);
  int64_t channels = x.getDimensions().d[1], square = d.block * d.block;
  if (channels >= 0 && channels % square != 0)
    ctx.invalid(node, std::to_string(channels) + " channels do not divide by blocksize^2");
  Tensor* depth = m.op(*d.c, square, EW::kFLOOR_DIV);
  Tensor* b = m.constant({d.block});
  Tensor* split = dcr ? m.concat({d.n, b, b, depth, d.h, d.w}) : m.concat({d.n, depth, b, b, d.h, d.w});
  std::vector<int32_t> perm = dcr ? std::vector<int32_t>{0, 3, 4, 1, 5, 2} : std::vector<int32_t>{0, 1, 4, 2, 5, 3};
  Tensor* moved = reshapeTo(ctx, x, *split, perm);
  Tensor* out = m.concat({d.n, depth, m.op(*d.h, d.block, EW::kPROD), m.op(*d.w, d.block, EW::kPROD)});
  ctx.setOutput(node, 0, reshapeTo(ctx, *moved, *out));
}

void importDepthToSpaceV1(ImportContext& ctx, const Node& node) { depthToSpace(ctx, node, true); }

void importDepthToSpace(ImportContext& ctx, const Node& node) {
  std::string mode = ctx.getString(node, "mode", "DCR");
  if (mode != "DCR" && mode != "CRD") ctx.unsupported(node, "mode '" + mode + "'");
  depthToSpace(ctx, node, mode == "DCR");
}

// The inverse of DepthToSpace in DCR order: reshape [N, C, H/b, b, W/b, b], permute [0, 3, 5, 1, 2, 4], and reshape
// to [N, C * b * b, H/b, W/b].
void importSpaceToDepth(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  ShapeMath m(ctx);
  Nchw d = nchw(ctx, node, m, x);
  Dims dims = x.getDimensions();
  for (int32_t a : {2, 3})
    if (dims.d[a] >= 0 && dims.d[a] % d.block != 0)
      ctx.invalid(node, "spatial size " + std::to_string(dims.d[a]) + " does not divide by the blocksize");
  Tensor* b = m.constant({d.block});
  Tensor* h = m.op(*d.h, d.block, EW::kFLOOR_DIV);
  Tensor* w = m.op(*d.w, d.block, EW::kFLOOR_DIV);
  Tensor* moved = reshapeTo(ctx, x, *m.concat({d.n, d.c, h, b, w, b}), {0, 3, 5, 1, 2, 4});
  Tensor* out = m.concat({d.n, m.op(*d.c, d.block * d.block, EW::kPROD), h, w});
  ctx.setOutput(node, 0, reshapeTo(ctx, *moved, *out));
}

// ---- ReverseSequence ----------------------------------------------------------------------------------------------

// "For each slice i iterating on batch axis, the operator reverses the first sequence_lens[i] elements on time
// axis": a GatherElements along the time axis with index len - 1 - t where t < len, and t elsewhere.
void importReverseSequence(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  Tensor& lens = ctx.requiredInput(node, 1);
  int32_t rank = rankOf(x);
  if (rank < 2) ctx.invalid(node, "the input must have rank >= 2");
  if (lens.getType() != DataType::kINT64 || rankOf(lens) != 1) ctx.invalid(node, "sequence_lens must be 1-D int64");
  int64_t timeAxis = ctx.getInt(node, "time_axis", 0), batchAxis = ctx.getInt(node, "batch_axis", 1);
  if (!(timeAxis == 0 && batchAxis == 1) && !(timeAxis == 1 && batchAxis == 0))
    ctx.invalid(node, "time_axis and batch_axis must be 0 and 1, in either order");
  ShapeMath m(ctx);
  auto& net = ctx.network();
  // t along the time axis and len along the batch axis, both over the first two axes.
  Tensor* shape = m.shape(x);
  Tensor* steps =
      timeAxis == 0 ? m.concat({m.pick(*shape, 0), m.constant({1})}) : m.concat({m.constant({1}), m.pick(*shape, 1)});
  auto* iota = net.addFill(Dims{}, FillOperation::kLINSPACE, DataType::kINT64);
  iota->setInput(0, *steps);
  iota->setAlpha(0);
  iota->setBeta(1);
  Tensor* t = iota->getOutput(0);
  Tensor* len = ctx.reshape(lens, timeAxis == 0 ? Dims{1, -1} : Dims{-1, 1});
  Tensor* reversed = m.op(*m.op(*len, 1, EW::kSUB), *t, EW::kSUB);
  Tensor* index = net.addSelect(*m.op(*t, *len, EW::kLESS), *reversed, *t)->getOutput(0);
  if (rank > 2) {
    // The same index for every element of the remaining axes: trailing 1s, then broadcast against zeros of x's shape.
    Dims dims;
    dims.nbDims = rank;
    for (int32_t i = 0; i < rank; ++i) dims.d[i] = i < 2 ? 0 : 1;
    auto* zeros = net.addFill(Dims{}, FillOperation::kCONSTANT, DataType::kINT64);
    zeros->setInput(0, *shape);
    zeros->setAlpha(0);
    index = m.op(*ctx.reshape(*index, dims), *zeros->getOutput(0), EW::kSUM);
  }
  auto* gather = net.addGatherV2(x, *index, GatherMode::kELEMENT);
  gather->setGatherAxis(static_cast<int32_t>(timeAxis));
  ctx.setOutput(node, 0, gather->getOutput(0));
}

}  // namespace

void registerTensorImporters(OpRegistry& r) {
  r.add("Reshape", 1, importReshapeV1);
  r.add("Reshape", 5, importReshape);
  r.add("Flatten", 1, importFlatten);
  r.add("Squeeze", 1, importSqueezeV1);
  r.add("Squeeze", 13, importSqueeze);
  r.add("Unsqueeze", 1, importUnsqueezeV1);
  r.add("Unsqueeze", 13, importUnsqueeze);
  r.add("Transpose", 1, importTranspose);
  r.add("Concat", 1, concat(false));
  r.add("Concat", 4, concat(true));
  r.add("Split", 1, importSplitV1);
  r.add("Split", 2, importSplitV2);
  r.add("Split", 13, importSplitV13);
  r.add("Split", 18, importSplitV18);
  r.add("Slice", 1, importSliceV1);
  r.add("Slice", 10, importSlice);
  r.add("Gather", 1, importGather);
  r.add("GatherElements", 11, importGatherElements);
  r.add("GatherND", 11, importGatherND);
  r.add("Shape", 1, importShape);
  r.add("Size", 1, importSize);
  r.add("Expand", 8, importExpand);
  r.add("Tile", 1, importTileV1);
  r.add("Tile", 6, importTile);
  r.add("Pad", 1, padWithAttributes("paddings"));
  r.add("Pad", 2, padWithAttributes("pads"));
  r.add("Pad", 11, importPad);
  r.add("DepthToSpace", 1, importDepthToSpaceV1);
  r.add("DepthToSpace", 11, importDepthToSpace);
  r.add("SpaceToDepth", 1, importSpaceToDepth);
  r.add("ReverseSequence", 10, importReverseSequence);
}

}  // namespace kiln::onnx
