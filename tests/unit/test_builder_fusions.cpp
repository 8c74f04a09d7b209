// Builder fusions (batch normalization folded into convolutions, activations and residual additions fused into
// convolutions, bias and activation fused into matrix multiplies, attention's scale and mask fused into the softmax,
// residual sums fused into layer normalization), observed through the plans they produce. Each fused network is checked
// against the same network with its intermediate results also marked as outputs, which keeps every fusion from
// firing, at several shapes of a dynamic profile; the small cases also against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <optional>

#include "onnx_model_builder.h"
#include "test_util.h"
#include "unfused_comparison.h"

namespace kiln::test {
namespace {

Tensor* randomConstant(NetworkDefinition& net, const Dims& dims, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  return floatConstant(net, dims, randomFloats(static_cast<size_t>(dims.volume()), seed, lo, hi));
}

Tensor* scaleShift(NetworkDefinition& net, Tensor& y, Tensor& scale, Tensor& shift) {
  Tensor* scaled = net.addElementWise(y, scale, ElementWiseOperation::kPROD)->getOutput(0);
  return net.addElementWise(*scaled, shift, ElementWiseOperation::kSUM)->getOutput(0);
}

TEST(BuilderFusions, ScaleShiftAndReluFoldIntoTheConvolutionHandComputed) {
  // relu((2x + 1) * 3 - 4) = relu(6x - 1) through a 1 x 1 convolution with one channel.
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 1, -1});
  Tensor* y =
      net.addConvolution(*x, *floatConstant(net, Dims{1, 1, 1}, {2}), floatConstant(net, Dims{1}, {1}))->getOutput(0);
  y = scaleShift(net, *y, *floatConstant(net, Dims{1, 1}, {3}), *floatConstant(net, Dims{1}, {-4}));
  net.markOutput(*net.addActivation(*y, ActivationType::kRELU)->getOutput(0));
  auto engine = buildFor(net, Dims{1, 1, 1}, Dims{2, 1, 8});
  ASSERT_EQ(engine->getNbLayers(), 1);
  LayerInfo info = engine->getLayerInformation(0);
  EXPECT_EQ(info.type, "Convolution");
  EXPECT_NE(info.attributes.find("postActivation=0"), std::string::npos) << info.attributes;
  auto out = runEngine(*engine, {HostTensor::f32(Dims{1, 1, 5}, {-1, 0, 0.5f, 1, 2})});
  expectNear(out[0].f32(), {0, 0, 2, 5, 11});
}

TEST(BuilderFusions, BatchNormalizationFoldsIntoGroupedConvolutionAtEveryShape) {
  auto counts = compareWithUnfused(
      [](NetworkDefinition& net, bool observe) {
        Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 4, -1, -1});
        auto* conv = net.addConvolution(*x, *randomConstant(net, Dims{6, 2, 3, 3}, 1), randomConstant(net, Dims{6}, 2));
        conv->setNbGroups(2);
        conv->setPaddingNd(Dims{1, 1});
        conv->setStrideNd(Dims{2, 1});
        Tensor* y = conv->getOutput(0);
        // Scale [6, 1, 1] and shift [1, 6, 1, 1]: both broadcast along the channels only.
        Tensor* bn = scaleShift(net, *y, *randomConstant(net, Dims{6, 1, 1}, 3, 0.5f, 2.0f),
                                *randomConstant(net, Dims{1, 6, 1, 1}, 4));
        net.markOutput(*net.addActivation(*bn, ActivationType::kRELU)->getOutput(0));
        if (observe) net.markOutput(*y);
      },
      Dims{1, 4, 3, 3}, Dims{3, 4, 9, 11}, {Dims{1, 4, 3, 3}, Dims{2, 4, 7, 5}, Dims{3, 4, 9, 11}});
  EXPECT_EQ(counts.unfused, 4);
  EXPECT_EQ(counts.fused, 1);
}

TEST(BuilderFusions, ConvolutionWithoutBiasGainsOneFromTheShift) {
  auto counts = compareWithUnfused(
      [](NetworkDefinition& net, bool observe) {
        Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 3, -1});
        Tensor* y = net.addConvolution(*x, *randomConstant(net, Dims{5, 3, 2}, 5), nullptr)->getOutput(0);
        // A shift by a scalar and a subtraction of a per-channel constant.
        Tensor* shifted =
            net.addElementWise(*y, *floatConstant(net, Dims{1, 1, 1}, {0.25f}), ElementWiseOperation::kSUM)
                ->getOutput(0);
        Tensor* z =
            net.addElementWise(*shifted, *randomConstant(net, Dims{5, 1}, 6), ElementWiseOperation::kSUB)->getOutput(0);
        net.markOutput(*z);
        if (observe) net.markOutput(*y);
      },
      Dims{1, 3, 2}, Dims{4, 3, 12}, {Dims{1, 3, 2}, Dims{4, 3, 12}});
  EXPECT_EQ(counts.unfused, 3);
  EXPECT_EQ(counts.fused, 1);
}

