// Pooling: shape inference and CPU results against hand-computed values and a naive direct-loop reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kiln/kiln.h"
#include "test_util.h"

namespace kiln {
namespace {

using test::HostTensor;

struct PoolCase {
  Dims input = {};
  PoolingType type = PoolingType::kMAX;
  Dims window = {};
  // Empty: the defaults (1, 0, 0, 1).
  std::vector<int64_t> stride = {};
  std::vector<int64_t> pre = {};
  std::vector<int64_t> post = {};
  std::vector<int64_t> dilation = {};
  bool ceil = false;
  bool countPadding = false;  // average: padded elements count in the divisor
  bool global = false;
};

// Output size per ONNX: floor or ceil, and in ceil mode the last window must start inside the input or pre-padding.
int64_t outputSize(int64_t in, int64_t pre, int64_t post, int64_t span, int64_t stride, bool ceil) {
  int64_t room = in + pre + post - span;
  int64_t out = (ceil ? (room + stride - 1) / stride : room / stride) + 1;
  if (ceil && (out - 1) * stride >= in + pre) --out;
  return out;
}

// Pools every plane over the trailing window axes. Padding is ignored by max; the average divides by the
// window elements inside the input, or (countPadding) inside the input plus its padding.
HostTensor referencePool(const PoolCase& c, const std::vector<float>& x) {
  size_t ns = c.global ? static_cast<size_t>(c.input.nbDims - 2) : static_cast<size_t>(c.window.nbDims);
  size_t lead = static_cast<size_t>(c.input.nbDims) - ns;
  std::vector<int64_t> in(c.input.d + lead, c.input.d + c.input.nbDims);
  std::vector<int64_t> k = c.global ? in : std::vector<int64_t>(c.window.d, c.window.d + ns);
  auto stride = c.global ? std::vector<int64_t>(ns, 1) : test::orFill(c.stride, ns, 1);
  auto pre = c.global ? std::vector<int64_t>(ns, 0) : test::orFill(c.pre, ns, 0);
  auto post = c.global ? std::vector<int64_t>(ns, 0) : test::orFill(c.post, ns, 0);
  auto dil = c.global ? std::vector<int64_t>(ns, 1) : test::orFill(c.dilation, ns, 1);
  std::vector<int64_t> out(ns);
  int64_t inVol = 1, planes = 1;
  for (size_t i = 0; i < ns; ++i) {
    out[i] = outputSize(in[i], pre[i], post[i], dil[i] * (k[i] - 1) + 1, stride[i], c.ceil);
    inVol *= in[i];
  }
  for (size_t i = 0; i < lead; ++i) planes *= c.input.d[i];
  std::vector<float> y;
  for (int64_t p = 0; p < planes; ++p) {
    std::vector<int64_t> o(ns, 0);
    do {
      float m = -std::numeric_limits<float>::infinity();
      double sum = 0;
      int64_t inside = 0, padded = 0;
      std::vector<int64_t> t(ns, 0), pos(ns);
      do {
        bool valid = true, inPad = true;
        for (size_t i = 0; i < ns; ++i) {
          pos[i] = o[i] * stride[i] - pre[i] + t[i] * dil[i];
          valid = valid && pos[i] >= 0 && pos[i] < in[i];
          inPad = inPad && pos[i] < in[i] + post[i];
        }
        padded += inPad;
        if (!valid) continue;
        float v = x[p * inVol + test::flatIndex(pos, in)];
        m = std::max(m, v);
        sum += v;
        ++inside;
      } while (test::nextIndex(t, k));
      int64_t count = c.countPadding ? padded : inside;
      y.push_back(c.type == PoolingType::kMAX ? m : static_cast<float>(sum / static_cast<double>(count)));
    } while (test::nextIndex(o, out));
  }
  std::vector<int64_t> dims(c.input.d, c.input.d + lead);
  dims.insert(dims.end(), out.begin(), out.end());
  return HostTensor::f32(test::toDims(dims), y);
}

PoolingLayer* addPool(NetworkDefinition& network, Tensor& input, const PoolCase& c) {
  PoolingLayer* pool = network.addPoolingNd(input, c.type, c.window);
  if (!c.stride.empty()) pool->setStrideNd(test::toDims(c.stride));
  if (!c.pre.empty()) pool->setPrePadding(test::toDims(c.pre));
  if (!c.post.empty()) pool->setPostPadding(test::toDims(c.post));
  if (!c.dilation.empty()) pool->setDilationNd(test::toDims(c.dilation));
  if (c.ceil) pool->setCeilMode(true);
  if (c.countPadding) pool->setAverageCountExcludesPadding(false);
  if (c.global) pool->setGlobal(true);
  return pool;
}

HostTensor runPool(const PoolCase& c, const std::vector<float>& x) {
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, c.input);
  network.markOutput(*addPool(network, *in, c)->getOutput(0));
  auto outputs = test::buildAndRun(network, {HostTensor::f32(c.input, x)});
  EXPECT_EQ(outputs.size(), 1u);
  return outputs.at(0);
}

// Runs `c` on seeded random data and compares shape inference and values with the reference.
void checkRandomPool(const PoolCase& c, uint32_t seed) {
  auto x = test::randomFloats(static_cast<size_t>(c.input.volume()), seed);
  HostTensor expected = referencePool(c, x);
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, c.input);
  PoolingLayer* pool = addPool(network, *in, c);
  EXPECT_EQ(pool->getOutput(0)->getDimensions(), expected.dims);
  network.markOutput(*pool->getOutput(0));
  auto outputs = test::buildAndRun(network, {HostTensor::f32(c.input, x)});
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].dims, expected.dims);
  test::expectNear(outputs[0].f32(), expected.f32());
}

