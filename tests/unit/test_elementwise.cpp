// ElementWise: numpy broadcasting, float/integer/comparison/logical semantics, shape errors naming the layer.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "core/half.h"
#include "test_util.h"

namespace kiln::test {
namespace {

using E = ElementWiseOperation;

// ---- Independent references -----------------------------------------------------------------------------------

// Numpy broadcast of two shapes, aligned on the right (assumes they are compatible).
Dims broadcastReference(const Dims& a, const Dims& b) {
  Dims out;
  out.nbDims = std::max(a.nbDims, b.nbDims);
  for (int32_t i = 0; i < out.nbDims; ++i) {
    int32_t ia = i - (out.nbDims - a.nbDims), ib = i - (out.nbDims - b.nbDims);
    int64_t da = ia >= 0 ? a.d[ia] : 1, db = ib >= 0 ? b.d[ib] : 1;
    out.d[i] = da == 1 ? db : da;
  }
  return out;
}

// Flat index into `in` of output coordinate `coord` (size-1 and missing axes read index 0).
int64_t sourceIndex(const Dims& in, const Dims& out, const std::vector<int64_t>& coord) {
  int64_t index = 0;
  for (int32_t i = 0; i < in.nbDims; ++i) {
    int32_t o = i + (out.nbDims - in.nbDims);
    index = index * in.d[i] + (in.d[i] == 1 ? 0 : coord[o]);
  }
  return index;
}

// out[i] = f(a[..], b[..]) over the broadcast shape, plain loops.
template <typename R, typename T, typename F>
std::vector<R> referenceBinary(const std::vector<T>& a, const Dims& da, const std::vector<T>& b, const Dims& db, F f) {
  Dims out = broadcastReference(da, db);
  std::vector<R> result;
  std::vector<int64_t> coord(out.nbDims);
  for (int64_t flat = 0; flat < out.volume(); ++flat) {
    int64_t rem = flat;
    for (int32_t i = out.nbDims - 1; i >= 0; --i) {
      coord[i] = rem % out.d[i];
      rem /= out.d[i];
    }
    result.push_back(static_cast<R>(f(a[sourceIndex(da, out, coord)], b[sourceIndex(db, out, coord)])));
  }
  return result;
}

// ---- Network helpers -------------------------------------------------------------------------------------------

// A network computing op(a, b) from two inputs of the given types and shapes.
struct BinaryNet {
  std::unique_ptr<NetworkDefinition> net = std::make_unique<NetworkDefinition>();
  ElementWiseLayer* layer = nullptr;

  BinaryNet(E op, DataType type, const Dims& da, const Dims& db) {
    Tensor* a = net->addInput("a", type, da);
    Tensor* b = net->addInput("b", type, db);
    layer = net->addElementWise(*a, *b, op);
    layer->setName("binary");
    layer->getOutput(0)->setName("out");
    net->markOutput(*layer->getOutput(0));
  }
};

HostTensor runBinary(E op, const HostTensor& a, const HostTensor& b) {
  BinaryNet n(op, a.type, a.dims, b.dims);
  auto out = buildAndRun(*n.net, {a, b});
  return out.at(0);
}

// ---- Float arithmetic and comparisons, one instantiation per operation -------------------------------------------

struct FloatOpCase {
  const char* name;
  E op;
  double (*reference)(double, double);
  bool positiveBase;  // pow needs a > 0 for fractional exponents
};

double pyMod(double a, double b) { return a - std::floor(a / b) * b; }
double maxNan(double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b); }
double minNan(double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b); }

class ElementWiseFloatOp : public ::testing::TestWithParam<FloatOpCase> {};

TEST_P(ElementWiseFloatOp, MatchesReferenceWithBroadcast) {
  const FloatOpCase& c = GetParam();
  Dims da{2, 3, 4}, db{3, 1};
  auto a = randomFloats(24, 11, c.positiveBase ? 0.1f : -3.0f, 3.0f);
  auto b = randomFloats(3, 12, 0.5f, 2.0f);
  if (!c.positiveBase) b[1] = -b[1];  // a negative divisor exercises the sign rules
  HostTensor out = runBinary(c.op, HostTensor::f32(da, a), HostTensor::f32(db, b));
  EXPECT_EQ(toString(out.dims), "2x3x4");
  ASSERT_EQ(out.type, DataType::kFLOAT);
  auto expected = referenceBinary<float>(a, da, b, db, c.reference);
  expectNear(out.f32(), expected, 1e-5f, 1e-5f);
}