TEST(BuilderFusions, ScaleShiftFoldsIntoGroupedDeconvolution) {
  auto counts = compareWithUnfused(
      [](NetworkDefinition& net, bool observe) {
        Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 4, -1, -1});
        // Groups 2: 4 input channels, 3 outputs per group, 6 in all.
        Tensor* bias = randomConstant(net, Dims{6}, 8);
        auto* deconv = net.addDeconvolution(*x, *randomConstant(net, Dims{4, 3, 2, 3}, 7), nullptr);
        deconv->setNbGroups(2);
        deconv->setStrideNd(Dims{2, 2});
        deconv->setInput(2, *bias);  // six maps once grouped
        Tensor* y = deconv->getOutput(0);
        net.markOutput(
            *scaleShift(net, *y, *randomConstant(net, Dims{6, 1, 1}, 9), *randomConstant(net, Dims{6, 1, 1}, 10)));
        if (observe) net.markOutput(*y);
      },
      Dims{1, 4, 2, 2}, Dims{2, 4, 5, 6}, {Dims{1, 4, 2, 2}, Dims{2, 4, 5, 6}});
  EXPECT_EQ(counts.unfused, 3);
  EXPECT_EQ(counts.fused, 1);
}

TEST(BuilderFusions, ShiftThatIsNotPerChannelStaysSeparate) {
  // A constant that varies along a spatial axis cannot move into the bias.
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 2, 4});
  Tensor* y = net.addConvolution(*x, *randomConstant(net, Dims{2, 2, 1}, 11), nullptr)->getOutput(0);
  net.markOutput(
      *net.addElementWise(*y, *floatConstant(net, Dims{1, 4}, {1, 2, 3, 4}), ElementWiseOperation::kSUM)->getOutput(0));
  EXPECT_EQ(buildFor(net, Dims{1, 2, 4}, Dims{2, 2, 4})->getNbLayers(), 2);
}

TEST(BuilderFusions, ActivationsFuseIntoConvolutionWithTheirParameters) {
  struct Case {
    ActivationType type;
    double alpha, beta;
  };
  for (Case c : {Case{ActivationType::kLEAKY_RELU, 0.2, 0}, Case{ActivationType::kCLIP, -0.5, 0.75},
                 Case{ActivationType::kSIGMOID, 0, 0}, Case{ActivationType::kRELU, 0, 0}}) {
    SCOPED_TRACE(static_cast<int>(c.type));
    auto counts = compareWithUnfused(
        [c](NetworkDefinition& net, bool observe) {
          Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 3, -1, -1});
          auto* conv =
              net.addConvolution(*x, *randomConstant(net, Dims{4, 3, 3, 3}, 12), randomConstant(net, Dims{4}, 13));
          conv->setPaddingMode(PaddingMode::kSAME_UPPER);
          auto* act = net.addActivation(*conv->getOutput(0), c.type);
          if (c.type != ActivationType::kSIGMOID && c.type != ActivationType::kRELU) {
            act->setAlpha(c.alpha);
            act->setBeta(c.beta);
          }
          net.markOutput(*act->getOutput(0));
          if (observe) net.markOutput(*conv->getOutput(0));
        },
        Dims{1, 3, 2, 2}, Dims{2, 3, 6, 7}, {Dims{1, 3, 2, 2}, Dims{2, 3, 5, 4}, Dims{2, 3, 6, 7}});
    EXPECT_EQ(counts.unfused, 2);
    EXPECT_EQ(counts.fused, 1);
  }
}

TEST(BuilderFusions, ConvolutionReadByTwoLayersIsNotFused) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 1, 4});
  Tensor* y = net.addConvolution(*x, *floatConstant(net, Dims{1, 1, 1}, {-1}), nullptr)->getOutput(0);
  Tensor* relu = net.addActivation(*y, ActivationType::kRELU)->getOutput(0);
  Tensor* scaled =
      net.addElementWise(*y, *floatConstant(net, Dims{1, 1, 1}, {2}), ElementWiseOperation::kPROD)->getOutput(0);
  net.markOutput(*net.addElementWise(*relu, *scaled, ElementWiseOperation::kSUM)->getOutput(0));
  auto engine = buildFor(net, Dims{1, 1, 4}, Dims{1, 1, 4});
  EXPECT_EQ(engine->getNbLayers(), 4);
  // relu(-x) + 2 * -x
  auto out = runEngine(*engine, {HostTensor::f32(Dims{1, 1, 4}, {-2, -1, 1, 3})});
  expectNear(out[0].f32(), {6, 3, -2, -6});
}

TEST(BuilderFusions, ResidualAndReluFuseIntoTheConvolutionHandComputed) {
  // relu((2x + 1) + x) = relu(3x + 1) through a 1 x 1 convolution with one channel, the shortcut being the input.
  for (bool shortcutFirst : {false, true}) {
    SCOPED_TRACE(shortcutFirst ? "shortcut + conv" : "conv + shortcut");
    NetworkDefinition net;
    Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 1, -1});
    Tensor* y =
        net.addConvolution(*x, *floatConstant(net, Dims{1, 1, 1}, {2}), floatConstant(net, Dims{1}, {1}))->getOutput(0);
    Tensor* sum = shortcutFirst ? net.addElementWise(*x, *y, ElementWiseOperation::kSUM)->getOutput(0)
                                : net.addElementWise(*y, *x, ElementWiseOperation::kSUM)->getOutput(0);
    net.markOutput(*net.addActivation(*sum, ActivationType::kRELU)->getOutput(0));
    auto engine = buildFor(net, Dims{1, 1, 1}, Dims{3, 1, 8});
    ASSERT_EQ(engine->getNbLayers(), 1);
    LayerInfo info = engine->getLayerInformation(0);
    EXPECT_EQ(info.type, "Convolution");
    ASSERT_EQ(info.inputs.size(), 4u);
    EXPECT_EQ(info.inputs[3], "x");
    EXPECT_NE(info.attributes.find("postActivation=0"), std::string::npos) << info.attributes;
    auto out = runEngine(*engine, {HostTensor::f32(Dims{1, 1, 5}, {-1, -0.5f, 0, 0.5f, 2})});
    expectNear(out[0].f32(), {0, 0, 1, 2.5f, 7});
    out = runEngine(*engine, {HostTensor::f32(Dims{2, 1, 2}, {-2, 1, 3, -0.25f})});
    expectNear(out[0].f32(), {0, 4, 10, 0.25f});
  }
}

