// Cast among fp32/fp16/int32/int64/bool, Shape output values, and Identity.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "test_util.h"

namespace kiln::test {
namespace {

// input -> cast(to) for each target, all marked as outputs in order.
std::vector<HostTensor> runCasts(const HostTensor& input, const std::vector<DataType>& targets) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", input.type, input.dims);
  for (DataType to : targets) {
    CastLayer* cast = net.addCast(*x, to);
    EXPECT_EQ(cast->getOutput(0)->getType(), to);
    net.markOutput(*cast->getOutput(0));
  }
  auto out = buildAndRun(net, {input});
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].type, targets[i]);
    EXPECT_EQ(toString(out[i].dims), toString(input.dims));
  }
  return out;
}

float bitsToFloat(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// ---- Cast ------------------------------------------------------------------------------------------------------

// ONNX Cast: float to integer truncates toward zero; NaN becomes 0 here.
TEST(CastLayerTest, FloatToIntegerTruncatesTowardZero) {
  HostTensor x = HostTensor::f32({2, 4}, {1.9f, -1.9f, 0.5f, -0.5f, 100.99f, -100.99f, NAN, 3e9f});
  auto out = runCasts(x, {DataType::kINT32, DataType::kINT64});
  std::vector<int32_t> i32 = out[0].as<int32_t>();
  EXPECT_EQ(std::vector<int32_t>(i32.begin(), i32.begin() + 7), (std::vector<int32_t>{1, -1, 0, 0, 100, -100, 0}));
  EXPECT_EQ(out[1].as<int64_t>(), (std::vector<int64_t>{1, -1, 0, 0, 100, -100, 0, 3000000000}));
}

TEST(CastLayerTest, IntegersToFloatAndBetweenWidths) {
  HostTensor i32 = HostTensor::i32({4}, {-3, 0, 16777217, std::numeric_limits<int32_t>::min()});
  auto fromI32 = runCasts(i32, {DataType::kFLOAT, DataType::kINT64});
  // 2^24 + 1 is the first integer fp32 cannot hold: it rounds to even.
  EXPECT_EQ(fromI32[0].f32(), (std::vector<float>{-3, 0, 16777216, -2147483648.0f}));
  EXPECT_EQ(fromI32[1].as<int64_t>(), (std::vector<int64_t>{-3, 0, 16777217, -2147483648}));
  HostTensor i64 = HostTensor::i64({3}, {-5, 2147483647, int64_t{1} << 40});
  auto fromI64 = runCasts(i64, {DataType::kINT32, DataType::kFLOAT});
  EXPECT_EQ(fromI64[0].as<int32_t>()[0], -5);
  EXPECT_EQ(fromI64[0].as<int32_t>()[1], 2147483647);
  EXPECT_EQ(fromI64[1].f32(), (std::vector<float>{-5, 2147483648.0f, 1099511627776.0f}));
}

TEST(CastLayerTest, ToAndFromBool) {
  auto fromFloat = runCasts(HostTensor::f32({5}, {0, -0.0f, 0.1f, -2, NAN}), {DataType::kBOOL});
  EXPECT_EQ(fromFloat[0].as<uint8_t>(), (std::vector<uint8_t>{0, 0, 1, 1, 1}));  // NaN is not zero
  auto fromInt = runCasts(HostTensor::i32({3}, {0, 5, -1}), {DataType::kBOOL});
  EXPECT_EQ(fromInt[0].as<uint8_t>(), (std::vector<uint8_t>{0, 1, 1}));
  auto fromBool = runCasts(boolTensor({2, 2}, {0, 1, 1, 0}), {DataType::kFLOAT, DataType::kINT32, DataType::kINT64});
  EXPECT_EQ(fromBool[0].f32(), (std::vector<float>{0, 1, 1, 0}));
  EXPECT_EQ(fromBool[1].as<int32_t>(), (std::vector<int32_t>{0, 1, 1, 0}));
  EXPECT_EQ(fromBool[2].as<int64_t>(), (std::vector<int64_t>{0, 1, 1, 0}));
}

// Values fp16 holds exactly survive fp32 -> fp16 -> fp32 bit for bit; the fp16 encodings are IEEE binary16.
TEST(CastLayerTest, Fp16RoundTripOfExactlyRepresentableValues) {
  struct Case {
    float value;
    uint16_t bits;
  };
  const std::vector<Case> cases = {{0.0f, 0x0000},
                                   {-0.0f, 0x8000},
                                   {1.0f, 0x3C00},
                                   {-2.0f, 0xC000},
                                   {0.5f, 0x3800},
                                   {65504, 0x7BFF},
                                   {-65504, 0xFBFF},
                                   {1023.5f, 0x63FF},
                                   {0.333251953125f, 0x3555},
                                   {bitsToFloat(0x38800000), 0x0400},  // 2^-14, the smallest normal
                                   {bitsToFloat(0x33800000), 0x0001},  // 2^-24, the smallest subnormal
                                   {std::numeric_limits<float>::infinity(), 0x7C00}};
  std::vector<float> values;
  for (const Case& c : cases) values.push_back(c.value);
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{static_cast<int64_t>(values.size())});
  Tensor* half = net.addCast(*x, DataType::kHALF)->getOutput(0);
  Tensor* back = net.addCast(*half, DataType::kFLOAT)->getOutput(0);
  net.markOutput(*half);
  net.markOutput(*back);
  auto out = buildAndRun(net, {HostTensor::f32({static_cast<int64_t>(values.size())}, values)});
  ASSERT_EQ(out[0].type, DataType::kHALF);
  auto bits = out[0].as<uint16_t>();
  auto roundTrip = out[1].f32();
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].value);
    EXPECT_EQ(bits[i], cases[i].bits);
    EXPECT_EQ(std::signbit(roundTrip[i]), std::signbit(values[i]));
    EXPECT_EQ(roundTrip[i], values[i]);
  }
}

