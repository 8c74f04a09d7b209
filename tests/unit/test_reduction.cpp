// Reduce, TopK and SoftMax: shape rules and CPU kernels against hand-computed values and naive references.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include "test_util.h"

namespace kiln::test {
namespace {

// Splits `dims` around `axis`: the sizes before it, of it, and after it.
struct Split {
  int64_t outer = 1, n = 1, inner = 1;
  Split(const Dims& dims, int32_t axis) {
    for (int32_t i = 0; i < dims.nbDims; ++i) (i < axis ? outer : i == axis ? n : inner) *= dims.d[i];
  }
};

// Naive reduction over the axes in `mask` (row-major output over the kept axes).
std::vector<float> referenceReduce(const std::vector<float>& x, const Dims& dims, uint32_t mask,
                                   const std::function<double(double, double)>& op, double init, bool average) {
  std::vector<int64_t> outIndexOf(x.size());
  int64_t outCount = 1, reduced = 1;
  for (int32_t a = 0; a < dims.nbDims; ++a) ((mask >> a) & 1 ? reduced : outCount) *= dims.d[a];
  std::vector<double> acc(outCount, init);
  for (size_t flat = 0; flat < x.size(); ++flat) {
    int64_t rem = static_cast<int64_t>(flat), out = 0, stride = 1;
    for (int32_t a = dims.nbDims - 1; a >= 0; --a) {
      int64_t c = rem % dims.d[a];
      rem /= dims.d[a];
      if (!((mask >> a) & 1)) {
        out += c * stride;
        stride *= dims.d[a];
      }
    }
    acc[out] = op(acc[out], x[flat]);
  }
  std::vector<float> result;
  for (double v : acc) result.push_back(static_cast<float>(average ? v / reduced : v));
  return result;
}

std::vector<float> referenceSoftMax(const std::vector<float>& x, const Dims& dims, int32_t axis, bool log) {
  Split s(dims, axis);
  std::vector<float> y(x.size());
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t i = 0; i < s.inner; ++i) {
      auto at = [&](int64_t j) { return o * s.n * s.inner + j * s.inner + i; };
      double max = -INFINITY, sum = 0;
      for (int64_t j = 0; j < s.n; ++j) max = std::max<double>(max, x[at(j)]);
      for (int64_t j = 0; j < s.n; ++j) sum += std::exp(x[at(j)] - max);
      for (int64_t j = 0; j < s.n; ++j)
        y[at(j)] = static_cast<float>(log ? x[at(j)] - max - std::log(sum) : std::exp(x[at(j)] - max) / sum);
    }
  }
  return y;
}

// ---- Reduce -------------------------------------------------------------------------------------------------------

std::vector<float> runReduce(ReduceOperation op, uint32_t axes, bool keep, const HostTensor& input, Dims* outDims) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", input.type, input.dims);
  auto* reduce = net->addReduce(*x, op, axes, keep);
  net->markOutput(*reduce->getOutput(0));
  auto out = buildAndRun(*net, {input});
  if (outDims) *outDims = out[0].dims;
  return out[0].f32();
}

TEST(ReduceTest, EachOperationOverTheFirstAxis) {
  // [[1, -2, 3], [4, 5, -6]] reduced over axis 0.
  HostTensor x = HostTensor::f32({2, 3}, {1, -2, 3, 4, 5, -6});
  struct Case {
    ReduceOperation op;
    std::vector<float> expected;
  };
  for (const Case& c : {Case{ReduceOperation::kSUM, {5, 3, -3}}, Case{ReduceOperation::kPROD, {4, -10, -18}},
                        Case{ReduceOperation::kMAX, {4, 5, 3}}, Case{ReduceOperation::kMIN, {1, -2, -6}},
                        Case{ReduceOperation::kAVG, {2.5f, 1.5f, -1.5f}}}) {
    SCOPED_TRACE(static_cast<int>(c.op));
    Dims dims;
    expectNear(runReduce(c.op, 0b1, false, x, &dims), c.expected);
    EXPECT_EQ(dims, (Dims{3}));
  }
}

TEST(ReduceTest, KeepDimensionsOnTheLastAxis) {
  Dims dims;
  auto y = runReduce(ReduceOperation::kSUM, 0b10, true, HostTensor::f32({2, 3}, {1, 2, 3, 4, 5, 6}), &dims);
  EXPECT_EQ(dims, (Dims{2, 1}));
  expectNear(y, {6, 15});
}

