// ONNX importers for reductions (every one, with its axes forms), arg-max/min, top-k and softmax before and after
// opset 13, on models built in memory. Expected values are worked by hand or computed by naive loops here.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "onnx_model_builder.h"

namespace kiln::test {
namespace {

// ---- Reductions -------------------------------------------------------------------------------------------------

HostTensor runReduction(int64_t opset, const std::string& op, const std::vector<float>& x, const Dims& dims,
                        const std::function<void(OnnxModel&, NodeProto&)>& configure = {}) {
  OnnxModel m(opset);
  std::vector<int64_t> shape(dims.d, dims.d + dims.nbDims);
  m.input("x", shape);
  NodeProto& n = m.outputNode(op, {"x"}, {"y"});
  if (configure) configure(m, n);
  return m.run({HostTensor::f32(dims, x)})[0];
}

TEST(OnnxReduce, EveryReductionOverTheLastAxis) {
  // Rows [1, -2, 2] and [0.5, 1, 4], reduced over axis -1 without keeping it.
  std::vector<float> x = {1, -2, 2, 0.5f, 1, 4};
  auto axes = [](OnnxModel&, NodeProto& n) { setInt(setInts(n, "axes", {-1}), "keepdims", 0); };
  struct Case {
    const char* op;
    std::vector<float> expected;
  };
  for (const Case& c : {Case{"ReduceSum", {1, 5.5f}}, Case{"ReduceMean", {1.0f / 3, 5.5f / 3}},
                        Case{"ReduceMax", {2, 4}}, Case{"ReduceMin", {-2, 0.5f}}, Case{"ReduceProd", {-4, 2}},
                        Case{"ReduceL1", {5, 5.5f}}, Case{"ReduceL2", {3, std::sqrt(17.25f)}},
                        Case{"ReduceSumSquare", {9, 17.25f}}, Case{"ReduceLogSum", {0, std::log(5.5f)}},
                        Case{"ReduceLogSumExp",
                             {std::log(std::exp(1.0f) + std::exp(-2.0f) + std::exp(2.0f)),
                              std::log(std::exp(0.5f) + std::exp(1.0f) + std::exp(4.0f))}}}) {
    SCOPED_TRACE(c.op);
    HostTensor y = runReduction(11, c.op, x, Dims{2, 3}, axes);
    EXPECT_EQ(y.dims, (Dims{2}));
    expectNear(y.f32(), c.expected, 1e-5f, 1e-5f);
  }
}

TEST(OnnxReduce, DefaultAxesKeepDimsAndStableLogSumExp) {
  HostTensor all = runReduction(13, "ReduceMax", {1, 7, 3, 2}, Dims{2, 2});
  EXPECT_EQ(all.dims, (Dims{1, 1}));
  expectNear(all.f32(), {7});
  HostTensor big = runReduction(13, "ReduceLogSumExp", {1000, 1000}, Dims{2});
  expectNear(big.f32(), {1000 + std::log(2.0f)});
}

TEST(OnnxReduce, AxesInputAndNoopWithEmptyAxes) {
  std::vector<float> x = {1, -2, 3, 4};
  // Axes from a constant input (ReduceSum from opset 13, the others from 18).
  HostTensor sum = runReduction(13, "ReduceSum", x, Dims{2, 2}, [](OnnxModel& m, NodeProto& n) {
    m.ints("axes", {0});
    n.add_input("axes");
  });
  expectNear(sum.f32(), {4, 2});
  HostTensor mean = runReduction(18, "ReduceMean", x, Dims{2, 2}, [](OnnxModel& m, NodeProto& n) {
    m.ints("axes", {1});
    n.add_input("axes");
    setInt(n, "keepdims", 0);
  });
  expectNear(mean.f32(), {-0.5f, 3.5f});
  // "If true, no reduction is applied, but other operations will be performed": ReduceSumSquare squares.
  HostTensor noop = runReduction(18, "ReduceSumSquare", x, Dims{2, 2},
                                 [](OnnxModel&, NodeProto& n) { setInt(n, "noop_with_empty_axes", 1); });
  EXPECT_EQ(noop.dims, (Dims{2, 2}));
  expectNear(noop.f32(), {1, 4, 9, 16});
  HostTensor identity = runReduction(13, "ReduceSum", x, Dims{2, 2}, [](OnnxModel& m, NodeProto& n) {
    m.ints("none", {});
    n.add_input("none");
    setInt(n, "noop_with_empty_axes", 1);
  });
  expectNear(identity.f32(), x);
  // Axes only known at run time would decide the output shape.
  OnnxModel runtime(13);
  runtime.input("x", {2, 2}).input("axes", {1}, TensorProto::INT64);
  runtime.outputNode("ReduceSum", {"x", "axes"}, {"y"});
  expectImportError(runtime, ErrorCode::kUNSUPPORTED, "axes input must be known at build time");
}

TEST(OnnxReduce, DynamicReducedAxis) {
  OnnxModel m(13);
  m.input("x", {2, -1});
  setInts(m.outputNode("ReduceL2", {"x"}, {"y"}), "axes", {1});
  auto network = m.import();
  auto engine = buildWithProfile(*network, profileFor("x", Dims{2, 1}, Dims{2, 2}, Dims{2, 4}));
  auto context = engine->createExecutionContext();
  expectNear(runContext(*context, {HostTensor::f32(Dims{2, 2}, {3, 4, 6, 8})})[0].f32(), {5, 10});
  expectNear(runContext(*context, {HostTensor::f32(Dims{2, 1}, {-3, 2})})[0].f32(), {3, 2});
}

// ---- ArgMax, ArgMin, TopK ---------------------------------------------------------------------------------------

TEST(OnnxArgMax, FirstOrLastIndexOnADynamicAxis) {
  struct Case {
    const char* op;
    int64_t last;
    std::vector<int64_t> expected;
  };
  // Rows [1, 3, 3, 0] and [5, 5, 1, 5].
  for (const Case& c :
       {Case{"ArgMax", 0, {1, 0}}, Case{"ArgMax", 1, {2, 3}}, Case{"ArgMin", 0, {3, 2}}, Case{"ArgMin", 1, {3, 2}}}) {
    SCOPED_TRACE(std::string(c.op) + (c.last ? " last" : " first"));
    OnnxModel m(13);
    m.input("x", {2, -1});
    setInt(setInt(setInt(m.outputNode(c.op, {"x"}, {"y"}), "axis", -1), "keepdims", 0), "select_last_index", c.last);
    auto network = m.import();
    auto engine = buildWithProfile(*network, profileFor("x", Dims{2, 1}, Dims{2, 4}, Dims{2, 6}));
    auto out = runEngine(*engine, {HostTensor::f32(Dims{2, 4}, {1, 3, 3, 0, 5, 5, 1, 5})});
    EXPECT_EQ(out[0].type, DataType::kINT64);
    EXPECT_EQ(out[0].dims, (Dims{2}));
    EXPECT_EQ(out[0].as<int64_t>(), c.expected);
  }
}

TEST(OnnxTopK, KFromAConstantOrTheAttribute) {
  OnnxModel m(11);
  m.input("x", {4, 2}).ints("k", {2});
  setInt(setInt(m.outputNode("TopK", {"x", "k"}, {"v", "i"}), "axis", 0), "largest", 0);
  auto out = m.run({HostTensor::f32(Dims{4, 2}, {4, 1, 2, 7, 2, 0, 9, 3})});
  EXPECT_EQ(out[0].dims, (Dims{2, 2}));
  expectNear(out[0].f32(), {2, 0, 2, 1});
  EXPECT_EQ(out[1].type, DataType::kINT64);
  EXPECT_EQ(out[1].as<int64_t>(), (std::vector<int64_t>{1, 2, 2, 0}));
  OnnxModel v1(1);
  v1.input("x", {3});
  setInt(v1.outputNode("TopK", {"x"}, {"v", "i"}), "k", 1);
  auto top = v1.run({HostTensor::f32(Dims{3}, {1, 8, 2})});
  expectNear(top[0].f32(), {8});
  EXPECT_EQ(top[1].as<int64_t>(), (std::vector<int64_t>{1}));
  // K computed from the data (not from shapes, not a graph input) is only known at run time.
  OnnxModel runtime(11);
  runtime.input("x", {3});
  runtime.outputNode("ArgMax", {"x"}, {"k"});
  runtime.outputNode("TopK", {"x", "k"}, {"v", "i"});
  expectImportError(runtime, ErrorCode::kUNSUPPORTED, "K must be known at build time");
}

// ---- Softmax family ---------------------------------------------------------------------------------------------

TEST(OnnxSoftmax, CoercedTo2DBeforeOpset13AndOneAxisFrom13) {
  std::vector<float> x = {0, 1, 2, 3, 1, 1, 1, 1};
  // Opset 11, axis 1 of [2, 2, 2]: each batch row's four values together.
  OnnxModel old(11);
  old.input("x", {2, 2, 2});
  setInt(old.outputNode("Softmax", {"x"}, {"y"}), "axis", 1);
  auto a = old.run({HostTensor::f32(Dims{2, 2, 2}, x)})[0];
  EXPECT_EQ(a.dims, (Dims{2, 2, 2}));
  float z = 1 + std::exp(1.0f) + std::exp(2.0f) + std::exp(3.0f);
  expectNear(a.f32(), {1 / z, std::exp(1.0f) / z, std::exp(2.0f) / z, std::exp(3.0f) / z, 0.25f, 0.25f, 0.25f, 0.25f});
  // Opset 13, axis 1: pairs along the middle axis.
  OnnxModel now(13);
  now.input("x", {2, 2, 2});
  setInt(now.outputNode("LogSoftmax", {"x"}, {"y"}), "axis", 1);
  auto b = now.run({HostTensor::f32(Dims{2, 2, 2}, x)})[0];
  float l = -std::log(1 + std::exp(2.0f));
  expectNear(b.f32(), {l, l, 2 + l, 2 + l, std::log(0.5f), std::log(0.5f), std::log(0.5f), std::log(0.5f)}, 1e-5f,
             1e-5f);
}

TEST(OnnxSoftmax, HardmaxMarksTheFirstMaximum) {
  OnnxModel now(13);
  now.input("x", {2, -1});
  now.outputNode("Hardmax", {"x"}, {"y"});
  auto network = now.import();
  auto engine = buildWithProfile(*network, profileFor("x", Dims{2, 1}, Dims{2, 3}, Dims{2, 5}));
  auto out = runEngine(*engine, {HostTensor::f32(Dims{2, 3}, {1, 3, 3, -1, -2, -3})});
  expectNear(out[0].f32(), {0, 1, 0, 1, 0, 0});
  // Opset 11 with axis 0: the maximum of the whole flattened tensor.
  OnnxModel old(11);
  old.input("x", {2, 2});
  setInt(old.outputNode("Hardmax", {"x"}, {"y"}), "axis", 0);
  expectNear(old.run({HostTensor::f32(Dims{2, 2}, {1, 5, 5, 2})})[0].f32(), {0, 1, 0, 0});
}

}  // namespace
}  // namespace kiln::test