TEST(BuilderFusions, ResidualWithoutBiasLeavesTheBiasInputAbsent) {
  // (-x) + x + 1 through a convolution without bias, the shortcut computed after it (x + 1), no activation.
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 1, -1});
  Tensor* y = net.addConvolution(*x, *floatConstant(net, Dims{1, 1, 1}, {-1}), nullptr)->getOutput(0);
  Tensor* shortcut =
      net.addElementWise(*x, *floatConstant(net, Dims{1, 1, 1}, {1}), ElementWiseOperation::kSUM)->getOutput(0);
  net.markOutput(*net.addElementWise(*y, *shortcut, ElementWiseOperation::kSUM)->getOutput(0));
  auto engine = buildFor(net, Dims{1, 1, 1}, Dims{2, 1, 4});
  ASSERT_EQ(engine->getNbLayers(), 2);
  LayerInfo info = engine->getLayerInformation(1);
  EXPECT_EQ(info.type, "Convolution");
  ASSERT_EQ(info.inputs.size(), 4u);
  EXPECT_EQ(info.inputs[2], "");
  EXPECT_EQ(info.attributes.find("postActivation"), std::string::npos) << info.attributes;
  auto out = runEngine(*engine, {HostTensor::f32(Dims{1, 1, 3}, {-3, 0.5f, 7})});
  expectNear(out[0].f32(), {1, 1, 1});
}

// A bottleneck's end: conv (bias or none) + shortcut, then an activation or none; the shortcut is the block's input
// or a projection of it computed after the convolution (as exporters order a downsampling block).
TEST(BuilderFusions, ResidualFusesIntoTheConvolutionAtEveryShape) {
  struct Case {
    bool bias, projection, shortcutFirst;
    std::optional<ActivationType> activation;
  };
  for (Case c : {Case{true, false, false, ActivationType::kRELU}, Case{true, true, true, ActivationType::kRELU},
                 Case{false, true, false, ActivationType::kLEAKY_RELU}, Case{true, false, true, std::nullopt},
                 Case{false, false, false, ActivationType::kSIGMOID}}) {
    SCOPED_TRACE(std::to_string(c.bias) + std::to_string(c.projection) + std::to_string(c.shortcutFirst) +
                 (c.activation ? std::to_string(static_cast<int>(*c.activation)) : "none"));
    auto counts = compareWithUnfused(
        [c](NetworkDefinition& net, bool observe) {
          Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 4, -1, -1});
          auto* inner =
              net.addConvolution(*x, *randomConstant(net, Dims{3, 4, 1, 1}, 31), randomConstant(net, Dims{3}, 32));
          Tensor* hidden = net.addActivation(*inner->getOutput(0), ActivationType::kRELU)->getOutput(0);
          auto* conv = net.addConvolution(*hidden, *randomConstant(net, Dims{4, 3, 3, 3}, 33),
                                          c.bias ? randomConstant(net, Dims{4}, 34) : nullptr);
          conv->setPaddingNd(Dims{1, 1});
          Tensor* y = conv->getOutput(0);
          Tensor* shortcut =
              c.projection ? net.addConvolution(*x, *randomConstant(net, Dims{4, 4, 1, 1}, 35), nullptr)->getOutput(0)
                           : x;
          Tensor* sum = c.shortcutFirst ? net.addElementWise(*shortcut, *y, ElementWiseOperation::kSUM)->getOutput(0)
                                        : net.addElementWise(*y, *shortcut, ElementWiseOperation::kSUM)->getOutput(0);
          Tensor* out = sum;
          if (c.activation) {
            auto* act = net.addActivation(*sum, *c.activation);
            if (*c.activation == ActivationType::kLEAKY_RELU) act->setAlpha(0.125);
            out = act->getOutput(0);
          }
          net.markOutput(*out);
          if (!observe) return;
          net.markOutput(*y);
          if (c.projection) net.markOutput(*shortcut);  // else the projection would take y as its residual
        },
        Dims{1, 4, 2, 2}, Dims{3, 4, 7, 6}, {Dims{1, 4, 2, 2}, Dims{2, 4, 5, 3}, Dims{3, 4, 7, 6}});
    int32_t shortcutSteps = c.projection ? 1 : 0, activationSteps = c.activation ? 1 : 0;
    EXPECT_EQ(counts.unfused, 3 + shortcutSteps + activationSteps);
    EXPECT_EQ(counts.fused, 2 + shortcutSteps);
  }
}

