// ONNX importers for linear algebra, pooling, reductions and normalization, on models built in memory: auto_pad SAME
// on dynamic spatial sizes (convolution and pooling padding modes), ConvTranspose pads from output_shape and
// auto_pad, Gemm, every reduction with its axes forms, arg-max/min, softmax before and after opset 13, top-k,
// batch/instance/layer/group/mean-variance normalization, LRN and Einsum, and what is reported as unsupported.
// Expected values are worked by hand or computed by naive loops here.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "onnx_model_builder.h"

namespace kiln::test {
namespace {

// ---- Naive references -------------------------------------------------------------------------------------------

// ONNX auto_pad SAME: total = max(0, (ceil(in / stride) - 1) * stride + span - in), the odd one at the end (upper).
void samePads(int64_t in, int64_t span, int64_t stride, bool upper, int64_t& pre, int64_t& post) {
  int64_t out = (in + stride - 1) / stride;
  int64_t total = std::max<int64_t>(0, (out - 1) * stride + span - in);
  pre = upper ? total / 2 : total - total / 2;
  post = total - pre;
}

// 2-D convolution of one image, one group: x [C, H, W], w [K, C, kh, kw], explicit pads and strides.
std::vector<float> conv2d(const std::vector<float>& x, int64_t c, int64_t h, int64_t w, const std::vector<float>& k,
                          int64_t maps, int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                          int64_t oh, int64_t ow) {
  std::vector<float> y;
  for (int64_t m = 0; m < maps; ++m)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        double s = 0;
        for (int64_t ch = 0; ch < c; ++ch)
          for (int64_t a = 0; a < kh; ++a)
            for (int64_t b = 0; b < kw; ++b) {
              int64_t r = i * sh - ph + a, q = j * sw - pw + b;
              if (r >= 0 && r < h && q >= 0 && q < w)
                s += x[(ch * h + r) * w + q] * k[((m * c + ch) * kh + a) * kw + b];
            }
        y.push_back(static_cast<float>(s));
      }
  return y;
}

// 2-D max or average (over the elements inside the input) pooling of one plane [H, W].
std::vector<float> pool2d(const std::vector<float>& x, int64_t h, int64_t w, int64_t k, int64_t s, int64_t ph,
                          int64_t pw, int64_t oh, int64_t ow, bool max) {
  std::vector<float> y;
  for (int64_t i = 0; i < oh; ++i)
    for (int64_t j = 0; j < ow; ++j) {
      double acc = max ? -INFINITY : 0;
      int64_t count = 0;
      for (int64_t a = 0; a < k; ++a)
        for (int64_t b = 0; b < k; ++b) {
          int64_t r = i * s - ph + a, q = j * s - pw + b;
          if (r < 0 || r >= h || q < 0 || q >= w) continue;
          double v = x[r * w + q];
          acc = max ? std::max(acc, v) : acc + v;
          ++count;
        }
      y.push_back(static_cast<float>(max ? acc : acc / count));
    }
  return y;
}

// ---- Conv, ConvTranspose, Gemm, MatMul --------------------------------------------------------------------------

TEST(OnnxConv, AutoPadSameOnDynamicSpatialSizes) {
  auto w = randomFloats(3 * 2 * 3 * 3, 11);
  for (const char* mode : {"SAME_UPPER", "SAME_LOWER"}) {
    SCOPED_TRACE(mode);
    bool upper = std::string(mode) == "SAME_UPPER";
    OnnxModel m(11);
    m.input("x", {1, 2, -1, -1}).floats("w", {3, 2, 3, 3}, w);
    setInts(setString(m.outputNode("Conv", {"x", "w"}, {"y"}), "auto_pad", mode), "strides", {2, 2});
    auto network = m.import();
    EXPECT_EQ(network->getOutput(0)->getDimensions(), (Dims{1, 3, -1, -1}));
    auto engine = buildWithProfile(*network, profileFor("x", Dims{1, 2, 1, 1}, Dims{1, 2, 5, 5}, Dims{1, 2, 9, 9}));
    auto context = engine->createExecutionContext();
    uint32_t seed = 12;
    // Odd and even sizes: the total padding is 2, 1 or 0 and splits differently between the modes.
    for (auto [h, wd] : {std::pair<int64_t, int64_t>{5, 8}, {9, 2}, {1, 4}}) {
      SCOPED_TRACE(std::to_string(h) + "x" + std::to_string(wd));
      auto x = randomFloats(static_cast<size_t>(2 * h * wd), seed++);
      int64_t ph, pw, post;
      samePads(h, 3, 2, upper, ph, post);
      samePads(wd, 3, 2, upper, pw, post);
      int64_t oh = (h + 1) / 2, ow = (wd + 1) / 2;
      auto out = runContext(*context, {HostTensor::f32(Dims{1, 2, h, wd}, x)});
      EXPECT_EQ(out[0].dims, (Dims{1, 3, oh, ow}));
      expectNear(out[0].f32(), conv2d(x, 2, h, wd, w, 3, 3, 3, 2, 2, ph, pw, oh, ow), 1e-5f, 1e-4f);
    }
  }
}

TEST(OnnxConv, InputSmallerThanTheKernelIsPaddedFirst) {
  // One element, kernel 3 with pads 1: only the middle tap sees the input. y = 10 * 2 + bias 1.
  OnnxModel m(11);
  m.input("x", {1, 1, 1}).floats("w", {1, 1, 3}, {1, 10, 100}).floats("b", {1}, {1});
  setInts(m.outputNode("Conv", {"x", "w", "b"}, {"y"}), "pads", {1, 1});
  auto out = m.run({HostTensor::f32(Dims{1, 1, 1}, {2})});
  EXPECT_EQ(out[0].dims, (Dims{1, 1, 1}));
  expectNear(out[0].f32(), {21});
}

TEST(OnnxConv, GroupsAndInvalidAttributes) {
  // Two groups of one channel, kernel 1: each output map scales its own channel.
  OnnxModel m(11);
  m.input("x", {1, 2, 2}).floats("w", {2, 1, 1}, {3, -1});
  setInt(m.outputNode("Conv", {"x", "w"}, {"y"}), "group", 2);
  expectNear(m.run({HostTensor::f32(Dims{1, 2, 2}, {1, 2, 3, 4})})[0].f32(), {3, 6, -3, -4});
  OnnxModel bad(11);
  bad.input("x", {1, 1, 4}).floats("w", {1, 1, 3}, {1, 1, 1});
  setInts(setString(bad.outputNode("Conv", {"x", "w"}, {"y"}), "auto_pad", "SAME_UPPER"), "pads", {1, 1});
  EXPECT_EQ(errorOf([&] { bad.import(); }).code(), ErrorCode::kINVALID_GRAPH);
  OnnxModel odd(11);
  odd.input("x", {1, 1, 4}).floats("w", {1, 1, 3}, {1, 1, 1});
  setString(odd.outputNode("Conv", {"x", "w"}, {"y"}), "auto_pad", "FULL");
  expectImportError(odd, ErrorCode::kUNSUPPORTED, "auto_pad 'FULL'");
}

// Stride 2 of x = [1, 2, 3] with kernel [1, 10, 100] gives the full result [1, 10, 102, 20, 203, 30, 300].
TEST(OnnxConvTranspose, PadsFromAutoPadAndOutputShape) {
  struct Case {
    const char* autoPad;
    std::vector<int64_t> outputShape;
    std::vector<float> expected;
  };
  for (const Case& c :
       {Case{"SAME_UPPER", {}, {1, 10, 102, 20, 203, 30}}, Case{"SAME_LOWER", {}, {10, 102, 20, 203, 30, 300}},
        Case{"NOTSET", {8}, {1, 10, 102, 20, 203, 30, 300, 0}}, Case{"NOTSET", {5}, {10, 102, 20, 203, 30}}}) {
    SCOPED_TRACE(std::string(c.autoPad) + " " + std::to_string(c.outputShape.size()));
    OnnxModel m(11);
    m.input("x", {1, 1, 3}).floats("w", {1, 1, 3}, {1, 10, 100});
    NodeProto& n = setInts(m.outputNode("ConvTranspose", {"x", "w"}, {"y"}), "strides", {2});
    setString(n, "auto_pad", c.autoPad);
    if (!c.outputShape.empty()) setInts(n, "output_shape", c.outputShape);
    auto out = m.run({HostTensor::f32(Dims{1, 1, 3}, {1, 2, 3})});
    EXPECT_EQ(out[0].dims, (Dims{1, 1, static_cast<int64_t>(c.expected.size())}));
    expectNear(out[0].f32(), c.expected);
  }
}

TEST(OnnxConvTranspose, GroupsBiasAndOutputPadding) {
  // Two groups, one map each, kernel 1, stride 2: every input element lands on even positions; bias fills the rest.
  OnnxModel m(11);
  m.input("x", {1, 2, 2}).floats("w", {2, 1, 1}, {2, 3}).floats("b", {2}, {1, -1});
  NodeProto& n = setInts(setInt(m.outputNode("ConvTranspose", {"x", "w", "b"}, {"y"}), "group", 2), "strides", {2});
  setInts(n, "output_padding", {1});
  auto out = m.run({HostTensor::f32(Dims{1, 2, 2}, {1, 2, 3, 4})});
  EXPECT_EQ(out[0].dims, (Dims{1, 2, 4}));
  expectNear(out[0].f32(), {3, 1, 5, 1, 8, -1, 11, -1});
}

TEST(OnnxGemm, TransposesScalesAndBroadcastsC) {
  auto a = randomFloats(3 * 2, 21), b = randomFloats(4 * 3, 22), c = randomFloats(4, 23);
  OnnxModel m(13);
  m.input("a", {3, 2}).input("b", {4, 3}).floats("c", {4}, c);
  NodeProto& n = setInt(setInt(m.outputNode("Gemm", {"a", "b", "c"}, {"y"}), "transA", 1), "transB", 1);
  setFloat(setFloat(n, "alpha", 0.5f), "beta", 2.0f);
  auto out = m.run({HostTensor::f32(Dims{3, 2}, a), HostTensor::f32(Dims{4, 3}, b)});
  // y[i][j] = 0.5 * sum_k a[k][i] * b[j][k] + 2 * c[j]
  std::vector<float> expected;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j) {
      float s = 0;
      for (int k = 0; k < 3; ++k) s += a[k * 2 + i] * b[j * 3 + k];
      expected.push_back(0.5f * s + 2 * c[j]);
    }
  EXPECT_EQ(out[0].dims, (Dims{2, 4}));
  expectNear(out[0].f32(), expected, 1e-5f, 1e-5f);
  // Without C (optional from opset 11).
  OnnxModel noC(11);
  noC.input("a", {1, 2}).floats("b", {2, 1}, {3, 4});
  noC.outputNode("Gemm", {"a", "b"}, {"y"});
  expectNear(noC.run({HostTensor::f32(Dims{1, 2}, {1, 2})})[0].f32(), {11});
}

