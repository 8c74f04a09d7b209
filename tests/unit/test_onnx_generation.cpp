// ONNX importers of the generation family (Range, ConstantOfShape, Trilu, EyeLike, OneHot, CumSum, scatters, NonZero,
// Compress), on models built in memory.
#include <gtest/gtest.h>

#include "onnx_model_builder.h"

namespace kiln::test {
namespace {

// ---- ONNX importers ---------------------------------------------------------------------------------------------

std::string unsupportedReason(const OnnxModel& m) {
  Error e = m.importError();
  EXPECT_EQ(e.code(), ErrorCode::kUNSUPPORTED) << e.what();
  return e.message();
}

TEST(OnnxGenerationTest, RangeOverShapeValuesFollowsTheInput) {
  // Range(n - 1, -1, -2) and Range(1, n, 3) with n = x's length: lengths ceil(n / 2) and ceil((n - 1) / 3).
  OnnxModel m(13);
  m.input("x", {-1})
      .ints("zero", {}, {0})
      .ints("one", {}, {1})
      .ints("down", {}, {-2})
      .ints("three", {}, {3})
      .ints("minus1", {}, {-1});
  m.node("Shape", {"x"}, {"shape"});
  m.node("Gather", {"shape", "zero"}, {"n"});
  m.node("Sub", {"n", "one"}, {"last"});
  m.node("Range", {"last", "minus1", "down"}, {"down_range"});
  m.node("Range", {"one", "n", "three"}, {"up_range"});
  m.output("down_range").output("up_range");
  auto net = m.import();
  std::vector<std::vector<HostTensor>> runs;
  for (int64_t n : {1, 5, 8}) runs.push_back({HostTensor::f32({n}, std::vector<float>(n))});
  auto outs = runAtShapes(*net, runs, Dims{1}, Dims{8});
  EXPECT_EQ(outs[0][0].as<int64_t>(), (std::vector<int64_t>{0}));
  EXPECT_TRUE(outs[0][1].as<int64_t>().empty());
  EXPECT_EQ(outs[1][0].as<int64_t>(), (std::vector<int64_t>{4, 2, 0}));
  EXPECT_EQ(outs[1][1].as<int64_t>(), (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(outs[2][0].as<int64_t>(), (std::vector<int64_t>{7, 5, 3, 1}));
  EXPECT_EQ(outs[2][1].as<int64_t>(), (std::vector<int64_t>{1, 4, 7}));
}

TEST(OnnxGenerationTest, RangeOfFloatConstantsAndRunTimeRanges) {
  OnnxModel m(11);
  m.input("x", {1});
  m.floats("s", {}, {1.0}).floats("l", {}, {2.0});
  m.floats("d", {}, {0.25});
  m.node("Range", {"s", "l", "d"}, {"r"});
  m.node("Add", {"r", "x"}, {"y"});
  m.output("y");
  auto net = m.import();
  auto out = buildAndRun(*net, {HostTensor::f32({1}, {10})});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{11, 11.25f, 11.5f, 11.75f}));

  // A float start known only at run time cannot set a length (integer ones become shape inputs).
  OnnxModel runtime(11);
  runtime.input("s", {}, TensorProto::FLOAT);
  runtime.floats("l", {}, {9.0}).floats("d", {}, {1.0});
  runtime.node("Range", {"s", "l", "d"}, {"r"});
  runtime.output("r");
  EXPECT_NE(unsupportedReason(runtime).find("'s' sets the output length"), std::string::npos);
}

TEST(OnnxGenerationTest, ConstantOfShapeTriluAndEyeLikeOnDynamicShapes) {
  OnnxModel m(14);
  m.input("x", {-1, -1}, TensorProto::INT64).input("k", {}, TensorProto::INT64);
  m.node("Shape", {"x"}, {"shape"});
  auto& c = m.node("ConstantOfShape", {"shape"}, {"sevens"});
  setTensor(c, "value", rawTensor<int32_t>("", {1}, TensorProto::INT32, {7}));
  setInt(m.node("Trilu", {"x", "k"}, {"lower"}), "upper", 0);
  m.node("Trilu", {"x"}, {"upper"});
  auto& eye = m.node("EyeLike", {"x"}, {"eye"});
  setInt(eye, "k", -1);
  setInt(eye, "dtype", TensorProto::FLOAT);
  m.output("sevens").output("lower").output("upper").output("eye");
  auto net = m.import();
  std::vector<std::vector<HostTensor>> runs;
  std::vector<std::pair<int64_t, int64_t>> shapes = {{2, 3}, {4, 2}};
  for (auto [rows, cols] : shapes) {
    std::vector<int64_t> x(rows * cols);
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int64_t>(i) + 1;
    runs.push_back({HostTensor::i64({rows, cols}, x), HostTensor::i64({}, {1})});
  }
  auto engine = buildWithProfile(*net, [] {
    OptimizationProfile p;
    setRange(p, "x", Dims{1, 1}, Dims{4, 3}, Dims{4, 3});
    setRange(p, "k", Dims{}, Dims{}, Dims{});
    return p;
  }());
  auto context = engine->createExecutionContext();
  for (size_t r = 0; r < runs.size(); ++r) {
    auto [rows, cols] = shapes[r];
    auto out = runContext(*context, runs[r]);
    std::vector<int32_t> sevens(rows * cols, 7);
    std::vector<int64_t> lower, upper;
    std::vector<float> eyeExpected;
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t j = 0; j < cols; ++j) {
        int64_t v = i * cols + j + 1;
        lower.push_back(j - i <= 1 ? v : 0);  // k = 1
        upper.push_back(j >= i ? v : 0);      // k = 0
        eyeExpected.push_back(j == i - 1 ? 1.0f : 0.0f);
      }
    }
    EXPECT_EQ(out[0].as<int32_t>(), sevens);
    EXPECT_EQ(out[1].as<int64_t>(), lower);
    EXPECT_EQ(out[2].as<int64_t>(), upper);
    EXPECT_EQ(out[3].f32(), eyeExpected);
  }
}

