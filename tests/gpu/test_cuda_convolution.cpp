// The CUDA convolution and deconvolution (cuDNN), with the builder's fused epilogues, against the CPU backend: the
// same small networks built for both, run at three shapes of one dynamic profile, outputs compared (fp32 within 1e-4
// relative).
// The fp16 variants run the CUDA network in fp16 (input, weights and bias cast at its edges, all exact in fp16)
// against the CPU's fp32, within 1e-2. Every test skips with a message without a GPU (ctest label gpu).
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "gpu_test_util.h"

namespace kiln {
namespace {

using gpu_test::as;
using gpu_test::dims;
using gpu_test::markFloat;
using gpu_test::weights;
using gpu_test::distinct_input::compareBackends;

class CudaConvolution : public ::testing::TestWithParam<DataType> {};

INSTANTIATE_TEST_SUITE_P(Precisions, CudaConvolution, ::testing::Values(DataType::kFLOAT, DataType::kHALF),
                         gpu_test::typeParamName);

TEST_P(CudaConvolution, Convolution2DGroupsDilationAsymmetricAndSamePadding) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 4, -1, -1})), type);
        // Two groups, stride 2 x 1, dilation 1 x 2, padding 1 / 0 on rows and 0 / 2 on columns, bias.
        auto* grouped =
            n.addConvolution(*x, *weights(n, dims({6, 2, 3, 3}), 11, type), weights(n, dims({6}), 12, type));
        grouped->setNbGroups(2);
        grouped->setStrideNd(dims({2, 1}));
        grouped->setDilationNd(dims({1, 2}));
        grouped->setPrePadding(dims({1, 0}));
        grouped->setPostPadding(dims({0, 2}));
        markFloat(n, grouped->getOutput(0));
        // SAME_UPPER with an even kernel pads one more at the end: asymmetric at run time.
        auto* same = n.addConvolution(*x, *weights(n, dims({3, 4, 4, 4}), 13, type), nullptr);
        same->setPaddingMode(PaddingMode::kSAME_UPPER);
        same->setStrideNd(dims({2, 2}));
        markFloat(n, same->getOutput(0));
        // Symmetric padding, a 1 x 1 kernel with stride 1: the plain cases.
        auto* plain = n.addConvolution(*x, *weights(n, dims({5, 4, 3, 3}), 14, type), weights(n, dims({5}), 15, type));
        plain->setPaddingNd(dims({1, 1}));
        markFloat(n, plain->getOutput(0));
        markFloat(n, n.addConvolution(*x, *weights(n, dims({2, 4, 1, 1}), 16, type), nullptr)->getOutput(0));
      },
      GetParam(), dims({1, 4, 4, 5}), dims({3, 4, 11, 13}),
      {dims({1, 4, 4, 5}), dims({2, 4, 7, 9}), dims({3, 4, 11, 13})});
}

TEST_P(CudaConvolution, Convolution1DAnd3D) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 2, -1, 6, 5})), type);
        auto* conv3 =
            n.addConvolution(*x, *weights(n, dims({4, 2, 2, 3, 3}), 21, type), weights(n, dims({4}), 22, type));
        conv3->setPrePadding(dims({1, 1, 0}));
        conv3->setPostPadding(dims({0, 1, 1}));
        conv3->setStrideNd(dims({1, 2, 1}));
        markFloat(n, conv3->getOutput(0));
        // The same input viewed as 1-D: [N, 2, D * 30].
        auto* flat = n.addShuffle(*x);
        flat->setReshapeDimensions(dims({0, 2, -1}));
        auto* conv1 = n.addConvolution(*flat->getOutput(0), *weights(n, dims({4, 1, 4}), 23, type),
                                       weights(n, dims({4}), 24, type));
        conv1->setNbGroups(2);
        conv1->setStrideNd(dims({3}));
        conv1->setDilationNd(dims({2}));
        conv1->setPrePadding(dims({2}));
        conv1->setPostPadding(dims({1}));
        markFloat(n, conv1->getOutput(0));
      },
      GetParam(), dims({1, 2, 2, 6, 5}), dims({2, 2, 5, 6, 5}),
      {dims({1, 2, 2, 6, 5}), dims({2, 2, 3, 6, 5}), dims({2, 2, 5, 6, 5})});
}

