// BuilderFlag::kFP16 / kBF16: fp32 layers run in the reduced type where the backend's kernels accept it, network
// inputs and outputs keep their declared types, and constants saturate instead of overflowing to infinity.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>

#include "test_util.h"

namespace kiln::test {
namespace {

std::unique_ptr<Engine> buildWithFlag(NetworkDefinition& net, const OptimizationProfile& profile, BuilderFlag flag) {
  BuilderConfig config;
  config.addOptimizationProfile(profile);
  config.setFlag(flag);
  return buildEngine(net, config);
}

// The output type of every step, by step type ("Cast" steps are those the pass inserted or the network had).
std::vector<std::pair<std::string, DataType>> stepTypes(const Engine& engine) {
  std::vector<std::pair<std::string, DataType>> types;
  for (int32_t i = 0; i < engine.getNbLayers(); ++i) {
    LayerInfo info = engine.getLayerInformation(i);
    types.emplace_back(info.type, info.outputTypes.at(0));
  }
  return types;
}

// y = softmax(x * 0.5 + (1 - m) * lowest float): the additive attention mask as BERT exports it.
struct MaskedSoftMax {
  std::unique_ptr<NetworkDefinition> net = makeNetwork();
  MaskedSoftMax() {
    // Softmax over a middle axis ([rows, 6, 1]), so the mask is not fused into it and stays its own layer.
    Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1, 6, 1});
    Tensor* m = net->addInput("m", DataType::kFLOAT, Dims{-1, 6, 1});
    Tensor* scaled =
        net->addElementWise(*x, *floatConstant(*net, Dims{1, 1, 1}, {0.5f}), ElementWiseOperation::kPROD)->getOutput(0);
    Tensor* keep =
        net->addElementWise(*floatConstant(*net, Dims{1, 1, 1}, {1.0f}), *m, ElementWiseOperation::kSUB)->getOutput(0);
    Tensor* mask =
        net->addElementWise(*keep, *floatConstant(*net, Dims{1, 1, 1}, {-FLT_MAX}), ElementWiseOperation::kPROD)
            ->getOutput(0);
    Tensor* logits = net->addElementWise(*scaled, *mask, ElementWiseOperation::kSUM)->getOutput(0);
    auto* softmax = net->addSoftMax(*logits);
    softmax->setAxes(1u << 1);
    softmax->getOutput(0)->setName("y");
    net->markOutput(*softmax->getOutput(0));
  }
  OptimizationProfile profile() const {
    OptimizationProfile p;
    setRange(p, "x", Dims{1, 6, 1}, Dims{2, 6, 1}, Dims{4, 6, 1});
    setRange(p, "m", Dims{1, 6, 1}, Dims{2, 6, 1}, Dims{4, 6, 1});
    return p;
  }
};

TEST(LowerPrecision, Fp16RunsTheLayersInHalfKeepsFp32IoAndSaturatesTheMask) {
  MaskedSoftMax model;
  auto fp32 = buildWithProfile(*model.net, model.profile());
  auto fp16 = buildWithFlag(*model.net, model.profile(), BuilderFlag::kFP16);
  EXPECT_EQ(fp16->getTensorDataType("x"), DataType::kFLOAT);
  EXPECT_EQ(fp16->getTensorDataType("y"), DataType::kFLOAT);
  int32_t halfSteps = 0, casts = 0;
  for (const auto& [type, out] : stepTypes(*fp16)) {
    halfSteps += type != "Cast" && out == DataType::kHALF;
    casts += type == "Cast";
  }
  EXPECT_EQ(halfSteps, 4);  // the element-wise layers (the CPU's softmax runs fp32 only)
  EXPECT_EQ(casts, 3);      // x and m in, the logits to the softmax
  for (const auto& [type, out] : stepTypes(*fp32)) EXPECT_EQ(out, DataType::kFLOAT) << type;

  for (int64_t rows : {1, 3, 4}) {
    SCOPED_TRACE(std::to_string(rows) + " rows");
    std::vector<float> x = randomFloats(rows * 6, static_cast<uint32_t>(rows), -4.0f, 4.0f);
    std::vector<float> m(rows * 6, 1.0f);
    for (int64_t r = 0; r < rows; ++r) m[r * 6 + (r % 6)] = m[r * 6 + 5] = 0.0f;  // masked out
    std::vector<HostTensor> in{HostTensor::f32(Dims{rows, 6, 1}, x), HostTensor::f32(Dims{rows, 6, 1}, m)};
    std::vector<float> expected = runEngine(*fp32, in)[0].f32(), actual = runEngine(*fp16, in)[0].f32();
    // (1 - 1) * -65504 is 0; had the constant become -inf, every row would be NaN.
    for (float v : actual) ASSERT_TRUE(std::isfinite(v));
    expectNear(actual, expected, 2e-3f, 1e-2f);
    for (int64_t r = 0; r < rows; ++r) EXPECT_EQ(actual[r * 6 + 5], 0.0f);
    EXPECT_NE(actual, expected);  // computed in half: not bit-identical to fp32
  }
}