TEST(ReduceTest, MultipleAxesMatchTheReference) {
  Dims in{2, 3, 4, 5};
  auto x = randomFloats(in.volume(), 7);
  for (uint32_t mask : {0b0101u, 0b1010u, 0b0110u, 0b1111u}) {
    for (bool keep : {false, true}) {
      SCOPED_TRACE("mask " + std::to_string(mask) + (keep ? " keep" : ""));
      Dims dims;
      auto sum = runReduce(ReduceOperation::kSUM, mask, keep, HostTensor::f32(in, x), &dims);
      expectNear(sum, referenceReduce(x, in, mask, std::plus<double>(), 0, false));
      auto max = runReduce(ReduceOperation::kMAX, mask, keep, HostTensor::f32(in, x), nullptr);
      expectNear(max, referenceReduce(
                          x, in, mask, [](double a, double b) { return std::max(a, b); }, -INFINITY, false));
      auto avg = runReduce(ReduceOperation::kAVG, mask, keep, HostTensor::f32(in, x), nullptr);
      expectNear(avg, referenceReduce(x, in, mask, std::plus<double>(), 0, true));
      // Kept axes stay as 1s or disappear.
      int32_t expectedRank = keep ? 4 : 4 - std::popcount(mask);
      EXPECT_EQ(dims.nbDims, expectedRank);
      EXPECT_EQ(dims.volume(), static_cast<int64_t>(sum.size()));
    }
  }
}

TEST(ReduceTest, IntegerTypes) {
  auto net = makeNetwork();
  Tensor* a = net->addInput("a", DataType::kINT32, Dims{2, 3});
  Tensor* b = net->addInput("b", DataType::kINT64, Dims{2, 3});
  auto* sum = net->addReduce(*a, ReduceOperation::kSUM, 0b10, false);
  auto* min = net->addReduce(*a, ReduceOperation::kMIN, 0b01, true);
  auto* prod = net->addReduce(*b, ReduceOperation::kPROD, 0b11, false);
  auto* avg = net->addReduce(*b, ReduceOperation::kAVG, 0b10, false);
  for (Layer* layer : std::vector<Layer*>{sum, min, prod, avg}) net->markOutput(*layer->getOutput(0));
  EXPECT_EQ(sum->getOutput(0)->getType(), DataType::kINT32);
  EXPECT_EQ(prod->getOutput(0)->getType(), DataType::kINT64);
  int64_t big = int64_t{1} << 40;  // products beyond int32
  auto out =
      buildAndRun(*net, {HostTensor::i32({2, 3}, {1, -7, 3, 4, 5, 6}), HostTensor::i64({2, 3}, {big, 2, 3, -1, 1, 2})});
  EXPECT_EQ(out[0].as<int32_t>(), (std::vector<int32_t>{-3, 15}));
  EXPECT_EQ(out[1].as<int32_t>(), (std::vector<int32_t>{1, -7, 3}));
  EXPECT_EQ(out[1].dims, (Dims{1, 3}));
  EXPECT_EQ(out[2].as<int64_t>(), (std::vector<int64_t>{-12 * big}));
  EXPECT_EQ(out[2].dims.nbDims, 0);
  // Integer averages truncate: (2^40 + 5) / 3 and 2 / 3.
  EXPECT_EQ(out[3].as<int64_t>(), (std::vector<int64_t>{(big + 5) / 3, 0}));
}

TEST(ReduceTest, DynamicReducedAxisRunsAtSeveralShapes) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{2, -1});
  net->markOutput(*net->addReduce(*x, ReduceOperation::kAVG, 0b10, false)->getOutput(0));
  auto engine = buildWithProfile(*net, profileFor("x", Dims{2, 1}, Dims{2, 4}, Dims{2, 8}));
  auto context = engine->createExecutionContext();
  expectNear(runContext(*context, {HostTensor::f32({2, 2}, {1, 3, 5, 9})})[0].f32(), {2, 7});
  expectNear(runContext(*context, {HostTensor::f32({2, 1}, {4, -4})})[0].f32(), {4, -4});
  expectNear(runContext(*context, {HostTensor::f32({2, 3}, {1, 1, 1, 0, 3, 6})})[0].f32(), {1, 3});
}

