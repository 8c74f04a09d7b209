// Shape inputs: int inputs whose values (read on the host at run time, bounded per profile) size other tensors.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "core/symbolic.h"
#include "onnx_model_builder.h"

namespace kiln::test {
namespace {

// x (2x3x4, static) reshaped to the three values of the shape input "target".
struct ReshapeByInput {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{2, 3, 4});
  Tensor* target = net.addInput("target", DataType::kINT64, Dims{3});

  ReshapeByInput() {
    net.markShapeInput(*target);
    ShuffleLayer* s = net.addShuffle(*x);
    s->setInput(1, *target);
    s->getOutput(0)->setName("y");
    net.markOutput(*s->getOutput(0));
  }

  // Values of target within [-1, 24] on every element (so 0 and -1 placeholders are allowed).
  std::unique_ptr<Engine> build(std::vector<int64_t> min = {-1, -1, -1}, std::vector<int64_t> opt = {4, 3, 2},
                                std::vector<int64_t> max = {24, 24, 24}) {
    OptimizationProfile profile;
    setRange(profile, "x", {2, 3, 4}, {2, 3, 4}, {2, 3, 4});
    setRange(profile, "target", {3}, {3}, {3});
    profile.setShapeValues("target", OptProfileSelector::kMIN, min.data(), 3);
    profile.setShapeValues("target", OptProfileSelector::kOPT, opt.data(), 3);
    profile.setShapeValues("target", OptProfileSelector::kMAX, max.data(), 3);
    return buildWithProfile(net, profile);
  }
};

TEST(ShapeInput, MarkingMakesTheInputAShapeTensorAndTheReshapeDynamic) {
  ReshapeByInput r;
  EXPECT_TRUE(r.target->isShapeInput());
  EXPECT_TRUE(r.target->isShapeTensor());
  EXPECT_FALSE(r.x->isShapeInput());
  EXPECT_EQ(toString(r.net.getOutput(0)->getDimensions()), "-1x-1x-1");
}

TEST(ShapeInput, ReshapeFollowsTheValuesOfEachRunIncludingPlaceholders) {
  ReshapeByInput r;
  auto engine = r.build();
  EXPECT_TRUE(engine->isShapeInferenceIO("target"));
  EXPECT_FALSE(engine->isShapeInferenceIO("x"));
  auto ctx = engine->createExecutionContext();
  auto values = iota(24);
  struct Case {
    std::vector<int64_t> target;
    const char* shape;
  };
  for (const Case& c : {Case{{4, 3, 2}, "4x3x2"}, Case{{2, 12, 1}, "2x12x1"}, Case{{0, -1, 2}, "2x6x2"},
                        Case{{-1, 4, 1}, "6x4x1"}, Case{{0, 0, -1}, "2x3x4"}}) {
    SCOPED_TRACE(c.shape);
    auto out = runContext(*ctx, {HostTensor::f32({2, 3, 4}, values), HostTensor::i64({3}, c.target)});
    EXPECT_EQ(toString(out[0].dims), c.shape);
    EXPECT_EQ(out[0].f32(), values);
  }
}

TEST(ShapeInput, ProfileValuesRoundTripThroughThePlan) {
  ReshapeByInput r;
  auto engine = r.build({1, 1, 1}, {4, 3, 2}, {24, 12, 6});
  EXPECT_EQ(engine->getProfileShapeValues("target", 0, OptProfileSelector::kMIN), (std::vector<int64_t>{1, 1, 1}));
  EXPECT_EQ(engine->getProfileShapeValues("target", 0, OptProfileSelector::kOPT), (std::vector<int64_t>{4, 3, 2}));
  EXPECT_EQ(engine->getProfileShapeValues("target", 0, OptProfileSelector::kMAX), (std::vector<int64_t>{24, 12, 6}));
  EXPECT_TRUE(engine->getProfileShapeValues("x", 0, OptProfileSelector::kMIN).empty());
}

TEST(ShapeInput, ValuesOutsideTheProfileAreRejectedNamingTheInput) {
  ReshapeByInput r;
  auto engine = r.build({1, 1, 1}, {4, 3, 2}, {24, 12, 6});
  auto ctx = engine->createExecutionContext();
  auto x = HostTensor::f32({2, 3, 4}, iota(24));
  ASSERT_TRUE(ctx->setInputShape("x", x.dims));
  ASSERT_TRUE(ctx->setInputShape("target", Dims{3}));
  ASSERT_TRUE(ctx->setTensorAddress("x", x.bytes.data()));
  // Unbound: the context cannot know the output shape.
  Status unbound = ctx->inferShapes();
  ASSERT_FALSE(unbound);
  EXPECT_EQ(unbound.error().code(), ErrorCode::kINVALID_STATE);
  EXPECT_EQ(unbound.error().object(), "target");
  std::vector<int64_t> outside = {2, 1, 12};  // 12 > max 6
  ASSERT_TRUE(ctx->setTensorAddress("target", outside.data()));
  Status st = ctx->inferShapes();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ErrorCode::kSHAPE_OUT_OF_RANGE);
  EXPECT_EQ(st.error().object(), "target");
  EXPECT_NE(st.error().message().find("value 2 is 12"), std::string::npos) << st.error().message();
  // Changing the values in place is seen at the next resolution.
  outside = {2, 6, 2};
  ASSERT_TRUE(ctx->inferShapes());
  EXPECT_EQ(toString(ctx->getTensorShape("y")), "2x6x2");
}

