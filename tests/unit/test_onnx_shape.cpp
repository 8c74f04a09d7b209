// ONNX importers for the shape family (Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, DepthToSpace,
// SpaceToDepth), on models built in memory: every opset variant, dynamic input shapes (the same engine run at several
// shapes), and the cases that must be reported as unsupported.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "onnx_model_builder.h"

namespace kiln::test {
namespace {

// ---- Reshape, Flatten, Squeeze, Unsqueeze, Transpose ---------------------------------------------------------------

TEST(OnnxTensorImport, ReshapeZeroCopiesUnlessAllowZero) {
  OnnxModel copies = unary(13, "Reshape", {2, 3, 4}, {"shape"});
  copies.ints("shape", {0, -1});
  auto out = buildAndRun(*copies.import(), {HostTensor::f32({2, 3, 4}, iota(24))});
  EXPECT_EQ(out[0].dims, (Dims{2, 12}));
  EXPECT_EQ(out[0].f32(), iota(24));
  // allowzero (opset 14): 0 is a size, so an empty 0x3 tensor can become 3x0...
  OnnxModel zero = unary(14, "Reshape", {0, 3}, {"shape"});
  zero.ints("shape", {3, 0});
  setInt(zero.lastNode(), "allowzero", 1);
  EXPECT_EQ(zero.import()->getOutput(0)->getDimensions(), (Dims{3, 0}));
  // ...while without it the 0 copies the input's 3, and 3x3 does not hold 0 elements.
  OnnxModel copy = unary(14, "Reshape", {0, 3}, {"shape"});
  copy.ints("shape", {3, 0});
  EXPECT_EQ(copy.importError().code(), ErrorCode::kINVALID_GRAPH);
  // Opset 1: the shape is an attribute.
  OnnxModel v1 = unary(1, "Reshape", {2, 3, 4});
  setInts(v1.lastNode(), "shape", {4, 6});
  EXPECT_EQ(v1.import()->getOutput(0)->getDimensions(), (Dims{4, 6}));
}

TEST(OnnxTensorImport, ReshapeToAShapeComputedFromADynamicBatch) {
  // PyTorch's x.view(x.size(0), -1): Shape -> Gather -> Unsqueeze -> Concat -> Reshape.
  OnnxModel m(13);
  m.input("x", {-1, 3, 4});
  m.ints("zero", {}, {0}).ints("axes", {0}).ints("rest", {-1});
  m.node("Shape", {"x"}, {"shape"});
  m.node("Gather", {"shape", "zero"}, {"batch"});
  m.node("Unsqueeze", {"batch", "axes"}, {"batch1"});
  m.node("Concat", {"batch1", "rest"}, {"target"});
  setInt(m.lastNode(), "axis", 0);
  m.node("Reshape", {"x", "target"}, {"y"});
  m.output("y");
  auto outs = runDynamic(m, Dims{1, 3, 4}, Dims{4, 3, 4},
                         {HostTensor::f32({1, 3, 4}, iota(12)), HostTensor::f32({3, 3, 4}, iota(36))});
  EXPECT_EQ(outs[0].dims, (Dims{1, 12}));
  EXPECT_EQ(outs[1].dims, (Dims{3, 12}));
  EXPECT_EQ(outs[1].f32(), iota(36));
}

TEST(OnnxTensorImport, FlattenKeepsDynamicDimensions) {
  for (int64_t axis : {int64_t{2}, int64_t{-1}, int64_t{0}, int64_t{3}}) {
    SCOPED_TRACE(axis);
    OnnxModel m = unary(13, "Flatten", {-1, 3, -1});
    setInt(m.lastNode(), "axis", axis);
    auto outs = runDynamic(m, Dims{1, 3, 1}, Dims{2, 3, 5},
                           {HostTensor::f32({2, 3, 5}, iota(30)), HostTensor::f32({1, 3, 2}, iota(6))});
    int64_t a = axis < 0 ? axis + 3 : axis;
    for (const auto& [out, n, w] : {std::tuple{outs[0], 2, 5}, std::tuple{outs[1], 1, 2}}) {
      int64_t dims[] = {n, 3, w}, outer = 1;
      for (int64_t i = 0; i < a; ++i) outer *= dims[i];
      EXPECT_EQ(out.dims, (Dims{outer, n * 3 * w / outer}));
      EXPECT_EQ(out.f32(), iota(n * 3 * w));
    }
  }
}

TEST(OnnxTensorImport, SqueezeAndUnsqueezeAxes) {
  OnnxModel v11 = unary(11, "Squeeze", {2, 1, 3, 1});
  setInts(v11.lastNode(), "axes", {1, -1});
  EXPECT_EQ(v11.import()->getOutput(0)->getDimensions(), (Dims{2, 3}));
  OnnxModel v13 = unary(13, "Squeeze", {2, 1, 3, 1}, {"axes"});
  v13.ints("axes", {-3});
  EXPECT_EQ(v13.import()->getOutput(0)->getDimensions(), (Dims{2, 3, 1}));
  OnnxModel all = unary(13, "Squeeze", {1, 2, 1});
  EXPECT_EQ(all.import()->getOutput(0)->getDimensions(), (Dims{2}));
  OnnxModel notOne = unary(13, "Squeeze", {2, 3}, {"axes"});
  notOne.ints("axes", {0});
  EXPECT_EQ(notOne.importError().code(), ErrorCode::kINVALID_GRAPH);
  // Without axes, a dynamic dimension might or might not be 1.
  Error e = unary(13, "Squeeze", {1, -1}).importError();
  EXPECT_EQ(e.code(), ErrorCode::kUNSUPPORTED);
  EXPECT_NE(e.message().find("dynamic"), std::string::npos) << e.what();

  OnnxModel u11 = unary(11, "Unsqueeze", {2, 3});
  setInts(u11.lastNode(), "axes", {0, 3});
  EXPECT_EQ(u11.import()->getOutput(0)->getDimensions(), (Dims{1, 2, 3, 1}));
  // Negative axes count in the output's rank and may come in any order.
  OnnxModel u13 = unary(13, "Unsqueeze", {2, 3}, {"axes"});
  u13.ints("axes", {-1, 1});
  EXPECT_EQ(u13.import()->getOutput(0)->getDimensions(), (Dims{2, 1, 3, 1}));
  OnnxModel twice = unary(13, "Unsqueeze", {2, 3}, {"axes"});
  twice.ints("axes", {1, -3});
  EXPECT_EQ(twice.importError().code(), ErrorCode::kINVALID_GRAPH);

  OnnxModel dynamic = unary(13, "Unsqueeze", {-1, 3}, {"axes"});
  dynamic.ints("axes", {0});
  auto outs = runDynamic(dynamic, Dims{1, 3}, Dims{4, 3}, {HostTensor::f32({2, 3}, iota(6))});
  EXPECT_EQ(outs[0].dims, (Dims{1, 2, 3}));
  EXPECT_EQ(outs[0].f32(), iota(6));
}

TEST(OnnxTensorImport, TransposeReversesByDefault) {
  auto out = buildAndRun(*unary(13, "Transpose", {2, 3, 4}).import(), {HostTensor::f32({2, 3, 4}, iota(24))});
  EXPECT_EQ(out[0].dims, (Dims{4, 3, 2}));
  std::vector<float> expected;
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i) expected.push_back(static_cast<float>((i * 3 + j) * 4 + k));
  EXPECT_EQ(out[0].f32(), expected);
  OnnxModel perm = unary(13, "Transpose", {2, 3, 4});
  setInts(perm.lastNode(), "perm", {1, 0, 2});
  EXPECT_EQ(perm.import()->getOutput(0)->getDimensions(), (Dims{3, 2, 4}));
}

// ---- Concat --------------------------------------------------------------------------------------------------------

TEST(OnnxTensorImport, AnAttributeOfAnotherTypeIsRefusedNotReadAsZero) {
  // A FLOAT axis of 1.0 would read as an INT axis of 0 and concatenate along the wrong axis.
  OnnxModel floatAxis(13);
  floatAxis.input("a", {2, 1}).input("b", {2, 2});
  setFloat(floatAxis.node("Concat", {"a", "b"}, {"y"}), "axis", 1.0f);
  floatAxis.output("y");
  Error e = floatAxis.importError();
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
  EXPECT_NE(std::string(e.what()).find("attribute 'axis' is FLOAT, not INT"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("Concat"), std::string::npos) << e.what();
  // An INTS perm given as one INT.
  OnnxModel intPerm(13);
  intPerm.input("x", {2, 3});
  setInt(intPerm.node("Transpose", {"x"}, {"y"}), "perm", 1);
  intPerm.output("y");
  expectImportError(intPerm, ErrorCode::kINVALID_GRAPH, "attribute 'perm' is INT, not INTS");
}

TEST(OnnxTensorImport, ConcatAxisDefaultsToOneInOpsetOne) {
  OnnxModel v1(1);
  v1.input("a", {2, 1}).input("b", {2, 2});
  v1.node("Concat", {"a", "b"}, {"y"});
  v1.output("y");
  auto out = buildAndRun(*v1.import(), {HostTensor::f32({2, 1}, {0, 3}), HostTensor::f32({2, 2}, {1, 2, 4, 5})});
  EXPECT_EQ(out[0].dims, (Dims{2, 3}));
  EXPECT_EQ(out[0].f32(), iota(6));
  OnnxModel v13(13);
  v13.input("a", {2, 1}).input("b", {2, 2});
  setInt(v13.node("Concat", {"a", "b"}, {"y"}), "axis", -1);
  v13.output("y");
  EXPECT_EQ(v13.import()->getOutput(0)->getDimensions(), (Dims{2, 3}));
  OnnxModel missing(13);
  missing.input("a", {2, 1}).input("b", {2, 2});
  missing.node("Concat", {"a", "b"}, {"y"});
  missing.output("y");
  EXPECT_EQ(missing.importError().code(), ErrorCode::kINVALID_GRAPH);
}

// ---- DepthToSpace, SpaceToDepth ------------------------------------------------------------------------------------

// DepthToSpace written out per element: DCR reads channel (i*b + j)*C' + c, CRD reads c*b*b + i*b + j.
std::vector<float> depthToSpaceReference(const std::vector<float>& x, const Dims& d, int64_t b, bool dcr) {
  int64_t n = d.d[0], c = d.d[1], h = d.d[2], w = d.d[3], depth = c / (b * b);
  std::vector<float> y;
  for (int64_t in = 0; in < n; ++in)
    for (int64_t ic = 0; ic < depth; ++ic)
      for (int64_t oh = 0; oh < h * b; ++oh)
        for (int64_t ow = 0; ow < w * b; ++ow) {
          int64_t i = oh % b, j = ow % b;
          int64_t channel = dcr ? (i * b + j) * depth + ic : ic * b * b + i * b + j;
          y.push_back(x[((in * c + channel) * h + oh / b) * w + ow / b]);
        }
  return y;
}

TEST(OnnxTensorImport, DepthToSpaceBothModesOnDynamicInputs) {
  for (const char* mode : {"DCR", "CRD"}) {
    SCOPED_TRACE(mode);
    OnnxModel m = unary(13, "DepthToSpace", {-1, 8, -1, -1});
    setInt(m.lastNode(), "blocksize", 2);
    setString(m.lastNode(), "mode", mode);
    std::vector<Dims> shapes = {Dims{1, 8, 2, 3}, Dims{2, 8, 1, 2}};
    std::vector<HostTensor> runs;
    for (const Dims& s : shapes) runs.push_back(HostTensor::f32(s, iota(s.volume())));
    auto outs = runDynamic(m, Dims{1, 8, 1, 1}, Dims{2, 8, 3, 3}, runs);
    for (size_t i = 0; i < shapes.size(); ++i) {
      const Dims& s = shapes[i];
      EXPECT_EQ(outs[i].dims, (Dims{s.d[0], 2, s.d[2] * 2, s.d[3] * 2}));
      EXPECT_EQ(outs[i].f32(), depthToSpaceReference(iota(s.volume()), s, 2, std::string(mode) == "DCR"));
    }
  }
  // Opset 1 has no mode: DCR.
  OnnxModel v1 = unary(1, "DepthToSpace", {1, 4, 1, 1});
  setInt(v1.lastNode(), "blocksize", 2);
  EXPECT_EQ(buildAndRun(*v1.import(), {HostTensor::f32({1, 4, 1, 1}, iota(4))})[0].f32(), iota(4));
  OnnxModel badMode = unary(13, "DepthToSpace", {1, 4, 1, 1});
  setInt(badMode.lastNode(), "blocksize", 2);
  setString(badMode.lastNode(), "mode", "RDC");
  EXPECT_EQ(badMode.importError().code(), ErrorCode::kUNSUPPORTED);
}

TEST(OnnxTensorImport, SpaceToDepthOnDynamicInputs) {
  OnnxModel m = unary(13, "SpaceToDepth", {-1, 2, -1, -1});
  setInt(m.lastNode(), "blocksize", 2);
  std::vector<Dims> shapes = {Dims{1, 2, 4, 6}, Dims{2, 2, 2, 2}};
  std::vector<HostTensor> runs;
  for (const Dims& s : shapes) runs.push_back(HostTensor::f32(s, iota(s.volume())));
  auto outs = runDynamic(m, Dims{1, 2, 2, 2}, Dims{2, 2, 4, 6}, runs);
  for (size_t k = 0; k < shapes.size(); ++k) {
    int64_t n = shapes[k].d[0], c = 2, h = shapes[k].d[2], w = shapes[k].d[3];
    EXPECT_EQ(outs[k].dims, (Dims{n, c * 4, h / 2, w / 2}));
    // y[n][(i*b + j)*C + c][h][w] = x[n][c][h*b + i][w*b + j].
    std::vector<float> expected;
    for (int64_t in = 0; in < n; ++in)
      for (int64_t oc = 0; oc < c * 4; ++oc)
        for (int64_t oh = 0; oh < h / 2; ++oh)
          for (int64_t ow = 0; ow < w / 2; ++ow) {
            int64_t i = oc / c / 2, j = oc / c % 2, ic = oc % c;
            expected.push_back(static_cast<float>(((in * c + ic) * h + oh * 2 + i) * w + ow * 2 + j));
          }
    EXPECT_EQ(outs[k].f32(), expected);
  }
}

// ---- What cannot be imported ---------------------------------------------------------------------------------------

TEST(OnnxTensorImport, ShapesOnlyKnownAtRunTimeAreUnsupported) {
  // The target shape is computed from the data (an ArgMax), not from shapes or a graph input.
  OnnxModel m(13);
  m.input("x", {2, 3});
  m.node("ArgMax", {"x"}, {"shape"});
  m.node("Reshape", {"x", "shape"}, {"y"}).set_name("reshape_node");
  m.output("y");
  Error e = m.importError();
  EXPECT_EQ(e.code(), ErrorCode::kUNSUPPORTED);
  EXPECT_NE(e.message().find("reshape_node"), std::string::npos) << e.what();
  EXPECT_NE(e.message().find("known at build time"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace kiln::test
