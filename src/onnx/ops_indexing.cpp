// Importers of the indexing family (slice and gather layers): split, slice, gather (all modes), expand, tile, pad
// and reverse-sequence.
#include <algorithm>
#include <optional>
#include <vector>

#include "onnx/shape_math.h"

namespace kiln::onnx {

namespace {

using namespace shape_math;

// Constant starts, ends and pads are clamped to this magnitude first (ONNX models pass INT64_MAX for "to the end"):
// far beyond any real dimension, and far enough from the int64 limits that adding a dimension cannot overflow.
constexpr int64_t kHuge = int64_t{1} << 62;

// ---- Split ---------------------------------------------------------------------------------------------------------

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

void registerIndexingImporters(OpRegistry& r) {
  r.add("Split", 1, importSplitV1);
  r.add("Split", 2, importSplitV2);
  r.add("Split", 13, importSplitV13);
  r.add("Split", 18, importSplitV18);
  r.add("Slice", 1, importSliceV1);
  r.add("Slice", 10, importSlice);
  r.add("Gather", 1, importGather);
  r.add("GatherElements", 11, importGatherElements);
  r.add("GatherND", 11, importGatherND);
  r.add("Expand", 8, importExpand);
  r.add("Tile", 1, importTileV1);
  r.add("Tile", 6, importTile);
  r.add("Pad", 1, padWithAttributes("paddings"));
  r.add("Pad", 2, padWithAttributes("pads"));
  r.add("Pad", 11, importPad);
  r.add("ReverseSequence", 10, importReverseSequence);
}

}  // namespace kiln::onnx
