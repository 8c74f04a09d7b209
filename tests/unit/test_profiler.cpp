// ExecutionContext::setProfiler: every step of a profiled run is reported once, in step order, under its name.
#include <gtest/gtest.h>

#include <cmath>

#include "test_util.h"

namespace kiln::test {
namespace {

TEST(Profiler, ReportsEveryStepOfEachProfiledRunInStepOrder) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1, 256});
  Tensor* t = x;
  for (int i = 0; i < 3; ++i) {
    auto* layer = net->addUnary(*t, i == 1 ? UnaryOperation::kEXP : UnaryOperation::kNEG);
    layer->setName(("step" + std::to_string(i)).c_str());
    t = layer->getOutput(0);
  }
  net->markOutput(*t);
  auto engine = buildWithProfile(*net, profileFor("x", Dims{1, 256}, Dims{4, 256}, Dims{8, 256}));
  ASSERT_EQ(engine->getNbLayers(), 3);
  auto context = engine->createExecutionContext();
  RecordingProfiler profiler;
  context->setProfiler(&profiler);
  EXPECT_EQ(context->getProfiler(), &profiler);
  std::vector<float> in = randomFloats(2 * 256, 3);
  auto out = runContext(*context, {HostTensor::f32(Dims{2, 256}, in)});
  runContext(*context, {HostTensor::f32(Dims{2, 256}, in)});
  EXPECT_EQ(profiler.names, (std::vector<std::string>{"step0", "step1", "step2", "step0", "step1", "step2"}));
  for (float ms : profiler.times) EXPECT_GE(ms, 0.0f);
  EXPECT_FLOAT_EQ(out[0].f32()[5], -std::exp(-in[5]));  // profiled runs still compute

  context->setProfiler(nullptr);
  runContext(*context, {HostTensor::f32(Dims{2, 256}, in)});
  EXPECT_EQ(profiler.names.size(), 6u);
}

}  // namespace
}  // namespace kiln::test