// fp32 -> fp16 rounds to nearest even and overflows to infinity.
TEST(CastLayerTest, Fp16RoundingOfInexactValues) {
  const float oneUlpHalf = 1.0f / 2048;  // half of fp16's spacing at 1.0
  auto out = runCasts(HostTensor::f32({4}, {1.0f + oneUlpHalf, 1.0f + 3 * oneUlpHalf, 70000.0f, -70000.0f}),
                      {DataType::kHALF});
  EXPECT_EQ(out[0].as<uint16_t>(), (std::vector<uint16_t>{0x3C00, 0x3C02, 0x7C00, 0xFC00}));
}

TEST(CastLayerTest, Fp16InputToFloatAndInt) {
  // 1.5, -2.75, 65504, 2^-24, NaN
  HostTensor h = HostTensor::of(DataType::kHALF, {5}, std::vector<uint16_t>{0x3E00, 0xC180, 0x7BFF, 0x0001, 0x7E00});
  auto out = runCasts(h, {DataType::kFLOAT, DataType::kINT32});
  auto f = out[0].f32();
  EXPECT_EQ(std::vector<float>(f.begin(), f.begin() + 4),
            (std::vector<float>{1.5f, -2.75f, 65504, bitsToFloat(0x33800000)}));
  EXPECT_TRUE(std::isnan(f[4]));
  EXPECT_EQ(out[1].as<int32_t>(), (std::vector<int32_t>{1, -2, 65504, 0, 0}));
}

TEST(CastLayerTest, SetToTypeChangesTheOutputAndRejectsInvalidTypes) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{3});
  CastLayer* cast = net.addCast(*x, DataType::kINT32);
  cast->setName("to_int");
  cast->setToType(DataType::kINT64);
  EXPECT_EQ(cast->getToType(), DataType::kINT64);
  EXPECT_EQ(cast->getOutput(0)->getType(), DataType::kINT64);
  try {
    cast->setToType(static_cast<DataType>(42));
    FAIL() << "invalid type accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kINVALID_ARGUMENT);
    EXPECT_EQ(e.object(), cast->getName());
  }
  EXPECT_EQ(cast->getToType(), DataType::kINT64);
  net.markOutput(*cast->getOutput(0));
  auto out = buildAndRun(net, {HostTensor::f32({3}, {-2.5f, 7.9f, 0})});
  EXPECT_EQ(out[0].as<int64_t>(), (std::vector<int64_t>{-2, 7, 0}));
}

// ---- Shape ------------------------------------------------------------------------------------------------------