TEST(BuilderFusions, ResidualThatBroadcastsOrIsReadTwiceStaysSeparateAndAnObservedSumKeepsItsActivation) {
  // relu(2x + s): s a per-image mean [N, 1, 1] that broadcasts over the row, or the convolution's output also read by
  // a second layer: the sum and the activation stay steps of their own. With the sum also a network output, the sum
  // fuses but the activation stays separate.
  auto convolution = [](NetworkDefinition& net, Tensor& x) {
    return net.addConvolution(x, *floatConstant(net, Dims{1, 1, 1}, {2}), nullptr)->getOutput(0);
  };
  auto relu = [](NetworkDefinition& net, Tensor& t) {
    return net.addActivation(t, ActivationType::kRELU)->getOutput(0);
  };
  const HostTensor input = HostTensor::f32(Dims{1, 1, 4}, {-2, -1, 1, 6});  // mean 1
  {
    SCOPED_TRACE("broadcast");
    NetworkDefinition net;
    Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 1, -1});
    Tensor* mean = net.addReduce(*x, ReduceOperation::kAVG, 1u << 2, true)->getOutput(0);
    net.markOutput(
        *relu(net, *net.addElementWise(*convolution(net, *x), *mean, ElementWiseOperation::kSUM)->getOutput(0)));
    auto engine = buildFor(net, Dims{1, 1, 1}, Dims{2, 1, 4});
    EXPECT_EQ(engine->getNbLayers(), 4);
    expectNear(runEngine(*engine, {input})[0].f32(), {0, 0, 3, 13});
  }
  {
    SCOPED_TRACE("read twice");
    NetworkDefinition net;
    Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 1, -1});
    Tensor* y = convolution(net, *x);
    Tensor* sum = net.addElementWise(*y, *x, ElementWiseOperation::kSUM)->getOutput(0);
    net.markOutput(*net.addElementWise(*relu(net, *sum), *y, ElementWiseOperation::kPROD)->getOutput(0));
    auto engine = buildFor(net, Dims{1, 1, 1}, Dims{2, 1, 4});
    EXPECT_EQ(engine->getNbLayers(), 4);
    expectNear(runEngine(*engine, {input})[0].f32(), {0, 0, 6, 216});
  }
  {
    SCOPED_TRACE("sum also an output");
    NetworkDefinition net;
    Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 1, -1});
    Tensor* sum = net.addElementWise(*convolution(net, *x), *x, ElementWiseOperation::kSUM)->getOutput(0);
    net.markOutput(*relu(net, *sum));
    net.markOutput(*sum);
    auto engine = buildFor(net, Dims{1, 1, 1}, Dims{2, 1, 4});
    ASSERT_EQ(engine->getNbLayers(), 2);
    LayerInfo info = engine->getLayerInformation(0);
    EXPECT_EQ(info.inputs.size(), 4u);
    EXPECT_EQ(info.attributes.find("postActivation"), std::string::npos) << info.attributes;
    auto out = runEngine(*engine, {input});
    expectNear(out[0].f32(), {0, 0, 3, 18});
    expectNear(out[1].f32(), {-6, -3, 3, 18});
  }
}

TEST(BuilderFusions, MatrixMultiplyBiasAndActivationFuseInEitherOperandOrder) {
  for (bool biasFirst : {false, true}) {
    SCOPED_TRACE(biasFirst ? "bias + product" : "product + bias");
    auto counts = compareWithUnfused(
        [biasFirst](NetworkDefinition& net, bool observe) {
          Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, -1, 6});
          Tensor* w = randomConstant(net, Dims{5, 6}, 14);
          Tensor* y = net.addMatrixMultiply(*x, MatrixOperation::kNONE, *w, MatrixOperation::kTRANSPOSE)->getOutput(0);
          Tensor* bias = randomConstant(net, Dims{1, 1, 5}, 15);
          Tensor* sum = biasFirst ? net.addElementWise(*bias, *y, ElementWiseOperation::kSUM)->getOutput(0)
                                  : net.addElementWise(*y, *bias, ElementWiseOperation::kSUM)->getOutput(0);
          auto* act = net.addActivation(*sum, ActivationType::kGELU_ERF);
          net.markOutput(*act->getOutput(0));
          if (observe) net.markOutput(*y);
        },
        Dims{1, 1, 6}, Dims{3, 8, 6}, {Dims{1, 1, 6}, Dims{2, 5, 6}, Dims{3, 8, 6}});
    EXPECT_EQ(counts.unfused, 3);
    EXPECT_EQ(counts.fused, 1);
  }
}

TEST(BuilderFusions, MatrixMultiplyBiasHandComputed) {
  // [[1, 2], [3, 4]] x [[1, 0, -1], [0, 1, 1]] + [10, -20, 0], then relu.
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 2});
  Tensor* w = floatConstant(net, Dims{2, 3}, {1, 0, -1, 0, 1, 1});
  Tensor* y = net.addMatrixMultiply(*x, MatrixOperation::kNONE, *w, MatrixOperation::kNONE)->getOutput(0);
  Tensor* sum =
      net.addElementWise(*y, *floatConstant(net, Dims{3}, {10, -20, 0}), ElementWiseOperation::kSUM)->getOutput(0);
  net.markOutput(*net.addActivation(*sum, ActivationType::kRELU)->getOutput(0));
  auto engine = buildFor(net, Dims{1, 2}, Dims{4, 2});
  ASSERT_EQ(engine->getNbLayers(), 1);
  EXPECT_EQ(engine->getLayerInformation(0).type, "MatrixMultiply");
  EXPECT_EQ(engine->getLayerInformation(0).inputs.size(), 3u);
  auto out = runEngine(*engine, {HostTensor::f32(Dims{2, 2}, {1, 2, 3, 4})});
  expectNear(out[0].f32(), {11, 0, 1, 13, 0, 1});
}

