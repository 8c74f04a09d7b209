// ONNX importers for the indexing family (Split, Slice, Gather, GatherElements, GatherND, Expand, Tile, Pad,
// ReverseSequence), on models built in memory: every opset variant, dynamic input shapes (the same engine run at
// several shapes), and what must be reported as unsupported.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "onnx_model_builder.h"

namespace kiln::test {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// Python's slice(start, stop, step).indices(n), the semantics ONNX Slice follows; returns the indices taken.
std::vector<int64_t> pythonSlice(int64_t n, int64_t start, int64_t stop, int64_t step) {
  auto adjust = [&](int64_t v, int64_t lower, int64_t upper) {
    if (v < 0) v = v < -n ? lower : v + n;
    return std::clamp(v, lower, upper);
  };
  int64_t lower = step > 0 ? 0 : -1, upper = step > 0 ? n : n - 1;
  start = adjust(start, lower, upper);
  stop = adjust(stop, lower, upper);
  std::vector<int64_t> out;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.push_back(i);
  return out;
}

std::vector<float> pick(const std::vector<float>& x, const std::vector<int64_t>& indices) {
  std::vector<float> out;
  for (int64_t i : indices) out.push_back(x[i]);
  return out;
}

// ---- Split ---------------------------------------------------------------------------------------------------------

// Split node with outputs y0..y{n-1}.
OnnxModel splitModel(int64_t opset, const std::vector<int64_t>& xDims, int32_t outputs,
                     const std::vector<std::string>& extra = {}) {
  OnnxModel m(opset);
  m.input("x", xDims);
  std::vector<std::string> ins = {"x"}, outs;
  ins.insert(ins.end(), extra.begin(), extra.end());
  for (int32_t i = 0; i < outputs; ++i) {
    std::string name = "y";  // appended rather than "y" + ..., which trips GCC 12's -Wrestrict false positive
    outs.push_back(name.append(std::to_string(i)));
  }
  m.node("Split", ins, outs);
  for (const auto& o : outs) m.output(o);
  return m;
}

TEST(OnnxTensorImport, SplitSizesFromEveryOpset) {
  auto equal = buildAndRun(*splitModel(13, {6}, 3).import(), {HostTensor::f32({6}, iota(6))});
  EXPECT_EQ(equal[0].f32(), (std::vector<float>{0, 1}));
  EXPECT_EQ(equal[2].f32(), (std::vector<float>{4, 5}));
  OnnxModel sizes = splitModel(13, {2, 3}, 2, {"split"});
  sizes.ints("split", {1, 2});
  setInt(sizes.lastNode(), "axis", 1);
  auto parts = buildAndRun(*sizes.import(), {HostTensor::f32({2, 3}, iota(6))});
  EXPECT_EQ(parts[0].f32(), (std::vector<float>{0, 3}));
  EXPECT_EQ(parts[1].f32(), (std::vector<float>{1, 2, 4, 5}));
  OnnxModel v2 = splitModel(2, {3, 2}, 2);
  setInts(v2.lastNode(), "split", {2, 1});
  parts = buildAndRun(*v2.import(), {HostTensor::f32({3, 2}, iota(6))});
  EXPECT_EQ(parts[0].dims, (Dims{2, 2}));
  EXPECT_EQ(parts[1].f32(), (std::vector<float>{4, 5}));
  // Opset 18, num_outputs: "the last chunk will be smaller" (7 -> 3, 3, 1).
  OnnxModel v18 = splitModel(18, {7}, 3);
  setInt(v18.lastNode(), "num_outputs", 3);
  parts = buildAndRun(*v18.import(), {HostTensor::f32({7}, iota(7))});
  EXPECT_EQ(parts[1].f32(), (std::vector<float>{3, 4, 5}));
  EXPECT_EQ(parts[2].f32(), (std::vector<float>{6}));
  // Before 18 an equal split must be exact.
  EXPECT_EQ(splitModel(13, {7}, 2).importError().code(), ErrorCode::kINVALID_GRAPH);
  OnnxModel badSum = splitModel(13, {6}, 2, {"split"});
  badSum.ints("split", {2, 2});
  EXPECT_EQ(badSum.importError().code(), ErrorCode::kINVALID_GRAPH);
}

TEST(OnnxTensorImport, EqualSplitOfADynamicAxis) {
  auto net = splitModel(13, {-1}, 2).import();
  auto engine = buildWithProfile(*net, profileFor("x", Dims{2}, Dims{8}, Dims{8}));
  auto context = engine->createExecutionContext();
  for (int64_t n : {4, 8}) {
    auto out = runContext(*context, {HostTensor::f32({n}, iota(n))});
    EXPECT_EQ(out[0].f32(), iota(n / 2));
    EXPECT_EQ(out[1].f32(), iota(n / 2, static_cast<float>(n / 2)));
  }
}

// ---- Slice ---------------------------------------------------------------------------------------------------------

struct SliceCase {
  int64_t start, end, step;
};

TEST(OnnxTensorImport, SliceBoundsFollowPythonOnStaticAndDynamicAxes) {
  const SliceCase cases[] = {{1, -1, 1},      {-100, 100, 1}, {2, kMax, 2}, {-1, kMin, -1},  {5, 1, -2},
                             {100, -100, -1}, {3, 3, 1},      {0, 7, 3},    {kMin, kMax, 4}, {-2, -5, -1}};
  for (const auto& c : cases) {
    SCOPED_TRACE(std::to_string(c.start) + ":" + std::to_string(c.end) + ":" + std::to_string(c.step));
    for (bool dynamic : {false, true}) {
      OnnxModel m = unary(13, "Slice", {dynamic ? -1 : 7}, {"starts", "ends", "axes", "steps"});
      m.ints("starts", {c.start}).ints("ends", {c.end}).ints("axes", {0}).ints("steps", {c.step});
      std::vector<int64_t> sizes = dynamic ? std::vector<int64_t>{7, 4} : std::vector<int64_t>{7};
      std::vector<HostTensor> runs;
      for (int64_t n : sizes) runs.push_back(HostTensor::f32({n}, iota(n)));
      auto outs = runDynamic(m, Dims{dynamic ? 4 : 7}, Dims{7}, runs);
      for (size_t i = 0; i < sizes.size(); ++i)
        EXPECT_EQ(outs[i].f32(), pick(iota(sizes[i]), pythonSlice(sizes[i], c.start, c.end, c.step)));
    }
  }
}

TEST(OnnxTensorImport, SliceAxesAndDefaults) {
  // Axes [-1, 0] with the steps input left out: rows 0-1, columns 1 to the end.
  OnnxModel m = unary(10, "Slice", {3, 4}, {"starts", "ends", "axes"});
  m.ints("starts", {1, 0}).ints("ends", {kMax, 2}).ints("axes", {-1, 0});
  auto out = buildAndRun(*m.import(), {HostTensor::f32({3, 4}, iota(12))});
  EXPECT_EQ(out[0].dims, (Dims{2, 3}));
  EXPECT_EQ(out[0].f32(), (std::vector<float>{1, 2, 3, 5, 6, 7}));
  // Opset 1: attributes, axes defaulting to the leading axes.
  OnnxModel v1 = unary(1, "Slice", {3, 4});
  setInts(v1.lastNode(), "starts", {0, 1});
  setInts(v1.lastNode(), "ends", {2, -1});
  out = buildAndRun(*v1.import(), {HostTensor::f32({3, 4}, iota(12))});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{1, 2, 5, 6}));
  OnnxModel zeroStep = unary(13, "Slice", {4}, {"starts", "ends", "axes", "steps"});
  zeroStep.ints("starts", {0}).ints("ends", {4}).ints("axes", {0}).ints("steps", {0});
  EXPECT_EQ(zeroStep.importError().code(), ErrorCode::kINVALID_GRAPH);
}