TEST(OnnxMatMul, BroadcastsABatchOfDynamicSize) {
  OnnxModel m(13);
  m.input("a", {-1, 2, 3}).floats("b", {3, 1}, {1, 10, 100});
  m.outputNode("MatMul", {"a", "b"}, {"y"});
  auto network = m.import();
  auto engine = buildWithProfile(*network, profileFor("a", Dims{1, 2, 3}, Dims{2, 2, 3}, Dims{4, 2, 3}));
  auto out = runEngine(*engine, {HostTensor::f32(Dims{2, 2, 3}, {1, 2, 3, 4, 5, 6, 0, 0, 1, 1, 0, 0})});
  EXPECT_EQ(out[0].dims, (Dims{2, 2, 1}));
  expectNear(out[0].f32(), {321, 654, 100, 1});
}

// ---- Pooling ----------------------------------------------------------------------------------------------------

TEST(OnnxPool, AutoPadSameOnDynamicSpatialSizes) {
  for (bool max : {false, true}) {
    for (const char* mode : {"SAME_UPPER", "SAME_LOWER"}) {
      SCOPED_TRACE(std::string(max ? "MaxPool " : "AveragePool ") + mode);
      bool upper = std::string(mode) == "SAME_UPPER";
      OnnxModel m(11);
      m.input("x", {1, 1, -1, -1});
      NodeProto& n = m.outputNode(max ? "MaxPool" : "AveragePool", {"x"}, {"y"});
      setInts(setInts(setString(n, "auto_pad", mode), "kernel_shape", {3, 3}), "strides", {2, 2});
      auto network = m.import();
      auto engine = buildWithProfile(*network, profileFor("x", Dims{1, 1, 1, 1}, Dims{1, 1, 4, 4}, Dims{1, 1, 8, 8}));
      auto context = engine->createExecutionContext();
      for (auto [h, w] : {std::pair<int64_t, int64_t>{5, 6}, {8, 3}}) {
        SCOPED_TRACE(std::to_string(h) + "x" + std::to_string(w));
        auto x = randomFloats(static_cast<size_t>(h * w), static_cast<uint32_t>(h * 10 + w));
        int64_t ph, pw, post;
        samePads(h, 3, 2, upper, ph, post);
        samePads(w, 3, 2, upper, pw, post);
        int64_t oh = (h + 1) / 2, ow = (w + 1) / 2;
        auto out = runContext(*context, {HostTensor::f32(Dims{1, 1, h, w}, x)});
        EXPECT_EQ(out[0].dims, (Dims{1, 1, oh, ow}));
        // count_include_pad = 0: the average is over the elements inside the input.
        expectNear(out[0].f32(), pool2d(x, h, w, 3, 2, ph, pw, oh, ow, max), 1e-6f, 1e-5f);
      }
    }
  }
}

