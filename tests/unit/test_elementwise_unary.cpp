// Unary: every float operation against <cmath> in double, integer abs/neg/sign, bool NOT, isinf/isnan, type rules.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "core/half.h"
#include "test_util.h"

namespace kiln::test {
namespace {

using U = UnaryOperation;

constexpr float kInf = std::numeric_limits<float>::infinity();

HostTensor runUnary(U op, const HostTensor& input) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", input.type, input.dims);
  UnaryLayer* unary = net.addUnary(*x, op);
  net.markOutput(*unary->getOutput(0));
  return buildAndRun(net, {input})[0];
}

// Round half to even, from the definition rather than the current FPU rounding mode.
double roundHalfEven(double x) {
  double r = std::floor(x), diff = x - r;
  if (diff > 0.5) return r + 1;
  if (diff < 0.5) return r;
  return std::fmod(r, 2.0) == 0 ? r : r + 1;
}

double sign(double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); }
double recip(double x) { return 1.0 / x; }
double negate(double x) { return -x; }

// ---- Every float operation ------------------------------------------------------------------------------------

struct FloatUnaryCase {
  const char* name;
  U op;
  double (*reference)(double);
  float lo, hi;              // input domain where the function is finite
  std::vector<float> extra;  // points of interest added to the random values
};

class UnaryFloatOp : public ::testing::TestWithParam<FloatUnaryCase> {};

TEST_P(UnaryFloatOp, MatchesCmathInDouble) {
  const FloatUnaryCase& c = GetParam();
  auto x = randomFloats(2 * 3 * 10 - c.extra.size(), static_cast<uint32_t>(c.op) + 100, c.lo, c.hi);
  x.insert(x.end(), c.extra.begin(), c.extra.end());
  HostTensor out = runUnary(c.op, HostTensor::f32({2, 3, 10}, x));
  ASSERT_EQ(out.type, DataType::kFLOAT);
  EXPECT_EQ(toString(out.dims), "2x3x10");
  std::vector<float> expected;
  for (float v : x) expected.push_back(static_cast<float>(c.reference(v)));
  expectNear(out.f32(), expected, 1e-6f, 1e-5f);
}

#define UNARY_CASE(NAME, OP, FN, LO, HI, ...)                                                 \
  FloatUnaryCase {                                                                            \
    NAME, U::OP, [](double v) { return static_cast<double>(FN(v)); }, LO, HI, { __VA_ARGS__ } \
  }

INSTANTIATE_TEST_SUITE_P(
    AllFloatOps, UnaryFloatOp,
    ::testing::Values(
        UNARY_CASE("Exp", kEXP, std::exp, -5, 5, 0), UNARY_CASE("Log", kLOG, std::log, 0.01f, 10, 1),
        UNARY_CASE("Sqrt", kSQRT, std::sqrt, 0, 10, 0, 4), UNARY_CASE("Recip", kRECIP, recip, 0.1f, 4, -0.5f, -3),
        UNARY_CASE("Abs", kABS, std::fabs, -5, 5, -0.0f), UNARY_CASE("Neg", kNEG, negate, -5, 5, 0),
        UNARY_CASE("Sin", kSIN, std::sin, -10, 10, 0), UNARY_CASE("Cos", kCOS, std::cos, -10, 10, 0),
        UNARY_CASE("Tan", kTAN, std::tan, -1.4f, 1.4f, 0), UNARY_CASE("Sinh", kSINH, std::sinh, -5, 5, 0),
        UNARY_CASE("Cosh", kCOSH, std::cosh, -5, 5, 0), UNARY_CASE("Asin", kASIN, std::asin, -1, 1, -1, 1),
        UNARY_CASE("Acos", kACOS, std::acos, -1, 1, -1, 1), UNARY_CASE("Atan", kATAN, std::atan, -10, 10, 0),
        UNARY_CASE("Asinh", kASINH, std::asinh, -10, 10, 0), UNARY_CASE("Acosh", kACOSH, std::acosh, 1, 10, 1),
        UNARY_CASE("Atanh", kATANH, std::atanh, -0.99f, 0.99f, 0),
        UNARY_CASE("Ceil", kCEIL, std::ceil, -5, 5, -2.5f, -0.5f, 2),
        UNARY_CASE("Floor", kFLOOR, std::floor, -5, 5, -2.5f, -0.5f, 2), UNARY_CASE("Erf", kERF, std::erf, -3, 3, 0),
        UNARY_CASE("Sign", kSIGN, sign, -2, 2, 0, -0.0f),
        UNARY_CASE("Round", kROUND, roundHalfEven, -5, 5, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f)),
    [](const auto& info) { return std::string(info.param.name); });

