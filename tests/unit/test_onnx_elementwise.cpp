// ONNX importers of the element-wise family on models built in memory: legacy (opset < 7) broadcasting, variadic
// ops, mixed-type Pow, BitShift, composed operators (GreaterOrEqual, Celu, HardSwish, Mish, PRelu, Shrink, IsInf),
// Clip's attribute and input forms, linear (de)quantization, and what is reported as unsupported or invalid. Expected
// values are worked by hand or from the ONNX definitions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>

#include "kiln/onnx.h"
#include "onnx_model_builder.h"

namespace kiln::test {
namespace {

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// ---- Binary ops and broadcasting -------------------------------------------------------------------------------

// Opset 6: B matches A's dims from `axis` (here axis 1 of 2x3x2), or A's trailing dims without it.
TEST(OnnxElementwise, LegacyBroadcastAlignsBFromAxis) {
  std::vector<float> a(12);
  for (int i = 0; i < 12; ++i) a[i] = static_cast<float>(i);
  OnnxModel withAxis(6);
  withAxis.input("a", {2, 3, 2}).input("b", {3});
  NodeProto& n = withAxis.node("Add", {"a", "b"});
  setInt(n, "broadcast", 1);
  setInt(n, "axis", 1);
  withAxis.output();
  auto out = withAxis.run({HostTensor::f32({2, 3, 2}, a), f32({100, 200, 300})});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{100, 101, 202, 203, 304, 305, 106, 107, 208, 209, 310, 311}));

  OnnxModel trailing(6);
  trailing.input("a", {2, 3, 2}).input("b", {2});
  setInt(trailing.node("Sub", {"a", "b"}), "broadcast", 1);
  trailing.output();
  out = trailing.run({HostTensor::f32({2, 3, 2}, a), f32({1, 10})});
  EXPECT_EQ(out[0].f32()[3], 3.0f - 10.0f);

  OnnxModel noBroadcast(6);
  noBroadcast.input("a", {2, 3}).input("b", {3});
  noBroadcast.node("Mul", {"a", "b"});
  noBroadcast.output();
  expectImportError(noBroadcast, ErrorCode::kINVALID_GRAPH, "broadcast=1");
}

TEST(OnnxElementwise, UnknownAttributesAreReportedNotIgnored) {
  NodeProto* n;
  OnnxModel m = unaryModel(13, "Relu", {2}, &n);
  setInt(*n, "inplace", 1);
  expectImportError(m, ErrorCode::kUNSUPPORTED, "attribute 'inplace'");
  // consumed_inputs is a memory hint of opsets 1-5 only.
  OnnxModel legacy = unaryModel(5, "Relu", {2}, &n);
  setInt(*n, "consumed_inputs", 0);
  EXPECT_EQ(legacy.run({f32({-1, 2})})[0].f32(), (std::vector<float>{0, 2}));
  OnnxModel late = unaryModel(13, "Relu", {2}, &n);
  setInt(*n, "consumed_inputs", 0);
  expectImportError(late, ErrorCode::kUNSUPPORTED, "consumed_inputs");
}

TEST(OnnxElementwise, VariadicOpsBroadcastAllInputs) {
  auto model = [](const char* op, int32_t count) {
    OnnxModel m(13);
    const std::vector<std::vector<int64_t>> dims = {{2, 1}, {3}, {2, 3}};
    const std::vector<std::string> names = {"x0", "x1", "x2"};
    for (int32_t i = 0; i < count; ++i) m.input(names[i], dims[i]);
    m.node(op, std::vector<std::string>(names.begin(), names.begin() + count));
    m.output();
    return m;
  };
  std::vector<HostTensor> in = {HostTensor::f32({2, 1}, {1, 2}), f32({10, 20, 30}),
                                HostTensor::f32({2, 3}, {0, 3, 6, 9, 12, 15})};
  EXPECT_EQ(model("Sum", 3).run(in)[0].f32(), (std::vector<float>{11, 24, 37, 21, 34, 47}));
  EXPECT_EQ(model("Mean", 3).run(in)[0].f32(), (std::vector<float>{11 / 3.0f, 8, 37 / 3.0f, 7, 34 / 3.0f, 47 / 3.0f}));
  EXPECT_EQ(model("Max", 3).run(in)[0].f32(), (std::vector<float>{10, 20, 30, 10, 20, 30}));
  EXPECT_EQ(model("Min", 2).run({in[0], in[1]})[0].f32(), (std::vector<float>{1, 1, 1, 2, 2, 2}));
  HostTensor one = model("Sum", 1).run({in[0]})[0];
  EXPECT_EQ(toString(one.dims), "2x1");
  EXPECT_EQ(one.f32(), (std::vector<float>{1, 2}));
}