TEST(ReduceTest, ProductOfAShapeFoldsToTheElementCount) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1, 3, -1});
  auto* count = net->addReduce(*net->addShape(*x)->getOutput(0), ReduceOperation::kPROD, 0b1, false);
  EXPECT_TRUE(count->getOutput(0)->isShapeTensor());
  EXPECT_EQ(count->getOutput(0)->getDimensions().nbDims, 0);
  net->markOutput(*count->getOutput(0));
  auto out = buildAndRun(*net, {HostTensor::f32({2, 3, 5}, std::vector<float>(30))});
  EXPECT_EQ(out[0].as<int64_t>(), (std::vector<int64_t>{30}));
}

TEST(ReduceTest, InvalidAxesAreRejectedNamingTheLayer) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{2, 3});
  std::string autoName = "Reduce_" + std::to_string(net->getNbLayers());
  try {
    net->addReduce(*x, ReduceOperation::kSUM, 0, false);
    FAIL() << "an empty axes mask was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
    EXPECT_EQ(e.object(), autoName);
    EXPECT_NE(e.message().find("at least one axis"), std::string::npos) << e.what();
  }
  auto* reduce = net->addReduce(*x, ReduceOperation::kSUM, 0b1, false);
  reduce->setName("my_reduce");
  try {
    reduce->setReduceAxes(0b100);  // axis 2 of a rank-2 input
    FAIL() << "an axis beyond the rank was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.object(), "my_reduce");
  }
  // The rejected setting left the layer as it was.
  EXPECT_EQ(reduce->getReduceAxes(), 0b1u);
  EXPECT_EQ(reduce->getOutput(0)->getDimensions(), (Dims{3}));
}

TEST(ReduceTest, BoolInputIsRejected) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kBOOL, Dims{4});
  EXPECT_THROW(net->addReduce(*x, ReduceOperation::kMAX, 0b1, false), Error);
}

// ---- TopK ---------------------------------------------------------------------------------------------------------

struct TopKResult {
  std::vector<float> values;
  std::vector<int32_t> indices;
  Dims dims;
};

TopKResult runTopK(TopKOperation op, int64_t k, uint32_t axes, const HostTensor& input) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", input.type, input.dims);
  auto* topk = net->addTopK(*x, op, k, axes);
  net->markOutput(*topk->getOutput(0));
  net->markOutput(*topk->getOutput(1));
  EXPECT_EQ(topk->getOutput(1)->getType(), DataType::kINT32);
  auto out = buildAndRun(*net, {input});
  return {out[0].f32(), out[1].as<int32_t>(), out[0].dims};
}

TEST(TopKTest, LargestAndSmallestOnTheLastAxis) {
  HostTensor x = HostTensor::f32({2, 5}, {3, 9, -1, 7, 0, /**/ 2, 4, 8, 6, 5});
  auto max = runTopK(TopKOperation::kMAX, 3, 0b10, x);
  EXPECT_EQ(max.dims, (Dims{2, 3}));
  EXPECT_EQ(max.values, (std::vector<float>{9, 7, 3, 8, 6, 5}));
  EXPECT_EQ(max.indices, (std::vector<int32_t>{1, 3, 0, 2, 3, 4}));
  auto min = runTopK(TopKOperation::kMIN, 2, 0b10, x);
  EXPECT_EQ(min.values, (std::vector<float>{-1, 0, 2, 4}));
  EXPECT_EQ(min.indices, (std::vector<int32_t>{2, 4, 0, 1}));
}

TEST(TopKTest, TiesKeepTheLowerIndexFirst) {
  HostTensor x = HostTensor::f32({1, 6}, {5, 1, 5, 3, 1, 5});
  auto max = runTopK(TopKOperation::kMAX, 4, 0b10, x);
  EXPECT_EQ(max.values, (std::vector<float>{5, 5, 5, 3}));
  EXPECT_EQ(max.indices, (std::vector<int32_t>{0, 2, 5, 3}));
  auto min = runTopK(TopKOperation::kMIN, 6, 0b10, x);
  EXPECT_EQ(min.values, (std::vector<float>{1, 1, 3, 5, 5, 5}));
  EXPECT_EQ(min.indices, (std::vector<int32_t>{1, 4, 3, 0, 2, 5}));
}

