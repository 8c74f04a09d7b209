// Activation: every type with its ONNX-default parameters and with custom alpha/beta, against double references.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "core/half.h"
#include "test_util.h"

namespace kiln::test {
namespace {

using A = ActivationType;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Straight from the definitions (ONNX operator docs / TensorRT ActivationType), in double precision.
double reference(A type, double x, double alpha, double beta) {
  switch (type) {
    case A::kRELU: return std::max(0.0, x);
    case A::kSIGMOID: return 1.0 / (1.0 + std::exp(-x));
    case A::kTANH: return std::tanh(x);
    case A::kLEAKY_RELU: return x >= 0 ? x : alpha * x;
    case A::kELU: return x >= 0 ? x : alpha * (std::exp(x) - 1.0);
    case A::kSELU: return beta * (x > 0 ? x : alpha * (std::exp(x) - 1.0));  // beta is SELU's gamma
    case A::kSOFTSIGN: return x / (1.0 + std::fabs(x));
    case A::kSOFTPLUS: return alpha * std::log(1.0 + std::exp(beta * x));
    case A::kCLIP: return std::min(std::max(x, alpha), beta);
    case A::kHARD_SIGMOID: return std::max(0.0, std::min(1.0, alpha * x + beta));
    case A::kSCALED_TANH: return alpha * std::tanh(beta * x);
    case A::kTHRESHOLDED_RELU: return x > alpha ? x : 0.0;
    case A::kGELU_ERF: return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
    case A::kGELU_TANH: {
      const double pi = std::acos(-1.0);
      return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / pi) * (x + 0.044715 * x * x * x)));
    }
  }
  return NAN;
}

struct ActivationCase {
  const char* name;
  A type;
  double alpha, beta;  // the parameters the reference uses (the ONNX defaults, or the custom values set)
};

std::vector<float> applyReference(const ActivationCase& c, const std::vector<float>& x) {
  std::vector<float> y;
  for (float v : x) y.push_back(static_cast<float>(reference(c.type, v, c.alpha, c.beta)));
  return y;
}

// Builds input -> activation; alpha/beta are set only when given.
HostTensor runActivation(A type, const HostTensor& input, std::optional<double> alpha = {},
                         std::optional<double> beta = {}) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", input.type, input.dims);
  ActivationLayer* act = net.addActivation(*x, type);
  if (alpha) act->setAlpha(*alpha);
  if (beta) act->setBeta(*beta);
  net.markOutput(*act->getOutput(0));
  return buildAndRun(net, {input})[0];
}

// Random values plus points where the definitions switch branches.
std::vector<float> probeInputs() {
  auto x = randomFloats(3 * 5 * 8 - 8, 41, -6.0f, 6.0f);
  for (float v : {0.0f, -0.0f, 1.0f, -1.0f, 0.3f, -0.5f, 1.25f, 2.5f}) x.push_back(v);
  return x;
}

// ---- Defaults -------------------------------------------------------------------------------------------------

class ActivationDefaults : public ::testing::TestWithParam<ActivationCase> {};

TEST_P(ActivationDefaults, MatchesReferenceWithoutParameters) {
  const ActivationCase& c = GetParam();
  auto x = probeInputs();
  HostTensor out = runActivation(c.type, HostTensor::f32({3, 5, 8}, x));
  EXPECT_EQ(toString(out.dims), "3x5x8");
  ASSERT_EQ(out.type, DataType::kFLOAT);
  expectNear(out.f32(), applyReference(c, x), 1e-5f, 1e-5f);
}

// Defaults: LeakyRelu alpha 0.01, Elu alpha 1, Selu alpha/gamma from the ONNX spec, HardSigmoid 0.2/0.5,
// ThresholdedRelu alpha 1, Clip unbounded; Softplus and ScaledTanh plain (alpha = beta = 1).
INSTANTIATE_TEST_SUITE_P(
    AllTypes, ActivationDefaults,
    ::testing::Values(ActivationCase{"Relu", A::kRELU, 0, 0}, ActivationCase{"Sigmoid", A::kSIGMOID, 0, 0},
                      ActivationCase{"Tanh", A::kTANH, 0, 0}, ActivationCase{"LeakyRelu", A::kLEAKY_RELU, 0.01, 0},
                      ActivationCase{"Elu", A::kELU, 1.0, 0},
                      ActivationCase{"Selu", A::kSELU, 1.67326319217681884765625, 1.05070102214813232421875},
                      ActivationCase{"Softsign", A::kSOFTSIGN, 0, 0}, ActivationCase{"Softplus", A::kSOFTPLUS, 1, 1},
                      ActivationCase{"Clip", A::kCLIP, -kInf, kInf},
                      ActivationCase{"HardSigmoid", A::kHARD_SIGMOID, 0.2, 0.5},
                      ActivationCase{"ScaledTanh", A::kSCALED_TANH, 1, 1},
                      ActivationCase{"ThresholdedRelu", A::kTHRESHOLDED_RELU, 1.0, 0},
                      ActivationCase{"GeluErf", A::kGELU_ERF, 0, 0}, ActivationCase{"GeluTanh", A::kGELU_TANH, 0, 0}),
    [](const auto& info) { return std::string(info.param.name); });

