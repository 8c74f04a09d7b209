// Shuffle: first transpose, reshape (0 placeholders, -1, shape tensors), second transpose; errors naming the layer.
#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

namespace kiln::test {
namespace {

// out = transpose(in, perm) in numpy's sense: out axis i is in axis perm[i].
std::vector<float> referenceTranspose(const std::vector<float>& in, const Dims& dims, const std::vector<int32_t>& perm,
                                      Dims* outDims) {
  Dims od;
  od.nbDims = dims.nbDims;
  for (int32_t i = 0; i < dims.nbDims; ++i) od.d[i] = dims.d[perm[i]];
  std::vector<int64_t> stride(dims.nbDims, 1);
  for (int32_t i = dims.nbDims - 2; i >= 0; --i) stride[i] = stride[i + 1] * dims.d[i + 1];
  std::vector<float> out;
  for (int64_t flat = 0; flat < od.volume(); ++flat) {
    int64_t rem = flat, src = 0;
    for (int32_t i = od.nbDims - 1; i >= 0; --i) {
      src += (rem % od.d[i]) * stride[perm[i]];
      rem /= od.d[i];
    }
    out.push_back(in[src]);
  }
  if (outDims) *outDims = od;
  return out;
}

// Builds x -> shuffle configured by `configure`, runs on `values`.
template <typename Configure>
HostTensor runShuffle(const Dims& dims, const std::vector<float>& values, Configure configure) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, dims);
  ShuffleLayer* shuffle = net.addShuffle(*x);
  configure(*shuffle);
  net.markOutput(*shuffle->getOutput(0));
  return buildAndRun(net, {HostTensor::f32(dims, values)})[0];
}

// ---- Static shuffles ---------------------------------------------------------------------------------------------

TEST(ShuffleReshape, ZeroCopiesTheInputDimensionAndMinusOneIsInferred) {
  auto values = iota(24);
  struct Case {
    Dims reshape;
    const char* expected;
  };
  for (const Case& c : {Case{{0, -1}, "2x12"}, Case{{0, 0, 2, -1}, "2x3x2x2"}, Case{{-1}, "24"},
                        Case{{4, 0, 2}, "4x3x2"}, Case{{1, -1, 0}, "1x6x4"}}) {
    SCOPED_TRACE(toString(c.reshape));
    HostTensor out = runShuffle({2, 3, 4}, values, [&](ShuffleLayer& s) {
      s.setReshapeDimensions(c.reshape);
      EXPECT_EQ(toString(s.getReshapeDimensions()), toString(c.reshape));
      EXPECT_EQ(toString(s.getOutput(0)->getDimensions()), c.expected);
    });
    EXPECT_EQ(toString(out.dims), c.expected);
    EXPECT_EQ(out.f32(), values);  // a reshape never reorders elements
  }
}

TEST(ShuffleReshape, ZeroIsLiteralWhenPlaceholdersAreOff) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{2, 3});
  ShuffleLayer* s = net.addShuffle(*x);
  s->setName("literal_zero");
  s->setReshapeDimensions(Dims{0, 3});
  EXPECT_EQ(toString(s->getOutput(0)->getDimensions()), "2x3");
  try {
    s->setZeroIsPlaceholder(false);  // now {0, 3} means an empty 0x3 tensor: 6 elements cannot fit
    FAIL() << "volume change accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
    EXPECT_EQ(e.object(), s->getName());
  }
  EXPECT_EQ(toString(s->getOutput(0)->getDimensions()), "2x3");
}