TEST(ShapeInput, VolumeMismatchIsAClearRunTimeError) {
  ReshapeByInput r;
  auto engine = r.build();
  auto ctx = engine->createExecutionContext();
  auto x = HostTensor::f32({2, 3, 4}, iota(24));
  std::vector<int64_t> target = {5, 5, 1};
  ASSERT_TRUE(ctx->setInputShape("x", x.dims));
  ASSERT_TRUE(ctx->setInputShape("target", Dims{3}));
  ASSERT_TRUE(ctx->setTensorAddress("x", x.bytes.data()));
  ASSERT_TRUE(ctx->setTensorAddress("target", target.data()));
  Status st = ctx->inferShapes();
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().code(), ErrorCode::kRUNTIME) << st.error().what();
}

TEST(ShapeInput, ProfilesMustGiveValuesForEveryShapeInput) {
  ReshapeByInput r;
  OptimizationProfile profile;
  setRange(profile, "x", {2, 3, 4}, {2, 3, 4}, {2, 3, 4});
  setRange(profile, "target", {3}, {3}, {3});
  BuilderConfig config;
  config.addOptimizationProfile(profile);
  Error e = errorOf([&] { Builder().buildSerializedNetwork(r.net, config); });
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_PROFILE);
  EXPECT_EQ(e.object(), "target");
  EXPECT_NE(e.message().find("setShapeValues"), std::string::npos) << e.message();

  Error order = errorOf([&] { r.build({1, 5, 1}, {4, 3, 2}, {24, 24, 24}); });
  EXPECT_EQ(order.code(), ErrorCode::kINVALID_PROFILE);
  EXPECT_EQ(order.object(), "target");
  EXPECT_NE(order.message().find("min <= opt <= max"), std::string::npos) << order.message();
}

TEST(ShapeInput, OnlySmallIntegerVectorsCanBeShapeInputs) {
  NetworkDefinition net;
  Tensor* f = net.addInput("f", DataType::kFLOAT, Dims{3});
  Tensor* big = net.addInput("big", DataType::kINT32, Dims{2, 2});
  Tensor* dyn = net.addInput("dyn", DataType::kINT64, Dims{-1});
  for (Tensor* t : {f, big, dyn}) {
    SCOPED_TRACE(t->getName());
    Error e = errorOf([&] { net.markShapeInput(*t); });
    EXPECT_EQ(e.object(), t->getName());
    EXPECT_FALSE(t->isShapeInput());
  }
}

// The symbolic leaves behind shape inputs: evaluated from the bound values, bounded by their ranges.
TEST(ShapeInputExpressions, ValueLeavesEvaluateAndBound) {
  core::ExprPool pool;
  core::ExprId v0 = pool.inputValue(1, 0), v1 = pool.inputValue(1, 1);
  core::ExprId sum = pool.add(pool.mul(v0, pool.constant(3)), v1);  // 3*v0 + v1
  EXPECT_TRUE(pool.readsInputValues(sum));
  EXPECT_FALSE(pool.readsInputValues(pool.add(pool.inputDim(0, 0), pool.constant(1))));
  std::vector<int64_t> values(static_cast<size_t>(pool.size()));
  auto noDims = [](int32_t, int32_t) { return int64_t{1}; };
  // Without values the leaves cannot be evaluated.
  EXPECT_FALSE(core::evaluateExprs(pool.nodes(), noDims, values));
  ASSERT_TRUE(core::evaluateExprs(pool.nodes(), noDims, values, [](int32_t input, int32_t element) {
    EXPECT_EQ(input, 1);
    return element == 0 ? int64_t{5} : int64_t{-2};
  }));
  EXPECT_EQ(values[static_cast<size_t>(sum)], 13);
  std::vector<core::Interval> bounds(values.size());
  core::evaluateIntervals(
      pool.nodes(),
      [](int32_t, int32_t) {
        return core::Interval{1, 1};
      },
      bounds,
      [](int32_t, int32_t element) {
        return element == 0 ? core::Interval{-1, 4} : core::Interval{0, 10};
      });
  EXPECT_EQ(bounds[static_cast<size_t>(sum)].lo, -3);
  EXPECT_EQ(bounds[static_cast<size_t>(sum)].hi, 22);
}