INSTANTIATE_TEST_SUITE_P(
    Ops, ElementWiseFloatOp,
    ::testing::Values(FloatOpCase{"Sum", E::kSUM, [](double x, double y) { return x + y; }, false},
                      FloatOpCase{"Sub", E::kSUB, [](double x, double y) { return x - y; }, false},
                      FloatOpCase{"Prod", E::kPROD, [](double x, double y) { return x * y; }, false},
                      FloatOpCase{"Div", E::kDIV, [](double x, double y) { return x / y; }, false},
                      FloatOpCase{"Max", E::kMAX, maxNan, false}, FloatOpCase{"Min", E::kMIN, minNan, false},
                      FloatOpCase{"Pow", E::kPOW, [](double x, double y) { return std::pow(x, y); }, true},
                      FloatOpCase{"FloorDiv", E::kFLOOR_DIV, [](double x, double y) { return std::floor(x / y); },
                                  false},
                      FloatOpCase{"Mod", E::kMOD, pyMod, false},
                      FloatOpCase{"Fmod", E::kFMOD, [](double x, double y) { return std::fmod(x, y); }, false}),
    [](const auto& info) { return std::string(info.param.name); });

struct CompareCase {
  const char* name;
  E op;
  bool (*reference)(double, double);
};

class ElementWiseComparison : public ::testing::TestWithParam<CompareCase> {};

TEST_P(ElementWiseComparison, ProducesBoolForFloatAndInt) {
  const CompareCase& c = GetParam();
  // Float, with ties and a NaN (which compares false with everything).
  std::vector<float> a = {1, 2, 3, NAN, -1, 2}, b = {2, 2, 2};
  HostTensor out = runBinary(c.op, HostTensor::f32({2, 3}, a), HostTensor::f32({3}, b));
  ASSERT_EQ(out.type, DataType::kBOOL);
  EXPECT_EQ(toString(out.dims), "2x3");
  EXPECT_EQ(out.as<uint8_t>(), (referenceBinary<uint8_t>(a, Dims{2, 3}, b, Dims{3}, c.reference)));
  // Int32, broadcasting a column against a row.
  std::vector<int32_t> ia = {-5, 0, 7}, ib = {0, 7, -5, 3};
  HostTensor iout = runBinary(c.op, HostTensor::i32({3, 1}, ia), HostTensor::i32({1, 4}, ib));
  ASSERT_EQ(iout.type, DataType::kBOOL);
  EXPECT_EQ(iout.as<uint8_t>(), (referenceBinary<uint8_t>(ia, Dims{3, 1}, ib, Dims{1, 4}, c.reference)));
}

INSTANTIATE_TEST_SUITE_P(Ops, ElementWiseComparison,
                         ::testing::Values(CompareCase{"Equal", E::kEQUAL, [](double x, double y) { return x == y; }},
                                           CompareCase{"Greater", E::kGREATER,
                                                       [](double x, double y) { return x > y; }},
                                           CompareCase{"Less", E::kLESS, [](double x, double y) { return x < y; }}),
                         [](const auto& info) { return std::string(info.param.name); });

// ---- Broadcasting shapes ---------------------------------------------------------------------------------------

struct BroadcastCase {
  const char* name;
  Dims a, b;
  const char* expected;
};

class ElementWiseBroadcast : public ::testing::TestWithParam<BroadcastCase> {};