TEST(LowerPrecision, Bf16AndLayersTheBackendRunsOnlyInFp32) {
  // The CPU runs matrix multiplies and sums in fp32 only: those stay fp32 with casts around them, the rest lowers.
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1, 4});
  std::vector<float> w = randomFloats(12, 7);
  Tensor* product =
      net->addMatrixMultiply(*x, MatrixOperation::kNONE, *floatConstant(*net, Dims{4, 3}, w), MatrixOperation::kNONE)
          ->getOutput(0);
  Tensor* activated = net->addUnary(*product, UnaryOperation::kEXP)->getOutput(0);  // (an activation would fuse)
  Tensor* sum = net->addReduce(*activated, ReduceOperation::kSUM, 1u << 1, true)->getOutput(0);
  Tensor* y = net->addElementWise(*activated, *sum, ElementWiseOperation::kDIV)->getOutput(0);
  y->setName("y");
  net->markOutput(*y);
  auto profile = profileFor("x", Dims{1, 4}, Dims{2, 4}, Dims{8, 4});
  auto fp32 = buildWithProfile(*net, profile);
  auto bf16 = buildWithFlag(*net, profile, BuilderFlag::kBF16);
  std::map<std::string, DataType> byType;
  for (const auto& [type, out] : stepTypes(*bf16))
    if (type != "Cast") byType[type] = out;
  EXPECT_EQ(byType["MatrixMultiply"], DataType::kFLOAT);
  EXPECT_EQ(byType["Reduce"], DataType::kFLOAT);
  EXPECT_EQ(byType["Unary"], DataType::kBF16);
  EXPECT_EQ(byType["ElementWise"], DataType::kBF16);
  for (int64_t rows : {1, 5, 8}) {
    std::vector<HostTensor> in{HostTensor::f32(Dims{rows, 4}, randomFloats(rows * 4, 100 + rows))};
    std::vector<float> expected = runEngine(*fp32, in)[0].f32(), actual = runEngine(*bf16, in)[0].f32();
    expectNear(actual, expected, 1e-3f, 2e-2f);  // bf16 keeps 8 bits of mantissa
    EXPECT_NE(actual, expected);
  }
}

TEST(LowerPrecision, AnOutputThatLaterLayersReadIsCastOnceAndReadReduced) {
  // y = exp(x) is an output and feeds z = -y: the exponential writes a reduced copy, one Cast writes y, and the
  // negation reads the reduced copy (no round trip through fp32).
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1, 5});
  Tensor* y = net->addUnary(*x, UnaryOperation::kEXP)->getOutput(0);
  y->setName("y");
  Tensor* z = net->addUnary(*y, UnaryOperation::kNEG)->getOutput(0);
  z->setName("z");
  net->markOutput(*y);
  net->markOutput(*z);
  auto profile = profileFor("x", Dims{1, 5}, Dims{2, 5}, Dims{3, 5});
  auto fp32 = buildWithProfile(*net, profile);
  auto fp16 = buildWithFlag(*net, profile, BuilderFlag::kFP16);
  std::vector<std::string> order;
  for (int32_t i = 0; i < fp16->getNbLayers(); ++i) {
    LayerInfo info = fp16->getLayerInformation(i);
    order.push_back(info.type + ":" + dataTypeName(info.outputTypes[0]));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"Cast:fp16", "Unary:fp16", "Cast:fp32", "Unary:fp16", "Cast:fp32"}));
  EXPECT_EQ(fp16->getTensorDataType("y"), DataType::kFLOAT);
  EXPECT_EQ(fp16->getTensorDataType("z"), DataType::kFLOAT);
  std::vector<HostTensor> in{HostTensor::f32(Dims{3, 5}, randomFloats(15, 9, -2.0f, 2.0f))};
  auto expected = runEngine(*fp32, in), actual = runEngine(*fp16, in);
  for (size_t o = 0; o < 2; ++o) expectNear(actual[o].f32(), expected[o].f32(), 1e-3f, 2e-3f);
  for (size_t i = 0; i < 15; ++i) EXPECT_EQ(actual[1].f32()[i], -actual[0].f32()[i]);  // one rounding, shared
}

TEST(LowerPrecision, ALayerBetweenFp32LayersStaysFp32RatherThanPayTwoCasts) {
  // On the CPU, matrix multiplies run fp32 only: the negation between two of them would need a Cast on each side.
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1, 4});
  auto dense = [&](Tensor* in, uint32_t seed) {
    return net
        ->addMatrixMultiply(*in, MatrixOperation::kNONE, *floatConstant(*net, Dims{4, 4}, randomFloats(16, seed)),
                            MatrixOperation::kNONE)
        ->getOutput(0);
  };
  Tensor* y = dense(net->addUnary(*dense(x, 1), UnaryOperation::kNEG)->getOutput(0), 2);
  net->markOutput(*y);
  auto fp16 = buildWithFlag(*net, profileFor("x", Dims{1, 4}, Dims{2, 4}, Dims{4, 4}), BuilderFlag::kFP16);
  ASSERT_EQ(fp16->getNbLayers(), 3);
  for (const auto& [type, out] : stepTypes(*fp16)) EXPECT_EQ(out, DataType::kFLOAT) << type;
}

TEST(LowerPrecision, TensorsDeclaredInOtherTypesAreLeftAlone) {
  // An fp16 input read by a layer that stays fp32 keeps its type; an int64 index input is never converted.
  auto net = makeNetwork();
  Tensor* table = net->addInput("table", DataType::kHALF, Dims{-1, 3});
  Tensor* index = net->addInput("index", DataType::kINT64, Dims{2});
  Tensor* picked = net->addGather(*table, *index, 0)->getOutput(0);
  Tensor* y = net->addUnary(*picked, UnaryOperation::kNEG)->getOutput(0);
  y->setName("y");
  net->markOutput(*y);
  OptimizationProfile profile;
  setRange(profile, "table", Dims{2, 3}, Dims{4, 3}, Dims{4, 3});
  auto fp16 = buildWithFlag(*net, profile, BuilderFlag::kFP16);
  for (const auto& [type, out] : stepTypes(*fp16)) {
    EXPECT_NE(type, "Cast");
    EXPECT_EQ(out, DataType::kHALF);
  }
}

}  // namespace
}  // namespace kiln::test