// Both pooling types of `c`.
void checkRandomMaxAndAverage(PoolCase c, uint32_t seed) {
  for (PoolingType type : {PoolingType::kMAX, PoolingType::kAVERAGE}) {
    SCOPED_TRACE(type == PoolingType::kMAX ? "max" : "average");
    c.type = type;
    checkRandomPool(c, seed);
  }
}

const std::vector<float> kGrid4x4 = {1, 5, 2, 0, 3, 4, 8, 7, 9, 6, 1, 2, 0, 3, 4, 5};

TEST(PoolingTest, Max2DHandComputed) {
  HostTensor y = runPool({.input = {1, 1, 4, 4}, .window = {2, 2}, .stride = {2, 2}}, kGrid4x4);
  EXPECT_EQ(y.dims, (Dims{1, 1, 2, 2}));
  test::expectNear(y.f32(), {5, 8, 9, 5});
}

TEST(PoolingTest, Average2DHandComputed) {
  HostTensor y =
      runPool({.input = {1, 1, 4, 4}, .type = PoolingType::kAVERAGE, .window = {2, 2}, .stride = {2, 2}}, kGrid4x4);
  EXPECT_EQ(y.dims, (Dims{1, 1, 2, 2}));
  test::expectNear(y.f32(), {3.25f, 4.25f, 4.5f, 3.0f});
}

TEST(PoolingTest, DefaultStrideIsOne) {
  HostTensor y = runPool({.input = {1, 1, 1, 4}, .window = {1, 2}}, {1, 3, 2, 0});
  EXPECT_EQ(y.dims, (Dims{1, 1, 1, 3}));
  test::expectNear(y.f32(), {3, 3, 2});
}

TEST(PoolingTest, AverageExcludesPaddingByDefault) {
  PoolCase c{.input = {1, 1, 2, 2}, .type = PoolingType::kAVERAGE, .window = {2, 2}, .pre = {1, 1}, .post = {1, 1}};
  HostTensor y = runPool(c, {1, 2, 3, 4});
  EXPECT_EQ(y.dims, (Dims{1, 1, 3, 3}));
  test::expectNear(y.f32(), {1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4});
}