// SUB is not commutative, so a swapped operand order would show.
TEST_P(ElementWiseBroadcast, SubtractMatchesNumpy) {
  const BroadcastCase& c = GetParam();
  auto a = randomFloats(c.a.volume(), 21), b = randomFloats(c.b.volume(), 22);
  BinaryNet n(E::kSUB, DataType::kFLOAT, c.a, c.b);
  EXPECT_EQ(toString(n.layer->getOutput(0)->getDimensions()), c.expected);  // inferred at build time
  auto out = buildAndRun(*n.net, {HostTensor::f32(c.a, a), HostTensor::f32(c.b, b)});
  EXPECT_EQ(toString(out[0].dims), c.expected);
  expectNear(out[0].f32(), referenceBinary<float>(a, c.a, b, c.b, [](double x, double y) { return x - y; }), 1e-6f);
}

INSTANTIATE_TEST_SUITE_P(Shapes, ElementWiseBroadcast,
                         ::testing::Values(BroadcastCase{"SameShape", {2, 3}, {2, 3}, "2x3"},
                                           BroadcastCase{"ScalarRight", {2, 3}, {}, "2x3"},
                                           BroadcastCase{"ScalarLeft", {}, {2, 3}, "2x3"},
                                           BroadcastCase{"Row", {3, 4}, {1, 4}, "3x4"},
                                           BroadcastCase{"Column", {3, 4}, {3, 1}, "3x4"},
                                           BroadcastCase{"RankMismatch", {2, 3, 4}, {4}, "2x3x4"},
                                           BroadcastCase{"RankMismatchLeft", {3, 1}, {2, 1, 4}, "2x3x4"},
                                           BroadcastCase{"BothSides", {2, 1, 3, 1}, {1, 4, 1, 5}, "2x4x3x5"}),
                         [](const auto& info) { return std::string(info.param.name); });

// Dynamic dims on both sides: which side broadcasts is only known at run time.
TEST(ElementWiseDynamic, ProfileRangeRunsAtTwoShapes) {
  BinaryNet n(E::kSUB, DataType::kFLOAT, Dims{-1, -1}, Dims{-1, 1});
  EXPECT_EQ(toString(n.layer->getOutput(0)->getDimensions()), "-1x-1");
  OptimizationProfile profile;
  setRange(profile, "a", {1, 1}, {2, 3}, {4, 5});
  setRange(profile, "b", {1, 1}, {2, 1}, {4, 1});
  auto engine = buildWithProfile(*n.net, profile);
  EXPECT_EQ(toString(engine->getTensorShape("out")), "-1x-1");
  auto ctx = engine->createExecutionContext();
  // Ordered so that setting `a` first never meets an incompatible `b` left from the previous run.
  for (auto [da, db] : {std::pair<Dims, Dims>{{2, 3}, {2, 1}}, {{1, 5}, {4, 1}}, {{4, 5}, {1, 1}}}) {
    SCOPED_TRACE(toString(da) + " - " + toString(db));
    auto a = randomFloats(da.volume(), 31), b = randomFloats(db.volume(), 32);
    auto out = runContext(*ctx, {HostTensor::f32(da, a), HostTensor::f32(db, b)});
    EXPECT_EQ(toString(out[0].dims), toString(broadcastReference(da, db)));
    expectNear(out[0].f32(), referenceBinary<float>(a, da, b, db, [](double x, double y) { return x - y; }), 1e-6f);
  }
}

TEST(ElementWiseDynamic, IncompatibleRunTimeShapesAreRejectedNamingTheLayer) {
  BinaryNet n(E::kSUM, DataType::kFLOAT, Dims{-1}, Dims{-1});
  OptimizationProfile profile;
  setRange(profile, "a", {1}, {4}, {4});
  setRange(profile, "b", {1}, {4}, {4});
  auto engine = buildWithProfile(*n.net, profile);
  auto ctx = engine->createExecutionContext();
  ASSERT_TRUE(ctx->setInputShape("a", Dims{3}).isOk());
  ASSERT_TRUE(ctx->setInputShape("b", Dims{4}).isOk());  // checked against the other input when resolved
  Status st = ctx->inferShapes();
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.error().code(), ErrorCode::kSHAPE_OUT_OF_RANGE);
  EXPECT_EQ(st.error().object(), n.layer->getName());
  // A compatible pair is still accepted afterwards.
  EXPECT_TRUE(ctx->setInputShape("b", Dims{1}).isOk());
  EXPECT_EQ(toString(ctx->getTensorShape("out")), "3");
}