// A one-node ONNX model whose inputs are graph inputs of the given types and static shapes.
// An ONNX Reshape whose shape is a graph input imports it as a shape input, as TensorRT's parser does.
TEST(ShapeInputOnnx, GraphInputFeedingAReshapeBecomesAShapeInput) {
  OnnxModel m(14);
  m.input("data", {2, 6}).input("shape", {2}, TensorProto::INT64);
  m.outputNode("Reshape", {"data", "shape"}, {"out"});
  auto net = m.import();
  ASSERT_EQ(net->getNbInputs(), 2);
  EXPECT_FALSE(net->getInput(0)->isShapeInput());
  EXPECT_TRUE(net->getInput(1)->isShapeInput());
  EXPECT_EQ(toString(net->getOutput(0)->getDimensions()), "-1x-1");
}

// Unsqueeze with run-time axes: the 1s land where the values say; an axis out of range fails shape resolution.
TEST(ShapeInputOnnx, UnsqueezeAtRunTimeAxes) {
  OnnxModel m(13);
  m.input("x", {2, 3}).input("axes", {1}, TensorProto::INT64);
  m.outputNode("Unsqueeze", {"x", "axes"}, {"out"});
  auto net = m.import();
  EXPECT_EQ(toString(net->getOutput(0)->getDimensions()), "-1x-1x-1");
  OptimizationProfile profile;
  setRange(profile, "x", {2, 3}, {2, 3}, {2, 3});
  setRange(profile, "axes", {1}, {1}, {1});
  int64_t lo = -10, opt = 0, hi = 10;
  profile.setShapeValues("axes", OptProfileSelector::kMIN, &lo, 1);
  profile.setShapeValues("axes", OptProfileSelector::kOPT, &opt, 1);
  profile.setShapeValues("axes", OptProfileSelector::kMAX, &hi, 1);
  auto engine = buildWithProfile(*net, profile);
  auto ctx = engine->createExecutionContext();
  auto x = HostTensor::f32({2, 3}, iota(6));
  for (auto [axis, shape] : {std::pair{0, "1x2x3"}, {1, "2x1x3"}, {2, "2x3x1"}, {-1, "2x3x1"}, {-3, "1x2x3"}}) {
    SCOPED_TRACE(axis);
    auto out = runContext(*ctx, {x, HostTensor::i64({1}, {axis})});
    EXPECT_EQ(toString(out[0].dims), shape);
    EXPECT_EQ(out[0].f32(), iota(6));
  }
  std::vector<int64_t> bad = {3};
  ASSERT_TRUE(ctx->setTensorAddress("axes", bad.data()));
  EXPECT_FALSE(ctx->inferShapes());
}

// HannWindow(4), periodic: 0.5 - 0.5 cos(2 pi n / 4) = 0, 0.5, 1, 0.5; symmetric (N = 3): 0, 0.75, 0.75, 0.
TEST(ShapeInputOnnx, HannWindowOfARunTimeSize) {
  OnnxModel m(17);
  m.input("size", {}, TensorProto::INT32);
  m.outputNode("HannWindow", {"size"}, {"out"});
  auto net = m.import();
  OptimizationProfile profile;
  setRange(profile, "size", {}, {}, {});
  int64_t values[3] = {1, 4, 16};
  profile.setShapeValues("size", OptProfileSelector::kMIN, &values[0], 1);
  profile.setShapeValues("size", OptProfileSelector::kOPT, &values[1], 1);
  profile.setShapeValues("size", OptProfileSelector::kMAX, &values[2], 1);
  auto engine = buildWithProfile(*net, profile);
  auto ctx = engine->createExecutionContext();
  auto out = runContext(*ctx, {HostTensor::i32({}, {4})});
  EXPECT_EQ(toString(out[0].dims), "4");
  expectNear(out[0].f32(), {0.0f, 0.5f, 1.0f, 0.5f}, 1e-6f);
  out = runContext(*ctx, {HostTensor::i32({}, {2})});
  expectNear(out[0].f32(), {0.0f, 1.0f}, 1e-6f);
}

}  // namespace
}  // namespace kiln::test
