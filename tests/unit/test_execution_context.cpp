// ExecutionContext: shapes, addresses, profiles, errors that name what is at fault.
#include <gtest/gtest.h>

#include "test_util.h"

namespace kiln::test {
namespace {

// x: [-1, 4] -> y = x * 2 (element-wise with a constant), z = reshape(y, [-1]) (flattened)
struct DoubleNet {
  std::unique_ptr<Engine> engine;
  DoubleNet(std::vector<std::pair<int64_t, int64_t>> ranges = {{1, 8}}) {
    NetworkDefinition net;
    Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 4});
    float two = 2.0f;
    Tensor* c = net.addConstant(Dims{1, 1}, Weights{DataType::kFLOAT, &two, 1})->getOutput(0);
    Tensor* y = net.addElementWise(*x, *c, ElementWiseOperation::kPROD)->getOutput(0);
    y->setName("y");
    auto* flat = net.addShuffle(*y);
    flat->setReshapeDimensions(Dims{-1});
    flat->getOutput(0)->setName("z");
    net.markOutput(*y);
    net.markOutput(*flat->getOutput(0));
    BuilderConfig config;
    for (auto [lo, hi] : ranges) config.addOptimizationProfile(profileFor("x", Dims{lo, 4}, Dims{hi, 4}, Dims{hi, 4}));
    engine = buildEngine(net, config);
  }
};

TEST(ExecutionContext, OutputShapesResolveFromInputShapes) {
  DoubleNet n;
  auto ctx = n.engine->createExecutionContext();
  EXPECT_EQ(ctx->getTensorShape("y").nbDims, -1);  // not yet known
  EXPECT_FALSE(ctx->allInputDimensionsSpecified());
  ASSERT_TRUE(ctx->setInputShape("x", Dims{3, 4}).isOk());
  EXPECT_TRUE(ctx->allInputDimensionsSpecified());
  EXPECT_EQ(toString(ctx->getTensorShape("y")), "3x4");
  EXPECT_EQ(toString(ctx->getTensorShape("z")), "12");
  EXPECT_EQ(toString(ctx->getTensorShape("x")), "3x4");
  ASSERT_TRUE(ctx->setInputShape("x", Dims{7, 4}).isOk());
  EXPECT_EQ(toString(ctx->getTensorShape("z")), "28");
}

TEST(ExecutionContext, RunsAtEveryShapeOfTheRangeWithoutRebuilding) {
  DoubleNet n;
  auto ctx = n.engine->createExecutionContext();
  for (int64_t b = 1; b <= 8; ++b) {
    std::vector<float> x = iota(b * 4, -3.5f);
    auto out = runContext(*ctx, {HostTensor::f32(Dims{b, 4}, x)});
    for (size_t i = 0; i < x.size(); ++i) {
      EXPECT_EQ(out[0].f32()[i], 2 * x[i]);
      EXPECT_EQ(out[1].f32()[i], 2 * x[i]);
    }
  }
}

TEST(ExecutionContext, UnknownInputNameIsNamedInTheError) {
  DoubleNet n;
  auto ctx = n.engine->createExecutionContext();
  Status st = ctx->setInputShape("xx", Dims{1, 4});
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.error().object(), "xx");
  EXPECT_FALSE(ctx->setInputShape("y", Dims{1, 4}).isOk());  // an output is not an input
  EXPECT_FALSE(ctx->setInputShape(nullptr, Dims{1, 4}).isOk());
}

TEST(ExecutionContext, WrongRankIsRejected) {
  DoubleNet n;
  auto ctx = n.engine->createExecutionContext();
  Status st = ctx->setInputShape("x", Dims{4});
  ASSERT_FALSE(st.isOk());
  EXPECT_NE(std::string(st.error().what()).find("rank 1"), std::string::npos);
}

TEST(ExecutionContext, BelowMinimumIsRejected) {
  DoubleNet n({{2, 8}});
  auto ctx = n.engine->createExecutionContext();
  Status st = ctx->setInputShape("x", Dims{1, 4});
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.error().code(), ErrorCode::kSHAPE_OUT_OF_RANGE);
  EXPECT_NE(std::string(st.error().what()).find("min 2x4, max 8x4"), std::string::npos) << st.error().what();
}

TEST(ExecutionContext, StaticDimensionMismatchIsRejected) {
  DoubleNet n;
  auto ctx = n.engine->createExecutionContext();
  EXPECT_EQ(ctx->setInputShape("x", Dims{2, 5}).error().code(), ErrorCode::kSHAPE_OUT_OF_RANGE);
}

TEST(ExecutionContext, NullAddressIsRejected) {
  DoubleNet n;
  auto ctx = n.engine->createExecutionContext();
  Status st = ctx->setTensorAddress("x", nullptr);
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.error().object(), "x");
  EXPECT_FALSE(ctx->setTensorAddress("nope", &st).isOk());
}

