// Einsum layers: shape inference, and CPU results against hand-computed values and naive loops.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "kiln/kiln.h"
#include "test_util.h"

namespace kiln {
namespace {

using test::HostTensor;

// ---- Einsum -----------------------------------------------------------------------------------------------------

// Builds an einsum of fp32 inputs of the given shapes and runs it.
HostTensor runEinsum(const char* equation, const std::vector<HostTensor>& inputs) {
  NetworkDefinition network;
  std::vector<Tensor*> tensors;
  for (size_t i = 0; i < inputs.size(); ++i)
    tensors.push_back(network.addInput(("in" + std::to_string(i)).c_str(), inputs[i].type, inputs[i].dims));
  network.markOutput(*network.addEinsum(tensors, equation)->getOutput(0));
  return test::buildAndRun(network, inputs)[0];
}

TEST(EinsumTest, MatrixProductAndImplicitOutput) {
  HostTensor a = HostTensor::f32(Dims{2, 3}, {1, 2, 3, 4, 5, 6});
  HostTensor b = HostTensor::f32(Dims{3, 2}, {1, 0, 0, 1, 2, 2});
  for (const char* eq : {"ij,jk->ik", "ij,jk", "ab , bc -> ac"}) {
    SCOPED_TRACE(eq);
    HostTensor y = runEinsum(eq, {a, b});
    EXPECT_EQ(y.dims, (Dims{2, 2}));
    test::expectNear(y.f32(), {7, 8, 16, 17});
  }
  // Implicit output sorts the labels: "ji" has output "ij", a transpose back... of the transpose.
  HostTensor t = runEinsum("ji", {a});
  EXPECT_EQ(t.dims, (Dims{3, 2}));
  test::expectNear(t.f32(), {1, 4, 2, 5, 3, 6});
}

TEST(EinsumTest, SumsTracesAndInnerProducts) {
  HostTensor m = HostTensor::f32(Dims{3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  test::expectNear(runEinsum("ij->i", {m}).f32(), {6, 15, 24});
  test::expectNear(runEinsum("ij->", {m}).f32(), {45});
  test::expectNear(runEinsum("ii", {m}).f32(), {15});
  test::expectNear(runEinsum("ii->i", {m}).f32(), {1, 5, 9});
  HostTensor v = HostTensor::f32(Dims{3}, {1, 2, 3});
  HostTensor inner = runEinsum("i,i", {v, v});
  EXPECT_EQ(inner.dims.nbDims, 0);
  test::expectNear(inner.f32(), {14});
  test::expectNear(runEinsum("i,j->ij", {v, v}).f32(), {1, 2, 3, 2, 4, 6, 3, 6, 9});
}

// Naive batched matmul with a broadcast batch: a [B or 1, M, K], b [B, K, N].
TEST(EinsumTest, EllipsisBroadcastsBatchAxes) {
  auto av = test::randomFloats(2 * 3, 71), bv = test::randomFloats(4 * 3 * 2, 72);
  HostTensor y =
      runEinsum("...ij,...jk->...ik", {HostTensor::f32(Dims{1, 2, 3}, av), HostTensor::f32(Dims{4, 3, 2}, bv)});
  EXPECT_EQ(y.dims, (Dims{4, 2, 2}));
  std::vector<float> expected;
  for (int b = 0; b < 4; ++b)
    for (int i = 0; i < 2; ++i)
      for (int k = 0; k < 2; ++k) {
        float s = 0;
        for (int j = 0; j < 3; ++j) s += av[i * 3 + j] * bv[(b * 3 + j) * 2 + k];
        expected.push_back(s);
      }
  test::expectNear(y.f32(), expected, 1e-5f, 1e-5f);
  // The batch diagonal of the ONNX backend test, "...ii ->...i", in fp64.
  std::vector<double> x(2 * 3 * 3);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i);
  HostTensor d = runEinsum("...ii ->...i", {HostTensor::of<double>(DataType::kDOUBLE, Dims{2, 3, 3}, x)});
  EXPECT_EQ(d.dims, (Dims{2, 3}));
  EXPECT_EQ(d.as<double>(), (std::vector<double>{0, 4, 8, 9, 13, 17}));
}

TEST(EinsumTest, IntegerInputs) {
  HostTensor a = HostTensor::i64(Dims{2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(runEinsum("ij,jk->ik", {a, a}).as<int64_t>(), (std::vector<int64_t>{7, 10, 15, 22}));
}

TEST(EinsumTest, DynamicShapes) {
  NetworkDefinition network;
  Tensor* a = network.addInput("a", DataType::kFLOAT, Dims{-1, 3});
  Tensor* b = network.addInput("b", DataType::kFLOAT, Dims{3, -1});
  auto* layer = network.addEinsum({a, b}, "ik,kj->ji");
  network.markOutput(*layer->getOutput(0));
  EXPECT_EQ(layer->getOutput(0)->getDimensions(), (Dims{-1, -1}));
  OptimizationProfile profile;
  test::setRange(profile, "a", Dims{1, 3}, Dims{2, 3}, Dims{4, 3});
  test::setRange(profile, "b", Dims{3, 1}, Dims{3, 2}, Dims{3, 5});
  auto engine = test::buildWithProfile(network, profile);
  auto av = test::randomFloats(4 * 3, 81), bv = test::randomFloats(3 * 5, 82);
  auto out = test::runEngine(*engine, {HostTensor::f32(Dims{4, 3}, av), HostTensor::f32(Dims{3, 5}, bv)});
  EXPECT_EQ(out[0].dims, (Dims{5, 4}));
  std::vector<float> expected;
  for (int j = 0; j < 5; ++j)
    for (int i = 0; i < 4; ++i) {
      float s = 0;
      for (int k = 0; k < 3; ++k) s += av[i * 3 + k] * bv[k * 5 + j];
      expected.push_back(s);
    }
  test::expectNear(out[0].f32(), expected, 1e-5f, 1e-5f);
}

TEST(EinsumTest, BadEquationsAreRejected) {
  NetworkDefinition network;
  Tensor* a = network.addInput("a", DataType::kFLOAT, Dims{2, 3});
  Tensor* b = network.addInput("b", DataType::kFLOAT, Dims{4, 5});
  auto rejects = [&](std::vector<Tensor*> inputs, const char* equation, const char* fragment) {
    SCOPED_TRACE(equation);
    Error e = test::errorOf([&] { network.addEinsum(inputs, equation); });
    EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
    EXPECT_NE(e.message().find(fragment), std::string::npos) << e.what();
  };
  rejects({a, b}, "ij,jk->ik", "sizes of label 'j'");
  rejects({a}, "ijk->i", "rank");
  rejects({a}, "ij,jk->ik", "input terms");
  rejects({a}, "ij->ik", "not in any input");
  rejects({a}, "ij->ii", "twice");
  rejects({a}, "i2->i", "unexpected character");
}

}  // namespace
}  // namespace kiln