// ---- Custom alpha / beta --------------------------------------------------------------------------------------

class ActivationCustom : public ::testing::TestWithParam<ActivationCase> {};

TEST_P(ActivationCustom, UsesTheGivenAlphaAndBeta) {
  const ActivationCase& c = GetParam();
  auto x = probeInputs();
  HostTensor out = runActivation(c.type, HostTensor::f32({3, 5, 8}, x), c.alpha, c.beta);
  expectNear(out.f32(), applyReference(c, x), 1e-5f, 1e-5f);
}

INSTANTIATE_TEST_SUITE_P(Parameterized, ActivationCustom,
                         ::testing::Values(ActivationCase{"LeakyRelu", A::kLEAKY_RELU, 0.2, 0},
                                           ActivationCase{"Elu", A::kELU, 0.5, 0},
                                           ActivationCase{"Selu", A::kSELU, 1.5, 2.0},
                                           ActivationCase{"Softplus", A::kSOFTPLUS, 2.0, 0.5},
                                           ActivationCase{"Clip", A::kCLIP, -0.5, 1.25},
                                           ActivationCase{"HardSigmoid", A::kHARD_SIGMOID, 0.3, 0.4},
                                           ActivationCase{"ScaledTanh", A::kSCALED_TANH, 1.7159, 0.6667},
                                           ActivationCase{"ThresholdedRelu", A::kTHRESHOLDED_RELU, -0.5, 0}),
                         [](const auto& info) { return std::string(info.param.name); });

// ---- Hand-computed values -------------------------------------------------------------------------------------

TEST(ActivationValues, HandComputedPoints) {
  auto run = [](A type, std::vector<float> x, std::optional<double> alpha = {}, std::optional<double> beta = {}) {
    return runActivation(type, HostTensor::f32({static_cast<int64_t>(x.size())}, x), alpha, beta).f32();
  };
  EXPECT_EQ(run(A::kRELU, {-1, 0, 2.5f}), (std::vector<float>{0, 0, 2.5f}));
  EXPECT_EQ(run(A::kLEAKY_RELU, {-100, 3}), (std::vector<float>{-1, 3}));
  EXPECT_EQ(run(A::kCLIP, {-2, -0.5f, 3}, -1.0, 1.0), (std::vector<float>{-1, -0.5f, 1}));
  expectNear(run(A::kHARD_SIGMOID, {-3, 0, 1, 3}), {0, 0.5f, 0.7f, 1}, 1e-7f, 0);
  // ThresholdedRelu keeps only x strictly above alpha.
  EXPECT_EQ(run(A::kTHRESHOLDED_RELU, {0.5f, 1, 1.5f}), (std::vector<float>{0, 0, 1.5f}));
  expectNear(run(A::kSIGMOID, {0}), {0.5f}, 0, 0);
  expectNear(run(A::kSOFTSIGN, {-3, 1}), {-0.75f, 0.5f}, 1e-7f, 0);
  expectNear(run(A::kELU, {-1000, 2}), {-1, 2}, 1e-7f, 0);
  expectNear(run(A::kGELU_ERF, {0, 1}), {0, 0.8413447460685429f}, 1e-6f, 0);
}

// Large magnitudes must saturate, not overflow to inf or NaN.
TEST(ActivationValues, ExtremeInputsStayFinite) {
  std::vector<float> x = {-100, -30, 30, 100};
  for (const ActivationCase& c :
       {ActivationCase{"Sigmoid", A::kSIGMOID, 0, 0}, ActivationCase{"Tanh", A::kTANH, 0, 0},
        ActivationCase{"Elu", A::kELU, 1, 0},
        ActivationCase{"Selu", A::kSELU, 1.67326319217681884765625, 1.05070102214813232421875},
        ActivationCase{"Softsign", A::kSOFTSIGN, 0, 0}, ActivationCase{"Softplus", A::kSOFTPLUS, 1, 1},
        ActivationCase{"GeluErf", A::kGELU_ERF, 0, 0}, ActivationCase{"GeluTanh", A::kGELU_TANH, 0, 0}}) {
    SCOPED_TRACE(c.name);
    HostTensor out = runActivation(c.type, HostTensor::f32({4}, x));
    expectNear(out.f32(), applyReference(c, x), 1e-5f, 1e-5f);
  }
}

// ---- Layer settings, shapes and errors -------------------------------------------------------------------------

