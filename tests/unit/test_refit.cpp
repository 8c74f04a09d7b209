// Refit (BuilderFlag::kREFIT, Refitter): an engine built from weights A and refit with weights B computes what an
// engine freshly built from B computes, bit for bit, through the builder's folding of batch normalization into the
// convolution, the matrix multiply's weights, and fp16.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iostream>
#include <map>

#include "kiln/kiln.h"
#include "plan/plan.h"
#include "refit_models.h"
#include "test_util.h"

namespace kiln::test {
namespace {

std::unique_ptr<Engine> build(const OnnxModel& model, bool fp16) {
  auto network = model.import();
  BuilderConfig config;
  config.setFlag(BuilderFlag::kREFIT);
  if (fp16) config.setFlag(BuilderFlag::kFP16);
  return buildEngine(*network, config);
}

const std::vector<HostTensor>& input() {
  static const std::vector<HostTensor> x = {HostTensor::f32(Dims{1, 2, 5, 5}, randomFloats(50, 99))};
  return x;
}

std::vector<float> outputOf(const std::vector<HostTensor>& outputs) {
  std::vector<float> v(outputs.at(0).bytes.size() / sizeof(float));
  std::memcpy(v.data(), outputs[0].bytes.data(), outputs[0].bytes.size());
  return v;
}

std::vector<float> run(const Engine& engine) { return outputOf(runEngine(engine, input())); }

// Sets every weight the refitter knows from the model's initializers of that name.
void setFromModel(Refitter& refitter, OnnxModel& model) {
  for (const auto& init : model.proto().graph().initializer()) {
    Weights w{DataType::kFLOAT, init.float_data().data(), init.float_data_size()};
    refitter.setNamedWeights(init.name().c_str(), w);
  }
}

TEST(Refit, WeightsAreTheOnnxInitializers) {
  auto engine = build(convBatchNormGemm(1), false);
  auto refitter = createRefitter(*engine);
  std::vector<std::string> expected = {"bn.bias", "bn.mean", "bn.scale", "bn.var", "conv.b", "conv.w", "fc.b", "fc.w"};
  EXPECT_EQ(refitter->getAll(), expected);
  EXPECT_EQ(refitter->getMissing(), expected);
  float bias[4] = {1, 2, 3, 4};
  refitter->setNamedWeights("fc.b", Weights{DataType::kFLOAT, bias, 4});
  expected.erase(expected.begin() + 6);
  EXPECT_EQ(refitter->getMissing(), expected);
}

// The batch normalization is folded into the convolution: refit goes through the same folding.
void expectRefitEqualsFreshBuild(bool fp16) {
  OnnxModel a = convBatchNormGemm(1), b = convBatchNormGemm(100);
  auto engine = build(a, fp16);
  auto fresh = build(b, fp16);
  std::vector<float> before = run(*engine), expected = run(*fresh);
  ASSERT_NE(before, expected);
  auto earlier = engine->createExecutionContext();  // made before the refit, run after it
  auto refitter = createRefitter(*engine);
  setFromModel(*refitter, b);
  EXPECT_TRUE(refitter->getMissing().empty());
  refitter->refitEngine();
  EXPECT_EQ(run(*engine), expected);  // bit for bit
  EXPECT_EQ(outputOf(runContext(*earlier, input())), expected);
  EXPECT_TRUE(refitter->getMissing().size() == refitter->getAll().size());
  // Saved and loaded again, the refit engine keeps the new weights.
  Runtime runtime;
  auto reloaded = runtime.deserialize(engine->serialize());
  EXPECT_EQ(run(*reloaded), expected);
}

// The plan folds the batch normalization into the convolution and keeps how: the statistics' arithmetic as folded
// steps, the scale and shift of the kernel and bias, and the matrix multiply's weights as they are.
TEST(Refit, ThePlanKeepsTheFoldingRecipe) {
  for (bool fp16 : {false, true}) {
    auto network = convBatchNormGemm(1).import();
    BuilderConfig config;
    config.setFlag(BuilderFlag::kREFIT);
    if (fp16) config.setFlag(BuilderFlag::kFP16);
    auto bytes = Builder().buildSerializedNetwork(*network, config);
    plan::Plan plan = plan::deserialize(bytes.data(), bytes.size());
    std::map<ops::RecipeOp, int> count;
    for (const auto& node : plan.recipe) ++count[node.op];
    EXPECT_TRUE(plan.has(plan::PlanFlag::kREFIT));
    EXPECT_EQ(count[ops::RecipeOp::kSOURCE], 8);
    EXPECT_EQ(count[ops::RecipeOp::kSCALE_WEIGHTS], 1);
    EXPECT_EQ(count[ops::RecipeOp::kSHIFT_BIAS], 2);  // the scale, then the shift
    EXPECT_GE(count[ops::RecipeOp::kSTEP], 4);        // var + eps, sqrt, scale / ..., mean * a, bias - ...
    EXPECT_GE(plan.refitConstants.size(), 4u);        // kernel, bias, the matrix multiply's weights and bias
    std::cout << (fp16 ? "fp16" : "fp32") << " plan: " << plan.recipe.size() << " recipe nodes ("
              << count[ops::RecipeOp::kREDUCE_PRECISION] << " to reduced precision), " << plan.refitConstants.size()
              << " refit constants\n";
  }
}

TEST(Refit, Fp32RefitEqualsAFreshBuildBitForBit) { expectRefitEqualsFreshBuild(false); }

TEST(Refit, Fp16RefitEqualsAFreshBuild) {
  expectRefitEqualsFreshBuild(true);
  // And within fp16's tolerance of the fp32 engine's outputs.
  auto fp32 = build(convBatchNormGemm(100), false);
  auto fp16 = build(convBatchNormGemm(1), true);
  auto refitter = createRefitter(*fp16);
  OnnxModel b = convBatchNormGemm(100);
  setFromModel(*refitter, b);
  refitter->refitEngine();
  expectNear(run(*fp16), run(*fp32), 5e-2f, 1e-2f);
}

// The CPU runs element-wise layers in fp16: their constants are rounded to fp16 in the plan, and a refit rounds the
// new weights the same way (clamped to +-65504 as the build does).
TEST(Refit, Fp16ConstantsAreRoundedAsTheBuildRoundsThem) {
  auto model = [](uint32_t seed, float big) {
    OnnxModel m(17);
    m.input("x", {2, 4});
    std::vector<float> scale = randomFloats(4, seed);
    scale[3] = big;
    m.floats("s", {4}, scale);
    m.floats("t", {4}, randomFloats(4, seed + 1));
    m.node("Mul", {"x", "s"}, {"a"});
    m.outputNode("Add", {"a", "t"});
    m.output();
    return m;
  };
  auto build = [](const OnnxModel& m) {
    auto network = m.import();
    BuilderConfig config;
    config.setFlag(BuilderFlag::kREFIT);
    config.setFlag(BuilderFlag::kFP16);
    return Builder().buildSerializedNetwork(*network, config);
  };
  auto bytes = build(model(1, 0.5f));
  plan::Plan plan = plan::deserialize(bytes.data(), bytes.size());
  int reduced = 0;
  for (const auto& node : plan.recipe) reduced += node.op == ops::RecipeOp::kREDUCE_PRECISION;
  EXPECT_EQ(reduced, 2);
  Runtime runtime;
  auto engine = runtime.deserialize(bytes);
  OnnxModel b = model(7, 1e6f);  // beyond fp16: saturates
  auto refitter = createRefitter(*engine);
  setFromModel(*refitter, b);
  refitter->refitEngine();
  std::vector<HostTensor> x = {HostTensor::f32(Dims{2, 4}, randomFloats(8, 3))};
  auto fresh = runtime.deserialize(build(b));
  std::vector<float> y = outputOf(runEngine(*engine, x));
  EXPECT_EQ(y, outputOf(runEngine(*fresh, x)));
  // The scale 1e6 became 65504: y[3] = x[3] * 65504 + t[3] (in fp16).
  float expected = randomFloats(8, 3)[3] * 65504.0f + randomFloats(4, 8)[3];
  EXPECT_NEAR(y[3], expected, std::fabs(expected) * 2e-3f);
}

TEST(Refit, WeightsNotSetKeepTheirValues) {
  OnnxModel a = convBatchNormGemm(1), b = convBatchNormGemm(100);
  // Only the batch normalization's statistics change: a fresh build from A with B's statistics.
  OnnxModel mixed = convBatchNormGemm(1);
  auto& inits = *mixed.proto().mutable_graph()->mutable_initializer();
  for (auto& init : inits)
    if (init.name() == "bn.mean" || init.name() == "bn.var")
      for (const auto& other : b.proto().graph().initializer())
        if (other.name() == init.name()) init = other;
  auto engine = build(a, false);
  auto refitter = createRefitter(*engine);
  for (const auto& init : b.proto().graph().initializer())
    if (init.name() == "bn.mean" || init.name() == "bn.var")
      refitter->setNamedWeights(init.name().c_str(),
                                Weights{DataType::kFLOAT, init.float_data().data(), init.float_data_size()});
  EXPECT_EQ(refitter->getMissing().size(), 6u);
  refitter->refitEngine();
  EXPECT_EQ(run(*engine), run(*build(mixed, false)));
}

TEST(Refit, AWrongCountOrTypeIsRefusedNamingTheWeight) {
  auto engine = build(convBatchNormGemm(1), false);
  std::vector<float> before = run(*engine);
  auto refitter = createRefitter(*engine);
  OnnxModel b = convBatchNormGemm(100);
  const auto& convW = b.proto().graph().initializer(0);
  ASSERT_EQ(convW.name(), "conv.w");
  refitter->setNamedWeights("conv.w", Weights{DataType::kFLOAT, convW.float_data().data(), convW.float_data_size()});
  std::vector<float> tooFew(10, 1.0f);
  Error count = errorOf([&] { refitter->setNamedWeights("fc.w", Weights{DataType::kFLOAT, tooFew.data(), 10}); });
  EXPECT_EQ(count.code(), ErrorCode::kINVALID_ARGUMENT);
  EXPECT_EQ(count.object(), "fc.w");
  EXPECT_NE(count.message().find("10 values given, the weight holds 300"), std::string::npos) << count.message();
  std::vector<uint16_t> halves(4);
  Error type = errorOf([&] { refitter->setNamedWeights("fc.b", Weights{DataType::kHALF, halves.data(), 4}); });
  EXPECT_EQ(type.code(), ErrorCode::kINVALID_ARGUMENT);
  EXPECT_EQ(type.object(), "fc.b");
  EXPECT_NE(type.message().find("weights of type fp16 given, the weight is fp32"), std::string::npos) << type.message();
  Error unknown = errorOf([&] { refitter->setNamedWeights("nope", Weights{DataType::kFLOAT, tooFew.data(), 10}); });
  EXPECT_EQ(unknown.code(), ErrorCode::kINVALID_ARGUMENT);
  EXPECT_EQ(unknown.object(), "nope");
  // Nothing reaches the engine before refitEngine().
  EXPECT_EQ(run(*engine), before);
}

// A recipe that fails half way (here: a node that makes the wrong number of bytes) changes no weight.
TEST(Refit, AFailedRefitLeavesTheEngineAsItWas) {
  Builder builder;
  auto network = convBatchNormGemm(1).import();
  BuilderConfig config;
  config.setFlag(BuilderFlag::kREFIT);
  auto bytes = builder.buildSerializedNetwork(*network, config);
  plan::Plan plan = plan::deserialize(bytes.data(), bytes.size());
  plan::RecipeNode broken;
  broken.op = ops::RecipeOp::kFIXED;
  broken.dims = {4};
  broken.bytes.resize(3);
  plan.recipe.push_back(broken);
  bytes = plan::serialize(plan);
  Runtime runtime;
  auto engine = runtime.deserialize(bytes);
  std::vector<float> before = run(*engine);
  auto refitter = createRefitter(*engine);
  OnnxModel b = convBatchNormGemm(100);
  setFromModel(*refitter, b);
  Error e = errorOf([&] { refitter->refitEngine(); });
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_PLAN);
  EXPECT_NE(e.message().find("made 3 bytes, not the 16"), std::string::npos) << e.message();
  EXPECT_EQ(run(*engine), before);
}

// A refit while a context of the engine runs is refused: here from inside the run, where the profiler reports.
TEST(Refit, ARefitDuringARunIsRefused) {
  auto engine = build(convBatchNormGemm(1), false);
  std::vector<float> before = run(*engine);
  auto refitter = createRefitter(*engine);
  OnnxModel b = convBatchNormGemm(100);
  setFromModel(*refitter, b);
  struct RefitWhileRunning : Profiler {
    Refitter* refitter = nullptr;
    std::vector<Error> errors;
    void reportLayerTime(const char*, float) override {
      errors.push_back(errorOf([&] { refitter->refitEngine(); }));
    }
  } profiler;
  profiler.refitter = refitter.get();
  auto context = engine->createExecutionContext();
  context->setProfiler(&profiler);
  EXPECT_EQ(outputOf(runContext(*context, input())), before);
  ASSERT_FALSE(profiler.errors.empty());
  EXPECT_EQ(profiler.errors[0].code(), ErrorCode::kINVALID_STATE);
  EXPECT_NE(profiler.errors[0].message().find("a context of the engine is running"), std::string::npos);
  context->setProfiler(nullptr);
  EXPECT_EQ(outputOf(runContext(*context, input())), before);  // nothing changed
  refitter->refitEngine();                                     // between runs it is fine
  EXPECT_NE(outputOf(runContext(*context, input())), before);
}

TEST(Refit, APlanBuiltWithoutTheFlagRefusesARefitter) {
  auto network = convBatchNormGemm(1).import();
  auto engine = buildEngine(*network, BuilderConfig());
  Error e = errorOf([&] { createRefitter(*engine); });
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_ARGUMENT);
  EXPECT_NE(e.message().find("not built with BuilderFlag::kREFIT"), std::string::npos) << e.message();
}