// Without a bias the activation still fuses; a bias after it does not (it would be added before the activation),
// and neither does a second activation.
TEST(BuilderFusions, ActivationFusesIntoAMatrixMultiplyWithoutBiasAndNothingAfterIt) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 2});
  Tensor* w = floatConstant(net, Dims{2, 3}, {1, 0, -1, 0, 1, 1});
  Tensor* y = net.addMatrixMultiply(*x, MatrixOperation::kNONE, *w, MatrixOperation::kNONE)->getOutput(0);
  Tensor* relu = net.addActivation(*y, ActivationType::kRELU)->getOutput(0);
  Tensor* sum =
      net.addElementWise(*relu, *floatConstant(net, Dims{3}, {10, -20, 0}), ElementWiseOperation::kSUM)->getOutput(0);
  auto* leaky = net.addActivation(*sum, ActivationType::kLEAKY_RELU);
  leaky->setAlpha(0.5);
  net.markOutput(*leaky->getOutput(0));
  auto engine = buildFor(net, Dims{1, 2}, Dims{4, 2});
  ASSERT_EQ(engine->getNbLayers(), 3);
  EXPECT_EQ(engine->getLayerInformation(0).type, "MatrixMultiply");
  EXPECT_EQ(engine->getLayerInformation(0).inputs.size(), 2u);
  // [[1, 2], [3, 4]] x w = [[1, 2, 1], [3, 4, 1]]; relu; + [10, -20, 0]; leaky relu (alpha 0.5).
  auto out = runEngine(*engine, {HostTensor::f32(Dims{2, 2}, {1, 2, 3, 4})});
  expectNear(out[0].f32(), {11, -9, 1, 13, -8, 1});
  // [[-1, -2]] x w = [[-1, -2, -1]] -> relu 0 -> [10, -20, 0] -> [10, -10, 0].
  out = runEngine(*engine, {HostTensor::f32(Dims{1, 2}, {-1, -2})});
  expectNear(out[0].f32(), {10, -10, 0});
}

TEST(BuilderFusions, BiasThatIsNotAlongTheLastAxisStaysSeparate) {
  for (Dims biasDims : {Dims{4, 1}, Dims{1, 1, 3}}) {
    SCOPED_TRACE(toString(biasDims));
    // [4, 1] varies along the rows; [1, 1, 3] broadcasts the [4, 3] product up to rank 3.
    NetworkDefinition net;
    Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{4, 2});
    Tensor* y =
        net.addMatrixMultiply(*x, MatrixOperation::kNONE, *randomConstant(net, Dims{2, 3}, 16), MatrixOperation::kNONE)
            ->getOutput(0);
    net.markOutput(
        *net.addElementWise(*y, *randomConstant(net, biasDims, 17), ElementWiseOperation::kSUM)->getOutput(0));
    EXPECT_EQ(buildFor(net, Dims{4, 2}, Dims{4, 2})->getNbLayers(), 2);
  }
}

TEST(BuilderFusions, OnnxGemmWithBiasAndReluBecomesOneStep) {
  OnnxModel m(13);
  m.input("x", {-1, 3});
  m.floats("w", {2, 3}, {1, 2, 3, -1, 0, 1});
  m.floats("c", {2}, {0.5f, -4});
  setInt(m.node("Gemm", {"x", "w", "c"}, {"g"}), "transB", 1);
  m.outputNode("Relu", {"g"});
  auto net = m.import();
  auto engine = buildFor(*net, Dims{1, 3}, Dims{4, 3});
  ASSERT_EQ(engine->getNbLayers(), 1);
  // x = [1, 1, 1]: [6.5, -4] -> [6.5, 0]; x = [0, -1, 2]: [4.5, -2] -> [4.5, 0].
  auto out = runEngine(*engine, {HostTensor::f32(Dims{2, 3}, {1, 1, 1, 0, -1, 2})});
  expectNear(out[0].f32(), {6.5f, 0, 4.5f, 0});
}