TEST(OnnxElementwise, ModFollowsTheFmodAttribute) {
  auto model = [](int32_t type, std::optional<int64_t> fmod) {
    OnnxModel m(13);
    m.input("a", {4}, type).input("b", {4}, type);
    NodeProto& n = m.node("Mod", {"a", "b"});
    if (fmod) setInt(n, "fmod", *fmod);
    m.output();
    return m;
  };
  HostTensor a = HostTensor::i32({4}, {7, -7, 7, -7}), b = HostTensor::i32({4}, {3, 3, -3, -3});
  EXPECT_EQ(model(TensorProto::INT32, {}).run({a, b})[0].as<int32_t>(), (std::vector<int32_t>{1, 2, -2, -1}));
  EXPECT_EQ(model(TensorProto::INT32, 1).run({a, b})[0].as<int32_t>(), (std::vector<int32_t>{1, -1, 1, -1}));
  EXPECT_EQ(model(TensorProto::FLOAT, 1).run({f32({5.5f, -5.5f, 1, 1}), f32({2, 2, 1, 1})})[0].f32()[1], -1.5f);
  expectImportError(model(TensorProto::FLOAT, 0), ErrorCode::kINVALID_GRAPH, "fmod attribute must be set to 1");
}

// Pow-12: the result has the base's type; an integer base with a float exponent truncates like numpy's astype.
TEST(OnnxElementwise, PowWithMixedTypes) {
  auto model = [](int32_t base, int32_t exponent) {
    OnnxModel m(15);
    m.input("x", {3}, base).input("e", {3}, exponent);
    m.node("Pow", {"x", "e"});
    m.output();
    return m;
  };
  HostTensor i =
      model(TensorProto::INT64, TensorProto::FLOAT).run({HostTensor::i64({3}, {2, 3, 3}), f32({5, 0.5f, 2})})[0];
  EXPECT_EQ(i.type, DataType::kINT64);
  EXPECT_EQ(i.as<int64_t>(), (std::vector<int64_t>{32, 1, 9}));
  HostTensor f =
      model(TensorProto::FLOAT, TensorProto::INT32).run({f32({2, 0.5f, -3}), HostTensor::i32({3}, {3, -1, 2})})[0];
  EXPECT_EQ(f.type, DataType::kFLOAT);
  EXPECT_EQ(f.f32(), (std::vector<float>{8, 2, 9}));
  HostTensor ii = model(TensorProto::INT32, TensorProto::INT64)
                      .run({HostTensor::i32({3}, {2, -3, 5}), HostTensor::i64({3}, {10, 3, 0})})[0];
  EXPECT_EQ(ii.as<int32_t>(), (std::vector<int32_t>{1024, -27, 1}));
}

// a >= b is false when either side is NaN, unlike NOT(a < b).
TEST(OnnxElementwise, OrEqualComparisonsWithNan) {
  for (const char* op : {"GreaterOrEqual", "LessOrEqual"}) {
    SCOPED_TRACE(op);
    OnnxModel m(16);
    m.input("a", {4}).input("b", {4});
    m.node(op, {"a", "b"});
    m.output();
    HostTensor out = m.run({f32({1, 2, 3, kNan}), f32({2, 2, 2, 0})})[0];
    EXPECT_EQ(out.type, DataType::kBOOL);
    bool ge = std::string(op) == "GreaterOrEqual";
    EXPECT_EQ(out.as<uint8_t>(), (std::vector<uint8_t>{!ge, 1, ge, 0}));
  }
}