TEST(PoolingTest, AverageCountsPaddingWhenAsked) {
  PoolCase c{.input = {1, 1, 2, 2},
             .type = PoolingType::kAVERAGE,
             .window = {2, 2},
             .pre = {1, 1},
             .post = {1, 1},
             .countPadding = true};
  HostTensor y = runPool(c, {1, 2, 3, 4});
  test::expectNear(y.f32(), {0.25f, 0.75f, 0.5f, 1, 2.5f, 1.5f, 0.75f, 1.75f, 1});
}

TEST(PoolingTest, MaxIgnoresPadding) {
  // All inputs are negative: a zero-valued padding would win, -inf padding does not.
  PoolCase c{.input = {1, 1, 2, 2}, .window = {2, 2}, .pre = {1, 1}, .post = {1, 1}};
  HostTensor y = runPool(c, {-1, -2, -3, -4});
  test::expectNear(y.f32(), {-1, -1, -2, -1, -1, -2, -3, -3, -4});
}

TEST(PoolingTest, CeilModeHandComputed) {
  PoolCase c{.input = {1, 1, 5, 5}, .window = {2, 2}, .stride = {2, 2}, .ceil = true};
  HostTensor y = runPool(c, test::iota(25));
  EXPECT_EQ(y.dims, (Dims{1, 1, 3, 3}));
  test::expectNear(y.f32(), {6, 8, 9, 16, 18, 19, 21, 23, 24});
  // Partial windows past the input are not padding: both divisor rules give the same averages.
  std::vector<float> average = {3, 5, 6.5f, 13, 15, 16.5f, 20.5f, 22.5f, 24};
  c.type = PoolingType::kAVERAGE;
  test::expectNear(runPool(c, test::iota(25)).f32(), average);
  c.countPadding = true;
  test::expectNear(runPool(c, test::iota(25)).f32(), average);
}

TEST(PoolingTest, CeilModeLastWindowMustStartInside) {
  NetworkDefinition network;
  Tensor* five = network.addInput("five", DataType::kFLOAT, Dims{1, 1, 5});
  Tensor* six = network.addInput("six", DataType::kFLOAT, Dims{1, 1, 6});
  // 5 + 1 + 1, window 2, stride 2: ceil gives 4 windows, but the 4th would start at 5, in the post-padding.
  PoolingLayer* a = addPool(network, *five, {.window = {2}, .stride = {2}, .pre = {1}, .post = {1}, .ceil = true});
  EXPECT_EQ(a->getOutput(0)->getDimensions(), (Dims{1, 1, 3}));
  // 6 + 1 + 1, window 3, stride 2: the 4th window starts at 5, inside the input.
  PoolingLayer* b = addPool(network, *six, {.window = {3}, .stride = {2}, .pre = {1}, .post = {1}, .ceil = true});
  EXPECT_EQ(b->getOutput(0)->getDimensions(), (Dims{1, 1, 4}));
  b->setCeilMode(false);
  EXPECT_EQ(b->getOutput(0)->getDimensions(), (Dims{1, 1, 3}));
  checkRandomMaxAndAverage({.input = {2, 3, 6, 7},
                            .window = {3, 2},
                            .stride = {2, 2},
                            .pre = {1, 0},
                            .post = {1, 1},
                            .ceil = true,
                            .countPadding = true},
                           51);
}

// Builds `c` (whose input has -1 dimensions) with one profile from `min` to `max`, checks the inferred output
// dimensions, and runs one context at each of `shapes` against the reference.
void checkDynamicPool(const PoolCase& c, const Dims& min, const Dims& max, const Dims& expectedDims,
                      const std::vector<Dims>& shapes, uint32_t seed) {
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, c.input);
  PoolingLayer* pool = addPool(network, *in, c);
  EXPECT_EQ(pool->getOutput(0)->getDimensions(), expectedDims);
  network.markOutput(*pool->getOutput(0));
  Builder builder;
  auto config = builder.createBuilderConfig();
  OptimizationProfile* profile = builder.createOptimizationProfile();
  test::setRange(*profile, "x", min, max, max);
  config->addOptimizationProfile(*profile);
  auto engine = test::buildEngine(network, *config);
  auto context = engine->createExecutionContext();
  for (const Dims& shape : shapes) {
    SCOPED_TRACE(toString(shape));
    PoolCase run = c;
    run.input = shape;
    auto x = test::randomFloats(static_cast<size_t>(shape.volume()), seed++);
    HostTensor expected = referencePool(run, x);
    auto outputs = test::runContext(*context, {HostTensor::f32(shape, x)});
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_EQ(outputs[0].dims, expected.dims);
    test::expectNear(outputs[0].f32(), expected.f32());
  }
}