TEST(ExecutionContext, ExecuteWithoutShapesOrAddressesFailsCleanly) {
  DoubleNet n;
  auto ctx = n.engine->createExecutionContext();
  Status st = ctx->executeV2();
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.error().code(), ErrorCode::kINVALID_STATE);
  EXPECT_EQ(st.error().object(), "x");
  ASSERT_TRUE(ctx->setInputShape("x", Dims{2, 4}).isOk());
  std::vector<float> in(8, 1.0f), y(8);
  ASSERT_TRUE(ctx->setTensorAddress("x", in.data()).isOk());
  ASSERT_TRUE(ctx->setTensorAddress("y", y.data()).isOk());
  st = ctx->enqueueV3(nullptr);
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.error().object(), "z");  // the unbound output is named
  EXPECT_EQ(ctx->getTensorAddress("y"), y.data());
}

TEST(ExecutionContext, ProfileIndexOutOfRangeIsRejected) {
  DoubleNet n;
  auto ctx = n.engine->createExecutionContext();
  EXPECT_FALSE(ctx->setOptimizationProfile(1).isOk());
  EXPECT_FALSE(ctx->setOptimizationProfile(-1).isOk());
  EXPECT_EQ(ctx->getOptimizationProfile(), 0);
}

TEST(ExecutionContext, SwitchingProfilesRechecksTheShapes) {
  DoubleNet n({{1, 4}, {5, 16}});
  auto ctx = n.engine->createExecutionContext();
  ASSERT_TRUE(ctx->setInputShape("x", Dims{3, 4}).isOk());
  ASSERT_TRUE(ctx->setOptimizationProfile(1).isOk());
  EXPECT_FALSE(ctx->allInputDimensionsSpecified());  // 3 is outside profile 1
  ASSERT_TRUE(ctx->setInputShape("x", Dims{12, 4}).isOk());
  std::vector<float> x(48, 0.5f);
  auto out = runContext(*ctx, {HostTensor::f32(Dims{12, 4}, x)});
  EXPECT_EQ(out[1].f32(), std::vector<float>(48, 1.0f));
}

TEST(ExecutionContext, ContextsHaveTheirOwnMemory) {
  DoubleNet n;
  auto a = n.engine->createExecutionContext();
  auto b = n.engine->createExecutionContext();
  auto outA = runContext(*a, {HostTensor::f32(Dims{1, 4}, {1, 2, 3, 4})});
  auto outB = runContext(*b, {HostTensor::f32(Dims{2, 4}, {5, 6, 7, 8, 9, 10, 11, 12})});
  auto againA = runContext(*a, {HostTensor::f32(Dims{1, 4}, {1, 2, 3, 4})});
  EXPECT_EQ(outA[0].f32(), againA[0].f32());
  EXPECT_EQ(outB[0].f32(), (std::vector<float>{10, 12, 14, 16, 18, 20, 22, 24}));
}

TEST(ExecutionContext, EngineOutlivesNothingButContextsKeepItsState) {
  // A context keeps the engine's state alive even after the Engine object is gone.
  std::unique_ptr<ExecutionContext> ctx;
  {
    DoubleNet n;
    ctx = n.engine->createExecutionContext();
  }
  ASSERT_TRUE(ctx->setInputShape("x", Dims{1, 4}).isOk());
  std::vector<float> x = {1, 2, 3, 4}, y(4), z(4);
  ASSERT_TRUE(ctx->setTensorAddress("x", x.data()).isOk());
  ASSERT_TRUE(ctx->setTensorAddress("y", y.data()).isOk());
  ASSERT_TRUE(ctx->setTensorAddress("z", z.data()).isOk());
  ASSERT_TRUE(ctx->executeV2().isOk());
  EXPECT_EQ(z, (std::vector<float>{2, 4, 6, 8}));
}

TEST(ExecutionContext, RuntimeAssertionNamesTheLayer) {
  // a + b with independent dynamic batch sizes: allowed by the profile, rejected when they disagree.
  NetworkDefinition net;
  Tensor* a = net.addInput("a", DataType::kFLOAT, Dims{-1, 2});
  Tensor* b = net.addInput("b", DataType::kFLOAT, Dims{-1, 2});
  auto* add = net.addElementWise(*a, *b, ElementWiseOperation::kSUM);
  add->setName("the_sum");
  net.markOutput(*add->getOutput(0));
  OptimizationProfile p;
  for (const char* name : {"a", "b"}) setRange(p, name, Dims{1, 2}, Dims{3, 2}, Dims{3, 2});
  auto engine = buildWithProfile(net, p);
  auto ctx = engine->createExecutionContext();
  ASSERT_TRUE(ctx->setInputShape("a", Dims{2, 2}).isOk());
  ASSERT_TRUE(ctx->setInputShape("b", Dims{3, 2}).isOk());  // each is inside the profile
  EXPECT_EQ(ctx->getTensorShape(net.getOutput(0)->getName()).nbDims, -1);
  Status st = ctx->inferShapes();
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.error().code(), ErrorCode::kSHAPE_OUT_OF_RANGE);
  EXPECT_EQ(st.error().object(), "the_sum");
  EXPECT_EQ(ctx->executeV2().error().object(), "the_sum");
  // Broadcasting a batch of 1 is fine.
  auto out = runContext(*ctx, {HostTensor::f32(Dims{3, 2}, {1, 2, 3, 4, 5, 6}), HostTensor::f32(Dims{1, 2}, {10, 20})});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{11, 22, 13, 24, 15, 26}));
}

}  // namespace
}  // namespace kiln::test