#undef UNARY_CASE

// ---- Hand-computed and special values ------------------------------------------------------------------------

TEST(UnaryValues, RoundIsHalfToEvenCeilFloorToward) {
  HostTensor x = HostTensor::f32({6}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f});
  EXPECT_EQ(runUnary(U::kROUND, x).f32(), (std::vector<float>{0, 2, 2, -0, -2, 2}));
  EXPECT_EQ(runUnary(U::kCEIL, x).f32(), (std::vector<float>{1, 2, 3, -0, -1, 3}));
  EXPECT_EQ(runUnary(U::kFLOOR, x).f32(), (std::vector<float>{0, 1, 2, -1, -2, 2}));
}

TEST(UnaryValues, OutOfDomainGivesIeeeSpecials) {
  HostTensor zeroAndNegative = HostTensor::f32({2}, {0, -1});
  auto log = runUnary(U::kLOG, zeroAndNegative).f32();
  EXPECT_EQ(log[0], -kInf);
  EXPECT_TRUE(std::isnan(log[1]));
  auto sqrt = runUnary(U::kSQRT, zeroAndNegative).f32();
  EXPECT_EQ(sqrt[0], 0.0f);
  EXPECT_TRUE(std::isnan(sqrt[1]));
  auto recip = runUnary(U::kRECIP, HostTensor::f32({2}, {0.0f, -0.0f})).f32();
  EXPECT_EQ(recip[0], kInf);
  EXPECT_EQ(recip[1], -kInf);
  EXPECT_TRUE(std::isnan(runUnary(U::kASIN, HostTensor::f32({1}, {2})).f32()[0]));
  EXPECT_EQ(runUnary(U::kATANH, HostTensor::f32({1}, {1})).f32()[0], kInf);
  EXPECT_EQ(runUnary(U::kEXP, HostTensor::f32({2}, {-kInf, 0})).f32(), (std::vector<float>{0, 1}));
}

TEST(UnaryValues, IsInfAndIsNanProduceBool) {
  HostTensor x = HostTensor::f32({2, 3}, {1, kInf, -kInf, NAN, 0, -3.5f});
  HostTensor inf = runUnary(U::kISINF, x), nan = runUnary(U::kISNAN, x);
  ASSERT_EQ(inf.type, DataType::kBOOL);
  ASSERT_EQ(nan.type, DataType::kBOOL);
  EXPECT_EQ(toString(inf.dims), "2x3");
  EXPECT_EQ(inf.as<uint8_t>(), (std::vector<uint8_t>{0, 1, 1, 0, 0, 0}));
  EXPECT_EQ(nan.as<uint8_t>(), (std::vector<uint8_t>{0, 0, 0, 1, 0, 0}));
}

TEST(UnaryValues, NotOnBool) {
  HostTensor out = runUnary(U::kNOT, boolTensor({2, 2}, {0, 1, 1, 0}));
  ASSERT_EQ(out.type, DataType::kBOOL);
  EXPECT_EQ(out.as<uint8_t>(), (std::vector<uint8_t>{1, 0, 0, 1}));
}

