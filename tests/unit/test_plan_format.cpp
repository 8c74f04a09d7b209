// Plan serialization: round trips, and every kind of damaged plan rejected with a clear error.
#include <gtest/gtest.h>

#include <cstring>

#include "plan/plan.h"
#include "plan_forger.h"
#include "test_util.h"

namespace kiln::test {
namespace {

// A small dynamic network: y = relu(x * W + b) reshaped, with constants so the weights section is non-empty. The
// reshape keeps two steps (the matrix multiply fuses the bias and the relu) and an activation in the arena.
std::unique_ptr<NetworkDefinition> smallNetwork() {
  auto net = std::make_unique<NetworkDefinition>();
  static const std::vector<float> w = randomFloats(8 * 4, 7), b = randomFloats(4, 8);
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1, 8});
  Tensor* wt = floatConstant(*net, Dims{8, 4}, w);
  Tensor* bt = floatConstant(*net, Dims{1, 4}, b);
  Tensor* y = net->addMatrixMultiply(*x, MatrixOperation::kNONE, *wt, MatrixOperation::kNONE)->getOutput(0);
  y = net->addElementWise(*y, *bt, ElementWiseOperation::kSUM)->getOutput(0);
  y = net->addActivation(*y, ActivationType::kRELU)->getOutput(0);
  auto* reshape = net->addShuffle(*y);
  reshape->setReshapeDimensions(Dims{-1, 4});
  y = reshape->getOutput(0);
  y->setName("y");
  net->markOutput(*y);
  return net;
}

std::vector<uint8_t> smallPlan() {
  auto net = smallNetwork();
  BuilderConfig config;
  config.addOptimizationProfile(profileFor("x", Dims{1, 8}, Dims{4, 8}, Dims{16, 8}));
  return Builder().buildSerializedNetwork(*net, config);
}

constexpr size_t kHeaderSize = 64;

void expectInvalidPlan(const std::vector<uint8_t>& plan, const std::string& fragment) {
  try {
    Runtime().deserialize(plan);
    FAIL() << "a damaged plan loaded (expected: " << fragment << ")";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kINVALID_PLAN) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_FALSE(e.object().empty());
  }
}

TEST(PlanFormat, RoundTripGivesTheSameOutputs) {
  auto plan = smallPlan();
  auto engine = Runtime().deserialize(plan);
  auto x = randomFloats(5 * 8, 11);
  auto direct = runEngine(*engine, {HostTensor::f32(Dims{5, 8}, x)});
  // Save to bytes, load again: identical results and identical bytes when rebuilt.
  auto again = Runtime().deserialize(std::vector<uint8_t>(plan));
  auto reloaded = runEngine(*again, {HostTensor::f32(Dims{5, 8}, x)});
  EXPECT_EQ(direct[0].bytes, reloaded[0].bytes);
  EXPECT_EQ(smallPlan(), plan);  // builds are deterministic
}

TEST(PlanFormat, PlanRecordsIoProfilesAndVersions) {
  auto engine = Runtime().deserialize(smallPlan());
  ASSERT_EQ(engine->getNbIOTensors(), 2);
  EXPECT_STREQ(engine->getIOTensorName(0), "x");
  EXPECT_STREQ(engine->getIOTensorName(1), "y");
  EXPECT_EQ(engine->getTensorIOMode("x"), TensorIOMode::kINPUT);
  EXPECT_EQ(engine->getTensorIOMode("y"), TensorIOMode::kOUTPUT);
  EXPECT_EQ(engine->getTensorIOMode("nope"), TensorIOMode::kNONE);
  EXPECT_EQ(toString(engine->getTensorShape("y")), "-1x4");
  EXPECT_EQ(toString(engine->getProfileShape("x", 0, OptProfileSelector::kOPT)), "4x8");
  EXPECT_EQ(engine->getProfileShape("x", 1, OptProfileSelector::kOPT).nbDims, -1);
  EXPECT_STREQ(engine->getBackendName(), "cpu");
  EXPECT_FALSE(engine->isDeviceMemory());
  EXPECT_STREQ(engine->getKilnVersion(), kilnVersion());
  EXPECT_GE(engine->getWeightsSize(), (32u + 4u) * 4u);
}

TEST(PlanFormat, WeightsSectionIsAligned) {
  auto plan = smallPlan();
  uint64_t weightsOffset;
  std::memcpy(&weightsOffset, plan.data() + 48, 8);
  EXPECT_EQ(weightsOffset % plan::kWeightsAlignment, 0u);
  auto decoded = plan::deserialize(plan.data(), plan.size());
  for (const auto& t : decoded.tensors)
    if (t.kind == plan::TensorKind::kCONSTANT) {
      EXPECT_EQ(t.weightsOffset % plan::kWeightsAlignment, 0u) << t.name;
    }
}

TEST(PlanFormat, WrongMagicIsRejected) {
  auto plan = smallPlan();
  plan[0] = 'X';
  expectInvalidPlan(plan, "wrong magic");
}

TEST(PlanFormat, NewerFormatVersionIsRejected) {
  auto plan = smallPlan();
  uint32_t v = plan::kFormatVersion + 1;
  std::memcpy(plan.data() + 8, &v, 4);
  expectInvalidPlan(plan, "newer than this kiln reads");
}