TEST(OnnxPool, CountIncludePadCeilModeAndUint8Max) {
  // Padded [0 | 2, 4, 6]: windows {0, 2} and {4, 6}, the padding counted.
  OnnxModel avg(11);
  avg.input("x", {1, 1, 3});
  NodeProto& n = setInts(setInts(avg.outputNode("AveragePool", {"x"}, {"y"}), "kernel_shape", {2}), "pads", {1, 0});
  setInt(setInts(n, "strides", {2}), "count_include_pad", 1);
  auto out = avg.run({HostTensor::f32(Dims{1, 1, 3}, {2, 4, 6})});
  EXPECT_EQ(out[0].dims, (Dims{1, 1, 2}));
  expectNear(out[0].f32(), {1, 5});
  // Ceil mode keeps the partial last window {10}.
  OnnxModel ceil(11);
  ceil.input("x", {1, 1, 5});
  setInt(setInts(setInts(ceil.outputNode("AveragePool", {"x"}, {"y"}), "kernel_shape", {2}), "strides", {2}),
         "ceil_mode", 1);
  expectNear(ceil.run({HostTensor::f32(Dims{1, 1, 5}, {2, 4, 6, 8, 10})})[0].f32(), {3, 7, 10});
  OnnxModel bytes(12);
  bytes.input("x", {1, 1, 4}, TensorProto::UINT8);
  setInts(setInts(bytes.outputNode("MaxPool", {"x"}, {"y"}), "kernel_shape", {2}), "strides", {2});
  auto y = bytes.run({HostTensor::of<uint8_t>(DataType::kUINT8, Dims{1, 1, 4}, {7, 200, 3, 1})});
  EXPECT_EQ(y[0].as<uint8_t>(), (std::vector<uint8_t>{200, 3}));
}