TEST(ShuffleTranspose, FirstTransposeHandComputed) {
  HostTensor out = runShuffle({2, 3}, {1, 2, 3, 4, 5, 6}, [](ShuffleLayer& s) { s.setFirstTranspose({1, 0}); });
  EXPECT_EQ(toString(out.dims), "3x2");
  EXPECT_EQ(out.f32(), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST(ShuffleTranspose, FirstTransposeThenReshape) {
  Dims dims{2, 3, 4, 5};
  auto values = randomFloats(dims.volume(), 91);
  HostTensor out = runShuffle(dims, values, [](ShuffleLayer& s) {
    s.setFirstTranspose({0, 2, 3, 1});       // 2x4x5x3
    s.setReshapeDimensions(Dims{0, -1, 3});  // 0 copies the transposed axis 0
  });
  EXPECT_EQ(toString(out.dims), "2x20x3");
  EXPECT_EQ(out.f32(), referenceTranspose(values, dims, {0, 2, 3, 1}, nullptr));
}

TEST(ShuffleTranspose, ReshapeThenSecondTranspose) {
  Dims dims{2, 3, 4};
  auto values = randomFloats(dims.volume(), 92);
  HostTensor out = runShuffle(dims, values, [](ShuffleLayer& s) {
    s.setReshapeDimensions(Dims{6, 4});
    s.setSecondTranspose({1, 0});
  });
  EXPECT_EQ(toString(out.dims), "4x6");
  EXPECT_EQ(out.f32(), referenceTranspose(values, Dims{6, 4}, {1, 0}, nullptr));
}

TEST(ShuffleTranspose, FirstTransposeReshapeAndSecondTranspose) {
  Dims dims{2, 3, 4, 5};
  auto values = randomFloats(dims.volume(), 93);
  HostTensor out = runShuffle(dims, values, [](ShuffleLayer& s) {
    s.setFirstTranspose({3, 1, 0, 2});       // 5x3x2x4
    s.setReshapeDimensions(Dims{0, 6, -1});  // 5x6x4
    s.setSecondTranspose({2, 0, 1});         // 4x5x6
  });
  EXPECT_EQ(toString(out.dims), "4x5x6");
  Dims mid;
  auto first = referenceTranspose(values, dims, {3, 1, 0, 2}, &mid);
  EXPECT_EQ(out.f32(), referenceTranspose(first, Dims{5, 6, 4}, {2, 0, 1}, nullptr));
}

TEST(ShuffleTranspose, IntAndBoolElementsMoveIntact) {
  NetworkDefinition net;
  Tensor* i = net.addInput("i", DataType::kINT64, Dims{2, 3});
  Tensor* b = net.addInput("b", DataType::kBOOL, Dims{3, 2});
  for (Tensor* t : {i, b}) {
    ShuffleLayer* s = net.addShuffle(*t);
    s->setFirstTranspose({1, 0});
    net.markOutput(*s->getOutput(0));
  }
  auto out = buildAndRun(
      net, {HostTensor::i64({2, 3}, {1, 2, 3, int64_t{1} << 40, 5, 6}), boolTensor({3, 2}, {1, 0, 0, 0, 1, 1})});
  EXPECT_EQ(out[0].as<int64_t>(), (std::vector<int64_t>{1, int64_t{1} << 40, 2, 5, 3, 6}));
  EXPECT_EQ(out[1].as<uint8_t>(), (std::vector<uint8_t>{1, 0, 1, 0, 0, 1}));
}

// ---- Dynamic shapes ------------------------------------------------------------------------------------------------

TEST(ShuffleDynamic, StaticReshapeDimensionsOnDynamicInput) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, -1, 4});
  ShuffleLayer* s = net.addShuffle(*x);
  s->setFirstTranspose({1, 0, 2});
  s->setReshapeDimensions(Dims{0, -1});
  net.markOutput(*s->getOutput(0));
  EXPECT_EQ(toString(s->getOutput(0)->getDimensions()), "-1x-1");
  EXPECT_EQ(s->getOutput(0)->getDimensionExpression(0), "x.1");
  auto engine = buildWithProfile(net, profileFor("x", {1, 1, 4}, {2, 3, 4}, {5, 6, 4}));
  auto ctx = engine->createExecutionContext();
  for (Dims d : {Dims{2, 3, 4}, Dims{5, 1, 4}}) {
    auto values = randomFloats(d.volume(), 94);
    auto out = runContext(*ctx, {HostTensor::f32(d, values)});
    EXPECT_EQ(toString(out[0].dims), std::to_string(d.d[1]) + "x" + std::to_string(d.d[0] * 4));
    EXPECT_EQ(out[0].f32(), referenceTranspose(values, d, {1, 0, 2}, nullptr));
  }
}

// The TensorRT dynamic-reshape pattern: Shape -> arithmetic -> Concatenation -> reshape input 1.
TEST(ShuffleDynamic, ReshapeFedByAShapeTensor) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, -1, 6});
  Tensor* shape = net.addShape(*x)->getOutput(0);  // [A, B, 6]
  Tensor* halved = net.addElementWise(*shape, *int64Constant(net, {1, 1, 2}), ElementWiseOperation::kDIV)
                       ->getOutput(0);                                                     // [A, B, 3]
  Tensor* target = net.addConcatenation({halved, int64Constant(net, {2})})->getOutput(0);  // [A, B, 3, 2]
  target->setName("target");
  EXPECT_TRUE(shape->isShapeTensor());
  EXPECT_TRUE(halved->isShapeTensor());
  EXPECT_TRUE(target->isShapeTensor());
  EXPECT_EQ(toString(target->getDimensions()), "4");
  ShuffleLayer* s = net.addShuffle(*x);
  s->setInput(1, *target);
  s->getOutput(0)->setName("y");
  EXPECT_EQ(toString(s->getOutput(0)->getDimensions()), "-1x-1x3x2");
  net.markOutput(*s->getOutput(0));
  net.markOutput(*target);  // the shape values themselves, computed at run time
  auto engine = buildWithProfile(net, profileFor("x", {1, 1, 6}, {2, 2, 6}, {4, 5, 6}));
  EXPECT_EQ(toString(engine->getTensorShape("y")), "-1x-1x3x2");
  auto ctx = engine->createExecutionContext();
  for (Dims d : {Dims{2, 3, 6}, Dims{4, 1, 6}}) {
    auto values = randomFloats(d.volume(), 95);
    auto out = runContext(*ctx, {HostTensor::f32(d, values)});
    EXPECT_EQ(toString(out[0].dims), toString(Dims{d.d[0], d.d[1], 3, 2}));
    EXPECT_EQ(out[0].f32(), values);
    EXPECT_EQ(out[1].as<int64_t>(), (std::vector<int64_t>{d.d[0], d.d[1], 3, 2}));
  }
}