// PyTorch's exact GELU after a Linear layer (BERT's intermediate dense): MatMul, Add (bias), Div, Erf, Add, Mul, Mul
// become one matrix multiply step with the bias and a GELU_ERF epilogue; both multiply orders are recognized.
TEST(BuilderFusions, OnnxExactGeluIsRecognizedAndFusesIntoTheMatrixMultiply) {
  for (bool halfFirst : {false, true}) {
    SCOPED_TRACE(halfFirst ? "(1 + erf) * 0.5 * x" : "x * (1 + erf) * 0.5");
    OnnxModel m(13);
    m.input("x", {-1, 2});
    m.floats("w", {2, 3}, {1, 0, -1, 0, 1, 2});
    m.floats("b", {3}, {0.5f, -1, 0});
    m.floats("sqrt2", {}, {1.4142135f});
    m.floats("one", {}, {1});
    m.floats("half", {}, {0.5f});
    m.node("MatMul", {"x", "w"}, {"p"});
    m.node("Add", {"p", "b"}, {"h"});
    m.node("Div", {"h", "sqrt2"}, {"d"});
    m.node("Erf", {"d"}, {"e"});
    m.node("Add", {"e", "one"}, {"s"});
    if (halfFirst) {
      m.node("Mul", {"s", "half"}, {"q"});
      m.outputNode("Mul", {"h", "q"});
    } else {
      m.node("Mul", {"h", "s"}, {"q"});
      m.outputNode("Mul", {"q", "half"});
    }
    auto net = m.import();
    auto engine = buildFor(*net, Dims{1, 2}, Dims{4, 2});
    ASSERT_EQ(engine->getNbLayers(), 1);
    EXPECT_EQ(engine->getLayerInformation(0).type, "MatrixMultiply");
    // x = [1, 2]: h = [1.5, 1, 3]; x = [-1, 0.5]: h = [-0.5, -0.5, 2]; gelu(v) = v * (1 + erf(v / sqrt(2))) / 2.
    std::vector<float> expected;
    for (double v : {1.5, 1.0, 3.0, -0.5, -0.5, 2.0})
      expected.push_back(static_cast<float>(v * (1 + std::erf(v / std::sqrt(2.0))) / 2));
    auto out = runEngine(*engine, {HostTensor::f32(Dims{2, 2}, {1, 2, -1, 0.5f})});
    expectNear(out[0].f32(), expected, 1e-6f, 1e-5f);
  }
}

// Not a GELU: the erf reads x / 2 — the layers stay as they are.
TEST(BuilderFusions, ErfOfAnotherScaleIsNotTakenForGelu) {
  OnnxModel m(13);
  m.input("x", {-1, 2});
  m.floats("two", {}, {2});
  m.floats("one", {}, {1});
  m.floats("half", {}, {0.5f});
  m.node("Div", {"x", "two"}, {"d"});
  m.node("Erf", {"d"}, {"e"});
  m.node("Add", {"e", "one"}, {"s"});
  m.node("Mul", {"x", "s"}, {"q"});
  m.outputNode("Mul", {"q", "half"});
  auto net = m.import();
  auto engine = buildFor(*net, Dims{1, 2}, Dims{4, 2});
  EXPECT_EQ(engine->getNbLayers(), 5);
  auto out = runEngine(*engine, {HostTensor::f32(Dims{1, 2}, {1, -2})});
  expectNear(out[0].f32(),
             {static_cast<float>((1 + std::erf(0.5)) / 2), static_cast<float>(-2 * (1 + std::erf(-1.0)) / 2)}, 1e-6f,
             1e-5f);
}

TEST(BuilderFusions, OnnxConvBatchNormalizationReluBecomesOneStep) {
  // A 1 x 1 convolution without bias (as PyTorch exports one before batch normalization): y = W x per pixel.
  const std::vector<float> w = {0.5f, -1, 2, 1, 0.25f, -0.5f};  // 2 x 3
  const std::vector<float> gamma = {1.5f, -0.5f}, beta = {0.25f, 1}, mean = {0.1f, -0.3f}, var = {0.8f, 2.5f};
  const float epsilon = 1e-3f;
  OnnxModel m(15);
  m.input("x", {-1, 3, -1, -1});
  m.floats("w", {2, 3, 1, 1}, w);
  m.floats("gamma", {2}, gamma).floats("beta", {2}, beta).floats("mean", {2}, mean).floats("var", {2}, var);
  m.node("Conv", {"x", "w"}, {"c"});
  setFloat(m.node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"bn"}), "epsilon", epsilon);
  m.outputNode("Relu", {"bn"});
  auto net = m.import();
  auto engine = buildFor(*net, Dims{1, 3, 1, 1}, Dims{2, 3, 4, 4});
  ASSERT_EQ(engine->getNbLayers(), 1);
  EXPECT_EQ(engine->getLayerInformation(0).type, "Convolution");
  for (Dims shape : {Dims{1, 3, 1, 1}, Dims{2, 3, 3, 2}, Dims{2, 3, 4, 4}}) {
    SCOPED_TRACE(toString(shape));
    int64_t plane = shape.d[2] * shape.d[3];
    std::vector<float> x = randomFloats(static_cast<size_t>(shape.volume()), 21, -2.0f, 2.0f);
    std::vector<float> expected;
    for (int64_t n = 0; n < shape.d[0]; ++n)
      for (int64_t k = 0; k < 2; ++k)
        for (int64_t p = 0; p < plane; ++p) {
          double c = 0;
          for (int64_t i = 0; i < 3; ++i) c += double{w[k * 3 + i]} * x[(n * 3 + i) * plane + p];
          double bn = (c - mean[k]) / std::sqrt(double{var[k]} + epsilon) * gamma[k] + beta[k];
          expected.push_back(static_cast<float>(std::max(bn, 0.0)));
        }
    auto out = runEngine(*engine, {HostTensor::f32(shape, x)});
    expectNear(out[0].f32(), expected, 1e-5f, 1e-5f);
  }
}

// ---- Attention softmax: scale and mask fused into the softmax ----------------------------------------------------

