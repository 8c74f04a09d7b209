// Concatenation: every axis (negative too), several element types, dynamic sizes, errors naming the layer.
#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

namespace kiln::test {
namespace {

// numpy.concatenate along `axis` (non-negative), by walking the output index by index.
template <typename T>
std::vector<T> referenceConcat(const std::vector<std::vector<T>>& parts, const std::vector<Dims>& dims, int32_t axis) {
  int64_t outer = 1, inner = 1;
  for (int32_t i = 0; i < axis; ++i) outer *= dims[0].d[i];
  for (int32_t i = axis + 1; i < dims[0].nbDims; ++i) inner *= dims[0].d[i];
  std::vector<T> out;
  for (int64_t o = 0; o < outer; ++o)
    for (size_t p = 0; p < parts.size(); ++p)
      for (int64_t j = 0; j < dims[p].d[axis] * inner; ++j) out.push_back(parts[p][o * dims[p].d[axis] * inner + j]);
  return out;
}

// Network inputs "in0", "in1", ... concatenated on `axis`.
struct ConcatNet {
  NetworkDefinition net;
  ConcatenationLayer* layer = nullptr;

  ConcatNet(DataType type, const std::vector<Dims>& dims, int32_t axis) {
    std::vector<Tensor*> inputs;
    for (size_t i = 0; i < dims.size(); ++i)
      inputs.push_back(net.addInput(("in" + std::to_string(i)).c_str(), type, dims[i]));
    layer = net.addConcatenation(inputs, axis);
    layer->getOutput(0)->setName("out");
    net.markOutput(*layer->getOutput(0));
  }
};

TEST(ConcatenationValues, HandComputedAxis0AndAxis1) {
  HostTensor a = HostTensor::f32({2, 2}, {1, 2, 3, 4}), b = HostTensor::f32({2, 2}, {5, 6, 7, 8});
  ConcatNet rows(DataType::kFLOAT, {{2, 2}, {2, 2}}, 0);
  auto out0 = buildAndRun(rows.net, {a, b});
  EXPECT_EQ(toString(out0[0].dims), "4x2");
  EXPECT_EQ(out0[0].f32(), (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));
  ConcatNet cols(DataType::kFLOAT, {{2, 2}, {2, 2}}, 1);
  auto out1 = buildAndRun(cols.net, {a, b});
  EXPECT_EQ(toString(out1[0].dims), "2x4");
  EXPECT_EQ(out1[0].f32(), (std::vector<float>{1, 2, 5, 6, 3, 4, 7, 8}));
}

// ---- Every axis of a 4-D tensor, three inputs of different sizes along it -------------------------------------------

class ConcatenationAxis : public ::testing::TestWithParam<int32_t> {};

TEST_P(ConcatenationAxis, ThreeInputsMatchNumpy) {
  int32_t axis = GetParam(), positive = axis < 0 ? axis + 4 : axis;
  std::vector<Dims> dims;
  std::vector<std::vector<float>> parts;
  std::vector<HostTensor> inputs;
  for (int64_t size : {1, 3, 2}) {
    Dims d{2, 3, 4, 5};
    d.d[positive] = size;
    dims.push_back(d);
    parts.push_back(randomFloats(d.volume(), static_cast<uint32_t>(100 + size)));
    inputs.push_back(HostTensor::f32(d, parts.back()));
  }
  ConcatNet c(DataType::kFLOAT, dims, axis);
  EXPECT_EQ(c.layer->getAxis(), axis);
  Dims expected{2, 3, 4, 5};
  expected.d[positive] = 6;
  EXPECT_EQ(toString(c.layer->getOutput(0)->getDimensions()), toString(expected));
  auto out = buildAndRun(c.net, inputs);
  EXPECT_EQ(toString(out[0].dims), toString(expected));
  EXPECT_EQ(out[0].f32(), referenceConcat(parts, dims, positive));
}

INSTANTIATE_TEST_SUITE_P(Axes, ConcatenationAxis, ::testing::Values(0, 1, 2, 3, -1, -3), [](const auto& info) {
  return (info.param < 0 ? "Minus" : "") + std::to_string(std::abs(info.param));
});

TEST(ConcatenationValues, IntegerAndBoolElementsAndASingleInput) {
  ConcatNet ints(DataType::kINT64, {{2, 1}, {2, 2}}, 1);
  auto i =
      buildAndRun(ints.net, {HostTensor::i64({2, 1}, {int64_t{1} << 40, -2}), HostTensor::i64({2, 2}, {3, 4, 5, 6})});
  EXPECT_EQ(i[0].as<int64_t>(), (std::vector<int64_t>{int64_t{1} << 40, 3, 4, -2, 5, 6}));
  ConcatNet bools(DataType::kBOOL, {{3}, {1}}, 0);
  auto b = buildAndRun(bools.net, {boolTensor({3}, {1, 0, 1}), boolTensor({1}, {0})});
  EXPECT_EQ(b[0].as<uint8_t>(), (std::vector<uint8_t>{1, 0, 1, 0}));
  ConcatNet single(DataType::kINT32, {{2, 3}}, 1);
  auto s = buildAndRun(single.net, {HostTensor::i32({2, 3}, {1, 2, 3, 4, 5, 6})});
  EXPECT_EQ(toString(s[0].dims), "2x3");
  EXPECT_EQ(s[0].as<int32_t>(), (std::vector<int32_t>{1, 2, 3, 4, 5, 6}));
}

// ---- Dynamic
// ----------------------------------------------------------------------------------------------------------

TEST(ConcatenationDynamic, DynamicSizesAlongTheAxis) {
  ConcatNet c(DataType::kFLOAT, {{-1, 3}, {-1, 3}}, 0);
  EXPECT_EQ(toString(c.layer->getOutput(0)->getDimensions()), "-1x3");
  EXPECT_EQ(c.layer->getOutput(0)->getDimensionExpression(0), "in0.0+in1.0");
  OptimizationProfile profile;
  setRange(profile, "in0", {1, 3}, {2, 3}, {4, 3});
  setRange(profile, "in1", {1, 3}, {2, 3}, {4, 3});
  auto engine = buildWithProfile(c.net, profile);
  auto ctx = engine->createExecutionContext();
  for (auto [n0, n1] : {std::pair<int64_t, int64_t>{1, 4}, {3, 2}}) {
    auto a = randomFloats(n0 * 3, 111), b = randomFloats(n1 * 3, 112);
    auto out = runContext(*ctx, {HostTensor::f32({n0, 3}, a), HostTensor::f32({n1, 3}, b)});
    EXPECT_EQ(toString(out[0].dims), std::to_string(n0 + n1) + "x3");
    EXPECT_EQ(out[0].f32(), referenceConcat<float>({a, b}, {Dims{n0, 3}, Dims{n1, 3}}, 0));
  }
}

// A dynamic batch shared by both inputs, concatenated on the last axis; a batch mismatch fails at run time.
TEST(ConcatenationDynamic, SharedDynamicBatchOnTheLastAxis) {
  ConcatNet c(DataType::kFLOAT, {{-1, 2}, {-1, 5}}, -1);
  c.layer->setName("features");
  EXPECT_EQ(toString(c.layer->getOutput(0)->getDimensions()), "-1x7");
  OptimizationProfile profile;
  setRange(profile, "in0", {1, 2}, {4, 2}, {8, 2});
  setRange(profile, "in1", {1, 5}, {4, 5}, {8, 5});
  auto engine = buildWithProfile(c.net, profile);
  for (int64_t n : {3, 8}) {
    // A fresh context per batch, to show each shape works from scratch.
    auto ctx = engine->createExecutionContext();
    auto a = randomFloats(n * 2, 113), b = randomFloats(n * 5, 114);
    auto out = runContext(*ctx, {HostTensor::f32({n, 2}, a), HostTensor::f32({n, 5}, b)});
    EXPECT_EQ(toString(out[0].dims), std::to_string(n) + "x7");
    EXPECT_EQ(out[0].f32(), referenceConcat<float>({a, b}, {Dims{n, 2}, Dims{n, 5}}, 1));
  }
  auto ctx = engine->createExecutionContext();
  ASSERT_TRUE(ctx->setInputShape("in1", Dims{8, 5}).isOk());
  ASSERT_TRUE(ctx->setInputShape("in0", Dims{2, 2}).isOk());  // each shape alone is in the profile
  Status st = ctx->inferShapes();                             // but in1 is 8x5
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.error().code(), ErrorCode::kSHAPE_OUT_OF_RANGE);
  EXPECT_EQ(st.error().object(), "features");
  ASSERT_TRUE(ctx->setInputShape("in1", Dims{2, 5}).isOk());
  EXPECT_EQ(toString(ctx->getTensorShape("out")), "2x7");
  ASSERT_TRUE(ctx->setInputShape("in1", Dims{3, 5}).isOk());
  EXPECT_EQ(ctx->getTensorShape("out").nbDims, -1);
  st = ctx->executeV2();
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.error().code(), ErrorCode::kSHAPE_OUT_OF_RANGE);
  EXPECT_EQ(st.error().object(), "features");
}