// An API-built network names a convolution's weights by layer and role.
TEST(Refit, ApiConvolutionWeightsAreNamedByLayerAndRole) {
  auto build = [](const std::vector<float>& kernel, const std::vector<float>& bias) {
    auto network = makeNetwork();
    Tensor* x = network->addInput("x", DataType::kFLOAT, Dims{1, 1, 4, 4});
    auto* conv = network->addConvolutionNd(*x, 2, Dims{3, 3}, Weights{DataType::kFLOAT, kernel.data(), 18},
                                           Weights{DataType::kFLOAT, bias.data(), 2});
    conv->setName("conv1");
    network->markOutput(*conv->getOutput(0));
    BuilderConfig config;
    config.setFlag(BuilderFlag::kREFIT);
    return buildEngine(*network, config);
  };
  std::vector<float> kernelA = randomFloats(18, 1), kernelB = randomFloats(18, 2), biasB = {0.5f, -0.25f};
  auto engine = build(kernelA, {0, 0});
  auto refitter = createRefitter(*engine);
  EXPECT_EQ(refitter->getAll(), (std::vector<std::string>{"conv1:bias", "conv1:kernel"}));
  refitter->setNamedWeights("conv1:kernel", Weights{DataType::kFLOAT, kernelB.data(), 18});
  refitter->setNamedWeights("conv1:bias", Weights{DataType::kFLOAT, biasB.data(), 2});
  refitter->refitEngine();
  std::vector<HostTensor> x = {HostTensor::f32(Dims{1, 1, 4, 4}, randomFloats(16, 3))};
  EXPECT_EQ(outputOf(runEngine(*engine, x)), outputOf(runEngine(*build(kernelB, biasB), x)));
}

}  // namespace
}  // namespace kiln::test
