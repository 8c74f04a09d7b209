// ONNX importers for pooling, on models built in memory: auto_pad SAME on dynamic spatial sizes, count_include_pad,
// ceil_mode, Lp and global pools, MaxPool's Indices, MaxUnpool, and what is reported as unsupported. Expected values
// are worked by hand or computed by naive loops here.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "onnx_model_builder.h"

namespace kiln::test {
namespace {

// 2-D max or average (over the elements inside the input) pooling of one plane [H, W].
std::vector<float> pool2d(const std::vector<float>& x, int64_t h, int64_t w, int64_t k, int64_t s, int64_t ph,
                          int64_t pw, int64_t oh, int64_t ow, bool max) {
  std::vector<float> y;
  for (int64_t i = 0; i < oh; ++i)
    for (int64_t j = 0; j < ow; ++j) {
      double acc = max ? -INFINITY : 0;
      int64_t count = 0;
      for (int64_t a = 0; a < k; ++a)
        for (int64_t b = 0; b < k; ++b) {
          int64_t r = i * s - ph + a, q = j * s - pw + b;
          if (r < 0 || r >= h || q < 0 || q >= w) continue;
          double v = x[r * w + q];
          acc = max ? std::max(acc, v) : acc + v;
          ++count;
        }
      y.push_back(static_cast<float>(max ? acc : acc / count));
    }
  return y;
}

// ---- Pooling ----------------------------------------------------------------------------------------------------

TEST(OnnxPool, AutoPadSameOnDynamicSpatialSizes) {
  for (bool max : {false, true}) {
    for (const char* mode : {"SAME_UPPER", "SAME_LOWER"}) {
      SCOPED_TRACE(std::string(max ? "MaxPool " : "AveragePool ") + mode);
      bool upper = std::string(mode) == "SAME_UPPER";
      OnnxModel m(11);
      m.input("x", {1, 1, -1, -1});
      NodeProto& n = m.outputNode(max ? "MaxPool" : "AveragePool", {"x"}, {"y"});
      setInts(setInts(setString(n, "auto_pad", mode), "kernel_shape", {3, 3}), "strides", {2, 2});
      auto network = m.import();
      auto engine = buildWithProfile(*network, profileFor("x", Dims{1, 1, 1, 1}, Dims{1, 1, 4, 4}, Dims{1, 1, 8, 8}));
      auto context = engine->createExecutionContext();
      for (auto [h, w] : {std::pair<int64_t, int64_t>{5, 6}, {8, 3}}) {
        SCOPED_TRACE(std::to_string(h) + "x" + std::to_string(w));
        auto x = randomFloats(static_cast<size_t>(h * w), static_cast<uint32_t>(h * 10 + w));
        int64_t ph, pw, post;
        samePads(h, 3, 2, upper, ph, post);
        samePads(w, 3, 2, upper, pw, post);
        int64_t oh = (h + 1) / 2, ow = (w + 1) / 2;
        auto out = runContext(*context, {HostTensor::f32(Dims{1, 1, h, w}, x)});
        EXPECT_EQ(out[0].dims, (Dims{1, 1, oh, ow}));
        // count_include_pad = 0: the average is over the elements inside the input.
        expectNear(out[0].f32(), pool2d(x, h, w, 3, 2, ph, pw, oh, ow, max), 1e-6f, 1e-5f);
      }
    }
  }
}

TEST(OnnxPool, CountIncludePadCeilModeAndUint8Max) {
  // Padded [0 | 2, 4, 6]: windows {0, 2} and {4, 6}, the padding counted.
  OnnxModel avg(11);
  avg.input("x", {1, 1, 3});
  NodeProto& n = setInts(setInts(avg.outputNode("AveragePool", {"x"}, {"y"}), "kernel_shape", {2}), "pads", {1, 0});
  setInt(setInts(n, "strides", {2}), "count_include_pad", 1);
  auto out = avg.run({HostTensor::f32(Dims{1, 1, 3}, {2, 4, 6})});
  EXPECT_EQ(out[0].dims, (Dims{1, 1, 2}));
  expectNear(out[0].f32(), {1, 5});
  // Ceil mode keeps the partial last window {10}.
  OnnxModel ceil(11);
  ceil.input("x", {1, 1, 5});
  setInt(setInts(setInts(ceil.outputNode("AveragePool", {"x"}, {"y"}), "kernel_shape", {2}), "strides", {2}),
         "ceil_mode", 1);
  expectNear(ceil.run({HostTensor::f32(Dims{1, 1, 5}, {2, 4, 6, 8, 10})})[0].f32(), {3, 7, 10});
  OnnxModel bytes(12);
  bytes.input("x", {1, 1, 4}, TensorProto::UINT8);
  setInts(setInts(bytes.outputNode("MaxPool", {"x"}, {"y"}), "kernel_shape", {2}), "strides", {2});
  auto y = bytes.run({HostTensor::of<uint8_t>(DataType::kUINT8, Dims{1, 1, 4}, {7, 200, 3, 1})});
  EXPECT_EQ(y[0].as<uint8_t>(), (std::vector<uint8_t>{200, 3}));
}

TEST(OnnxPool, LpPoolAndGlobalPools) {
  for (int64_t p : {1, 2, 3}) {
    SCOPED_TRACE(p);
    OnnxModel m(11);
    m.input("x", {1, 1, 4});
    setInt(setInts(setInts(m.outputNode("LpPool", {"x"}, {"y"}), "kernel_shape", {2}), "strides", {2}), "p", p);
    auto out = m.run({HostTensor::f32(Dims{1, 1, 4}, {3, -4, 0, 5})});
    auto norm = [&](float a, float b) {
      return static_cast<float>(std::pow(std::pow(std::abs(a), p) + std::pow(std::abs(b), p), 1.0 / p));
    };
    expectNear(out[0].f32(), {norm(3, -4), norm(0, 5)}, 1e-5f, 1e-5f);
  }
  OnnxModel g(2);
  g.input("x", {1, 2, 2});
  setInt(g.outputNode("GlobalLpPool", {"x"}, {"y"}), "p", 2);
  g.outputNode("GlobalMaxPool", {"x"}, {"m"});
  g.outputNode("GlobalAveragePool", {"x"}, {"a"});
  auto out = g.run({HostTensor::f32(Dims{1, 2, 2}, {3, 4, -6, 8})});
  EXPECT_EQ(out[0].dims, (Dims{1, 2, 1}));
  expectNear(out[0].f32(), {5, 10});
  expectNear(out[1].f32(), {4, 8});
  expectNear(out[2].f32(), {3.5f, 1});
}

TEST(OnnxPool, UnsupportedForms) {
  OnnxModel lp(18);
  lp.input("x", {1, 1, 4});
  setInt(setInts(lp.outputNode("LpPool", {"x"}, {"y"}), "kernel_shape", {2}), "ceil_mode", 1);
  expectImportError(lp, ErrorCode::kUNSUPPORTED, "ceil_mode");
}

// ---- MaxPool indices, MaxUnpool
// --------------------------------------------------------------------------------------

// [[1, 5, 2], [7, 3, 9]] with 2x2 windows: 7 at (1, 0) and 9 at (1, 2), row-major 3 and 5, column-major
// (h + w * 2) 1 and 5; the second image adds its offset of 6.
TEST(OnnxMaxPool, IndicesInBothStorageOrders) {
  for (int64_t order : {0, 1}) {
    OnnxModel m(12);
    NodeProto& node = m.outputNode("MaxPool", {"x"}, {"y", "i"});
    m.input("x", {2, 1, 2, 3});
    setInts(node, "kernel_shape", {2, 2});
    setInt(node, "storage_order", order);
    auto out = m.run({HostTensor::f32({2, 1, 2, 3}, {1, 5, 2, 7, 3, 9, 1, 5, 2, 7, 3, 9})});
    expectNear(out[0].f32(), {7, 9, 7, 9});
    ASSERT_EQ(out[1].type, DataType::kINT64);
    EXPECT_EQ(out[1].as<int64_t>(),
              order == 0 ? (std::vector<int64_t>{3, 5, 9, 11}) : (std::vector<int64_t>{1, 5, 7, 11}));
  }
}

// Values 7 and 9 at flat indices 3 and 5 of the 1x1x2x3 default output ((1 - 1) * 1 + 2, (2 - 1) * 1 + 2), or of
// a 1x1x2x4 output_shape.
TEST(OnnxMaxUnpool, ScattersIntoTheOutputShape) {
  OnnxModel plain(11);
  NodeProto& plainNode = plain.outputNode("MaxUnpool", {"x", "i"}, {"y"});
  plain.input("x", {1, 1, 1, 2}).constant<int64_t>("i", {1, 1, 1, 2}, TensorProto::INT64, {3, 5});
  setInts(plainNode, "kernel_shape", {2, 2});
  auto out = plain.run({HostTensor::f32({1, 1, 1, 2}, {7, 9})});
  EXPECT_EQ(toString(out[0].dims), "1x1x2x3");
  expectNear(out[0].f32(), {0, 0, 0, 7, 0, 9});

  OnnxModel shaped(11);
  NodeProto& shapedNode = shaped.outputNode("MaxUnpool", {"x", "i", "shape"}, {"y"});
  shaped.input("x", {1, 1, 1, 2})
      .constant<int64_t>("i", {1, 1, 1, 2}, TensorProto::INT64, {3, 5})
      .constant<int64_t>("shape", {4}, TensorProto::INT64, {1, 1, 2, 4});
  setInts(shapedNode, "kernel_shape", {2, 2});
  out = shaped.run({HostTensor::f32({1, 1, 1, 2}, {7, 9})});
  EXPECT_EQ(toString(out[0].dims), "1x1x2x4");
  expectNear(out[0].f32(), {0, 0, 0, 7, 0, 9, 0, 0});
}

}  // namespace
}  // namespace kiln::test
