// The CUDA backend against the CPU backend: the same small networks built for both, run at several shapes of one
// dynamic profile, outputs compared (fp32 within 1e-4 relative). Every test skips with a message without a GPU.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <functional>

#include "gpu_test_util.h"

namespace kiln {
namespace {

using test::HostTensor;

using gpu_test::buildFor;
using gpu_test::check;
using gpu_test::dims;
using gpu_test::runOnDevice;

// Builds `make`'s network for both backends with input "x" in [min, max], runs each shape on both, compares.
void compareBackends(const std::function<void(NetworkDefinition&)>& make, const Dims& min, const Dims& max,
                     const std::vector<Dims>& shapes) {
  auto cpuNetwork = test::makeNetwork();
  auto cudaNetwork = test::makeNetwork();
  make(*cpuNetwork);
  make(*cudaNetwork);
  auto profile = test::profileFor("x", min, max, max);
  auto cpu = buildFor("cpu", *cpuNetwork, profile);
  auto gpu = buildFor("cuda", *cudaNetwork, profile);
  uint32_t seed = 1;
  for (const Dims& shape : shapes) {
    SCOPED_TRACE(toString(shape));
    HostTensor x = HostTensor::f32(shape, test::randomFloats(static_cast<size_t>(shape.volume()), seed++, -2.0f, 2.0f));
    auto expected = test::runEngine(*cpu, {x});
    auto actual = runOnDevice(*gpu, {x});
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i) {
      ASSERT_EQ(toString(actual[i].dims), toString(expected[i].dims));
      if (expected[i].type == DataType::kFLOAT)
        test::expectNear(actual[i].f32(), expected[i].f32(), 1e-5f, 1e-4f);
      else
        EXPECT_EQ(actual[i].bytes, expected[i].bytes);
    }
  }
}

TEST(CudaBackend, ReportsItsTarget) {
  REQUIRE_CUDA();
  auto network = test::makeNetwork();
  auto* x = network->addInput("x", DataType::kFLOAT, dims({-1, 4}));
  network->markOutput(*network->addActivation(*x, ActivationType::kRELU)->getOutput(0));
  auto engine = buildFor("cuda", *network, test::profileFor("x", dims({1, 4}), dims({2, 4}), dims({8, 4})));
  EXPECT_STREQ(engine->getBackendName(), "cuda");
  EXPECT_TRUE(engine->isDeviceMemory());
}

// executeV2 runs to completion, as a user timing it or reading the outputs expects: nothing is left on the stream.
TEST(CudaBackend, ExecuteV2WaitsForTheDevice) {
  REQUIRE_CUDA();
  constexpr int64_t n = 2048;
  auto network = test::makeNetwork();
  Tensor* x = network->addInput("x", DataType::kFLOAT, dims({n, n}));
  Tensor* y = x;
  // Eight fp32 2048^3 products: milliseconds of GPU work, far more than queueing them takes.
  for (int i = 0; i < 8; ++i)
    y = network->addMatrixMultiply(*y, MatrixOperation::kNONE, *x, MatrixOperation::kNONE)->getOutput(0);
  network->markOutput(*y);
  auto engine = buildFor("cuda", *network, test::profileFor("x", dims({n, n}), dims({n, n}), dims({n, n})));
  auto context = engine->createExecutionContext();
  void* input = nullptr;
  void* output = nullptr;
  check(cudaMalloc(&input, n * n * sizeof(float)));
  check(cudaMalloc(&output, n * n * sizeof(float)));
  check(cudaMemset(input, 0, n * n * sizeof(float)));
  check(cudaDeviceSynchronize());
  context->setTensorAddress("x", input).check();
  context->setTensorAddress(y->getName(), output).check();
  for (int run = 0; run < 3; ++run) {
    context->executeV2().check();
    EXPECT_EQ(cudaStreamQuery(nullptr), cudaSuccess) << "run " << run;
  }
  check(cudaFree(input));
  check(cudaFree(output));
}

TEST(CudaBackend, BroadcastElementWiseAndActivations) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n) {
        auto* x = n.addInput("x", DataType::kFLOAT, dims({-1, 3, -1}));
        auto* bias = test::floatConstant(n, dims({1, 3, 1}), {0.5f, -1.0f, 2.0f});
        auto* sum = n.addElementWise(*x, *bias, ElementWiseOperation::kSUM)->getOutput(0);
        auto* prod = n.addElementWise(*sum, *x, ElementWiseOperation::kPROD)->getOutput(0);
        auto* mx = n.addElementWise(*prod, *bias, ElementWiseOperation::kMAX)->getOutput(0);
        auto* sig = n.addActivation(*mx, ActivationType::kSIGMOID)->getOutput(0);
        auto* gelu = n.addActivation(*sig, ActivationType::kGELU_ERF)->getOutput(0);
        n.markOutput(*gelu);
        n.markOutput(*n.addElementWise(*x, *bias, ElementWiseOperation::kGREATER)->getOutput(0));
        n.markOutput(*n.addUnary(*x, UnaryOperation::kEXP)->getOutput(0));
      },
      dims({1, 3, 1}), dims({4, 3, 17}), {dims({1, 3, 1}), dims({2, 3, 5}), dims({4, 3, 17})});
}

