// ONNX importers for Conv and ConvTranspose, on models built in memory: auto_pad SAME on dynamic spatial sizes,
// an input smaller than the kernel, groups, ConvTranspose pads from output_shape and auto_pad, and the layers' SAME
// padding modes. Expected values are worked by hand or computed by naive loops here.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "onnx_model_builder.h"

namespace kiln::test {
namespace {

// 2-D convolution of one image, one group: x [C, H, W], w [K, C, kh, kw], explicit pads and strides.
std::vector<float> conv2d(const std::vector<float>& x, int64_t c, int64_t h, int64_t w, const std::vector<float>& k,
                          int64_t maps, int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                          int64_t oh, int64_t ow) {
  std::vector<float> y;
  for (int64_t m = 0; m < maps; ++m)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        double s = 0;
        for (int64_t ch = 0; ch < c; ++ch)
          for (int64_t a = 0; a < kh; ++a)
            for (int64_t b = 0; b < kw; ++b) {
              int64_t r = i * sh - ph + a, q = j * sw - pw + b;
              if (r >= 0 && r < h && q >= 0 && q < w)
                s += x[(ch * h + r) * w + q] * k[((m * c + ch) * kh + a) * kw + b];
            }
        y.push_back(static_cast<float>(s));
      }
  return y;
}

// ---- Conv, ConvTranspose ----------------------------------------------------------------------------------------

TEST(OnnxConv, AutoPadSameOnDynamicSpatialSizes) {
  auto w = randomFloats(3 * 2 * 3 * 3, 11);
  for (const char* mode : {"SAME_UPPER", "SAME_LOWER"}) {
    SCOPED_TRACE(mode);
    bool upper = std::string(mode) == "SAME_UPPER";
    OnnxModel m(11);
    m.input("x", {1, 2, -1, -1}).floats("w", {3, 2, 3, 3}, w);
    setInts(setString(m.outputNode("Conv", {"x", "w"}, {"y"}), "auto_pad", mode), "strides", {2, 2});
    auto network = m.import();
    EXPECT_EQ(network->getOutput(0)->getDimensions(), (Dims{1, 3, -1, -1}));
    auto engine = buildWithProfile(*network, profileFor("x", Dims{1, 2, 1, 1}, Dims{1, 2, 5, 5}, Dims{1, 2, 9, 9}));
    auto context = engine->createExecutionContext();
    uint32_t seed = 12;
    // Odd and even sizes: the total padding is 2, 1 or 0 and splits differently between the modes.
    for (auto [h, wd] : {std::pair<int64_t, int64_t>{5, 8}, {9, 2}, {1, 4}}) {
      SCOPED_TRACE(std::to_string(h) + "x" + std::to_string(wd));
      auto x = randomFloats(static_cast<size_t>(2 * h * wd), seed++);
      int64_t ph, pw, post;
      samePads(h, 3, 2, upper, ph, post);
      samePads(wd, 3, 2, upper, pw, post);
      int64_t oh = (h + 1) / 2, ow = (wd + 1) / 2;
      auto out = runContext(*context, {HostTensor::f32(Dims{1, 2, h, wd}, x)});
      EXPECT_EQ(out[0].dims, (Dims{1, 3, oh, ow}));
      expectNear(out[0].f32(), conv2d(x, 2, h, wd, w, 3, 3, 3, 2, 2, ph, pw, oh, ow), 1e-5f, 1e-4f);
    }
  }
}

TEST(OnnxConv, InputSmallerThanTheKernelIsPaddedFirst) {
  // One element, kernel 3 with pads 1: only the middle tap sees the input. y = 10 * 2 + bias 1.
  OnnxModel m(11);
  m.input("x", {1, 1, 1}).floats("w", {1, 1, 3}, {1, 10, 100}).floats("b", {1}, {1});
  setInts(m.outputNode("Conv", {"x", "w", "b"}, {"y"}), "pads", {1, 1});
  auto out = m.run({HostTensor::f32(Dims{1, 1, 1}, {2})});
  EXPECT_EQ(out[0].dims, (Dims{1, 1, 1}));
  expectNear(out[0].f32(), {21});
}

TEST(OnnxConv, GroupsAndInvalidAttributes) {
  // Two groups of one channel, kernel 1: each output map scales its own channel.
  OnnxModel m(11);
  m.input("x", {1, 2, 2}).floats("w", {2, 1, 1}, {3, -1});
  setInt(m.outputNode("Conv", {"x", "w"}, {"y"}), "group", 2);
  expectNear(m.run({HostTensor::f32(Dims{1, 2, 2}, {1, 2, 3, 4})})[0].f32(), {3, 6, -3, -4});
  OnnxModel bad(11);
  bad.input("x", {1, 1, 4}).floats("w", {1, 1, 3}, {1, 1, 1});
  setInts(setString(bad.outputNode("Conv", {"x", "w"}, {"y"}), "auto_pad", "SAME_UPPER"), "pads", {1, 1});
  EXPECT_EQ(errorOf([&] { bad.import(); }).code(), ErrorCode::kINVALID_GRAPH);
  OnnxModel odd(11);
  odd.input("x", {1, 1, 4}).floats("w", {1, 1, 3}, {1, 1, 1});
  setString(odd.outputNode("Conv", {"x", "w"}, {"y"}), "auto_pad", "FULL");
  expectImportError(odd, ErrorCode::kUNSUPPORTED, "auto_pad 'FULL'");
}

// Stride 2 of x = [1, 2, 3] with kernel [1, 10, 100] gives the full result [1, 10, 102, 20, 203, 30, 300].
TEST(OnnxConvTranspose, PadsFromAutoPadAndOutputShape) {
  struct Case {
    const char* autoPad;
    std::vector<int64_t> outputShape;
    std::vector<float> expected;
  };
  for (const Case& c :
       {Case{"SAME_UPPER", {}, {1, 10, 102, 20, 203, 30}}, Case{"SAME_LOWER", {}, {10, 102, 20, 203, 30, 300}},
        Case{"NOTSET", {8}, {1, 10, 102, 20, 203, 30, 300, 0}}, Case{"NOTSET", {5}, {10, 102, 20, 203, 30}}}) {
    SCOPED_TRACE(std::string(c.autoPad) + " " + std::to_string(c.outputShape.size()));
    OnnxModel m(11);
    m.input("x", {1, 1, 3}).floats("w", {1, 1, 3}, {1, 10, 100});
    NodeProto& n = setInts(m.outputNode("ConvTranspose", {"x", "w"}, {"y"}), "strides", {2});
    setString(n, "auto_pad", c.autoPad);
    if (!c.outputShape.empty()) setInts(n, "output_shape", c.outputShape);
    auto out = m.run({HostTensor::f32(Dims{1, 1, 3}, {1, 2, 3})});
    EXPECT_EQ(out[0].dims, (Dims{1, 1, static_cast<int64_t>(c.expected.size())}));
    expectNear(out[0].f32(), c.expected);
  }
}

TEST(OnnxConvTranspose, GroupsBiasAndOutputPadding) {
  // Two groups, one map each, kernel 1, stride 2: every input element lands on even positions; bias fills the rest.
  OnnxModel m(11);
  m.input("x", {1, 2, 2}).floats("w", {2, 1, 1}, {2, 3}).floats("b", {2}, {1, -1});
  NodeProto& n = setInts(setInt(m.outputNode("ConvTranspose", {"x", "w", "b"}, {"y"}), "group", 2), "strides", {2});
  setInts(n, "output_padding", {1});
  auto out = m.run({HostTensor::f32(Dims{1, 2, 2}, {1, 2, 3, 4})});
  EXPECT_EQ(out[0].dims, (Dims{1, 2, 4}));
  expectNear(out[0].f32(), {3, 1, 5, 1, 8, -1, 11, -1});
}

// ---- The layers' SAME padding modes, which the importers above rely on ------------------------------------------

TEST(PaddingModeTest, ConvolutionAndPoolingOutputsAreCeilOfInputOverStride) {
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, Dims{1, 1, -1, 7});
  auto* conv =
      network.addConvolution(*in, *floatConstant(network, Dims{1, 1, 3, 3}, std::vector<float>(9, 1)), nullptr);
  conv->setStrideNd(Dims{2, 3});
  conv->setPaddingMode(PaddingMode::kSAME_LOWER);
  EXPECT_EQ(conv->getPaddingMode(), PaddingMode::kSAME_LOWER);
  EXPECT_EQ(conv->getOutput(0)->getDimensions(), (Dims{1, 1, -1, 3}));
  EXPECT_EQ(conv->getOutput(0)->getDimensionExpression(2), "ceil(x.2/2)");
  auto* pool = network.addPoolingNd(*in, PoolingType::kMAX, Dims{5, 5});
  pool->setStrideNd(Dims{4, 4});
  pool->setPaddingMode(PaddingMode::kSAME_UPPER);
  EXPECT_EQ(pool->getPaddingMode(), PaddingMode::kSAME_UPPER);
  EXPECT_EQ(pool->getOutput(0)->getDimensions(), (Dims{1, 1, -1, 2}));
  expectRejected(
      conv, [&] { conv->setPaddingMode(static_cast<PaddingMode>(7)); }, "unknown mode", "padding mode");
  expectRejected(
      pool, [&] { pool->setPaddingMode(static_cast<PaddingMode>(-1)); }, "unknown mode", "padding mode");
}

}  // namespace
}  // namespace kiln::test