// Integer abs/neg/sign keep the integer type (int64 values beyond int32 stay exact).
TEST(UnaryValues, IntegerAbsNegSign) {
  std::vector<int32_t> v32 = {-7, 0, 5, -1, 2147483647};
  EXPECT_EQ(runUnary(U::kABS, HostTensor::i32({5}, v32)).as<int32_t>(), (std::vector<int32_t>{7, 0, 5, 1, 2147483647}));
  EXPECT_EQ(runUnary(U::kNEG, HostTensor::i32({5}, v32)).as<int32_t>(),
            (std::vector<int32_t>{7, 0, -5, 1, -2147483647}));
  EXPECT_EQ(runUnary(U::kSIGN, HostTensor::i32({5}, v32)).as<int32_t>(), (std::vector<int32_t>{-1, 0, 1, -1, 1}));
  const int64_t big = int64_t{3} << 40;
  std::vector<int64_t> v64 = {-big, big, 0, -2};
  HostTensor abs = runUnary(U::kABS, HostTensor::i64({4}, v64));
  EXPECT_EQ(abs.type, DataType::kINT64);
  EXPECT_EQ(abs.as<int64_t>(), (std::vector<int64_t>{big, big, 0, 2}));
  EXPECT_EQ(runUnary(U::kNEG, HostTensor::i64({4}, v64)).as<int64_t>(), (std::vector<int64_t>{big, -big, 0, 2}));
  EXPECT_EQ(runUnary(U::kSIGN, HostTensor::i64({4}, v64)).as<int64_t>(), (std::vector<int64_t>{-1, 1, 0, -1}));
}

// int8 and uint8 too; negation wraps like numpy, so abs(-128) stays -128 in int8.
TEST(UnaryValues, SmallIntegerAbsNegSign) {
  std::vector<int8_t> s8 = {-128, -3, 0, 7, 127};
  auto run8 = [&](U op) {
    HostTensor out = runUnary(op, HostTensor::of(DataType::kINT8, {5}, s8));
    EXPECT_EQ(out.type, DataType::kINT8);
    return out.as<int8_t>();
  };
  EXPECT_EQ(run8(U::kABS), (std::vector<int8_t>{-128, 3, 0, 7, 127}));
  EXPECT_EQ(run8(U::kNEG), (std::vector<int8_t>{-128, 3, 0, -7, -127}));
  EXPECT_EQ(run8(U::kSIGN), (std::vector<int8_t>{-1, -1, 0, 1, 1}));
  std::vector<uint8_t> u8 = {0, 1, 200};
  EXPECT_EQ(runUnary(U::kABS, HostTensor::of(DataType::kUINT8, {3}, u8)).as<uint8_t>(), u8);
  EXPECT_EQ(runUnary(U::kSIGN, HostTensor::of(DataType::kUINT8, {3}, u8)).as<uint8_t>(),
            (std::vector<uint8_t>{0, 1, 1}));
}

TEST(UnaryValues, SignOfNanIsNan) {
  auto out = runUnary(U::kSIGN, HostTensor::f32({3}, {NAN, -kInf, kInf})).f32();
  EXPECT_TRUE(std::isnan(out[0]));
  EXPECT_EQ(out[1], -1.0f);
  EXPECT_EQ(out[2], 1.0f);
}