TEST(OnnxTensorImport, SliceWithStartsComputedFromTheShape) {
  // x[n - 2 : n] and x[-(n+1) : ...] with n known only at run time: symbolic starts are normalized and clamped too.
  OnnxModel m(13);
  m.input("x", {-1});
  m.ints("two", {2}).ints("big", {kMax}).ints("neg", {-1});
  m.node("Shape", {"x"}, {"n"});
  m.node("Sub", {"n", "two"}, {"start"});
  m.node("Slice", {"x", "start", "big"}, {"y"});
  m.node("Sub", {"two", "n"}, {"negStart"});    // 2 - n: negative once n > 2
  m.node("Mul", {"negStart", "neg"}, {"end"});  // n - 2
  m.node("Slice", {"x", "negStart", "end"}, {"z"});
  m.output("y").output("z");
  auto net = m.import();
  auto engine = buildWithProfile(*net, profileFor("x", Dims{2}, Dims{6}, Dims{6}));
  auto context = engine->createExecutionContext();
  for (int64_t n : {6, 3, 2}) {
    SCOPED_TRACE(n);
    auto out = runContext(*context, {HostTensor::f32({n}, iota(n))});
    EXPECT_EQ(out[0].f32(), pick(iota(n), pythonSlice(n, n - 2, kMax, 1)));
    EXPECT_EQ(out[1].f32(), pick(iota(n), pythonSlice(n, 2 - n, n - 2, 1)));
  }
}