// A shape tensor holding 0 and -1 follows the same placeholder rules as static reshape dimensions.
TEST(ShuffleDynamic, ShapeTensorWithZeroAndMinusOne) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 2, 3});
  Tensor* target = int64Constant(net, {0, -1});  // created first: a layer may only read earlier tensors
  ShuffleLayer* s = net.addShuffle(*x);
  s->setInput(1, *target);
  net.markOutput(*s->getOutput(0));
  EXPECT_EQ(toString(s->getOutput(0)->getDimensions()), "-1x6");
  auto engine = buildWithProfile(net, profileFor("x", {1, 2, 3}, {2, 2, 3}, {3, 2, 3}));
  auto ctx = engine->createExecutionContext();
  for (int64_t n : {1, 3}) {
    auto values = randomFloats(n * 6, 96);
    auto out = runContext(*ctx, {HostTensor::f32({n, 2, 3}, values)});
    EXPECT_EQ(toString(out[0].dims), std::to_string(n) + "x6");
    EXPECT_EQ(out[0].f32(), values);
  }
}

// ---- Errors name the layer --------------------------------------------------------------------------------------

TEST(ShuffleErrors, InvalidSettingsNameTheLayerAndAreRolledBack) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{2, 3, 4});
  Tensor* data = net.addInput("data", DataType::kFLOAT, Dims{2});
  ShuffleLayer* s = net.addShuffle(*x);
  s->setName("reshaper");
  s->setReshapeDimensions(Dims{6, 4});
  expectRejected(
      s,
      [&] {
        s->setReshapeDimensions(Dims{5, 5});
      },
      "volume 24 -> 25");
  expectRejected(
      s,
      [&] {
        s->setReshapeDimensions(Dims{-1, -1});
      },
      "two -1");
  expectRejected(
      s,
      [&] {
        s->setReshapeDimensions(Dims{5, -1});
      },
      "24 not divisible by 5");
  expectRejected(
      s,
      [&] {
        s->setReshapeDimensions(Dims{-2, 12});
      },
      "negative dimension");
  expectRejected(
      s,
      [&] {
        s->setReshapeDimensions(Dims{4, 3, 2, 0});
      },
      "0 beyond the input rank");
  expectRejected(
      s,
      [&] {
        s->setFirstTranspose({0, 0, 1});
      },
      "repeated axis");
  expectRejected(
      s,
      [&] {
        s->setFirstTranspose({1, 0});
      },
      "wrong length");
  expectRejected(
      s,
      [&] {
        s->setSecondTranspose({0, 2});
      },
      "axis out of range");
  expectRejected(
      s, [&] { s->setInput(1, *data); }, "float data as reshape dimensions");
  EXPECT_EQ(toString(s->getReshapeDimensions()), "6x4");
  EXPECT_EQ(toString(s->getOutput(0)->getDimensions()), "6x4");
}

TEST(ShuffleErrors, DynamicVolumeMismatchFailsWhenShapesResolve) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 4});
  ShuffleLayer* s = net.addShuffle(*x);
  s->setName("by_three");
  s->setReshapeDimensions(Dims{-1, 3});
  net.markOutput(*s->getOutput(0));
  auto engine = buildWithProfile(net, profileFor("x", {3, 4}, {3, 4}, {6, 4}));
  auto ctx = engine->createExecutionContext();
  ASSERT_TRUE(ctx->setInputShape("x", Dims{4, 4}).isOk());
  Status st = ctx->inferShapes();  // 16 elements are not rows of 3
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.error().code(), ErrorCode::kSHAPE_OUT_OF_RANGE);
  EXPECT_EQ(st.error().object(), "by_three");
  auto values = iota(24);
  auto out = runContext(*ctx, {HostTensor::f32({6, 4}, values)});
  EXPECT_EQ(toString(out[0].dims), "8x3");
  EXPECT_EQ(out[0].f32(), values);
}

}  // namespace
}  // namespace kiln::test