TEST(TopKTest, MiddleAxisMatchesAStableSort) {
  Dims in{3, 7, 4};
  auto x = randomFloats(in.volume(), 11);
  for (int i = 0; i < 10; ++i) x[i * 5] = 0.5f;  // some ties
  int64_t k = 4;
  auto got = runTopK(TopKOperation::kMAX, k, 0b010, HostTensor::f32(in, x));
  EXPECT_EQ(got.dims, (Dims{3, k, 4}));
  Split s(in, 1);
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t i = 0; i < s.inner; ++i) {
      std::vector<int32_t> order(s.n);
      std::iota(order.begin(), order.end(), 0);
      auto at = [&](int64_t j) { return x[o * s.n * s.inner + j * s.inner + i]; };
      std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return at(a) > at(b); });
      for (int64_t j = 0; j < k; ++j) {
        int64_t pos = o * k * s.inner + j * s.inner + i;
        EXPECT_EQ(got.indices[pos], order[j]) << o << "," << j << "," << i;
        EXPECT_EQ(got.values[pos], at(order[j]));
      }
    }
  }
}

TEST(TopKTest, IntegerValues) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kINT64, Dims{2, 3});
  auto* topk = net->addTopK(*x, TopKOperation::kMIN, 1, 0b01);
  net->markOutput(*topk->getOutput(0));
  net->markOutput(*topk->getOutput(1));
  EXPECT_EQ(topk->getOutput(0)->getType(), DataType::kINT64);
  auto out = buildAndRun(*net, {HostTensor::i64({2, 3}, {4, -5, 6, 4, 8, -9})});
  EXPECT_EQ(out[0].as<int64_t>(), (std::vector<int64_t>{4, -5, -9}));
  EXPECT_EQ(out[1].as<int32_t>(), (std::vector<int32_t>{0, 0, 1}));
}

TEST(TopKTest, KBeyondTheAxisIsRejected) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{2, 3});
  EXPECT_THROW(net->addTopK(*x, TopKOperation::kMAX, 4, 0b10), Error);
  EXPECT_THROW(net->addTopK(*x, TopKOperation::kMAX, 0, 0b10), Error);
  EXPECT_THROW(net->addTopK(*x, TopKOperation::kMAX, 1, 0b11), Error);  // two axes
  auto* topk = net->addTopK(*x, TopKOperation::kMAX, 3, 0b10);
  topk->setName("top");
  try {
    topk->setK(5);
    FAIL() << "k = 5 on an axis of 3 was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.object(), "top");
  }
  EXPECT_EQ(topk->getK(), 3);
}

TEST(TopKTest, DynamicAxisNeedsAProfileOfAtLeastK) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{1, -1});
  auto* topk = net->addTopK(*x, TopKOperation::kMAX, 2, 0b10);
  topk->setName("top2");
  net->markOutput(*topk->getOutput(0));
  net->markOutput(*topk->getOutput(1));
  EXPECT_EQ(topk->getOutput(0)->getDimensions(), (Dims{1, 2}));
  auto build = [&](int64_t min) {
    return buildWithProfile(*net, profileFor("x", Dims{1, min}, Dims{1, 4}, Dims{1, 16}));
  };
  // k <= axis is a run-time assertion; a profile whose smallest shape breaks it is rejected when building.
  try {
    build(1);
    FAIL() << "a profile with one element on the top-k axis was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kINVALID_PROFILE);
    EXPECT_EQ(e.object(), "top2");
  }
  auto engine = build(2);
  auto context = engine->createExecutionContext();
  auto out = runContext(*context, {HostTensor::f32({1, 5}, {1, 8, 2, 9, 3})});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{9, 8}));
  EXPECT_EQ(out[1].as<int32_t>(), (std::vector<int32_t>{3, 1}));
  out = runContext(*context, {HostTensor::f32({1, 2}, {-1, -2})});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{-1, -2}));
  EXPECT_EQ(out[1].as<int32_t>(), (std::vector<int32_t>{0, 1}));
}