TEST(OnnxElementwise, BitShiftOfUint8) {
  auto run8 = [](const char* direction, std::vector<uint8_t> x, std::vector<uint8_t> s) {
    OnnxModel m(11);
    m.input("x", {3}, TensorProto::UINT8).input("s", {3}, TensorProto::UINT8);
    setString(m.node("BitShift", {"x", "s"}), "direction", direction);
    m.output();
    HostTensor out = m.run({HostTensor::of(DataType::kUINT8, {3}, x), HostTensor::of(DataType::kUINT8, {3}, s)})[0];
    EXPECT_EQ(out.type, DataType::kUINT8);
    return out.as<uint8_t>();
  };
  EXPECT_EQ(run8("LEFT", {1, 255, 3}, {3, 1, 9}), (std::vector<uint8_t>{8, 254, 0}));
  EXPECT_EQ(run8("RIGHT", {16, 255, 200}, {2, 7, 200}), (std::vector<uint8_t>{4, 1, 0}));
  OnnxModel bad(11);
  bad.input("x", {3}, TensorProto::UINT8).input("s", {3}, TensorProto::UINT8);
  setString(bad.node("BitShift", {"x", "s"}), "direction", "UP");
  bad.output();
  expectImportError(bad, ErrorCode::kINVALID_GRAPH, "direction");
}

TEST(OnnxElementwise, BitShiftOfWiderUnsignedTypesAndNotOfSigned) {
  OnnxModel m(11);
  m.input("x", {3}, TensorProto::UINT64).input("s", {3}, TensorProto::UINT64);
  setString(m.node("BitShift", {"x", "s"}), "direction", "LEFT");
  m.output();
  auto u64 = [](std::vector<uint64_t> v) { return HostTensor::of(DataType::kUINT64, {3}, v); };
  HostTensor out = m.run({u64({1, 0xff, 5}), u64({63, 8, 64})})[0];
  EXPECT_EQ(out.type, DataType::kUINT64);
  EXPECT_EQ(out.as<uint64_t>(), (std::vector<uint64_t>{uint64_t{1} << 63, 0xff00, 0}));
  OnnxModel signedShift(11);
  signedShift.input("x", {3}, TensorProto::INT32).input("s", {3}, TensorProto::INT32);
  setString(signedShift.node("BitShift", {"x", "s"}), "direction", "RIGHT");
  signedShift.output();
  expectImportError(signedShift, ErrorCode::kINVALID_GRAPH, "unsigned integers, not int32");
}

// ---- Activations ---------------------------------------------------------------------------------------------------

