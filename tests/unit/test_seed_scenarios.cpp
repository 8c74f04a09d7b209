// The foundation's acceptance scenarios: the seed's dynamic preprocessor and a two-profile MLP.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "test_util.h"

namespace kiln::test {
namespace {

// Independent bilinear reference (half-pixel centres, edge clamp), written directly from the definition.
std::vector<float> bilinearReference(const std::vector<float>& in, int64_t h, int64_t w, int64_t oh, int64_t ow) {
  std::vector<float> out(oh * ow);
  for (int64_t y = 0; y < oh; ++y) {
    double sy = std::clamp((y + 0.5) * h / oh - 0.5, 0.0, double(h - 1));
    int64_t y0 = static_cast<int64_t>(sy), y1 = std::min(y0 + 1, h - 1);
    double fy = sy - y0;
    for (int64_t x = 0; x < ow; ++x) {
      double sx = std::clamp((x + 0.5) * w / ow - 0.5, 0.0, double(w - 1));
      int64_t x0 = static_cast<int64_t>(sx), x1 = std::min(x0 + 1, w - 1);
      double fx = sx - x0;
      double top = in[y0 * w + x0] * (1 - fx) + in[y0 * w + x1] * fx;
      double bottom = in[y1 * w + x0] * (1 - fx) + in[y1 * w + x1] * fx;
      out[y * ow + x] = static_cast<float>(top * (1 - fy) + bottom * fy);
    }
  }
  return out;
}

std::unique_ptr<NetworkDefinition> makePreprocessor() {
  auto net = std::make_unique<NetworkDefinition>();
  Tensor* input = net->addInput("input", DataType::kFLOAT, Dims{-1, 1, -1, -1});
  ResizeLayer* resize = net->addResize(*input);
  resize->setOutputDimensions(Dims{1, 1, 28, 28});
  resize->setResizeMode(ResizeMode::kLINEAR);
  net->markOutput(*resize->getOutput(0));
  return net;
}

// The seed's profile: min 1x1x1x1, opt 1x1x28x28, max 1x1x56x56.
OptimizationProfile preprocessorProfile() {
  return profileFor("input", Dims{1, 1, 1, 1}, Dims{1, 1, 28, 28}, Dims{1, 1, 56, 56});
}

TEST(SeedPreprocessor, BuildSaveLoadRunAtThreeShapes) {
  auto net = makePreprocessor();
  EXPECT_EQ(toString(net->getInput(0)->getDimensions()), "-1x1x-1x-1");
  EXPECT_EQ(toString(net->getOutput(0)->getDimensions()), "1x1x28x28");
  BuilderConfig config;
  config.addOptimizationProfile(preprocessorProfile());
  Builder builder;
  std::vector<uint8_t> plan = builder.buildSerializedNetwork(*net, config);
  auto engine = Runtime().deserialize(plan);
  EXPECT_EQ(toString(engine->getTensorShape("input")), "-1x1x-1x-1");
  EXPECT_EQ(toString(engine->getProfileShape("input", 0, OptProfileSelector::kMAX)), "1x1x56x56");
  auto context = engine->createExecutionContext();
  for (auto [h, w] : {std::pair<int64_t, int64_t>{10, 13}, {28, 28}, {56, 56}}) {
    auto values = randomFloats(h * w, static_cast<uint32_t>(h * 100 + w), 0.0f, 1.0f);
    auto out = runContext(*context, {HostTensor::f32(Dims{1, 1, h, w}, values)});
    ASSERT_EQ(toString(out[0].dims), "1x1x28x28");
    expectNear(out[0].f32(), bilinearReference(values, h, w, 28, 28), 1e-5f, 1e-5f);
    if (h == 28) expectNear(out[0].f32(), values, 1e-6f, 0.0f);  // same size: the identity
  }
}

TEST(SeedPreprocessor, ShapeOutsideProfileIsRejectedWithTheRange) {
  auto net = makePreprocessor();
  BuilderConfig config;
  config.addOptimizationProfile(preprocessorProfile());
  auto engine = buildEngine(*net, config);
  auto context = engine->createExecutionContext();
  Status st = context->setInputShape("input", Dims{1, 1, 57, 20});
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.error().code(), ErrorCode::kSHAPE_OUT_OF_RANGE);
  EXPECT_EQ(st.error().object(), "input");
  std::string message = st.error().what();
  EXPECT_NE(message.find("1x1x57x20"), std::string::npos) << message;
  EXPECT_NE(message.find("min 1x1x1x1, max 1x1x56x56"), std::string::npos) << message;
  EXPECT_FALSE(context->executeV2().isOk());  // no valid shape was ever set
}

// SimpleMLP 784-32-10 with fixed pseudo-random weights.
struct Mlp {
  std::vector<float> w1 = randomFloats(784 * 32, 1, -0.1f, 0.1f), b1 = randomFloats(32, 2);
  std::vector<float> w2 = randomFloats(32 * 10, 3, -0.3f, 0.3f), b2 = randomFloats(10, 4);