// ---- Gather, GatherElements, GatherND ------------------------------------------------------------------------------

TEST(OnnxTensorImport, GatherModes) {
  OnnxModel g = unary(13, "Gather", {2, 3}, {"i"});
  g.ints("i", {-1, 0});
  setInt(g.lastNode(), "axis", 1);
  auto out = buildAndRun(*g.import(), {HostTensor::f32({2, 3}, iota(6))});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{2, 0, 5, 3}));
  OnnxModel e = unary(13, "GatherElements", {2, 2}, {"i"});
  e.ints("i", {2, 2}, {0, 0, 1, 0});
  setInt(e.lastNode(), "axis", 1);
  out = buildAndRun(*e.import(), {HostTensor::f32({2, 2}, {1, 2, 3, 4})});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{1, 1, 4, 3}));
  // GatherND example 5: batch_dims 1.
  OnnxModel nd = unary(13, "GatherND", {2, 2, 2}, {"i"});
  nd.ints("i", {2, 1}, {1, 0});
  setInt(nd.lastNode(), "batch_dims", 1);
  out = buildAndRun(*nd.import(), {HostTensor::f32({2, 2, 2}, iota(8))});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{2, 3, 4, 5}));
}

// ---- Expand, Tile --------------------------------------------------------------------------------------------------

TEST(OnnxTensorImport, ExpandBroadcastsBothWays) {
  OnnxModel up = unary(13, "Expand", {3, 1}, {"shape"});
  up.ints("shape", {2, 1, 4});
  auto out = buildAndRun(*up.import(), {HostTensor::f32({3, 1}, {7, 8, 9})});
  EXPECT_EQ(out[0].dims, (Dims{2, 3, 4}));
  std::vector<float> expected;
  for (int a = 0; a < 2; ++a)
    for (float v : {7.0f, 8.0f, 9.0f}) expected.insert(expected.end(), 4, v);
  EXPECT_EQ(out[0].f32(), expected);
  // A target smaller than the input keeps the input's dimensions.
  OnnxModel keep = unary(13, "Expand", {2, 3}, {"shape"});
  keep.ints("shape", {1});
  out = buildAndRun(*keep.import(), {HostTensor::f32({2, 3}, iota(6))});
  EXPECT_EQ(out[0].dims, (Dims{2, 3}));
  EXPECT_EQ(out[0].f32(), iota(6));
  OnnxModel bad = unary(13, "Expand", {3}, {"shape"});
  bad.ints("shape", {2});
  EXPECT_EQ(bad.importError().code(), ErrorCode::kINVALID_GRAPH);
}