// Select with all three operands broadcast: a per-row condition, the input, and a per-column fallback.
TEST(CudaBackend, SelectBroadcastsItsThreeOperands) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n) {
        auto* x = n.addInput("x", DataType::kFLOAT, dims({-1, 3, -1}));
        auto* zero = test::floatConstant(n, dims({1, 3, 1}), {0.0f, 0.25f, -0.25f});
        auto* rowSum = n.addReduce(*x, ReduceOperation::kSUM, 0b100, true)->getOutput(0);  // [N, 3, 1]
        auto* condition = n.addElementWise(*rowSum, *zero, ElementWiseOperation::kGREATER)->getOutput(0);
        auto* fallback = test::floatConstant(n, dims({1, 1, 1}), {-7.0f});
        n.markOutput(*n.addSelect(*condition, *x, *fallback)->getOutput(0));
      },
      dims({1, 3, 1}), dims({4, 3, 9}), {dims({1, 3, 1}), dims({2, 3, 5}), dims({4, 3, 9})});
}

// Top-k along a middle and the last axis, largest and smallest, with ties (values rounded to halves) that must keep
// index order as on the CPU.
TEST(CudaBackend, TopKLargestAndSmallestWithTies) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n) {
        auto* x = n.addInput("x", DataType::kFLOAT, dims({-1, 6, -1}));
        auto* halves = test::floatConstant(n, dims({1, 1, 1}), {2.0f});
        auto* scaled = n.addElementWise(*x, *halves, ElementWiseOperation::kPROD)->getOutput(0);
        auto* rounded = n.addUnary(*scaled, UnaryOperation::kROUND)->getOutput(0);  // many equal values
        auto* largest = n.addTopK(*rounded, TopKOperation::kMAX, 3, 1u << 1);
        n.markOutput(*largest->getOutput(0));
        n.markOutput(*largest->getOutput(1));
        auto* smallest = n.addTopK(*rounded, TopKOperation::kMIN, 1, 1u << 2);
        n.markOutput(*smallest->getOutput(0));
        n.markOutput(*smallest->getOutput(1));
      },
      dims({1, 6, 1}), dims({3, 6, 11}), {dims({1, 6, 1}), dims({2, 6, 5}), dims({3, 6, 11})});
}

// GatherElements along the last and the middle axis, with negative indices, indices smaller than data on other axes.
TEST(CudaBackend, GatherElementsAlongTwoAxes) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n) {
        auto* x = n.addInput("x", DataType::kFLOAT, dims({-1, 4, 5}));
        std::vector<int64_t> last = {0, 4, -1, 2, 2, -5, 1, 3, 0, 4, 4, -2};
        auto* alongLast = n.addGatherV2(*x, *test::int64Constant(n, last, dims({1, 4, 3})), GatherMode::kELEMENT);
        alongLast->setGatherAxis(2);
        n.markOutput(*alongLast->getOutput(0));
        std::vector<int64_t> middle = {3, 0, -1, 1, 2, 2, 0, -4, 3, 1};
        auto* alongMiddle = n.addGatherV2(*x, *test::int64Constant(n, middle, dims({1, 2, 5})), GatherMode::kELEMENT);
        alongMiddle->setGatherAxis(1);
        n.markOutput(*alongMiddle->getOutput(0));
      },
      dims({1, 4, 5}), dims({3, 4, 5}), {dims({1, 4, 5}), dims({2, 4, 5}), dims({3, 4, 5})});
}