TEST(ShapeLayerTest, OutputsTheInputDimensionsAsInt64AtEachRunShape) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 3, -1});
  ShapeLayer* shape = net.addShape(*x);
  Tensor* s = shape->getOutput(0);
  EXPECT_EQ(s->getType(), DataType::kINT64);
  EXPECT_EQ(toString(s->getDimensions()), "3");  // the rank is known even though the values are not
  EXPECT_TRUE(s->isShapeTensor());
  // Cast to int32 keeps it a shape tensor; to float it becomes plain data.
  Tensor* s32 = net.addCast(*s, DataType::kINT32)->getOutput(0);
  Tensor* sf = net.addCast(*s, DataType::kFLOAT)->getOutput(0);
  EXPECT_TRUE(s32->isShapeTensor());
  EXPECT_FALSE(sf->isShapeTensor());
  net.markOutput(*s);
  net.markOutput(*s32);
  net.markOutput(*sf);
  auto engine = buildWithProfile(net, profileFor("x", {1, 3, 1}, {2, 3, 4}, {5, 3, 9}));
  auto ctx = engine->createExecutionContext();
  for (Dims d : {Dims{2, 3, 7}, Dims{5, 3, 1}}) {
    auto out = runContext(*ctx, {HostTensor::f32(d, randomFloats(d.volume(), 3))});
    EXPECT_EQ(out[0].as<int64_t>(), (std::vector<int64_t>{d.d[0], 3, d.d[2]}));
    EXPECT_EQ(out[1].as<int32_t>(), (std::vector<int32_t>{int32_t(d.d[0]), 3, int32_t(d.d[2])}));
    EXPECT_EQ(out[2].f32(), (std::vector<float>{float(d.d[0]), 3, float(d.d[2])}));
  }
}

TEST(ShapeLayerTest, OfStaticInputsAndOfIntermediateTensors) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kINT32, Dims{4, 1, 6, 1});
  Tensor* y = net.addInput("y", DataType::kINT32, Dims{5});
  Tensor* sum = net.addElementWise(*x, *y, ElementWiseOperation::kSUM)->getOutput(0);  // 4x1x6x5
  net.markOutput(*net.addShape(*x)->getOutput(0));
  net.markOutput(*net.addShape(*sum)->getOutput(0));
  auto out = buildAndRun(
      net, {HostTensor::i32({4, 1, 6, 1}, std::vector<int32_t>(24, 1)), HostTensor::i32({5}, {1, 2, 3, 4, 5})});
  EXPECT_EQ(toString(out[0].dims), "4");
  EXPECT_EQ(out[0].as<int64_t>(), (std::vector<int64_t>{4, 1, 6, 1}));
  EXPECT_EQ(out[1].as<int64_t>(), (std::vector<int64_t>{4, 1, 6, 5}));
}

// ---- Identity ---------------------------------------------------------------------------------------------------

TEST(IdentityLayerTest, CopiesEveryTypeUnchanged) {
  NetworkDefinition net;
  Tensor* f = net.addInput("f", DataType::kFLOAT, Dims{-1, 2});
  Tensor* i = net.addInput("i", DataType::kINT64, Dims{3});
  Tensor* b = net.addInput("b", DataType::kBOOL, Dims{2, 2});
  for (Tensor* t : {f, i, b}) {
    IdentityLayer* id = net.addIdentity(*t);
    EXPECT_EQ(id->getOutput(0)->getType(), t->getType());
    EXPECT_EQ(toString(id->getOutput(0)->getDimensions()), toString(t->getDimensions()));
    net.markOutput(*id->getOutput(0));
  }
  auto engine = buildWithProfile(net, profileFor("f", {1, 2}, {3, 2}, {6, 2}));
  auto ctx = engine->createExecutionContext();
  std::vector<int64_t> ints = {-(int64_t{1} << 50), 0, 7};
  std::vector<uint8_t> bools = {1, 0, 0, 1};
  for (int64_t n : {1, 6}) {
    auto floats = randomFloats(n * 2, 9);
    auto out =
        runContext(*ctx, {HostTensor::f32({n, 2}, floats), HostTensor::i64({3}, ints), boolTensor({2, 2}, bools)});
    EXPECT_EQ(toString(out[0].dims), std::to_string(n) + "x2");
    EXPECT_EQ(out[0].f32(), floats);
    EXPECT_EQ(out[1].as<int64_t>(), ints);
    EXPECT_EQ(out[2].as<uint8_t>(), bools);
  }
}

// Identity of a small integer constant keeps its build-time values.
TEST(IdentityLayerTest, OfAnIntegerConstantIsAShapeTensor) {
  NetworkDefinition net;
  std::vector<int32_t> v = {3, -1, 4};
  Tensor* c = net.addConstant(Dims{3}, Weights{DataType::kINT32, v.data(), 3})->getOutput(0);
  Tensor* out = net.addIdentity(*c)->getOutput(0);
  EXPECT_TRUE(c->isShapeTensor());
  EXPECT_TRUE(out->isShapeTensor());
  net.markOutput(*out);
  EXPECT_EQ(buildAndRun(net, {})[0].as<int32_t>(), v);
}

}  // namespace
}  // namespace kiln::test