TEST(OnnxTensorImport, ExpandOfDynamicInputs) {
  // x is N x 1 or N x 4: the size-1 axis is repeated, the other read as is, decided at run time.
  OnnxModel m = unary(13, "Expand", {-1, -1}, {"shape"});
  m.ints("shape", {1, 4});
  auto outs =
      runDynamic(m, Dims{1, 1}, Dims{3, 4}, {HostTensor::f32({2, 1}, {5, 6}), HostTensor::f32({1, 4}, {1, 2, 3, 4})});
  EXPECT_EQ(outs[0].dims, (Dims{2, 4}));
  EXPECT_EQ(outs[0].f32(), (std::vector<float>{5, 5, 5, 5, 6, 6, 6, 6}));
  EXPECT_EQ(outs[1].f32(), (std::vector<float>{1, 2, 3, 4}));
  // 3 elements do not broadcast to 4: caught when the shapes are set.
  OnnxModel fixed = unary(13, "Expand", {-1}, {"shape"});
  fixed.ints("shape", {4});
  auto net = fixed.import();
  auto engine = buildWithProfile(*net, profileFor("x", Dims{1}, Dims{4}, Dims{4}));
  auto context = engine->createExecutionContext();
  EXPECT_EQ(runContext(*context, {HostTensor::f32({1}, {3})})[0].f32(), (std::vector<float>{3, 3, 3, 3}));
  EXPECT_THROW(runContext(*context, {HostTensor::f32({3}, {1, 2, 3})}), Error);
}

// PyTorch exports `t[:, :n].expand(b, n)` on dynamic shapes as Expand(t, Where(Equal(shape, -1), 1, shape)), with
// shape = Concat(b, n) from Shape(x) and the -1s from ConstantOfShape(1) * -1 (BERT's token-type ids). `choose` builds
// the Where from (shape, ones, minus ones) and names its output "target".
OnnxModel pytorchExpand(const std::function<void(OnnxModel&)>& choose) {
  OnnxModel m(13);
  m.input("x", {-1, -1}, TensorProto::INT64);
  m.ints("table", {1, 6}, {10, 11, 12, 13, 14, 15});
  m.ints("zero", {}, {0}).ints("one", {}, {1}).ints("axis0", {0}).ints("axis1", {1}).ints("start", {0});
  m.ints("step", {1}).ints("flat", {-1}).ints("minus", {}, {-1});
  m.node("Shape", {"x"}, {"dims"});
  m.node("Gather", {"dims", "zero"}, {"b"});
  m.node("Gather", {"dims", "one"}, {"n"});
  m.node("Unsqueeze", {"b", "axis0"}, {"b1"});
  m.node("Unsqueeze", {"n", "axis0"}, {"n1"});
  m.node("Slice", {"table", "start", "n1", "axis1", "step"}, {"row"});
  m.node("Concat", {"b1", "n1"}, {"joined"});
  setInt(m.lastNode(), "axis", 0);
  m.node("Reshape", {"joined", "flat"}, {"shape"});
  m.node("Shape", {"shape"}, {"rank"});
  setTensor(m.node("ConstantOfShape", {"rank"}, {"ones"}), "value", int64Tensor("v", {1}, {1}));
  m.node("Mul", {"ones", "minus"}, {"minusOnes"});
  choose(m);
  m.outputNode("Expand", {"row", "target"}, {"y"});
  return m;
}

TEST(OnnxTensorImport, ExpandToPyTorchsWhereEqualShape) {
  // Every comparison folds: a size is never -1 (Equal false), never below 0 (Less false), always above -1 (Greater
  // true). A wrong answer picks the ones and leaves the batch axis 1.
  OnnxModel m = pytorchExpand([](OnnxModel& m) {
    m.node("Equal", {"shape", "minusOnes"}, {"isPlaceholder"});
    m.node("Where", {"isPlaceholder", "ones", "shape"}, {"sized"});
    m.node("Less", {"sized", "zero"}, {"negative"});
    m.node("Where", {"negative", "ones", "sized"}, {"kept"});
    m.node("Greater", {"kept", "minus"}, {"valid"});
    m.node("Where", {"valid", "kept", "ones"}, {"target"});
  });
  auto outs =
      runDynamic(m, Dims{1, 1}, Dims{3, 6},
                 {HostTensor::i64({2, 3}, {0, 0, 0, 0, 0, 0}), HostTensor::i64({3, 5}, std::vector<int64_t>(15))});
  EXPECT_EQ(outs[0].dims, (Dims{2, 3}));
  EXPECT_EQ(outs[0].as<int64_t>(), (std::vector<int64_t>{10, 11, 12, 10, 11, 12}));
  EXPECT_EQ(outs[1].dims, (Dims{3, 5}));
  std::vector<int64_t> expected;
  for (int r = 0; r < 3; ++r)
    for (int64_t v = 10; v < 15; ++v) expected.push_back(v);
  EXPECT_EQ(outs[1].as<int64_t>(), expected);
}