TEST_P(CudaConvolution, DeconvolutionStridedGroupedWithOutputPadding) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 4, -1, -1})), type);
        // Input maps 4 in two groups of 2, three output maps per group; asymmetric padding and output padding.
        auto* bias = weights(n, dims({6}), 32, type);
        auto* grouped = n.addDeconvolution(*x, *weights(n, dims({4, 3, 3, 3}), 31, type), nullptr);
        grouped->setNbGroups(2);
        grouped->setInput(2, *bias);  // six maps once grouped
        grouped->setStrideNd(dims({2, 2}));
        grouped->setPrePadding(dims({1, 0}));
        grouped->setPostPadding(dims({0, 1}));
        grouped->setOutputPadding(dims({1, 1}));
        markFloat(n, grouped->getOutput(0));
        auto* dilated = n.addDeconvolution(*x, *weights(n, dims({4, 2, 2, 3}), 33, type), nullptr);
        dilated->setDilationNd(dims({2, 1}));
        dilated->setPaddingNd(dims({1, 1}));
        markFloat(n, dilated->getOutput(0));
      },
      GetParam(), dims({1, 4, 2, 3}), dims({3, 4, 7, 8}), {dims({1, 4, 2, 3}), dims({2, 4, 5, 4}), dims({3, 4, 7, 8})});
}

// The builder's fusions on CUDA: a ReLU with a bias (cudnnConvolutionBiasActivationForward), a folded batch
// normalization before it (with asymmetric padding, so the input is staged first), a ReLU without bias and a leaky
// ReLU (the activation kernel after the convolution), and a scale and shift folded into a deconvolution. The scales
// are powers of two and the shifts multiples of 1/1024, so the folded fp16 weights and biases stay exact.
TEST_P(CudaConvolution, ConvolutionWithFusedBatchNormalizationBiasAndActivation) {
  REQUIRE_CUDA();
  std::unique_ptr<Engine> gpu;
  compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 4, -1, -1})), type);
        auto constant = [&](const Dims& shape, const std::vector<float>& values) {
          return as(n, test::floatConstant(n, shape, values), type);
        };
        auto relu = [&](Tensor* t) { return n.addActivation(*t, ActivationType::kRELU)->getOutput(0); };
        auto* plain = n.addConvolution(*x, *weights(n, dims({5, 4, 3, 3}), 41, type), weights(n, dims({5}), 42, type));
        plain->setPaddingNd(dims({1, 1}));
        markFloat(n, relu(plain->getOutput(0)));
        auto* grouped =
            n.addConvolution(*x, *weights(n, dims({6, 2, 3, 2}), 43, type), weights(n, dims({6}), 44, type));
        grouped->setNbGroups(2);
        grouped->setPrePadding(dims({1, 0}));
        grouped->setPostPadding(dims({0, 1}));
        Tensor* scale = constant(dims({6, 1, 1}), {0.5f, 2, 1, 0.25f, 4, 0.5f});
        Tensor* shift = constant(dims({6, 1, 1}), {0.125f, -0.25f, 0.5f, -1, 0, 0.75f});
        Tensor* scaled = n.addElementWise(*grouped->getOutput(0), *scale, ElementWiseOperation::kPROD)->getOutput(0);
        markFloat(n, relu(n.addElementWise(*scaled, *shift, ElementWiseOperation::kSUM)->getOutput(0)));
        markFloat(n, relu(n.addConvolution(*x, *weights(n, dims({3, 4, 1, 1}), 45, type), nullptr)->getOutput(0)));
        auto* leaky = n.addActivation(
            *n.addConvolution(*x, *weights(n, dims({2, 4, 2, 2}), 46, type), weights(n, dims({2}), 47, type))
                 ->getOutput(0),
            ActivationType::kLEAKY_RELU);
        leaky->setAlpha(0.125);
        markFloat(n, leaky->getOutput(0));
        auto* deconv = n.addDeconvolution(*x, *weights(n, dims({4, 3, 2, 2}), 48, type), nullptr);
        deconv->setStrideNd(dims({2, 2}));
        Tensor* doubled = n.addElementWise(*deconv->getOutput(0), *constant(dims({3, 1, 1}), {2, 0.5f, 1}),
                                           ElementWiseOperation::kPROD)
                              ->getOutput(0);
        markFloat(
            n, n.addElementWise(*doubled, *constant(dims({3, 1, 1}), {0.5f, -0.5f, 0.25f}), ElementWiseOperation::kSUM)
                   ->getOutput(0));
      },
      GetParam(), dims({1, 4, 3, 3}), dims({3, 4, 9, 10}),
      {dims({1, 4, 3, 3}), dims({2, 4, 6, 7}), dims({3, 4, 9, 10})}, &gpu);
  ASSERT_TRUE(gpu);
  // Every scale, shift and activation became part of a convolution step.
  for (int32_t i = 0; i < gpu->getNbLayers(); ++i) {
    std::string type = gpu->getLayerInformation(i).type;
    EXPECT_TRUE(type != "Activation" && type != "ElementWise") << "step " << i << " is " << type;
  }
}