TEST(TopKTest, KFromAShapeTensorSortsTheWholeAxis) {
  // ONNX TopK takes K as a tensor: here K = shape(x)[1], a full descending sort of a dynamic axis.
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{2, -1});
  Tensor* shape = net->addShape(*x)->getOutput(0);
  Tensor* k = net->addSlice(*shape, Dims{1}, Dims{1}, Dims{1})->getOutput(0);
  auto* topk = net->addTopK(*x, TopKOperation::kMAX, 1, 0b10);
  topk->setInput(1, *k);
  EXPECT_EQ(topk->getOutput(0)->getDimensionExpression(1), "x.1");
  net->markOutput(*topk->getOutput(0));
  net->markOutput(*topk->getOutput(1));
  auto out = buildAndRun(*net, {HostTensor::f32({2, 4}, {3, 1, 4, 1, 5, 9, 2, 6})});
  EXPECT_EQ(out[0].dims, (Dims{2, 4}));
  EXPECT_EQ(out[0].f32(), (std::vector<float>{4, 3, 1, 1, 9, 6, 5, 2}));
  EXPECT_EQ(out[1].as<int32_t>(), (std::vector<int32_t>{2, 0, 1, 3, 1, 3, 0, 2}));
}

// ---- SoftMax ------------------------------------------------------------------------------------------------------

std::vector<float> runSoftMax(const HostTensor& input, uint32_t axes, bool log) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", input.type, input.dims);
  auto* softmax = net->addSoftMax(*x);
  if (axes) softmax->setAxes(axes);
  softmax->setLog(log);
  net->markOutput(*softmax->getOutput(0));
  return buildAndRun(*net, {input})[0].f32();
}

TEST(SoftMaxTest, DefaultsToTheLastAxis) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{2, 3, 4});
  EXPECT_EQ(net->addSoftMax(*x)->getAxes(), 1u << 2);
  // softmax([0, ln 2, ln 3]) = [1, 2, 3] / 6.
  float l2 = std::log(2.0f), l3 = std::log(3.0f);
  auto y = runSoftMax(HostTensor::f32({2, 3}, {0, l2, l3, 5, 5, 5}), 0, false);
  expectNear(y, {1.0f / 6, 2.0f / 6, 3.0f / 6, 1.0f / 3, 1.0f / 3, 1.0f / 3});
}

TEST(SoftMaxTest, MiddleAxisOfA3DTensor) {
  Dims in{2, 5, 3};
  auto x = randomFloats(in.volume(), 3, -4, 4);
  expectNear(runSoftMax(HostTensor::f32(in, x), 1u << 1, false), referenceSoftMax(x, in, 1, false));
  expectNear(runSoftMax(HostTensor::f32(in, x), 1u << 0, false), referenceSoftMax(x, in, 0, false));
}

TEST(SoftMaxTest, LogSoftMax) {
  Dims in{3, 6};
  auto x = randomFloats(in.volume(), 5, -10, 10);
  expectNear(runSoftMax(HostTensor::f32(in, x), 0, true), referenceSoftMax(x, in, 1, true), 1e-4f);
  expectNear(runSoftMax(HostTensor::f32({1, 2}, {0, 0}), 0, true), {-std::log(2.0f), -std::log(2.0f)});
}

TEST(SoftMaxTest, LargeInputsStayFinite) {
  // exp(1000) overflows fp32 and double; subtracting the maximum first keeps the result exact.
  auto y = runSoftMax(HostTensor::f32({1, 3}, {1000, 1001, 1002}), 0, false);
  auto reference = referenceSoftMax({0, 1, 2}, Dims{1, 3}, 1, false);
  expectNear(y, reference);
  auto logY = runSoftMax(HostTensor::f32({1, 3}, {-1e30f, 0, 1e30f}), 0, true);
  expectNear(logY, {-2e30f, -1e30f, 0});
  EXPECT_FLOAT_EQ(std::accumulate(y.begin(), y.end(), 0.0f), 1.0f);
}

TEST(SoftMaxTest, InvalidSettingsAreRejected) {
  auto net = makeNetwork();
  Tensor* ints = net->addInput("i", DataType::kINT32, Dims{4});
  EXPECT_THROW(net->addSoftMax(*ints), Error);
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{2, 4});
  auto* softmax = net->addSoftMax(*x);
  softmax->setName("sm");
  EXPECT_THROW(softmax->setAxes(0b11), Error);
  try {
    softmax->setAxes(1u << 3);
    FAIL() << "axis 3 of a rank-2 input was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.object(), "sm");
  }
  EXPECT_EQ(softmax->getAxes(), 1u << 1);
}

}  // namespace
}  // namespace kiln::test