// Numpy: a 0-sized axis broadcast against 1 stays 0 (the output is empty), whether known now or at run time.
TEST(ElementWiseDynamic, ZeroSizedAxisBroadcastsToZero) {
  BinaryNet fixed(E::kSUM, DataType::kFLOAT, Dims{0, 3}, Dims{1, 3});
  EXPECT_EQ(toString(fixed.layer->getOutput(0)->getDimensions()), "0x3");
  BinaryNet n(E::kSUM, DataType::kFLOAT, Dims{-1}, Dims{-1});
  OptimizationProfile profile;
  setRange(profile, "a", {0}, {1}, {4});
  setRange(profile, "b", {0}, {1}, {4});
  auto engine = buildWithProfile(*n.net, profile);
  auto ctx = engine->createExecutionContext();
  ASSERT_TRUE(ctx->setInputShape("a", Dims{0}).isOk());
  ASSERT_TRUE(ctx->setInputShape("b", Dims{1}).isOk());
  EXPECT_EQ(toString(ctx->getTensorShape("out")), "0");
  ASSERT_TRUE(ctx->setInputShape("a", Dims{1}).isOk());
  ASSERT_TRUE(ctx->setInputShape("b", Dims{0}).isOk());
  EXPECT_EQ(toString(ctx->getTensorShape("out")), "0");
}

// ---- Shape errors name the layer --------------------------------------------------------------------------------

TEST(ElementWiseErrors, BroadcastingThreeAgainstFourNamesTheLayerAndKeepsTheOldInput) {
  NetworkDefinition net;
  Tensor* a = net.addInput("a", DataType::kFLOAT, Dims{2, 3});
  Tensor* b = net.addInput("b", DataType::kFLOAT, Dims{3});
  Tensor* c = net.addInput("c", DataType::kFLOAT, Dims{4});
  ElementWiseLayer* layer = net.addElementWise(*a, *b, E::kSUM);
  layer->setName("add_bias");
  try {
    layer->setInput(1, *c);
    FAIL() << "3 vs 4 must not broadcast";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
    EXPECT_EQ(e.object(), layer->getName());
    EXPECT_NE(e.message().find("3 and 4"), std::string::npos) << e.what();
  }
  EXPECT_EQ(layer->getInput(1), b);
  EXPECT_EQ(toString(layer->getOutput(0)->getDimensions()), "2x3");
}

TEST(ElementWiseErrors, RejectedAddLeavesTheNetworkUnchanged) {
  NetworkDefinition net;
  Tensor* a = net.addInput("a", DataType::kFLOAT, Dims{5, 3});
  Tensor* b = net.addInput("b", DataType::kFLOAT, Dims{5, 4});
  try {
    net.addElementWise(*a, *b, E::kPROD);
    FAIL() << "3 vs 4 must not broadcast";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
    EXPECT_EQ(e.object(), "ElementWise_0");  // the default name the rejected layer would have had
  }
  EXPECT_EQ(net.getNbLayers(), 0);
}

TEST(ElementWiseErrors, TypeRulesNameTheLayer) {
  NetworkDefinition net;
  Tensor* f = net.addInput("f", DataType::kFLOAT, Dims{2});
  Tensor* i = net.addInput("i", DataType::kINT32, Dims{2});
  Tensor* p = net.addInput("p", DataType::kBOOL, Dims{2});
  Tensor* q = net.addInput("q", DataType::kBOOL, Dims{2});
  ElementWiseLayer* layer = net.addElementWise(*p, *q, E::kAND);
  layer->setName("logic");
  expectRejected(
      "logic", [&] { layer->setInput(0, *f); }, "mixed bool and float");
  expectRejected(
      "logic", [&] { layer->setOperation(E::kSUM); }, "arithmetic on bool");
  expectRejected(
      "logic", [&] { layer->setOperation(E::kGREATER); }, "ordering of bool");
  EXPECT_EQ(layer->getOperation(), E::kAND);  // the rejected settings were rolled back
  EXPECT_EQ(layer->getInput(0), p);
  ElementWiseLayer* ints = net.addElementWise(*i, *i, E::kSUM);
  ints->setName("ints");
  try {
    ints->setOperation(E::kOR);
    ADD_FAILURE() << "logical op on int32 accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.object(), "ints");
  }
  layer->setOperation(E::kEQUAL);  // equality is defined on bool
  EXPECT_EQ(layer->getOutput(0)->getType(), DataType::kBOOL);
}

