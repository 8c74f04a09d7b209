// The samples' IO buffers: host-only for a CPU engine (the host copy is the binding, copies do nothing), a device
// copy where asked for (round trip on a GPU, a clear error naming the buffer without one), and BoundIo running a
// small CPU engine end to end.
#include <gtest/gtest.h>

#include <algorithm>
#include <utility>

#include "bound_io.h"
#include "io_buffer.h"
#include "test_util.h"

namespace kiln::samples {
namespace {

// y = relu(x) for x of shape -1x3, batch 1..4.
std::unique_ptr<Engine> reluEngine() {
  auto network = test::makeNetwork();
  Tensor* x = network->addInput("x", DataType::kFLOAT, Dims{-1, 3});
  Tensor* y = network->addActivation(*x, ActivationType::kRELU)->getOutput(0);
  y->setName("y");
  network->markOutput(*y);
  BuilderConfig config;
  config.addOptimizationProfile(test::profileFor("x", Dims{1, 3}, Dims{2, 3}, Dims{4, 3}));
  return test::buildEngine(*network, config);
}

bool cudaAvailable() {
  auto names = availableBackends();
  return std::find(names.begin(), names.end(), "cuda") != names.end();
}

TEST(IoBuffer, CpuEngineKeepsIoOnTheHost) {
  auto engine = reluEngine();
  EXPECT_FALSE(engine->isDeviceMemory());
  IoBuffer buffer("x", 3 * sizeof(float), *engine);
  EXPECT_FALSE(buffer.onDevice());
  EXPECT_EQ(buffer.size(), 3 * sizeof(float));
  EXPECT_EQ(buffer.binding(), buffer.host());
  float* values = buffer.hostAs<float>();
  values[0] = 1.5f, values[1] = -2.0f, values[2] = 7.0f;
  buffer.toDevice();
  buffer.toHost(sizeof(float));
  EXPECT_EQ(values[0], 1.5f);
  EXPECT_EQ(values[2], 7.0f);
}

TEST(IoBuffer, CopyLargerThanTheBufferNamesIt) {
  IoBuffer buffer("logits", 8, false);
  try {
    buffer.toHost(9);
    FAIL() << "a 9-byte copy out of 8 bytes was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kINVALID_ARGUMENT);
    EXPECT_EQ(e.object(), "logits");
  }
  EXPECT_THROW(buffer.toDevice(9), Error);
}

TEST(IoBuffer, EmptyBufferStillHasAnAddress) {
  IoBuffer buffer("empty", 0, false);
  EXPECT_EQ(buffer.size(), 0u);
  EXPECT_NE(buffer.binding(), nullptr);
}

TEST(IoBuffer, MoveTransfersTheMemory) {
  IoBuffer first("a", 4, false);
  void* address = first.binding();
  IoBuffer second(std::move(first));
  EXPECT_EQ(second.binding(), address);
  EXPECT_EQ(second.name(), "a");
  EXPECT_EQ(first.size(), 0u);
  IoBuffer third("b", 16, false);
  third = std::move(second);
  EXPECT_EQ(third.binding(), address);
  EXPECT_EQ(third.size(), 4u);
}

TEST(IoBuffer, DeviceCopyRoundTripsOrFailsNamingTheBuffer) {
  if (!cudaAvailable()) {
    try {
      IoBuffer buffer("images", 64, true);
      FAIL() << "a device buffer without a CUDA device was created";
    } catch (const Error& e) {
      EXPECT_EQ(e.object(), "images");
    }
    return;
  }
  IoBuffer buffer("images", 4 * sizeof(float), true);
  EXPECT_TRUE(buffer.onDevice());
  EXPECT_NE(buffer.binding(), buffer.host());
  float* values = buffer.hostAs<float>();
  const float source[] = {1.0f, 2.0f, 3.0f, 4.0f};
  std::copy_n(source, 4, values);
  buffer.toDevice();
  std::fill_n(values, 4, 0.0f);
  buffer.toHost(2 * sizeof(float));  // a partial copy back leaves the rest of the host copy alone
  EXPECT_EQ(values[0], 1.0f);
  EXPECT_EQ(values[1], 2.0f);
  EXPECT_EQ(values[2], 0.0f);
}

TEST(BoundIo, RunsTheContextAtTheGivenShape) {
  auto engine = reluEngine();
  auto context = engine->createExecutionContext();
  const float x[] = {-1.0f, 2.0f, -3.0f, 4.0f, 0.5f, -0.5f};
  BoundIo io(*context, "x", Dims{2, 3}, x, "y");
  EXPECT_EQ(io.run(), (std::vector<float>{0.0f, 2.0f, 0.0f, 4.0f, 0.5f, 0.0f}));
  // The buffers stay bound: a second run gives the same answer.
  context->executeV2().check();
  EXPECT_EQ(io.run(), (std::vector<float>{0.0f, 2.0f, 0.0f, 4.0f, 0.5f, 0.0f}));
}

TEST(BoundIo, ShapeOutsideTheProfileIsRefused) {
  auto engine = reluEngine();
  auto context = engine->createExecutionContext();
  std::vector<float> x(5 * 3, 1.0f);
  EXPECT_THROW(BoundIo(*context, "x", Dims{5, 3}, x.data(), "y"), Error);
}

TEST(BoundIo, InferDigitRefusesAnInputOfAnotherShape) {
  auto engine = reluEngine();
  auto context = engine->createExecutionContext();
  std::vector<float> pixels(28 * 28, 0.0f);
  // This engine's input is -1x3: the 1x1x28x28 digit shape is refused with the input's name.
  try {
    inferDigit(*context, "x", "y", pixels.data());
    FAIL() << "a 1x1x28x28 digit was accepted by a -1x3 input";
  } catch (const Error& e) {
    EXPECT_EQ(e.object(), "x");
  }
}

}  // namespace
}  // namespace kiln::samples