TEST(ActivationLayerSettings, SettersAreReadBackAndChangeTheResult) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{4});
  ActivationLayer* act = net.addActivation(*x, A::kRELU);
  act->setActivationType(A::kCLIP);
  act->setAlpha(-0.25);
  act->setBeta(0.75);
  EXPECT_EQ(act->getActivationType(), A::kCLIP);
  EXPECT_DOUBLE_EQ(act->getAlpha(), -0.25);
  EXPECT_DOUBLE_EQ(act->getBeta(), 0.75);
  net.markOutput(*act->getOutput(0));
  auto out = buildAndRun(net, {HostTensor::f32({4}, {-1, 0.5f, 0.1f, 2})});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{-0.25f, 0.5f, 0.1f, 0.75f}));
}

TEST(ActivationLayerSettings, DynamicShapeRunsAtTwoShapes) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 3, -1});
  ActivationLayer* act = net.addActivation(*x, A::kGELU_TANH);
  net.markOutput(*act->getOutput(0));
  EXPECT_EQ(toString(act->getOutput(0)->getDimensions()), "-1x3x-1");
  auto engine = buildWithProfile(net, profileFor("x", Dims{1, 3, 1}, Dims{2, 3, 4}, Dims{4, 3, 8}));
  auto ctx = engine->createExecutionContext();
  const ActivationCase gelu{"GeluTanh", A::kGELU_TANH, 0, 0};
  for (Dims d : {Dims{1, 3, 7}, Dims{4, 3, 8}}) {
    auto values = randomFloats(d.volume(), static_cast<uint32_t>(d.volume()), -4, 4);
    auto out = runContext(*ctx, {HostTensor::f32(d, values)});
    EXPECT_EQ(toString(out[0].dims), toString(d));
    expectNear(out[0].f32(), applyReference(gelu, values), 1e-5f, 1e-5f);
  }
}

TEST(ActivationErrors, IntegerInputIsRejectedNamingTheLayer) {
  NetworkDefinition net;
  Tensor* f = net.addInput("f", DataType::kFLOAT, Dims{2});
  Tensor* i = net.addInput("i", DataType::kINT32, Dims{2});
  ActivationLayer* act = net.addActivation(*f, A::kSIGMOID);
  act->setName("squash");
  try {
    act->setInput(0, *i);
    FAIL() << "int32 activation accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
    EXPECT_EQ(e.object(), act->getName());
  }
  EXPECT_EQ(act->getInput(0), f);
  EXPECT_EQ(act->getOutput(0)->getType(), DataType::kFLOAT);
}

// fp64 computes in double; fp16 and bf16 compute in fp32 and round each result once.
TEST(ActivationTypes, DoubleHalfAndBf16MatchTheReference) {
  const std::vector<double> x = {-4, -1.5, -0.25, 0, 0.5, 1.25, 3, 6};
  for (const ActivationCase& c :
       {ActivationCase{"Sigmoid", A::kSIGMOID, 0, 0}, ActivationCase{"Elu", A::kELU, 1, 0},
        ActivationCase{"Softplus", A::kSOFTPLUS, 1, 1}, ActivationCase{"GeluTanh", A::kGELU_TANH, 0, 0},
        ActivationCase{"HardSigmoid", A::kHARD_SIGMOID, 0.2, 0.5}}) {
    SCOPED_TRACE(c.name);
    std::vector<double> expected;
    for (double v : x) expected.push_back(reference(c.type, v, c.alpha, c.beta));
    HostTensor d = runActivation(c.type, HostTensor::of(DataType::kDOUBLE, {8}, x));
    ASSERT_EQ(d.type, DataType::kDOUBLE);
    auto got = d.as<double>();
    for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-12) << i;
    // The inputs are exact in fp16 and bf16; results are good to their precision (2^-11 and 2^-8 relative).
    struct Format {
      DataType type;
      uint16_t (*toBits)(float);
      float (*fromBits)(uint16_t);
      double rtol;
    };
    for (const Format& f : {Format{DataType::kHALF, core::floatToHalf, core::halfToFloat, 1e-3},
                            Format{DataType::kBF16, core::floatToBf16, core::bf16ToFloat, 8e-3}}) {
      SCOPED_TRACE(dataTypeName(f.type));
      std::vector<uint16_t> bits;
      for (double v : x) bits.push_back(f.toBits(static_cast<float>(v)));
      HostTensor h = runActivation(c.type, HostTensor::of(f.type, {8}, bits));
      ASSERT_EQ(h.type, f.type);
      auto out = h.as<uint16_t>();
      for (size_t i = 0; i < x.size(); ++i)
        EXPECT_NEAR(f.fromBits(out[i]), expected[i], 1e-4 + f.rtol * std::fabs(expected[i])) << i;
    }
  }
}

}  // namespace
}  // namespace kiln::test