TEST(OnnxPool, LpPoolAndGlobalPools) {
  for (int64_t p : {1, 2, 3}) {
    SCOPED_TRACE(p);
    OnnxModel m(11);
    m.input("x", {1, 1, 4});
    setInt(setInts(setInts(m.outputNode("LpPool", {"x"}, {"y"}), "kernel_shape", {2}), "strides", {2}), "p", p);
    auto out = m.run({HostTensor::f32(Dims{1, 1, 4}, {3, -4, 0, 5})});
    auto norm = [&](float a, float b) {
      return static_cast<float>(std::pow(std::pow(std::abs(a), p) + std::pow(std::abs(b), p), 1.0 / p));
    };
    expectNear(out[0].f32(), {norm(3, -4), norm(0, 5)}, 1e-5f, 1e-5f);
  }
  OnnxModel g(2);
  g.input("x", {1, 2, 2});
  setInt(g.outputNode("GlobalLpPool", {"x"}, {"y"}), "p", 2);
  g.outputNode("GlobalMaxPool", {"x"}, {"m"});
  g.outputNode("GlobalAveragePool", {"x"}, {"a"});
  auto out = g.run({HostTensor::f32(Dims{1, 2, 2}, {3, 4, -6, 8})});
  EXPECT_EQ(out[0].dims, (Dims{1, 2, 1}));
  expectNear(out[0].f32(), {5, 10});
  expectNear(out[1].f32(), {4, 8});
  expectNear(out[2].f32(), {3.5f, 1});
}