TEST(OnnxGenerationTest, OneHotCumSumAndScatterVersions) {
  // OneHot-9 turns negative indices off; OneHot-11 counts them from the end.
  for (int64_t opset : {9, 11}) {
    OnnxModel m(opset);
    m.input("i", {3}, TensorProto::INT64).floats("depth", {}, {3.0});
    m.ints("values", {2}, {0, 5});
    m.node("OneHot", {"i", "depth", "values"}, {"y"});
    m.output("y");
    auto net = m.import();
    auto out = buildAndRun(*net, {HostTensor::i64({3}, {2, -1, 3})});
    std::vector<int64_t> minusOne = opset == 9 ? std::vector<int64_t>{0, 0, 0} : std::vector<int64_t>{0, 0, 5};
    std::vector<int64_t> expected = {0, 0, 5};
    expected.insert(expected.end(), minusOne.begin(), minusOne.end());
    expected.insert(expected.end(), {0, 0, 0});
    EXPECT_EQ(out[0].as<int64_t>(), expected) << "opset " << opset;
  }
  // ScatterElements-16 knows add and mul but not max.
  OnnxModel scatter(16);
  scatter.input("d", {2}).input("i", {1}, TensorProto::INT64).input("u", {1});
  setString(scatter.node("ScatterElements", {"d", "i", "u"}, {"y"}), "reduction", "max");
  scatter.output("y");
  EXPECT_NE(unsupportedReason(scatter).find("reduction 'max'"), std::string::npos);
  OnnxModel deprecated(11);
  deprecated.input("d", {2}).input("i", {1}, TensorProto::INT64).input("u", {1});
  deprecated.node("Scatter", {"d", "i", "u"}, {"y"});
  deprecated.output("y");
  EXPECT_NE(unsupportedReason(deprecated).find("deprecated"), std::string::npos);
}

TEST(OnnxGenerationTest, NonZeroAndCompressOfConstantsFold) {
  OnnxModel m(13);
  m.input("x", {2, 3});
  m.floats("c", {2, 3}, {0, 1, 0, 2, 0, 3});
  m.constant<uint8_t>("keep", {2}, TensorProto::BOOL, {0, 1});
  m.node("NonZero", {"c"}, {"nz"});
  auto& compress = m.node("Compress", {"x", "keep"}, {"rows"});
  setInt(compress, "axis", 0);
  m.node("Compress", {"x", "keep"}, {"flat"});  // the first two elements, flattened
  m.output("nz").output("rows").output("flat");
  auto net = m.import();
  auto out = buildAndRun(*net, {HostTensor::f32({2, 3}, iota(6))});
  EXPECT_EQ(out[0].dims, (Dims{2, 3}));
  EXPECT_EQ(out[0].as<int64_t>(), (std::vector<int64_t>{0, 1, 1, 1, 0, 2}));
  EXPECT_EQ(out[1].f32(), (std::vector<float>{3, 4, 5}));
  EXPECT_EQ(out[2].f32(), (std::vector<float>{1}));

  OnnxModel runtime(13);
  runtime.input("x", {2, 3}).input("keep", {2}, TensorProto::BOOL);
  runtime.node("Compress", {"x", "keep"}, {"y"});
  runtime.output("y");
  EXPECT_NE(unsupportedReason(runtime).find("depends on the values of 'keep'"), std::string::npos);
}

}  // namespace
}  // namespace kiln::test