// Global pools on an input whose batch and spatial sizes are dynamic.
void checkGlobalDynamic(PoolingType type, uint32_t seed) {
  PoolCase c{.input = {-1, 3, -1, -1}, .type = type, .window = {1, 1}, .global = true};
  checkDynamicPool(c, Dims{1, 3, 1, 1}, Dims{2, 3, 32, 32}, Dims{-1, 3, 1, 1},
                   {Dims{1, 3, 5, 7}, Dims{2, 3, 32, 9}, Dims{1, 3, 1, 1}}, seed);
}

TEST(PoolingTest, GlobalAverageDynamicShape) { checkGlobalDynamic(PoolingType::kAVERAGE, 61); }

TEST(PoolingTest, GlobalMaxDynamicShape) { checkGlobalDynamic(PoolingType::kMAX, 71); }

TEST(PoolingTest, CeilModeDynamicShape) {
  // Sizes where the ceil rule keeps and where it drops the last window (5: dropped at pad 1, window 2, stride 2).
  for (PoolingType type : {PoolingType::kMAX, PoolingType::kAVERAGE}) {
    PoolCase c{.input = {1, 2, -1, -1},
               .type = type,
               .window = {2, 3},
               .stride = {2, 2},
               .pre = {1, 1},
               .post = {1, 1},
               .ceil = true,
               .countPadding = true};
    checkDynamicPool(c, Dims{1, 2, 2, 3}, Dims{1, 2, 12, 12}, Dims{1, 2, -1, -1},
                     {Dims{1, 2, 5, 6}, Dims{1, 2, 6, 5}, Dims{1, 2, 12, 11}, Dims{1, 2, 2, 3}}, 121);
  }
}

TEST(PoolingTest, GlobalHandComputed) {
  HostTensor y = runPool({.input = {1, 2, 2, 2}, .type = PoolingType::kAVERAGE, .window = {1, 1}, .global = true},
                         {1, 2, 3, 4, -1, -2, -3, 10});
  EXPECT_EQ(y.dims, (Dims{1, 2, 1, 1}));
  test::expectNear(y.f32(), {2.5f, 1.0f});
}

TEST(PoolingTest, Pool1D) {
  checkRandomMaxAndAverage({.input = {2, 3, 13}, .window = {4}, .stride = {3}, .pre = {2}, .post = {1}}, 81);
}

TEST(PoolingTest, Pool3D) {
  checkRandomMaxAndAverage(
      {.input = {1, 2, 5, 6, 7}, .window = {2, 3, 2}, .stride = {1, 2, 2}, .pre = {1, 1, 0}, .post = {0, 1, 1}}, 91);
  checkRandomMaxAndAverage({.input = {1, 2, 5, 6, 7},
                            .window = {3, 3, 3},
                            .stride = {2, 2, 2},
                            .pre = {1, 1, 1},
                            .post = {1, 1, 1},
                            .countPadding = true},
                           92);
}

TEST(PoolingTest, StrideAndDilation) {
  checkRandomMaxAndAverage({.input = {2, 2, 11, 10},
                            .window = {3, 2},
                            .stride = {2, 3},
                            .pre = {2, 1},
                            .post = {1, 0},
                            .dilation = {2, 3},
                            .countPadding = true},
                           101);
  checkRandomMaxAndAverage({.input = {1, 3, 9, 9}, .window = {3, 3}, .stride = {3, 3}}, 102);
}

TEST(PoolingTest, InputWithoutBatchAxis) {
  // C, H, W with a 2-D window: every leading axis is pooled independently.
  checkRandomMaxAndAverage({.input = {3, 6, 5}, .window = {2, 2}, .stride = {2, 2}, .post = {0, 1}}, 111);
}