// fp64 computes in double (beyond fp32's precision); fp16 rounds the fp32 result once.
TEST(UnaryValues, DoubleAndHalfInputs) {
  std::vector<double> x = {0.1, 1.0 + 1e-12, 2.5, -3.75};
  for (U op : {U::kEXP, U::kSQRT, U::kSIN, U::kERF, U::kROUND, U::kABS}) {
    SCOPED_TRACE(static_cast<int>(op));
    std::vector<double> in = x;
    if (op == U::kSQRT) in[3] = 3.75;
    HostTensor out = runUnary(op, HostTensor::of(DataType::kDOUBLE, {4}, in));
    ASSERT_EQ(out.type, DataType::kDOUBLE);
    auto got = out.as<double>();
    for (size_t i = 0; i < in.size(); ++i) {
      double want = op == U::kEXP    ? std::exp(in[i])
                    : op == U::kSQRT ? std::sqrt(in[i])
                    : op == U::kSIN  ? std::sin(in[i])
                    : op == U::kERF  ? std::erf(in[i])
                    : op == U::kABS  ? std::fabs(in[i])
                                     : roundHalfEven(in[i]);
      EXPECT_DOUBLE_EQ(got[i], want) << i;
    }
  }
  std::vector<uint16_t> half = {core::floatToHalf(2.0f), core::floatToHalf(-0.5f), core::floatToHalf(65504.0f)};
  HostTensor neg = runUnary(U::kNEG, HostTensor::of(DataType::kHALF, {3}, half));
  ASSERT_EQ(neg.type, DataType::kHALF);
  auto n = neg.as<uint16_t>();
  EXPECT_EQ(core::halfToFloat(n[0]), -2.0f);
  EXPECT_EQ(core::halfToFloat(n[1]), 0.5f);
  EXPECT_EQ(core::halfToFloat(n[2]), -65504.0f);
  HostTensor isInf =
      runUnary(U::kISINF, HostTensor::of(DataType::kDOUBLE, {3}, std::vector<double>{1e308, -INFINITY, NAN}));
  EXPECT_EQ(isInf.as<uint8_t>(), (std::vector<uint8_t>{0, 1, 0}));
}

// NEG of a shape tensor folds into shape expressions; the values still come out right at run time.
TEST(UnaryValues, NegOfShapeValuesIsAShapeTensor) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 3});
  Tensor* shape = net.addShape(*x)->getOutput(0);
  UnaryLayer* neg = net.addUnary(*shape, U::kNEG);
  EXPECT_TRUE(neg->getOutput(0)->isShapeTensor());
  EXPECT_EQ(neg->getOutput(0)->getType(), DataType::kINT64);
  net.markOutput(*neg->getOutput(0));
  auto engine = buildWithProfile(net, profileFor("x", Dims{1, 3}, Dims{2, 3}, Dims{9, 3}));
  auto ctx = engine->createExecutionContext();
  for (int64_t n : {2, 9}) {
    auto out = runContext(*ctx, {HostTensor::f32({n, 3}, randomFloats(n * 3, 5))});
    EXPECT_EQ(out[0].as<int64_t>(), (std::vector<int64_t>{-n, -3}));
  }
}

// ---- Type rules name the layer ----------------------------------------------------------------------------------

TEST(UnaryErrors, TypeRulesNameTheLayerAndKeepTheOldOperation) {
  NetworkDefinition net;
  Tensor* f = net.addInput("f", DataType::kFLOAT, Dims{2});
  Tensor* i = net.addInput("i", DataType::kINT32, Dims{2});
  Tensor* b = net.addInput("b", DataType::kBOOL, Dims{2});
  UnaryLayer* onFloat = net.addUnary(*f, U::kEXP);
  onFloat->setName("u_float");
  UnaryLayer* onInt = net.addUnary(*i, U::kABS);
  onInt->setName("u_int");
  UnaryLayer* onBool = net.addUnary(*b, U::kNOT);
  onBool->setName("u_bool");
  expectRejected(
      onFloat, [&] { onFloat->setOperation(U::kNOT); }, "NOT on float");
  expectRejected(
      onInt, [&] { onInt->setOperation(U::kEXP); }, "EXP on int32");
  expectRejected(
      onInt, [&] { onInt->setOperation(U::kISNAN); }, "ISNAN on int32");
  expectRejected(
      onBool, [&] { onBool->setOperation(U::kABS); }, "ABS on bool");
  expectRejected(
      onBool, [&] { onBool->setOperation(U::kSIGN); }, "SIGN on bool");
  EXPECT_EQ(onFloat->getOperation(), U::kEXP);
  EXPECT_EQ(onInt->getOperation(), U::kABS);
  EXPECT_EQ(onBool->getOperation(), U::kNOT);
}

}  // namespace
}  // namespace kiln::test