// x * 0.125 (a one-element constant of rank 4) + mask, then softmax over the last axis; the mask is [B, 1, 1, S]
// (broadcast over heads and queries) or [B, 1, S, S] (over heads), computed from x, on the left or the right.
void attentionSoftMax(NetworkDefinition& net, bool observe, uint32_t maskAxes, bool maskFirst, bool log) {
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 3, -1, -1});
  Tensor* scaled = net.addElementWise(*x, *floatConstant(net, Dims{1, 1, 1, 1}, {0.125f}), ElementWiseOperation::kPROD)
                       ->getOutput(0);
  Tensor* mask = net.addReduce(*x, ReduceOperation::kMAX, maskAxes, true)->getOutput(0);
  Tensor* sum = net.addElementWise(maskFirst ? *mask : *scaled, maskFirst ? *scaled : *mask, ElementWiseOperation::kSUM)
                    ->getOutput(0);
  auto* softmax = net.addSoftMax(*sum);
  softmax->setAxes(1u << 3);
  softmax->setLog(log);
  net.markOutput(*softmax->getOutput(0));
  if (observe) {
    net.markOutput(*scaled);
    net.markOutput(*sum);
  }
}

TEST(BuilderFusions, AttentionScaleAndMaskFuseIntoTheSoftMaxAtEveryShape) {
  for (uint32_t maskAxes : {0b0110u, 0b0010u})
    for (bool maskFirst : {false, true})
      for (bool log : {false, true}) {
        SCOPED_TRACE(std::to_string(maskAxes) + (maskFirst ? " mask first" : "") + (log ? " log" : ""));
        LayerCounts counts = compareWithUnfused(
            [&](NetworkDefinition& net, bool observe) { attentionSoftMax(net, observe, maskAxes, maskFirst, log); },
            Dims{1, 3, 1, 1}, Dims{3, 3, 9, 40}, {Dims{1, 3, 1, 1}, Dims{2, 3, 4, 7}, Dims{3, 3, 9, 40}});
        EXPECT_EQ(counts.fused, 2);  // the mask's reduce and the softmax
        EXPECT_EQ(counts.unfused, 4);
      }
}

TEST(BuilderFusions, AttentionSoftMaxHandComputed) {
  // softmax([1, 2] * 0.5 + [0, -1]) = softmax([0.5, 0]); the mask [1, 2] broadcasts over the two rows.
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{2, 2});
  Tensor* scaled =
      net.addElementWise(*floatConstant(net, Dims{}, {0.5f}), *x, ElementWiseOperation::kPROD)->getOutput(0);
  Tensor* sum =
      net.addElementWise(*scaled, *floatConstant(net, Dims{1, 2}, {0, -1}), ElementWiseOperation::kSUM)->getOutput(0);
  net.markOutput(*net.addSoftMax(*sum)->getOutput(0));
  auto engine = buildFor(net, Dims{2, 2}, Dims{2, 2});
  ASSERT_EQ(engine->getNbLayers(), 1);
  EXPECT_EQ(engine->getLayerInformation(0).type, "SoftMax");
  EXPECT_EQ(engine->getLayerInformation(0).inputs.size(), 2u);
  auto out = runEngine(*engine, {HostTensor::f32(Dims{2, 2}, {1, 2, 4, 0})});
  // Row 2: [4, 0] * 0.5 + [0, -1] = [2, -1].
  float e = std::exp(0.5f), f = std::exp(3.0f);
  expectNear(out[0].f32(), {e / (e + 1), 1 / (e + 1), f / (f + 1), 1 / (f + 1)});
}

// Scores [B, 1, S] scaled, then a constant mask [1, 3, 1] broadcasts them to [B, 3, S]: the fused step broadcasts
// both to its output, as the sum did.
TEST(BuilderFusions, ScoresThatBroadcastToTheMaskFuseToo) {
  LayerCounts counts = compareWithUnfused(
      [](NetworkDefinition& net, bool observe) {
        Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 1, -1});
        Tensor* scaled =
            net.addElementWise(*floatConstant(net, Dims{1}, {0.5f}), *x, ElementWiseOperation::kPROD)->getOutput(0);
        Tensor* sum =
            net.addElementWise(*scaled, *floatConstant(net, Dims{1, 3, 1}, {0, -1, 2}), ElementWiseOperation::kSUM)
                ->getOutput(0);
        net.markOutput(*net.addSoftMax(*sum)->getOutput(0));
        if (observe) net.markOutput(*sum);
      },
      Dims{1, 1, 1}, Dims{4, 1, 50}, {Dims{1, 1, 1}, Dims{2, 1, 7}, Dims{4, 1, 50}});
  EXPECT_EQ(counts.fused, 1);
  EXPECT_EQ(counts.unfused, 3);
}

