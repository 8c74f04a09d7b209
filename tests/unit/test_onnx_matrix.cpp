// ONNX importers for MatMul, Gemm and Det, on models built in memory. Expected values are worked by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "onnx_model_builder.h"

namespace kiln::test {
namespace {

// ---- Gemm, MatMul -----------------------------------------------------------------------------------------------

TEST(OnnxGemm, TransposesScalesAndBroadcastsC) {
  auto a = randomFloats(3 * 2, 21), b = randomFloats(4 * 3, 22), c = randomFloats(4, 23);
  OnnxModel m(13);
  m.input("a", {3, 2}).input("b", {4, 3}).floats("c", {4}, c);
  NodeProto& n = setInt(setInt(m.outputNode("Gemm", {"a", "b", "c"}, {"y"}), "transA", 1), "transB", 1);
  setFloat(setFloat(n, "alpha", 0.5f), "beta", 2.0f);
  auto out = m.run({HostTensor::f32(Dims{3, 2}, a), HostTensor::f32(Dims{4, 3}, b)});
  // y[i][j] = 0.5 * sum_k a[k][i] * b[j][k] + 2 * c[j]
  std::vector<float> expected;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j) {
      float s = 0;
      for (int k = 0; k < 3; ++k) s += a[k * 2 + i] * b[j * 3 + k];
      expected.push_back(0.5f * s + 2 * c[j]);
    }
  EXPECT_EQ(out[0].dims, (Dims{2, 4}));
  expectNear(out[0].f32(), expected, 1e-5f, 1e-5f);
  // Without C (optional from opset 11).
  OnnxModel noC(11);
  noC.input("a", {1, 2}).floats("b", {2, 1}, {3, 4});
  noC.outputNode("Gemm", {"a", "b"}, {"y"});
  expectNear(noC.run({HostTensor::f32(Dims{1, 2}, {1, 2})})[0].f32(), {11});
}

TEST(OnnxMatMul, BroadcastsABatchOfDynamicSize) {
  OnnxModel m(13);
  m.input("a", {-1, 2, 3}).floats("b", {3, 1}, {1, 10, 100});
  m.outputNode("MatMul", {"a", "b"}, {"y"});
  auto network = m.import();
  auto engine = buildWithProfile(*network, profileFor("a", Dims{1, 2, 3}, Dims{2, 2, 3}, Dims{4, 2, 3}));
  auto out = runEngine(*engine, {HostTensor::f32(Dims{2, 2, 3}, {1, 2, 3, 4, 5, 6, 0, 0, 1, 1, 0, 0})});
  EXPECT_EQ(out[0].dims, (Dims{2, 2, 1}));
  expectNear(out[0].f32(), {321, 654, 100, 1});
}

// ---- Det ------------------------------------------------------------------------------------------------------------

// det [[1, 2], [3, 4]] = -2, det diag(2, 3) = 6, and a 3x3 needing a row swap:
// det [[0, 1, 2], [1, 0, 3], [4, -3, 8]] = 0 - 1 * (8 - 12) + 2 * (-3 - 0) = -2.
TEST(OnnxDet, BatchesOfMatrices) {
  OnnxModel two(11);
  two.outputNode("Det", {"x"}, {"y"});
  two.input("x", {2, 2, 2});
  auto out = two.run({HostTensor::f32({2, 2, 2}, {1, 2, 3, 4, 2, 0, 0, 3})});
  EXPECT_EQ(toString(out[0].dims), "2");
  expectNear(out[0].f32(), {-2, 6});
  OnnxModel three(11);
  three.outputNode("Det", {"x"}, {"y"});
  three.input("x", {3, 3});
  out = three.run({HostTensor::f32({3, 3}, {0, 1, 2, 1, 0, 3, 4, -3, 8})});
  EXPECT_EQ(toString(out[0].dims), "scalar");
  expectNear(out[0].f32(), {-2});
}

}  // namespace
}  // namespace kiln::test