// ---- Float semantics, hand-computed --------------------------------------------------------------------------------

TEST(ElementWiseFloat, FloorDivModAndFmodSignRules) {
  HostTensor a = HostTensor::f32({5}, {7, -7, 7, -7, 5.5f}), b = HostTensor::f32({5}, {2, 2, -2, -2, 2});
  EXPECT_EQ(runBinary(E::kFLOOR_DIV, a, b).f32(), (std::vector<float>{3, -4, -4, 3, 2}));
  EXPECT_EQ(runBinary(E::kMOD, a, b).f32(), (std::vector<float>{1, 1, -1, -1, 1.5f}));   // sign of the divisor
  EXPECT_EQ(runBinary(E::kFMOD, a, b).f32(), (std::vector<float>{1, -1, 1, -1, 1.5f}));  // sign of the dividend
  EXPECT_EQ(runBinary(E::kDIV, a, b).f32(), (std::vector<float>{3.5f, -3.5f, -3.5f, 3.5f, 2.75f}));
}

TEST(ElementWiseFloat, DivisionByZeroFollowsIeee) {
  HostTensor out = runBinary(E::kDIV, HostTensor::f32({3}, {1, -1, 0}), HostTensor::f32({}, {0.0f}));
  auto v = out.f32();
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0], std::numeric_limits<float>::infinity());
  EXPECT_EQ(v[1], -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(v[2]));
}

TEST(ElementWiseFloat, MaxAndMinPropagateNan) {
  HostTensor a = HostTensor::f32({3}, {NAN, 1, 2}), b = HostTensor::f32({3}, {1, NAN, 3});
  auto mx = runBinary(E::kMAX, a, b).f32(), mn = runBinary(E::kMIN, a, b).f32();
  EXPECT_TRUE(std::isnan(mx[0]) && std::isnan(mx[1]));
  EXPECT_TRUE(std::isnan(mn[0]) && std::isnan(mn[1]));
  EXPECT_EQ(mx[2], 3.0f);
  EXPECT_EQ(mn[2], 2.0f);
}

// ---- Integers -------------------------------------------------------------------------------------------------

// Runs `op` on the same small integer vectors as int32 and as int64 and checks both against `expected`.
void expectIntOp(E op, const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                 const std::vector<int64_t>& expected) {
  Dims d{static_cast<int64_t>(a.size())};
  std::vector<int32_t> a32(a.begin(), a.end()), b32(b.begin(), b.end());
  auto out32 = runBinary(op, HostTensor::i32(d, a32), HostTensor::i32(d, b32));
  EXPECT_EQ(out32.type, DataType::kINT32);
  EXPECT_EQ(out32.as<int32_t>(), std::vector<int32_t>(expected.begin(), expected.end())) << "int32";
  auto out64 = runBinary(op, HostTensor::i64(d, a), HostTensor::i64(d, b));
  EXPECT_EQ(out64.type, DataType::kINT64);
  EXPECT_EQ(out64.as<int64_t>(), expected) << "int64";
}

const std::vector<int64_t> kDividends = {7, -7, 7, -7, 6, -6, 0, 1};
const std::vector<int64_t> kDivisors = {2, 2, -2, -2, 3, 3, 5, -5};

TEST(ElementWiseInt, DivTruncatesTowardZero) {
  expectIntOp(E::kDIV, kDividends, kDivisors, {3, -3, -3, 3, 2, -2, 0, 0});
}

TEST(ElementWiseInt, FloorDivRoundsTowardNegativeInfinity) {
  expectIntOp(E::kFLOOR_DIV, kDividends, kDivisors, {3, -4, -4, 3, 2, -2, 0, -1});
}