  std::unique_ptr<NetworkDefinition> network() const {
    auto net = std::make_unique<NetworkDefinition>();
    Tensor* x = net->addInput("input", DataType::kFLOAT, Dims{-1, 784});
    auto constant = [&](Dims d, const std::vector<float>& v) { return floatConstant(*net, d, v); };
    Tensor* h = net->addMatrixMultiply(*x, MatrixOperation::kNONE, *constant(Dims{784, 32}, w1), MatrixOperation::kNONE)
                    ->getOutput(0);
    h = net->addElementWise(*h, *constant(Dims{1, 32}, b1), ElementWiseOperation::kSUM)->getOutput(0);
    h = net->addActivation(*h, ActivationType::kRELU)->getOutput(0);
    Tensor* y = net->addMatrixMultiply(*h, MatrixOperation::kNONE, *constant(Dims{32, 10}, w2), MatrixOperation::kNONE)
                    ->getOutput(0);
    y = net->addElementWise(*y, *constant(Dims{1, 10}, b2), ElementWiseOperation::kSUM)->getOutput(0);
    y->setName("output");
    net->markOutput(*y);
    return net;
  }

  // Reference in double precision.
  std::vector<float> reference(const std::vector<float>& x, int64_t batch) const {
    std::vector<float> out(batch * 10);
    for (int64_t n = 0; n < batch; ++n) {
      double hidden[32];
      for (int j = 0; j < 32; ++j) {
        double acc = b1[j];
        for (int k = 0; k < 784; ++k) acc += double(x[n * 784 + k]) * w1[k * 32 + j];
        hidden[j] = acc > 0 ? acc : 0;
      }
      for (int j = 0; j < 10; ++j) {
        double acc = b2[j];
        for (int k = 0; k < 32; ++k) acc += hidden[k] * w2[k * 10 + j];
        out[n * 10 + j] = static_cast<float>(acc);
      }
    }
    return out;
  }
};

OptimizationProfile batchProfile(int64_t lo, int64_t opt, int64_t hi) {
  return profileFor("input", Dims{lo, 784}, Dims{opt, 784}, Dims{hi, 784});
}

TEST(TwoProfileMlp, TwoContextsAtOnceMatchASingleProfileEngine) {
  Mlp mlp;
  auto net = mlp.network();
  BuilderConfig two;
  EXPECT_EQ(two.addOptimizationProfile(batchProfile(1, 4, 8)), 0);
  EXPECT_EQ(two.addOptimizationProfile(batchProfile(16, 32, 64)), 1);
  auto engine = buildEngine(*net, two);
  ASSERT_EQ(engine->getNbOptimizationProfiles(), 2);
  EXPECT_GT(engine->getDeviceMemorySize(1), engine->getDeviceMemorySize(0));
  BuilderConfig one;
  one.addOptimizationProfile(batchProfile(1, 32, 64));
  auto single = buildEngine(*net, one);

  auto small = engine->createExecutionContext();
  auto large = engine->createExecutionContext();
  ASSERT_TRUE(large->setOptimizationProfile(1).isOk());
  // Batch 40 belongs to profile 1 only.
  EXPECT_EQ(small->setInputShape("input", Dims{40, 784}).error().code(), ErrorCode::kSHAPE_OUT_OF_RANGE);

  std::vector<std::pair<int64_t, int64_t>> requests = {{1, 16}, {5, 40}, {8, 64}, {3, 17}};
  for (const auto& request : requests) {
    const int64_t bs = request.first, bl = request.second;
    auto xs = randomFloats(bs * 784, static_cast<uint32_t>(bs)), xl = randomFloats(bl * 784, static_cast<uint32_t>(bl));
    std::vector<HostTensor> outSmall, outLarge;
    std::thread a([&] { outSmall = runContext(*small, {HostTensor::f32(Dims{bs, 784}, xs)}); });
    std::thread b([&] { outLarge = runContext(*large, {HostTensor::f32(Dims{bl, 784}, xl)}); });
    a.join();
    b.join();
    ASSERT_EQ(toString(outSmall[0].dims), std::to_string(bs) + "x10");
    ASSERT_EQ(toString(outLarge[0].dims), std::to_string(bl) + "x10");
    auto singleSmall = runEngine(*single, {HostTensor::f32(Dims{bs, 784}, xs)});
    auto singleLarge = runEngine(*single, {HostTensor::f32(Dims{bl, 784}, xl)});
    expectNear(outSmall[0].f32(), singleSmall[0].f32(), 1e-5f, 1e-5f);
    expectNear(outLarge[0].f32(), singleLarge[0].f32(), 1e-5f, 1e-5f);
    expectNear(outSmall[0].f32(), mlp.reference(xs, bs), 1e-4f, 1e-4f);
    expectNear(outLarge[0].f32(), mlp.reference(xl, bl), 1e-4f, 1e-4f);
  }
}

}  // namespace
}  // namespace kiln::test
