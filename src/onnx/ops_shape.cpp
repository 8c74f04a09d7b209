// Importers of the shape family (shuffle and concatenation layers): reshape, flatten, squeeze, unsqueeze,
// transpose, concat, depth-to-space and space-to-depth.
#include <optional>
#include <vector>

#include "onnx/shape_math.h"

namespace kiln::onnx {

namespace {

using namespace shape_math;

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

// ---- Concat --------------------------------------------------------------------------------------------------------

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

}  // namespace

void registerShapeImporters(OpRegistry& r) {
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
  r.add("DepthToSpace", 1, importDepthToSpaceV1);
  r.add("DepthToSpace", 11, importDepthToSpace);
  r.add("SpaceToDepth", 1, importSpaceToDepth);
}

}  // namespace kiln::onnx