TEST(ElementWiseInt, ModTakesTheSignOfTheDivisorFmodOfTheDividend) {
  expectIntOp(E::kMOD, kDividends, kDivisors, {1, 1, -1, -1, 0, 0, 0, -4});
  expectIntOp(E::kFMOD, kDividends, kDivisors, {1, -1, 1, -1, 0, 0, 0, 1});
}

TEST(ElementWiseInt, ArithmeticPowMaxMin) {
  std::vector<int64_t> a = {3, -2, 5, 0, -4}, b = {4, 3, 0, 2, -1};
  expectIntOp(E::kSUM, a, b, {7, 1, 5, 2, -5});
  expectIntOp(E::kSUB, a, b, {-1, -5, 5, -2, -3});
  expectIntOp(E::kPROD, a, b, {12, -6, 0, 0, 4});
  expectIntOp(E::kMAX, a, b, {4, 3, 5, 2, -1});
  expectIntOp(E::kMIN, a, b, {3, -2, 0, 0, -4});
  expectIntOp(E::kPOW, {3, -2, 5, 0, 1}, {4, 3, 0, 2, 7}, {81, -8, 1, 0, 1});
}

TEST(ElementWiseInt, Int64KeepsValuesBeyondInt32AndBroadcasts) {
  const int64_t big = int64_t{1} << 40;
  std::vector<int64_t> a = {big + 1, -big - 1, 3 * big, -7}, b = {5, -3};
  Dims da{2, 2}, db{2};
  auto check = [&](E op, auto f) {
    SCOPED_TRACE(static_cast<int>(op));
    auto out = runBinary(op, HostTensor::i64(da, a), HostTensor::i64(db, b));
    EXPECT_EQ(out.as<int64_t>(), (referenceBinary<int64_t>(a, da, b, db, f)));
  };
  auto floorDiv = [](int64_t x, int64_t y) {
    int64_t q = x / y;
    return (x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q;
  };
  check(E::kSUM, [](int64_t x, int64_t y) { return x + y; });
  check(E::kPROD, [](int64_t x, int64_t y) { return x * y; });
  check(E::kFLOOR_DIV, floorDiv);
  check(E::kMOD, [&](int64_t x, int64_t y) { return x - floorDiv(x, y) * y; });
  check(E::kDIV, [](int64_t x, int64_t y) { return x / y; });
}

// The same truncating division whether the operands are inputs or small constants (whose values the builder
// tracks for shape arithmetic).
TEST(ElementWiseInt, DivTruncatesForConstantOperandsToo) {
  NetworkDefinition net;
  std::vector<int64_t> a = {-7, 7, 7, -7}, b = {2, -2, 2, -2};
  Tensor* ca = int64Constant(net, a);
  Tensor* cb = int64Constant(net, b);
  ElementWiseLayer* div = net.addElementWise(*ca, *cb, E::kDIV);
  net.markOutput(*div->getOutput(0));
  auto out = buildAndRun(net, {});
  EXPECT_EQ(out[0].as<int64_t>(), (std::vector<int64_t>{-3, -3, 3, 3}));
}

// Integer division by zero gives 0, as numpy's (C leaves it undefined and x86 traps); the quotient and the remainder
// of the other elements are untouched.
TEST(ElementWiseInt, DivisionByZeroGivesZeroLikeNumpy) {
  for (E op : {E::kDIV, E::kFLOOR_DIV, E::kMOD, E::kFMOD}) {
    SCOPED_TRACE(static_cast<int>(op));
    bool quotient = op == E::kDIV || op == E::kFLOOR_DIV;
    auto out32 = runBinary(op, HostTensor::i32({3}, {7, -7, 7}), HostTensor::i32({3}, {0, 0, 2}));
    EXPECT_EQ(out32.as<int32_t>(), (std::vector<int32_t>{0, 0, quotient ? 3 : 1}));
    auto out64 =
        runBinary(op, HostTensor::i64({2}, {std::numeric_limits<int64_t>::min(), 9}), HostTensor::i64({2}, {0, 4}));
    EXPECT_EQ(out64.as<int64_t>(), (std::vector<int64_t>{0, quotient ? 2 : 1}));
  }
}

// INT_MIN / -1 overflows; x86 raises SIGFPE for it. kiln gives numpy's wrapped result instead: INT_MIN for the
// quotients, 0 for the remainders.
TEST(ElementWiseInt, OverflowingDivisionWrapsLikeNumpy) {
  for (E op : {E::kDIV, E::kFLOOR_DIV, E::kMOD, E::kFMOD}) {
    SCOPED_TRACE(static_cast<int>(op));
    BinaryNet n(op, DataType::kINT32, Dims{2}, Dims{2});
    auto engine = buildEngine(*n.net, BuilderConfig{});
    auto ctx = engine->createExecutionContext();
    std::vector<HostTensor> inputs = {HostTensor::i32({2}, {std::numeric_limits<int32_t>::min(), 7}),
                                      HostTensor::i32({2}, {-1, -1})};
    HostTensor out = bindInputsAndOutput(*ctx, inputs, {"a", "b"}, "out", DataType::kINT32);
    ASSERT_TRUE(ctx->executeV2().isOk());
    bool quotient = op == E::kDIV || op == E::kFLOOR_DIV;
    std::vector<int32_t> expected = {std::numeric_limits<int32_t>::min(), -7};
    if (!quotient) expected = {0, 0};
    EXPECT_EQ(out.as<int32_t>(), expected);
  }
}

// Powers by squaring: huge exponents finish at once, overflow wraps like numpy, negative exponents truncate.
TEST(ElementWiseInt, PowWrapsAndHandlesLargeAndNegativeExponents) {
  const int64_t huge = int64_t{1} << 60;
  auto pow64 = runBinary(E::kPOW, HostTensor::i64({6}, {2, 3, -1, 1, 2, -1}),
                         HostTensor::i64({6}, {64, 40, huge + 1, huge, -1, -3}));
  EXPECT_EQ(pow64.as<int64_t>(),
            (std::vector<int64_t>{0, static_cast<int64_t>(12157665459056928801ull), -1, 1, 0, -1}));
  auto pow32 = runBinary(E::kPOW, HostTensor::i32({2}, {2, -2}), HostTensor::i32({2}, {31, 33}));
  EXPECT_EQ(pow32.as<int32_t>(), (std::vector<int32_t>{std::numeric_limits<int32_t>::min(), 0}));
}

// int8 and uint8 arithmetic wraps modulo 256, as numpy's; comparisons give bool.
TEST(ElementWiseInt, SmallIntegersWrap) {
  auto u8 = [](std::vector<uint8_t> v) {
    return HostTensor::of(DataType::kUINT8, {static_cast<int64_t>(v.size())}, v);
  };
  auto i8 = [](std::vector<int8_t> v) { return HostTensor::of(DataType::kINT8, {static_cast<int64_t>(v.size())}, v); };
  EXPECT_EQ(runBinary(E::kSUM, u8({200, 1}), u8({100, 2})).as<uint8_t>(), (std::vector<uint8_t>{44, 3}));
  EXPECT_EQ(runBinary(E::kSUB, u8({3, 9}), u8({5, 2})).as<uint8_t>(), (std::vector<uint8_t>{254, 7}));
  EXPECT_EQ(runBinary(E::kPROD, u8({16, 7}), u8({17, 3})).as<uint8_t>(), (std::vector<uint8_t>{16, 21}));
  EXPECT_EQ(runBinary(E::kDIV, u8({255, 7}), u8({16, 2})).as<uint8_t>(), (std::vector<uint8_t>{15, 3}));
  EXPECT_EQ(runBinary(E::kSUM, i8({100, -100}), i8({100, -100})).as<int8_t>(), (std::vector<int8_t>{-56, 56}));
  EXPECT_EQ(runBinary(E::kMOD, i8({-7, 7}), i8({3, -3})).as<int8_t>(), (std::vector<int8_t>{2, -2}));
  EXPECT_EQ(runBinary(E::kMAX, i8({-128, 5}), i8({127, -5})).as<int8_t>(), (std::vector<int8_t>{127, 5}));
  HostTensor gt = runBinary(E::kGREATER, u8({200, 3}), u8({100, 3}));
  EXPECT_EQ(gt.type, DataType::kBOOL);
  EXPECT_EQ(gt.as<uint8_t>(), (std::vector<uint8_t>{1, 0}));
}

// fp16 and bf16 compute in fp32 and round each result once (ONNX Max/Min/Mod on float16).
TEST(ElementWiseFloat, HalfAndBf16UseFp32Semantics) {
  struct Format {
    DataType type;
    uint16_t (*toBits)(float);
    float (*fromBits)(uint16_t);
  };
  for (const Format& f : {Format{DataType::kHALF, core::floatToHalf, core::halfToFloat},
                          Format{DataType::kBF16, core::floatToBf16, core::bf16ToFloat}}) {
    SCOPED_TRACE(dataTypeName(f.type));
    auto tensor = [&](std::vector<float> v) {
      std::vector<uint16_t> bits;
      for (float x : v) bits.push_back(f.toBits(x));
      return HostTensor::of(f.type, {static_cast<int64_t>(v.size())}, bits);
    };
    auto values = [&](const HostTensor& t) {
      EXPECT_EQ(t.type, f.type);
      std::vector<float> v;
      for (uint16_t b : t.as<uint16_t>()) v.push_back(f.fromBits(b));
      return v;
    };
    HostTensor a = tensor({-4.5f, 3, NAN, 7}), b = tensor({2, -2, 1, 0.5f});
    auto mx = values(runBinary(E::kMAX, a, b));
    EXPECT_EQ(mx[0], 2.0f);
    EXPECT_EQ(mx[1], 3.0f);
    EXPECT_TRUE(std::isnan(mx[2]));
    EXPECT_EQ(values(runBinary(E::kFMOD, a, b))[0], -0.5f);
    EXPECT_EQ(values(runBinary(E::kMOD, a, b))[0], 1.5f);
    EXPECT_EQ(values(runBinary(E::kPROD, a, b))[3], 3.5f);
    EXPECT_EQ(runBinary(E::kLESS, a, b).as<uint8_t>(), (std::vector<uint8_t>{1, 0, 0, 0}));
  }
}

// ---- Bool ------------------------------------------------------------------------------------------------------

TEST(ElementWiseBool, LogicalOpsTruthTables) {
  HostTensor p = boolTensor({4}, {0, 0, 1, 1}), q = boolTensor({4}, {0, 1, 0, 1});
  auto run = [&](E op) {
    HostTensor out = runBinary(op, p, q);
    EXPECT_EQ(out.type, DataType::kBOOL);
    return out.as<uint8_t>();
  };
  EXPECT_EQ(run(E::kAND), (std::vector<uint8_t>{0, 0, 0, 1}));
  EXPECT_EQ(run(E::kOR), (std::vector<uint8_t>{0, 1, 1, 1}));
  EXPECT_EQ(run(E::kXOR), (std::vector<uint8_t>{0, 1, 1, 0}));
  EXPECT_EQ(run(E::kEQUAL), (std::vector<uint8_t>{1, 0, 0, 1}));
}

TEST(ElementWiseBool, LogicalOpsBroadcast) {
  std::vector<uint8_t> p = {0, 1, 1, 0, 1, 1}, q = {1, 0, 1};
  for (E op : {E::kAND, E::kOR, E::kXOR}) {
    SCOPED_TRACE(static_cast<int>(op));
    HostTensor out = runBinary(op, boolTensor({2, 3}, p), boolTensor({3}, q));
    auto expected = referenceBinary<uint8_t>(p, Dims{2, 3}, q, Dims{3}, [op](bool x, bool y) {
      return op == E::kAND ? (x && y) : op == E::kOR ? (x || y) : (x != y);
    });
    EXPECT_EQ(out.as<uint8_t>(), expected);
  }
}

}  // namespace
}  // namespace kiln::test