TEST(PoolingTest, ShapeInference) {
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, Dims{1, 2, -1, 8});
  PoolingLayer* pool = network.addPoolingNd(*in, PoolingType::kAVERAGE, Dims{3, 3});
  pool->setStrideNd(Dims{2, 2});
  pool->setPaddingNd(Dims{1, 1});
  // W: floor((8 + 2 - 3) / 2) + 1 = 4.
  EXPECT_EQ(pool->getOutput(0)->getDimensions(), (Dims{1, 2, -1, 4}));
  EXPECT_EQ(pool->getPoolingType(), PoolingType::kAVERAGE);
  EXPECT_EQ(pool->getWindowSizeNd(), (Dims{3, 3}));
  EXPECT_EQ(pool->getStrideNd(), (Dims{2, 2}));
  EXPECT_EQ(pool->getPrePadding(), (Dims{1, 1}));
  EXPECT_EQ(pool->getPostPadding(), (Dims{1, 1}));
  std::string h = pool->getOutput(0)->getDimensionExpression(2);
  EXPECT_NE(h.find("x.2"), std::string::npos) << h;
  pool->setCeilMode(true);  // W: ceil(7 / 2) + 1 = 5, and the 5th window starts at 7, inside the input
  EXPECT_EQ(pool->getOutput(0)->getDimensions(), (Dims{1, 2, -1, 5}));
  pool->setWindowSizeNd(Dims{2, 2});
  pool->setPoolingType(PoolingType::kMAX);
  EXPECT_EQ(pool->getOutput(0)->getDimensions(), (Dims{1, 2, -1, 5}));
  pool->setGlobal(true);  // window, stride and padding no longer matter
  EXPECT_TRUE(pool->getGlobal());
  EXPECT_EQ(pool->getOutput(0)->getDimensions(), (Dims{1, 2, 1, 1}));
}

TEST(PoolingTest, BadSettingsThrowNamingTheLayer) {
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, Dims{1, 2, 4, 4});
  try {
    network.addPoolingNd(*in, PoolingType::kMAX, Dims{0, 2});
    FAIL() << "expected kiln::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
    EXPECT_EQ(e.object().rfind("Pooling", 0), 0u) << e.object();
    EXPECT_NE(std::string(e.what()).find("window"), std::string::npos) << e.what();
  }
  PoolingLayer* pool = network.addPoolingNd(*in, PoolingType::kMAX, Dims{2, 2});
  pool->setName("pool");
  test::expectRejected(
      "pool",
      [&] {
        pool->setWindowSizeNd(Dims{2, 0});
      },
      "zero window");
  test::expectRejected(
      "pool",
      [&] {
        pool->setWindowSizeNd(Dims{5, 5});
      },
      "larger than the input");
  test::expectRejected(
      "pool",
      [&] {
        pool->setWindowSizeNd(Dims{1, 1, 1, 1, 1});
      },
      "more axes than the input");
  test::expectRejected(
      "pool",
      [&] {
        pool->setPrePadding(Dims{2, 0});
      },
      "padding as large as the window");
  test::expectRejected(
      "pool",
      [&] {
        pool->setStrideNd(Dims{1, 0});
      },
      "zero stride");
  test::expectRejected(
      "pool", [&] { pool->setDilationNd(Dims{1}); }, "one dilation for two axes");
  test::expectRejected(
      "pool", [&] { pool->setPoolingType(static_cast<PoolingType>(7)); }, "unknown pooling type");
  EXPECT_EQ(pool->getWindowSizeNd(), (Dims{2, 2}));
  EXPECT_EQ(pool->getOutput(0)->getDimensions(), (Dims{1, 2, 3, 3}));
  Tensor* ints = network.addInput("ints", DataType::kINT32, Dims{1, 2, 4, 4});
  EXPECT_THROW(network.addPoolingNd(*ints, PoolingType::kMAX, Dims{2, 2}), Error);
}

}  // namespace
}  // namespace kiln