// Residual additions fused into convolutions on CUDA: with a bias and a ReLU (cudnnConvolutionBiasActivationForward
// with the residual as z), with a bias and no activation (the identity there where the algorithm allows it, else
// the element-wise kernel), without a bias (the element-wise kernel after the convolution), with a leaky ReLU after
// asymmetric padding (the input staged first), and with a projected shortcut computed after the convolution.
TEST_P(CudaConvolution, ConvolutionWithFusedResidual) {
  REQUIRE_CUDA();
  std::unique_ptr<Engine> gpu;
  compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 4, -1, -1})), type);
        auto sum = [&](Tensor* a, Tensor* b) {
          return n.addElementWise(*a, *b, ElementWiseOperation::kSUM)->getOutput(0);
        };
        auto act = [&](Tensor* t, ActivationType op) {
          auto* layer = n.addActivation(*t, op);
          if (op == ActivationType::kLEAKY_RELU) layer->setAlpha(0.125);
          return layer->getOutput(0);
        };
        auto conv3x3 = [&](uint32_t seed, bool bias) {
          auto* conv = n.addConvolution(*x, *weights(n, dims({4, 4, 3, 3}), seed, type),
                                        bias ? weights(n, dims({4}), seed + 1, type) : nullptr);
          conv->setPaddingNd(dims({1, 1}));
          return conv->getOutput(0);
        };
        markFloat(n, act(sum(conv3x3(51, true), x), ActivationType::kRELU));
        markFloat(n, sum(x, conv3x3(53, true)));
        markFloat(n, act(sum(conv3x3(55, false), x), ActivationType::kRELU));
        auto* asymmetric =
            n.addConvolution(*x, *weights(n, dims({4, 4, 2, 2}), 57, type), weights(n, dims({4}), 58, type));
        asymmetric->setPrePadding(dims({1, 0}));
        asymmetric->setPostPadding(dims({0, 1}));
        markFloat(n, act(sum(asymmetric->getOutput(0), x), ActivationType::kLEAKY_RELU));
        Tensor* main = conv3x3(59, true);
        Tensor* projection = n.addConvolution(*x, *weights(n, dims({4, 4, 1, 1}), 61, type), nullptr)->getOutput(0);
        markFloat(n, act(sum(projection, main), ActivationType::kRELU));
      },
      GetParam(), dims({1, 4, 3, 3}), dims({3, 4, 9, 10}),
      {dims({1, 4, 3, 3}), dims({2, 4, 6, 7}), dims({3, 4, 9, 10})}, &gpu);
  ASSERT_TRUE(gpu);
  // Every sum and activation became part of a convolution step, five of which read a residual.
  int32_t residuals = 0;
  for (int32_t i = 0; i < gpu->getNbLayers(); ++i) {
    LayerInfo info = gpu->getLayerInformation(i);
    EXPECT_TRUE(info.type != "Activation" && info.type != "ElementWise") << "step " << i << " is " << info.type;
    residuals += info.type == "Convolution" && info.inputs.size() == 4;
  }
  EXPECT_EQ(residuals, 5);
}

}  // namespace
}  // namespace kiln