TEST(OnnxTensorImport, ExpandTargetFromAnUndecidedComparisonIsUnsupported) {
  // batch == sequence depends on the input's shape: no build-time answer, so the target is not known either.
  OnnxModel m = pytorchExpand([](OnnxModel& m) {
    m.node("Concat", {"n1", "b1"}, {"swapped"});
    setInt(m.lastNode(), "axis", 0);
    m.node("Equal", {"shape", "swapped"}, {"square"});
    m.node("Where", {"square", "ones", "shape"}, {"target"});
  });
  expectImportError(m, ErrorCode::kUNSUPPORTED, "the target shape must be known at build time");
}

TEST(OnnxTensorImport, TileRepeatsEveryAxis) {
  OnnxModel m = unary(13, "Tile", {2, 2}, {"repeats"});
  m.ints("repeats", {2, 3});
  auto out = buildAndRun(*m.import(), {HostTensor::f32({2, 2}, {1, 2, 3, 4})});
  EXPECT_EQ(out[0].dims, (Dims{4, 6}));
  std::vector<float> x = {1, 2, 3, 4}, expected;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 6; ++j) expected.push_back(x[(i % 2) * 2 + j % 2]);
  EXPECT_EQ(out[0].f32(), expected);
  OnnxModel dynamic = unary(13, "Tile", {-1, 2}, {"repeats"});
  dynamic.ints("repeats", {3, 1});
  auto outs = runDynamic(dynamic, Dims{1, 2}, Dims{2, 2}, {HostTensor::f32({1, 2}, {8, 9})});
  EXPECT_EQ(outs[0].dims, (Dims{3, 2}));
  EXPECT_EQ(outs[0].f32(), (std::vector<float>{8, 9, 8, 9, 8, 9}));
  // Opset 1: one axis, tiles and axis as inputs.
  OnnxModel v1 = unary(1, "Tile", {2, 2}, {"tiles", "axis"});
  v1.ints("tiles", {}, {3}).ints("axis", {}, {1});
  out = buildAndRun(*v1.import(), {HostTensor::f32({2, 2}, {1, 2, 3, 4})});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}));
}

// ---- Pad -----------------------------------------------------------------------------------------------------------

std::vector<float> runPad(int64_t opset, const char* mode, const std::vector<int64_t>& pads,
                          const std::vector<int64_t>& axes = {}, Dims* dims = nullptr) {
  std::vector<std::string> inputs = {"pads", "value"};
  if (!axes.empty()) inputs.push_back("axes");
  OnnxModel m = unary(opset, "Pad", {2, 3}, inputs);
  m.ints("pads", pads).floats("value", {}, {7});
  if (!axes.empty()) m.ints("axes", axes);
  setString(m.lastNode(), "mode", mode);
  auto out = buildAndRun(*m.import(), {HostTensor::f32({2, 3}, {1, 2, 3, 4, 5, 6})});
  if (dims) *dims = out[0].dims;
  return out[0].f32();
}

