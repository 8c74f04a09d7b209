// Optimization profile validation: every mistake is reported with the input and profile named.
#include <gtest/gtest.h>

#include "test_util.h"

namespace kiln::test {
namespace {

std::unique_ptr<NetworkDefinition> imageNetwork() {
  auto net = std::make_unique<NetworkDefinition>();
  Tensor* x = net->addInput("image", DataType::kFLOAT, Dims{-1, 3, -1, -1});
  net->markOutput(*net->addActivation(*x, ActivationType::kRELU)->getOutput(0));
  return net;
}

OptimizationProfile profile(Dims min, Dims opt, Dims max, const char* name = "image") {
  return profileFor(name, min, opt, max);
}

// Builds and returns the error, failing the test if the build succeeds.
Error buildError(NetworkDefinition& net, const BuilderConfig& config) {
  return errorOf([&] { Builder().buildSerializedNetwork(net, config); }, "build succeeded");
}

TEST(Profiles, ValidProfileBuilds) {
  auto net = imageNetwork();
  BuilderConfig config;
  config.addOptimizationProfile(profile({1, 3, 8, 8}, {4, 3, 32, 32}, {8, 3, 64, 64}));
  EXPECT_NO_THROW(Builder().buildSerializedNetwork(*net, config));
}

TEST(Profiles, DynamicInputWithoutProfileIsAnError) {
  auto net = imageNetwork();
  Error e = buildError(*net, BuilderConfig{});
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_PROFILE);
  EXPECT_EQ(e.object(), "image");
  EXPECT_NE(std::string(e.what()).find("add an optimization profile"), std::string::npos);
}

TEST(Profiles, MinAboveOptIsAnError) {
  auto net = imageNetwork();
  BuilderConfig config;
  config.addOptimizationProfile(profile({1, 3, 8, 8}, {4, 3, 32, 32}, {8, 3, 64, 64}));
  config.addOptimizationProfile(profile({1, 3, 40, 8}, {4, 3, 32, 32}, {8, 3, 64, 64}));
  Error e = buildError(*net, config);
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_PROFILE);
  EXPECT_EQ(e.object(), "image");
  std::string m = e.what();
  EXPECT_NE(m.find("min <= opt <= max"), std::string::npos) << m;
  EXPECT_NE(m.find("profile 1"), std::string::npos) << m;
  EXPECT_NE(m.find("dimension 2"), std::string::npos) << m;
}

TEST(Profiles, OptAboveMaxIsAnError) {
  auto net = imageNetwork();
  BuilderConfig config;
  config.addOptimizationProfile(profile({1, 3, 8, 8}, {16, 3, 32, 32}, {8, 3, 64, 64}));
  EXPECT_NE(std::string(buildError(*net, config).what()).find("dimension 0"), std::string::npos);
}

TEST(Profiles, StaticDimensionMustMatchTheNetwork) {
  auto net = imageNetwork();
  BuilderConfig config;
  config.addOptimizationProfile(profile({1, 1, 8, 8}, {1, 1, 8, 8}, {1, 1, 8, 8}));
  Error e = buildError(*net, config);
  EXPECT_NE(std::string(e.what()).find("static dimension 1"), std::string::npos) << e.what();
}

TEST(Profiles, RankMustMatch) {
  auto net = imageNetwork();
  BuilderConfig config;
  config.addOptimizationProfile(profile({1, 3, 8}, {1, 3, 8}, {1, 3, 8}));
  EXPECT_NE(std::string(buildError(*net, config).what()).find("has rank 3"), std::string::npos);
}

TEST(Profiles, MissingSelectorIsAnError) {
  auto net = imageNetwork();
  OptimizationProfile p;
  p.setDimensions("image", OptProfileSelector::kMIN, Dims{1, 3, 8, 8});
  p.setDimensions("image", OptProfileSelector::kMAX, Dims{1, 3, 8, 8});
  BuilderConfig config;
  config.addOptimizationProfile(p);
  EXPECT_NE(std::string(buildError(*net, config).what()).find("no opt shape"), std::string::npos);
}

TEST(Profiles, UnknownInputNameIsAnError) {
  auto net = imageNetwork();
  BuilderConfig config;
  auto p = profile({1, 3, 8, 8}, {1, 3, 8, 8}, {1, 3, 8, 8});
  p.setDimensions("imagee", OptProfileSelector::kMIN, Dims{1});
  config.addOptimizationProfile(p);
  Error e = buildError(*net, config);
  EXPECT_EQ(e.object(), "imagee");
  EXPECT_NE(std::string(e.what()).find("not a network input"), std::string::npos);
}

TEST(Profiles, SecondProfileMissingAnInputIsAnError) {
  auto net = std::make_unique<NetworkDefinition>();
  Tensor* a = net->addInput("a", DataType::kFLOAT, Dims{-1, 4});
  Tensor* b = net->addInput("b", DataType::kFLOAT, Dims{-1, 4});
  net->markOutput(*net->addElementWise(*a, *b, ElementWiseOperation::kSUM)->getOutput(0));
  BuilderConfig config;
  auto p0 = profile({1, 4}, {2, 4}, {4, 4}, "a");
  setRange(p0, "b", Dims{1, 4}, Dims{2, 4}, Dims{4, 4});
  config.addOptimizationProfile(p0);
  config.addOptimizationProfile(profile({1, 4}, {2, 4}, {4, 4}, "a"));
  Error e = buildError(*net, config);
  EXPECT_EQ(e.object(), "b");
  EXPECT_NE(std::string(e.what()).find("profile 1"), std::string::npos) << e.what();
}

TEST(Profiles, NegativeDimensionRejectedWhenSet) {
  OptimizationProfile p;
  EXPECT_THROW(p.setDimensions("image", OptProfileSelector::kMIN, Dims{1, -1, 8, 8}), Error);
  EXPECT_THROW(p.setDimensions("", OptProfileSelector::kMIN, Dims{1}), Error);
}

TEST(Profiles, ProfileViolatingAShapeConstraintIsRejectedAtBuild) {
  // a + b needs equal (or 1) batch sizes; a profile where they differ at opt can never run.
  auto net = std::make_unique<NetworkDefinition>();
  Tensor* a = net->addInput("a", DataType::kFLOAT, Dims{-1, 4});
  Tensor* b = net->addInput("b", DataType::kFLOAT, Dims{-1, 4});
  auto* add = net->addElementWise(*a, *b, ElementWiseOperation::kSUM);
  net->markOutput(*add->getOutput(0));
  auto p = profile({2, 4}, {3, 4}, {4, 4}, "a");
  setRange(p, "b", Dims{2, 4}, Dims{4, 4}, Dims{4, 4});
  BuilderConfig config;
  config.addOptimizationProfile(p);
  Error e = buildError(*net, config);
  EXPECT_EQ(e.object(), add->getName());
  EXPECT_NE(std::string(e.what()).find("opt shapes"), std::string::npos) << e.what();
}

TEST(Profiles, StaticNetworkNeedsNoProfile) {
  auto net = std::make_unique<NetworkDefinition>();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{2, 2});
  net->markOutput(*net->addUnary(*x, UnaryOperation::kNEG)->getOutput(0));
  auto out = buildAndRun(*net, {HostTensor::f32(Dims{2, 2}, {1, -2, 3, -4})});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{-1, 2, -3, 4}));
}

}  // namespace
}  // namespace kiln::test