TEST(OnnxElementwise, ComposedActivationsMatchTheirDefinitions) {
  const std::vector<float> x = {-3, -0.5f, 0, 0.75f, 4};
  struct Case {
    const char* op;
    int64_t opset;
    double (*f)(double);
  };
  const Case cases[] = {
      {"Celu", 12, [](double v) { return std::max(0.0, v) + std::min(0.0, 2.0 * (std::exp(v / 2.0) - 1)); }},
      {"HardSwish", 14, [](double v) { return v * std::max(0.0, std::min(1.0, v / 6 + 0.5)); }},
      {"Mish", 18, [](double v) { return v * std::tanh(std::log1p(std::exp(v))); }},
      {"Gelu", 20,
       [](double v) {
         return 0.5 * v * (1 + std::tanh(std::sqrt(2 / std::numbers::pi) * (v + 0.044715 * v * v * v)));
       }},
      {"Softplus", 1, [](double v) { return std::log1p(std::exp(v)); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.op);
    NodeProto* n;
    OnnxModel m = unaryModel(c.opset, c.op, {5}, &n);
    if (std::string(c.op) == "Celu") setFloat(*n, "alpha", 2.0f);
    if (std::string(c.op) == "Gelu") setString(*n, "approximate", "tanh");
    std::vector<float> expected;
    for (float v : x) expected.push_back(static_cast<float>(c.f(v)));
    expectNear(m.run({f32(x)})[0].f32(), expected, 1e-6f, 1e-5f);
  }
  NodeProto* n;
  OnnxModel fast = unaryModel(20, "Gelu", {5}, &n);
  setString(*n, "approximate", "fast");
  expectImportError(fast, ErrorCode::kUNSUPPORTED, "approximate");
}

TEST(OnnxElementwise, ActivationAttributesAndDefaults) {
  NodeProto* n;
  OnnxModel leaky = unaryModel(16, "LeakyRelu", {2}, &n);
  EXPECT_EQ(leaky.run({f32({-100, 3})})[0].f32(), (std::vector<float>{-1, 3}));  // alpha 0.01
  OnnxModel selu = unaryModel(6, "Selu", {2}, &n);
  setFloat(*n, "alpha", 2.0f);
  setFloat(*n, "gamma", 3.0f);
  expectNear(selu.run({f32({-1, 1})})[0].f32(), {static_cast<float>(3 * 2 * (std::exp(-1.0) - 1)), 3}, 1e-6f, 1e-6f);
  OnnxModel thresholded = unaryModel(10, "ThresholdedRelu", {3}, &n);
  setFloat(*n, "alpha", 2.0f);
  EXPECT_EQ(thresholded.run({f32({1, 2, 3})})[0].f32(), (std::vector<float>{0, 0, 3}));
}

TEST(OnnxElementwise, ReluOfIntegersFromOpset14) {
  OnnxModel m(14);
  m.input("x", {3}, TensorProto::INT32);
  m.node("Relu", {"x"});
  m.output();
  HostTensor out = m.run({HostTensor::i32({3}, {-5, 0, 7})})[0];
  EXPECT_EQ(out.type, DataType::kINT32);
  EXPECT_EQ(out.as<int32_t>(), (std::vector<int32_t>{0, 0, 7}));
}

// Opsets before 7 apply a 1-D slope per channel (axis 1); later ones broadcast numpy-style (the last axis).
TEST(OnnxElementwise, PReluSlopePerChannelBeforeOpset7) {
  std::vector<float> x = {-1, -1, -1, -1, -1, -1, 2, -2, 2, -2, 2, -2};  // 1x2x3x2
  for (int64_t opset : {6, 9}) {
    SCOPED_TRACE(opset);
    OnnxModel m(opset);
    m.input("x", {1, 2, 3, 2}).input("slope", {2});
    m.node("PRelu", {"x", "slope"});
    m.output();
    auto out = m.run({HostTensor::f32({1, 2, 3, 2}, x), f32({0.5f, 3})})[0].f32();
    if (opset < 7)
      EXPECT_EQ(out, (std::vector<float>{-0.5f, -0.5f, -0.5f, -0.5f, -0.5f, -0.5f, 2, -6, 2, -6, 2, -6}));
    else
      EXPECT_EQ(out, (std::vector<float>{-0.5f, -3, -0.5f, -3, -0.5f, -3, 2, -6, 2, -6, 2, -6}));
  }
}

TEST(OnnxElementwise, ShrinkHardAndSoft) {
  NodeProto* n;
  OnnxModel hard = unaryModel(9, "Shrink", {5}, &n);
  setFloat(*n, "lambd", 1.5f);
  std::vector<float> x = {-2, -1.5f, 0, 1.5f, 2};
  EXPECT_EQ(hard.run({f32(x)})[0].f32(), (std::vector<float>{-2, 0, 0, 0, 2}));
  OnnxModel soft = unaryModel(9, "Shrink", {5}, &n);
  setFloat(*n, "lambd", 1.5f);
  setFloat(*n, "bias", 1.5f);
  EXPECT_EQ(soft.run({f32(x)})[0].f32(), (std::vector<float>{-0.5f, 0, 0, 0, 0.5f}));
}

// ---- Clip ------------------------------------------------------------------------------------------------------

TEST(OnnxElementwise, ClipBoundsFromAttributesConstantsAndInputs) {
  const std::vector<float> x = {-5, -1, 0.5f, 2, kNan};
  auto check = [&](const OnnxModel& m, std::vector<HostTensor> extra, std::vector<float> expected) {
    extra.insert(extra.begin(), f32(x));
    auto out = m.run(extra)[0].f32();
    ASSERT_EQ(out.size(), 5u);
    EXPECT_TRUE(std::isnan(out[4]));
    out.pop_back();
    EXPECT_EQ(out, expected);
  };
  NodeProto* n;
  OnnxModel attrs = unaryModel(6, "Clip", {5}, &n);
  setFloat(*n, "min", -1.5f);
  check(attrs, {}, {-1.5f, -1, 0.5f, 2});

  OnnxModel constants(13);
  constants.input("x", {5}).constant<float>("hi", {}, TensorProto::FLOAT, {1});
  constants.node("Clip", {"x", "", "hi"});
  constants.output();
  check(constants, {}, {-5, -1, 0.5f, 1});

  // Bounds computed at run time; min > max gives max everywhere.
  OnnxModel inputs(13);
  inputs.input("x", {5}).input("lo", {}).input("hi", {});
  inputs.node("Clip", {"x", "lo", "hi"});
  inputs.output();
  check(inputs, {HostTensor::f32({}, {-2}), HostTensor::f32({}, {1})}, {-2, -1, 0.5f, 1});
  check(inputs, {HostTensor::f32({}, {3}), HostTensor::f32({}, {1})}, {1, 1, 1, 1});

  OnnxModel int8(13);
  int8.input("x", {4}, TensorProto::INT8).constant<int8_t>("lo", {}, TensorProto::INT8, {-3});
  int8.node("Clip", {"x", "lo"});
  int8.output();
  HostTensor out = int8.run({HostTensor::of(DataType::kINT8, {4}, std::vector<int8_t>{-128, -3, 0, 127})})[0];
  EXPECT_EQ(out.type, DataType::kINT8);
  EXPECT_EQ(out.as<int8_t>(), (std::vector<int8_t>{-3, -3, 0, 127}));
}

// ---- Unary -------------------------------------------------------------------------------------------------------

TEST(OnnxElementwise, IsInfDetectsTheChosenSides) {
  const std::vector<float> x = {-kInf, kInf, kNan, 1};
  auto detect = [&](std::optional<int64_t> positive, std::optional<int64_t> negative) {
    NodeProto* n;
    OnnxModel m = unaryModel(10, "IsInf", {4}, &n);
    if (positive) setInt(*n, "detect_positive", *positive);
    if (negative) setInt(*n, "detect_negative", *negative);
    return m.run({f32(x)})[0].as<uint8_t>();
  };
  EXPECT_EQ(detect({}, {}), (std::vector<uint8_t>{1, 1, 0, 0}));
  EXPECT_EQ(detect(0, {}), (std::vector<uint8_t>{1, 0, 0, 0}));
  EXPECT_EQ(detect({}, 0), (std::vector<uint8_t>{0, 1, 0, 0}));
  EXPECT_EQ(detect(0, 0), (std::vector<uint8_t>{0, 0, 0, 0}));
}

TEST(OnnxElementwise, UnaryOpsExistFromTheirFirstOpset) {
  std::vector<std::string> at8 = onnx::supportedOps(8), at11 = onnx::supportedOps(11);
  auto has = [](const std::vector<std::string>& ops, const char* op) {
    return std::find(ops.begin(), ops.end(), op) != ops.end();
  };
  EXPECT_TRUE(has(at8, "Sin"));
  EXPECT_FALSE(has(at8, "Round"));
  EXPECT_FALSE(has(at8, "Erf"));
  EXPECT_TRUE(has(at11, "Round"));
  EXPECT_TRUE(has(at11, "Erf"));
}

// ---- Quantization ----------------------------------------------------------------------------------------------

// Per axis 1: scales [1, 2, 0.5], zero points [0, 1, -2]; rounding is half to even, then int8 saturation.
TEST(OnnxElementwise, QuantizeLinearPerAxisRoundsHalfToEvenAndSaturates) {
  OnnxModel m(13);
  m.input("x", {2, 3})
      .constant<float>("scale", {3}, TensorProto::FLOAT, {1, 2, 0.5f})
      .constant<int8_t>("zp", {3}, TensorProto::INT8, {0, 1, -2});
  m.node("QuantizeLinear", {"x", "scale", "zp"});
  m.output();
  HostTensor out = m.run({HostTensor::f32({2, 3}, {2.5f, 3, -300, 0.5f, -1, 1.25f})})[0];
  EXPECT_EQ(out.type, DataType::kINT8);
  EXPECT_EQ(out.as<int8_t>(), (std::vector<int8_t>{2, 3, -128, 0, 1, 0}));

  // Without a zero point the output is uint8 with zero point 0.
  OnnxModel plain(10);
  plain.input("x", {3}).constant<float>("scale", {}, TensorProto::FLOAT, {0.5f});
  plain.node("QuantizeLinear", {"x", "scale"});
  plain.output();
  HostTensor u = plain.run({f32({-1, 10.25f, 1000})})[0];
  EXPECT_EQ(u.type, DataType::kUINT8);
  EXPECT_EQ(u.as<uint8_t>(), (std::vector<uint8_t>{0, 20, 255}));
}

TEST(OnnxElementwise, DequantizeLinearPerAxis) {
  OnnxModel m(13);
  m.input("x", {2, 2}, TensorProto::UINT8)
      .constant<float>("scale", {2}, TensorProto::FLOAT, {0.5f, 2})
      .constant<uint8_t>("zp", {2}, TensorProto::UINT8, {10, 0});
  setInt(m.node("DequantizeLinear", {"x", "scale", "zp"}), "axis", 0);
  m.output();
  HostTensor out = m.run({HostTensor::of(DataType::kUINT8, {2, 2}, std::vector<uint8_t>{10, 20, 30, 255})})[0];
  EXPECT_EQ(out.type, DataType::kFLOAT);
  EXPECT_EQ(out.f32(), (std::vector<float>{0, 5, 60, 510}));
}

// min -1 and max 4 give scale 5/255 and zero point 51, at every run-time length of x.
TEST(OnnxElementwise, DynamicQuantizeLinearOfADynamicInput) {
  OnnxModel m(11);
  m.input("x", {-1});
  m.node("DynamicQuantizeLinear", {"x"}, {"y", "scale", "zp"});
  m.output("y").output("scale").output("zp");
  auto network = m.import();
  auto engine = buildWithProfile(*network, profileFor("x", Dims{1}, Dims{4}, Dims{8}));
  auto context = engine->createExecutionContext();
  auto out = runContext(*context, {f32({-1, 0, 2, 4})});
  EXPECT_EQ(out[0].as<uint8_t>(), (std::vector<uint8_t>{0, 51, 153, 255}));
  EXPECT_EQ(toString(out[1].dims), "scalar");
  EXPECT_FLOAT_EQ(out[1].f32()[0], 5.0f / 255.0f);
  EXPECT_EQ(out[2].as<uint8_t>(), (std::vector<uint8_t>{51}));
  // All positive: the range still starts at 0, so the zero point is 0.
  out = runContext(*context, {f32({2, 5, 8, 6, 1, 3})});
  EXPECT_EQ(out[2].as<uint8_t>(), (std::vector<uint8_t>{0}));
  EXPECT_EQ(out[0].as<uint8_t>(), (std::vector<uint8_t>{64, 159, 255, 191, 32, 96}));
}

// int32 (a quantized bias) computes in fp64: 2^24 + 1 - 1 would round to 2^24 - 1 in fp32.
TEST(OnnxElementwise, DequantizeLinearOfInt32KeepsLargeValues) {
  OnnxModel m(13);
  m.input("x", {1}, TensorProto::INT32)
      .constant<float>("scale", {}, TensorProto::FLOAT, {1})
      .constant<int32_t>("zp", {}, TensorProto::INT32, {1});
  m.node("DequantizeLinear", {"x", "scale", "zp"});
  m.output();
  EXPECT_EQ(m.run({HostTensor::i32({1}, {16777217})})[0].f32(), (std::vector<float>{16777216.0f}));
}

TEST(OnnxElementwise, QuantizationFormsKilnLacksAreReported) {
  OnnxModel perAxisAtOpset10(10);
  perAxisAtOpset10.input("x", {2, 2}).constant<float>("scale", {2}, TensorProto::FLOAT, {1, 2});
  perAxisAtOpset10.node("QuantizeLinear", {"x", "scale"});
  perAxisAtOpset10.output();
  expectImportError(perAxisAtOpset10, ErrorCode::kINVALID_GRAPH, "per axis");

  OnnxModel blocked(21);
  blocked.input("x", {2, 2}).constant<float>("scale", {2, 1}, TensorProto::FLOAT, {1, 2});
  setInt(blocked.node("QuantizeLinear", {"x", "scale"}), "block_size", 2);
  blocked.output();
  expectImportError(blocked, ErrorCode::kUNSUPPORTED, "block_size");
}

}  // namespace
}  // namespace kiln::test