// The natural way to concatenate features: add the layer, then choose the axis. Shape inference must not reject the
// inputs for differing on axis 0's default before the axis can be set (TensorRT validates at build time).
TEST(ConcatenationValues, AxisGivenWhenAddingInputsDifferingOnIt) {
  NetworkDefinition net;
  Tensor* a = net.addInput("a", DataType::kFLOAT, Dims{2, 1});
  Tensor* b = net.addInput("b", DataType::kFLOAT, Dims{2, 2});
  // Checked as added: without the axis the inputs do not concatenate, and the message says what to do.
  try {
    net.addConcatenation({a, b});
    FAIL() << "inputs differing on axis 1 were accepted for axis 0";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("give the axis to addConcatenation"), std::string::npos) << e.what();
  }
  ConcatenationLayer* cat = net.addConcatenation({a, b}, 1);
  EXPECT_EQ(cat->getAxis(), 1);
  net.markOutput(*cat->getOutput(0));
  auto out = buildAndRun(net, {HostTensor::f32({2, 1}, {1, 2}), HostTensor::f32({2, 2}, {3, 4, 5, 6})});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{1, 3, 4, 2, 5, 6}));
}

// ---- Errors name the layer --------------------------------------------------------------------------------------

TEST(ConcatenationErrors, MismatchesNameTheLayerAndAreRolledBack) {
  NetworkDefinition net;
  Tensor* a = net.addInput("a", DataType::kFLOAT, Dims{2, 3});
  Tensor* b = net.addInput("b", DataType::kFLOAT, Dims{2, 4});
  Tensor* rank3 = net.addInput("rank3", DataType::kFLOAT, Dims{2, 3, 1});
  Tensor* rows3 = net.addInput("rows3", DataType::kFLOAT, Dims{3, 4});
  Tensor* ints = net.addInput("ints", DataType::kINT32, Dims{2, 4});
  ConcatenationLayer* cat = net.addConcatenation({a, a});
  cat->setName("cat");
  cat->setAxis(1);
  cat->setInput(1, *b);
  EXPECT_EQ(toString(cat->getOutput(0)->getDimensions()), "2x7");
  expectRejected(
      cat, [&] { cat->setInput(1, *rank3); }, "rank 2 vs 3");
  expectRejected(
      cat, [&] { cat->setInput(1, *rows3); }, "axis 0 differs: 2 vs 3");
  expectRejected(
      cat, [&] { cat->setInput(1, *ints); }, "fp32 vs int32");
  expectRejected(
      cat, [&] { cat->setAxis(2); }, "axis out of range");
  expectRejected(
      cat, [&] { cat->setAxis(-3); }, "negative axis out of range");
  expectRejected(
      cat, [&] { cat->setAxis(0); }, "axis 1 differs: 3 vs 4");
  EXPECT_EQ(cat->getAxis(), 1);
  EXPECT_EQ(cat->getInput(1), b);
  EXPECT_EQ(toString(cat->getOutput(0)->getDimensions()), "2x7");
}

TEST(ConcatenationErrors, ScalarsAndEmptyInputListsAreRejected) {
  NetworkDefinition net;
  Tensor* s = net.addInput("s", DataType::kFLOAT, Dims{});
  expectRejected(
      "Concatenation_0",
      [&] {
        net.addConcatenation({s, s});
      },
      "scalars concatenated");
  try {
    net.addConcatenation(std::vector<Tensor*>{});
    ADD_FAILURE() << "no inputs accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kINVALID_ARGUMENT);
  }
  EXPECT_EQ(net.getNbLayers(), 0);
}

}  // namespace
}  // namespace kiln::test