// Fills shaped by the input's run-time shape: fp32 linspace with alpha and per-axis beta from tensors, an int64
// linspace and an int32 constant from the attributes.
TEST(CudaBackend, FillLinspaceAndConstant) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n) {
        auto* x = n.addInput("x", DataType::kFLOAT, dims({-1, 3, -1}));
        auto* shape = n.addShape(*x)->getOutput(0);
        auto* alpha = test::floatConstant(n, dims({}), {0.5f});
        auto* beta = test::floatConstant(n, dims({3}), {1.0f, -2.0f, 0.25f});
        FillLayer* linspace = n.addFill(Dims{}, FillOperation::kLINSPACE, DataType::kFLOAT);
        linspace->setInput(0, *shape);
        linspace->setInput(1, *alpha);
        linspace->setInput(2, *beta);
        n.markOutput(*n.addElementWise(*linspace->getOutput(0), *x, ElementWiseOperation::kSUM)->getOutput(0));
        FillLayer* integers = n.addFill(Dims{}, FillOperation::kLINSPACE, DataType::kINT64);
        integers->setInput(0, *shape);
        n.markOutput(*integers->getOutput(0));
        FillLayer* constant = n.addFill(Dims{}, FillOperation::kCONSTANT, DataType::kINT32);
        constant->setInput(0, *shape);
        constant->setAlpha(-7.0);
        n.markOutput(*constant->getOutput(0));
      },
      dims({1, 3, 1}), dims({4, 3, 9}), {dims({1, 3, 1}), dims({2, 3, 5}), dims({4, 3, 9})});
}

TEST(CudaBackend, ShuffleSoftMaxAndReduce) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n) {
        auto* x = n.addInput("x", DataType::kFLOAT, dims({-1, 4, -1}));
        auto* shuffle = n.addShuffle(*x);
        shuffle->setFirstTranspose({2, 0, 1});
        auto* t = shuffle->getOutput(0);
        auto* softmax = n.addSoftMax(*t);
        softmax->setAxes(1u << 2);
        n.markOutput(*softmax->getOutput(0));
        n.markOutput(*n.addReduce(*x, ReduceOperation::kSUM, 0b101, false)->getOutput(0));
        n.markOutput(*n.addReduce(*x, ReduceOperation::kMAX, 0b010, true)->getOutput(0));
        n.markOutput(*n.addReduce(*x, ReduceOperation::kAVG, 0b100, true)->getOutput(0));
      },
      dims({1, 4, 1}), dims({6, 4, 33}), {dims({1, 4, 1}), dims({3, 4, 7}), dims({6, 4, 33})});
}

TEST(CudaBackend, MatrixMultiplyBatchedWithBroadcast) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n) {
        auto* x = n.addInput("x", DataType::kFLOAT, dims({-1, -1, 8}));
        auto* w = test::floatConstant(n, dims({8, 5}), test::randomFloats(40, 7));
        auto* wt = test::floatConstant(n, dims({1, 5, 8}), test::randomFloats(40, 8));
        n.markOutput(*n.addMatrixMultiply(*x, MatrixOperation::kNONE, *w, MatrixOperation::kNONE)->getOutput(0));
        n.markOutput(*n.addMatrixMultiply(*x, MatrixOperation::kNONE, *wt, MatrixOperation::kTRANSPOSE)->getOutput(0));
        n.markOutput(*n.addMatrixMultiply(*x, MatrixOperation::kNONE, *x, MatrixOperation::kTRANSPOSE)->getOutput(0));
      },
      dims({1, 1, 8}), dims({5, 64, 8}), {dims({1, 1, 8}), dims({2, 3, 8}), dims({5, 64, 8})});
}

TEST(CudaBackend, ConcatenationSliceGatherAndCast) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n) {
        auto* x = n.addInput("x", DataType::kFLOAT, dims({-1, 6}));
        n.markOutput(*n.addConcatenation({x, x}, 1)->getOutput(0));
        n.markOutput(*n.addSlice(*x, dims({0, 1}), dims({1, 2}), dims({1, 2}))->getOutput(0));
        auto* indices = test::int64Constant(n, {5, 0, -1});
        auto* gather = n.addGather(*x, *indices, 1);
        n.markOutput(*gather->getOutput(0));
        n.markOutput(*n.addCast(*x, DataType::kINT32)->getOutput(0));
      },
      dims({1, 6}), dims({9, 6}), {dims({1, 6}), dims({4, 6}), dims({9, 6})});
}

}  // namespace
}  // namespace kiln