// Plans of formats 1 to 3 (before shape inputs, tactics and refit recipes) are refused with the range this kiln reads.
TEST(PlanFormat, OlderFormatVersionsAreRejected) {
  for (uint32_t v : {0u, 1u, 2u, 3u}) {
    auto plan = smallPlan();
    std::memcpy(plan.data() + 8, &v, 4);
    expectInvalidPlan(plan, "is older than this kiln reads (4 to " + std::to_string(plan::kFormatVersion) + ")");
  }
}

TEST(PlanFormat, FlippedBitFailsTheChecksum) {
  auto plan = smallPlan();
  for (size_t at : {kHeaderSize + 3, plan.size() / 2, plan.size() - 1}) {
    auto damaged = plan;
    damaged[at] ^= 0x10;
    expectInvalidPlan(damaged, "checksum mismatch");
  }
}

TEST(PlanFormat, TruncatedPlansAreRejectedAtEveryLength) {
  auto plan = smallPlan();
  for (size_t len : {size_t{0}, size_t{7}, size_t{40}, kHeaderSize, plan.size() / 3, plan.size() - 1}) {
    std::vector<uint8_t> cut(plan.begin(), plan.begin() + static_cast<std::ptrdiff_t>(len));
    expectInvalidPlan(cut, "truncated");
  }
}

TEST(PlanFormat, NullDataIsRejected) { EXPECT_THROW(Runtime().deserialize(nullptr, 100), Error); }

TEST(PlanFormat, SectionOffsetsOutsideThePlanAreRejected) {
  auto plan = smallPlan();
  uint64_t huge = plan.size() + 4096;
  std::memcpy(plan.data() + 48, &huge, 8);  // weights offset
  test::resealChecksum(plan);
  expectInvalidPlan(plan, "outside the plan");
}

TEST(PlanFormat, MetadataTruncatedInsideIsRejected) {
  auto plan = smallPlan();
  uint64_t metaSize;
  std::memcpy(&metaSize, plan.data() + 40, 8);
  metaSize -= 9;  // the reader runs out of bytes inside the profiles
  std::memcpy(plan.data() + 40, &metaSize, 8);
  test::resealChecksum(plan);
  expectInvalidPlan(plan, "truncated");
}

// Edits the decoded plan and re-serializes it, to reach the semantic checks past the byte-level ones.
std::vector<uint8_t> edited(void (*edit)(plan::Plan&)) {
  auto bytes = smallPlan();
  plan::Plan p = plan::deserialize(bytes.data(), bytes.size());
  edit(p);
  return plan::serialize(p);
}

TEST(PlanFormat, ConstantOutsideWeightsIsRejected) {
  expectInvalidPlan(edited([](plan::Plan& p) {
                      for (auto& t : p.tensors)
                        if (t.kind == plan::TensorKind::kCONSTANT) t.weightsOffset = p.weights.size() + 64;
                    }),
                    "outside the weights section");
}

TEST(PlanFormat, StepReferencingMissingTensorIsRejected) {
  expectInvalidPlan(edited([](plan::Plan& p) { p.steps[0].inputs[0] = 999; }), "out of range");
}

TEST(PlanFormat, ExpressionOperandsOutOfOrderAreRejected) {
  expectInvalidPlan(edited([](plan::Plan& p) {
                      p.exprs.push_back({core::ExprOp::kADD, 0, 0, static_cast<int32_t>(p.exprs.size())});
                    }),
                    "out of order");
}

TEST(PlanFormat, StepReadingBeforeWriteIsRejected) {
  expectInvalidPlan(edited([](plan::Plan& p) { std::swap(p.steps.front(), p.steps.back()); }), "before it is written");
}

TEST(PlanFormat, ArenaTooSmallIsRejected) {
  expectInvalidPlan(edited([](plan::Plan& p) { p.profiles[0].activationBytes = 16; }), "outside the arena");
}

TEST(PlanFormat, UnknownBackendIsRejected) {
  expectInvalidPlan(edited([](plan::Plan& p) { p.backend = "tpu"; }), "backend 'tpu'");
}

TEST(PlanFormat, OtherTargetIsRejected) {
  try {
    Runtime().deserialize(edited([](plan::Plan& p) { p.target = "riscv"; }));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("target 'riscv'"), std::string::npos) << e.what();
  }
}

TEST(PlanFormat, RandomCorruptionNeverCrashes) {
  auto plan = smallPlan();
  uint32_t state = 12345;
  for (int trial = 0; trial < 200; ++trial) {
    auto damaged = plan;
    for (int k = 0; k < 4; ++k) {
      state = state * 1664525u + 1013904223u;
      damaged[kHeaderSize + state % (damaged.size() - kHeaderSize)] = static_cast<uint8_t>(state >> 24);
    }
    test::resealChecksum(damaged);  // past the checksum, into the structural checks
    try {
      auto engine = Runtime().deserialize(damaged);
      // Loaded: the corruption hit something harmless (a name, a weight value). It must still run or fail cleanly.
      auto ctx = engine->createExecutionContext();
      (void)ctx->setInputShape("x", Dims{2, 8});
    } catch (const Error&) {
    }
  }
}

}  // namespace
}  // namespace kiln::test