TEST(BuilderFusions, ScaledSoftMaxReadTwiceOrNotOverTheLastAxisIsNotFused) {
  // The sum is read by the softmax and by another layer: nothing fuses into the softmax.
  {
    NetworkDefinition net;
    Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{2, 5});
    Tensor* sum = net.addElementWise(*x, *randomConstant(net, Dims{1, 5}, 3), ElementWiseOperation::kSUM)->getOutput(0);
    net.markOutput(*net.addSoftMax(*sum)->getOutput(0));
    net.markOutput(*net.addUnary(*sum, UnaryOperation::kEXP)->getOutput(0));
    EXPECT_EQ(buildFor(net, Dims{2, 5}, Dims{2, 5})->getNbLayers(), 3);
  }
  // A softmax over the first axis keeps its scale.
  {
    NetworkDefinition net;
    Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{2, 5});
    Tensor* scaled =
        net.addElementWise(*x, *floatConstant(net, Dims{1}, {2.0f}), ElementWiseOperation::kPROD)->getOutput(0);
    auto* softmax = net.addSoftMax(*scaled);
    softmax->setAxes(1u);
    net.markOutput(*softmax->getOutput(0));
    EXPECT_EQ(buildFor(net, Dims{2, 5}, Dims{2, 5})->getNbLayers(), 2);
  }
  // A scale by a constant of more than one value is no scalar scale.
  {
    NetworkDefinition net;
    Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{2, 5});
    Tensor* scaled =
        net.addElementWise(*x, *randomConstant(net, Dims{1, 5}, 4), ElementWiseOperation::kPROD)->getOutput(0);
    net.markOutput(*net.addSoftMax(*scaled)->getOutput(0));
    EXPECT_EQ(buildFor(net, Dims{2, 5}, Dims{2, 5})->getNbLayers(), 2);
  }
}

// ---- Residual layer normalization: the sum fused into the normalization ----------------------------------------

// LayerNorm(x + tanh(x)) over the last axis, scale and bias per feature.
void residualLayerNorm(NetworkDefinition& net, bool observe, int64_t features) {
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, -1, features});
  Tensor* branch = net.addActivation(*x, ActivationType::kTANH)->getOutput(0);
  Tensor* sum = net.addElementWise(*x, *branch, ElementWiseOperation::kSUM)->getOutput(0);
  Tensor* scale = randomConstant(net, Dims{features}, 21, 0.5f, 1.5f);
  net.markOutput(*net.addNormalization(*sum, *scale, *randomConstant(net, Dims{features}, 22), 1u << 2)->getOutput(0));
  if (observe) net.markOutput(*sum);
}

TEST(BuilderFusions, ResidualSumFusesIntoLayerNormalizationAtEveryShape) {
  for (int64_t features : {7, 128, 1000}) {
    SCOPED_TRACE(features);
    LayerCounts counts = compareWithUnfused(
        [&](NetworkDefinition& net, bool observe) { residualLayerNorm(net, observe, features); }, Dims{1, 1, features},
        Dims{3, 9, features}, {Dims{1, 1, features}, Dims{2, 5, features}, Dims{3, 9, features}});
    EXPECT_EQ(counts.fused, 2);  // tanh and the normalization
    EXPECT_EQ(counts.unfused, 3);
  }
}

TEST(BuilderFusions, ResidualLayerNormalizationHandComputed) {
  // [1, 2, 3] + [0, 1, 2] = [1, 3, 5]: mean 3, variance 8 / 3; scale [1, 2, 1], bias [0, 0, 10].
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{1, 3});
  Tensor* shifted =
      net.addElementWise(*x, *floatConstant(net, Dims{}, {-1.0f}), ElementWiseOperation::kSUM)->getOutput(0);
  Tensor* sum = net.addElementWise(*x, *shifted, ElementWiseOperation::kSUM)->getOutput(0);
  auto* norm = net.addNormalization(*sum, *floatConstant(net, Dims{3}, {1, 2, 1}),
                                    *floatConstant(net, Dims{3}, {0, 0, 10}), 1u << 1);
  norm->setEpsilon(0);
  net.markOutput(*norm->getOutput(0));
  auto engine = buildFor(net, Dims{1, 3}, Dims{1, 3});
  ASSERT_EQ(engine->getNbLayers(), 2);
  EXPECT_EQ(engine->getLayerInformation(1).type, "Normalization");
  EXPECT_EQ(engine->getLayerInformation(1).inputs.size(), 4u);
  auto out = runEngine(*engine, {HostTensor::f32(Dims{1, 3}, {1, 2, 3})});
  float z = 2.0f / std::sqrt(8.0f / 3.0f);
  expectNear(out[0].f32(), {-z, 0, z + 10});
}

TEST(BuilderFusions, ResidualSumThatBroadcastsIsReadTwiceOrPrecedesAWiderNormalizationStaysSeparate) {
  auto build = [](bool broadcast, bool readTwice, uint32_t axes) {
    NetworkDefinition net;
    Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{2, 3, 4});
    Tensor* other =
        broadcast ? randomConstant(net, Dims{1, 1, 4}, 5) : net.addActivation(*x, ActivationType::kTANH)->getOutput(0);
    Tensor* sum = net.addElementWise(*x, *other, ElementWiseOperation::kSUM)->getOutput(0);
    net.markOutput(*net.addNormalization(*sum, *randomConstant(net, Dims{4}, 6), *randomConstant(net, Dims{4}, 7), axes)
                        ->getOutput(0));
    if (readTwice) net.markOutput(*net.addUnary(*sum, UnaryOperation::kABS)->getOutput(0));
    return buildFor(net, Dims{2, 3, 4}, Dims{2, 3, 4})->getNbLayers();
  };
  EXPECT_EQ(build(false, false, 0b100), 2);  // fused: tanh, normalization
  EXPECT_EQ(build(true, false, 0b100), 2);   // the constant sum and the normalization
  EXPECT_EQ(build(false, true, 0b100), 4);
  EXPECT_EQ(build(false, false, 0b110), 3);
}

}  // namespace
}  // namespace kiln::test