TEST(OnnxPool, UnsupportedForms) {
  OnnxModel lp(18);
  lp.input("x", {1, 1, 4});
  setInt(setInts(lp.outputNode("LpPool", {"x"}, {"y"}), "kernel_shape", {2}), "ceil_mode", 1);
  expectImportError(lp, ErrorCode::kUNSUPPORTED, "ceil_mode");
}

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

// ---- Normalization ----------------------------------------------------------------------------------------------

TEST(OnnxNormalization, BatchNormalizationInferenceHandComputed) {
  // Channel 0: (1 - 0) / 1 * 2 + 0 = 2. Channel 1: (2 - 1) / 2 * 1 + 1 = 1.5.
  OnnxModel m(15);
  m.input("x", {1, 2, 1, 1}).floats("s", {2}, {2, 1}).floats("b", {2}, {0, 1});
  m.floats("mean", {2}, {0, 1}).floats("var", {2}, {1, 4});
  setFloat(m.outputNode("BatchNormalization", {"x", "s", "b", "mean", "var"}, {"y"}), "epsilon", 0);
  expectNear(m.run({HostTensor::f32(Dims{1, 2, 1, 1}, {1, 2})})[0].f32(), {2, 1.5f});
  // Opset 6, spatial = 0: statistics per activation ([C, W]).
  OnnxModel perActivation(6);
  perActivation.input("x", {1, 1, 2}).floats("s", {1, 2}, {1, 3}).floats("b", {1, 2}, {0, 0});
  perActivation.floats("mean", {1, 2}, {1, 0}).floats("var", {1, 2}, {4, 1});
  NodeProto& n = perActivation.outputNode("BatchNormalization", {"x", "s", "b", "mean", "var"}, {"y"});
  setInt(setFloat(setInt(n, "spatial", 0), "epsilon", 0), "is_test", 1);
  expectNear(perActivation.run({HostTensor::f32(Dims{1, 1, 2}, {5, 2})})[0].f32(), {2, 6});
  OnnxModel training(15);
  training.input("x", {1, 2}).floats("s", {2}, {1, 1}).floats("b", {2}, {0, 0});
  training.floats("mean", {2}, {0, 0}).floats("var", {2}, {1, 1});
  setInt(training.outputNode("BatchNormalization", {"x", "s", "b", "mean", "var"}, {"y"}), "training_mode", 1);
  // Training mode normalizes with the batch's own statistics: one value per channel becomes 0 (then the bias).
  expectNear(training.run({HostTensor::f32(Dims{1, 2}, {3, -5})})[0].f32(), {0, 0});
}

TEST(OnnxNormalization, InstanceNormalizationPerChannel) {
  // Channel 0 [1, 3] and channel 1 [2, 4]: each normalizes to [-1, 1], then scale and bias per channel.
  OnnxModel m(6);
  m.input("x", {1, 2, 2}).floats("s", {2}, {2, 5}).floats("b", {2}, {1, 7});
  setFloat(m.outputNode("InstanceNormalization", {"x", "s", "b"}, {"y"}), "epsilon", 0.0f);
  expectNear(m.run({HostTensor::f32(Dims{1, 2, 2}, {1, 3, 2, 4})})[0].f32(), {-1, 3, 2, 12});
}

TEST(OnnxNormalization, LayerNormalizationWithMeanAndInvStdDev) {
  // Rows [1, 3] and [2, 6]: means 2 and 4, variances 1 and 4; B is optional.
  OnnxModel m(17);
  m.input("x", {2, 2}).floats("w", {2}, {1, 2});
  setFloat(m.outputNode("LayerNormalization", {"x", "w"}, {"y", "mean", "inv"}), "epsilon", 0);
  auto out = m.run({HostTensor::f32(Dims{2, 2}, {1, 3, 2, 6})});
  expectNear(out[0].f32(), {-1, 2, -1, 2});
  EXPECT_EQ(out[1].dims, (Dims{2, 1}));
  expectNear(out[1].f32(), {2, 4});
  expectNear(out[2].f32(), {1, 0.5f});
}