TEST(OnnxTensorImport, PadModesMatchNumpy) {
  // numpy.pad([[1, 2, 3], [4, 5, 6]], ((0, 1), (2, 1)), mode): pads = [0, 2, 1, 1].
  Dims dims;
  EXPECT_EQ(runPad(13, "constant", {0, 2, 1, 1}, {}, &dims),
            (std::vector<float>{7, 7, 1, 2, 3, 7, 7, 7, 4, 5, 6, 7, 7, 7, 7, 7, 7, 7}));
  EXPECT_EQ(dims, (Dims{3, 6}));
  EXPECT_EQ(runPad(13, "reflect", {0, 2, 1, 1}),
            (std::vector<float>{3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5, 3, 2, 1, 2, 3, 2}));
  EXPECT_EQ(runPad(13, "edge", {0, 2, 1, 1}),
            (std::vector<float>{1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6, 4, 4, 4, 5, 6, 6}));
  // Negative pads crop.
  EXPECT_EQ(runPad(13, "constant", {0, -1, 0, 0}, {}, &dims), (std::vector<float>{2, 3, 5, 6}));
  EXPECT_EQ(dims, (Dims{2, 2}));
  // Opset 18: pads for the listed axes only.
  EXPECT_EQ(runPad(18, "constant", {1, 1}, {-1}), (std::vector<float>{7, 1, 2, 3, 7, 7, 4, 5, 6, 7}));
}

TEST(OnnxTensorImport, PadAttributesBeforeOpset11) {
  for (auto [opset, name] : {std::pair{int64_t{2}, "pads"}, std::pair{int64_t{1}, "paddings"}}) {
    OnnxModel m = unary(opset, "Pad", {2, 1});
    setInts(m.lastNode(), name, {1, 0, 0, 0});
    setFloat(m.lastNode(), "value", 2.5f);
    auto out = buildAndRun(*m.import(), {HostTensor::f32({2, 1}, {1, 2})});
    EXPECT_EQ(out[0].f32(), (std::vector<float>{2.5f, 1, 2}));
  }
  OnnxModel bad = unary(13, "Pad", {2}, {"pads"});
  bad.ints("pads", {1, 1});
  setString(bad.lastNode(), "mode", "mirror");
  EXPECT_EQ(bad.importError().code(), ErrorCode::kUNSUPPORTED);
}

TEST(OnnxTensorImport, ReflectPadOfADynamicAxis) {
  OnnxModel m = unary(13, "Pad", {1, -1}, {"pads"});
  m.ints("pads", {0, 1, 0, 1});
  setString(m.lastNode(), "mode", "reflect");
  auto outs =
      runDynamic(m, Dims{1, 2}, Dims{1, 3}, {HostTensor::f32({1, 3}, {1, 2, 3}), HostTensor::f32({1, 2}, {5, 6})});
  EXPECT_EQ(outs[0].f32(), (std::vector<float>{2, 1, 2, 3, 2}));
  EXPECT_EQ(outs[1].f32(), (std::vector<float>{6, 5, 6, 5}));
}

// ---- ReverseSequence -----------------------------------------------------------------------------------------------

// x[t, b] = 10 t + b; batch 0 reverses all 4 steps (30, 20, 10, 0), batch 1 its first 2 (11, 1, 21, 31).
TEST(OnnxReverseSequence, ReversesEachSequencePrefix) {
  OnnxModel m(10);
  m.outputNode("ReverseSequence", {"x", "lens"}, {"y"});
  m.input("x", {4, 2}).constant<int64_t>("lens", {2}, TensorProto::INT64, {4, 2});
  auto out = m.run({HostTensor::f32({4, 2}, {0, 1, 10, 11, 20, 21, 30, 31})});
  expectNear(out[0].f32(), {30, 11, 20, 1, 10, 21, 0, 31});
}

// The same with batch first and a trailing feature axis: each step moves with its features.
TEST(OnnxReverseSequence, BatchMajorWithFeatures) {
  OnnxModel m(10);
  NodeProto& node = m.outputNode("ReverseSequence", {"x", "lens"}, {"y"});
  m.input("x", {1, 3, 2}).constant<int64_t>("lens", {1}, TensorProto::INT64, {2});
  setInt(node, "time_axis", 1);
  setInt(node, "batch_axis", 0);
  auto out = m.run({HostTensor::f32({1, 3, 2}, {0, 1, 2, 3, 4, 5})});
  expectNear(out[0].f32(), {2, 3, 0, 1, 4, 5});
}

}  // namespace
}  // namespace kiln::test