TEST(OnnxNormalization, GroupNormalizationPerGroupAndPerChannelScale) {
  // Groups (1, 2) and (3, 5) normalize to [-1, 1] each.
  OnnxModel v18(18);
  v18.input("x", {1, 4, 1}).floats("s", {2}, {2, 3}).floats("b", {2}, {0, 1});
  setFloat(setInt(v18.outputNode("GroupNormalization", {"x", "s", "b"}, {"y"}), "num_groups", 2), "epsilon", 0);
  expectNear(v18.run({HostTensor::f32(Dims{1, 4, 1}, {1, 2, 3, 5})})[0].f32(), {-2, 2, -2, 4});
  OnnxModel v21(21);
  v21.input("x", {1, 4, 1}).floats("s", {4}, {1, 2, 3, 4}).floats("b", {4}, {0, 0, 0, 1});
  setFloat(setInt(v21.outputNode("GroupNormalization", {"x", "s", "b"}, {"y"}), "num_groups", 2), "epsilon", 0);
  expectNear(v21.run({HostTensor::f32(Dims{1, 4, 1}, {1, 2, 3, 5})})[0].f32(), {-1, 2, -3, 5});
}

TEST(OnnxNormalization, MeanVarianceNormalizationDefaultAxes) {
  // Axes 0, 2, 3 of [2, 1, 1, 2] = every value of the one channel: mean 4, variance 5.
  OnnxModel m(13);
  m.input("x", {2, 1, 1, 2});
  m.outputNode("MeanVarianceNormalization", {"x"}, {"y"});
  float s = std::sqrt(5.0f);
  expectNear(m.run({HostTensor::f32(Dims{2, 1, 1, 2}, {1, 3, 5, 7})})[0].f32(), {-3 / s, -1 / s, 1 / s, 3 / s});
}

TEST(OnnxNormalization, LRNAndEinsum) {
  OnnxModel lrn(13);
  lrn.input("x", {1, 3});
  NodeProto& n = setInt(lrn.outputNode("LRN", {"x"}, {"y"}), "size", 2);
  setFloat(setFloat(setFloat(n, "alpha", 2), "beta", 1), "bias", 1);
  expectNear(lrn.run({HostTensor::f32(Dims{1, 3}, {1, 2, 3})})[0].f32(), {1.0f / 6, 2.0f / 14, 3.0f / 10});
  OnnxModel einsum(12);
  einsum.input("a", {2, 3}).input("b", {3});
  setString(einsum.outputNode("Einsum", {"a", "b"}, {"y"}), "equation", "ij, j -> i");
  expectNear(
      einsum.run({HostTensor::f32(Dims{2, 3}, {1, 2, 3, 4, 5, 6}), HostTensor::f32(Dims{3}, {1, 0, -1})})[0].f32(),
      {-2, -2});
}

// ---- The layers' SAME padding modes, which the importers above rely on ------------------------------------------

TEST(PaddingModeTest, ConvolutionAndPoolingOutputsAreCeilOfInputOverStride) {
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, Dims{1, 1, -1, 7});
  auto* conv =
      network.addConvolution(*in, *floatConstant(network, Dims{1, 1, 3, 3}, std::vector<float>(9, 1)), nullptr);
  conv->setStrideNd(Dims{2, 3});
  conv->setPaddingMode(PaddingMode::kSAME_LOWER);
  EXPECT_EQ(conv->getPaddingMode(), PaddingMode::kSAME_LOWER);
  EXPECT_EQ(conv->getOutput(0)->getDimensions(), (Dims{1, 1, -1, 3}));
  EXPECT_EQ(conv->getOutput(0)->getDimensionExpression(2), "ceil(x.2/2)");
  auto* pool = network.addPoolingNd(*in, PoolingType::kMAX, Dims{5, 5});
  pool->setStrideNd(Dims{4, 4});
  pool->setPaddingMode(PaddingMode::kSAME_UPPER);
  EXPECT_EQ(pool->getPaddingMode(), PaddingMode::kSAME_UPPER);
  EXPECT_EQ(pool->getOutput(0)->getDimensions(), (Dims{1, 1, -1, 2}));
  expectRejected(
      conv, [&] { conv->setPaddingMode(static_cast<PaddingMode>(7)); }, "unknown mode", "padding mode");
  expectRejected(
      pool, [&] { pool->setPaddingMode(static_cast<PaddingMode>(-1)); }, "unknown mode", "padding mode");
}

}  // namespace
}  // namespace kiln::test
