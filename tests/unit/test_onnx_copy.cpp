// ONNX importers for the copy family (Constant, Identity, Dropout, Cast, CastLike, Shape, Size), on models built in
// memory: every value attribute of Constant, Cast's forms and types, Dropout's mask and modes, Shape's start and end,
// dynamic inputs, and what is reported as unsupported or invalid.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "onnx_model_builder.h"

namespace kiln::test {
namespace {

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();

// ---- Constant ----------------------------------------------------------------------------------------------------

TEST(OnnxConstant, EveryValueAttribute) {
  struct Case {
    const char* attr;
    std::function<void(NodeProto&)> set;
    DataType type;
    const char* dims;
    std::vector<double> values;
  };
  std::vector<Case> cases = {
      {"value",
       [](NodeProto& n) {
         setTensor(n, "value", floatTensor("", {2, 2}, {1, -2, 3.5f, 4}));
       },
       DataType::kFLOAT,
       "2x2",
       {1, -2, 3.5, 4}},
      {"value_float", [](NodeProto& n) { setFloat(n, "value_float", 2.5f); }, DataType::kFLOAT, "scalar", {2.5}},
      {"value_floats",
       [](NodeProto& n) {
         setFloats(n, "value_floats", {1, 2, 3});
       },
       DataType::kFLOAT,
       "3",
       {1, 2, 3}},
      {"value_int", [](NodeProto& n) { setInt(n, "value_int", -7); }, DataType::kINT64, "scalar", {-7}},
      {"value_ints",
       [](NodeProto& n) {
         setInts(n, "value_ints", {4, 5});
       },
       DataType::kINT64,
       "2",
       {4, 5}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.attr);
    // Opset 6 (as the pytorch-converted tests) and 13: one importer covers every Constant version.
    for (int64_t opset : {6, 13}) {
      OnnxModel m(opset);
      c.set(m.node("Constant", {}, {"c"}));
      m.output("c");
      auto out = m.run({});
      ASSERT_EQ(out.size(), 1u);
      EXPECT_EQ(out[0].type, c.type);
      EXPECT_EQ(toString(out[0].dims), c.dims);
      std::vector<double> got;
      if (c.type == DataType::kFLOAT)
        for (float v : out[0].f32()) got.push_back(v);
      else
        for (int64_t v : out[0].as<int64_t>()) got.push_back(static_cast<double>(v));
      EXPECT_EQ(got, c.values);
    }
  }
}

TEST(OnnxConstant, SparseAndStringValuesAreUnsupported) {
  OnnxModel sparse(13);
  addAttribute(sparse.node("Constant", {}, {"c"}), "sparse_value", AttributeProto::SPARSE_TENSOR);
  sparse.output("c");
  expectImportError(sparse, ErrorCode::kUNSUPPORTED, "sparse_value");
  OnnxModel strings(13);
  // A std::string rather than "a", which trips GCC 12's -Wrestrict false positive in this test's inlining.
  addAttribute(strings.node("Constant", {}, {"c"}), "value_strings", AttributeProto::STRINGS)
      .add_strings(std::string(1, 'a'));
  strings.output("c");
  expectImportError(strings, ErrorCode::kUNSUPPORTED, "string tensors");
}

TEST(OnnxConstant, ExactlyOneValueAttribute) {
  OnnxModel none(13);
  none.node("Constant", {}, {"c"});
  none.output("c");
  expectImportError(none, ErrorCode::kINVALID_GRAPH, "none of value");
  OnnxModel two(13);
  NodeProto& n = two.node("Constant", {}, {"c"});
  setFloat(n, "value_float", 1);
  setInt(n, "value_int", 1);
  two.output("c");
  expectImportError(two, ErrorCode::kINVALID_GRAPH, "exactly one");
}

// ---- Shape, Size ---------------------------------------------------------------------------------------------------

TEST(OnnxTensorImport, ShapeStartEndAndSizeOfDynamicInputs) {
  OnnxModel shape = unary(15, "Shape", {-1, 3, -1, 5});
  setInt(shape.lastNode(), "start", 1);
  setInt(shape.lastNode(), "end", -1);
  auto outs = runDynamic(shape, Dims{1, 3, 1, 5}, Dims{4, 3, 4, 5}, {HostTensor::f32({2, 3, 4, 5}, iota(120))});
  EXPECT_EQ(outs[0].type, DataType::kINT64);
  EXPECT_EQ(outs[0].as<int64_t>(), (std::vector<int64_t>{3, 4}));
  // Out-of-range start and end clamp to the rank.
  OnnxModel clamped = unary(15, "Shape", {2, 3});
  setInt(clamped.lastNode(), "start", -10);
  setInt(clamped.lastNode(), "end", 10);
  EXPECT_EQ(buildAndRun(*clamped.import(), {HostTensor::f32({2, 3}, iota(6))})[0].as<int64_t>(),
            (std::vector<int64_t>{2, 3}));
  outs = runDynamic(unary(13, "Size", {-1, 3}), Dims{1, 3}, Dims{4, 3},
                    {HostTensor::f32({4, 3}, iota(12)), HostTensor::f32({1, 3}, iota(3))});
  EXPECT_EQ(outs[0].dims.nbDims, 0);
  EXPECT_EQ(outs[0].as<int64_t>(), (std::vector<int64_t>{12}));
  EXPECT_EQ(outs[1].as<int64_t>(), (std::vector<int64_t>{3}));
}

// ---- Cast, Identity, Dropout ---------------------------------------------------------------------------------------

TEST(OnnxElementwise, CastFormsAndTypes) {
  NodeProto* n;
  OnnxModel named = unaryModel(1, "Cast", {3}, &n);
  setString(*n, "to", "INT32");  // opset 1 names the type
  HostTensor i = named.run({f32({-2.7f, 0.5f, 3.9f})})[0];
  EXPECT_EQ(i.type, DataType::kINT32);
  EXPECT_EQ(i.as<int32_t>(), (std::vector<int32_t>{-2, 0, 3}));

  OnnxModel toDouble = unaryModel(13, "Cast", {2}, &n);
  setInt(*n, "to", TensorProto::DOUBLE);
  EXPECT_EQ(toDouble.run({f32({0.1f, 2})})[0].as<double>(), (std::vector<double>{0.1f, 2}));

  OnnxModel toUint16 = unaryModel(13, "Cast", {2}, &n);
  setInt(*n, "to", TensorProto::UINT16);
  HostTensor u16 = toUint16.run({f32({65535.9f, 7.5f})})[0];
  EXPECT_EQ(u16.type, DataType::kUINT16);
  EXPECT_EQ(u16.as<uint16_t>(), (std::vector<uint16_t>{65535, 7}));

  OnnxModel toComplex = unaryModel(13, "Cast", {2}, &n);
  setInt(*n, "to", TensorProto::COMPLEX64);
  expectImportError(toComplex, ErrorCode::kUNSUPPORTED, "COMPLEX64");

  OnnxModel like(15);
  like.input("x", {2}).input("t", {1}, TensorProto::INT64);
  like.node("CastLike", {"x", "t"});
  like.output();
  HostTensor l = like.run({f32({7.9f, -1}), HostTensor::i64({1}, {0})})[0];
  EXPECT_EQ(l.type, DataType::kINT64);
  EXPECT_EQ(l.as<int64_t>(), (std::vector<int64_t>{7, -1}));
}

// Inference dropout is the identity; the mask keeps everything (bool from opset 10, the input's type before).
TEST(OnnxElementwise, DropoutPassesThroughWithAnAllTrueMask) {
  const std::vector<float> x = {1, kNan, -3};
  for (int64_t opset : {7, 13}) {
    SCOPED_TRACE(opset);
    OnnxModel m(opset);
    m.input("x", {-1});
    m.node("Dropout", {"x"}, {"y", "mask"});
    m.output("y").output("mask");
    auto out = m.run({f32(x)});
    auto y = out[0].f32();
    EXPECT_EQ(y[0], 1.0f);
    EXPECT_TRUE(std::isnan(y[1]));
    if (opset < 10) {
      EXPECT_EQ(out[1].type, DataType::kFLOAT);
      EXPECT_EQ(out[1].f32(), (std::vector<float>{1, 1, 1}));
    } else {
      EXPECT_EQ(out[1].type, DataType::kBOOL);
      EXPECT_EQ(out[1].as<uint8_t>(), (std::vector<uint8_t>{1, 1, 1}));
    }
  }
  auto training = [](float ratio) {
    OnnxModel m(13);
    m.input("x", {3})
        .constant<float>("ratio", {}, TensorProto::FLOAT, {ratio})
        .constant<uint8_t>("training", {}, TensorProto::BOOL, {1});
    m.node("Dropout", {"x", "ratio", "training"});
    m.output();
    return m;
  };
  EXPECT_EQ(training(0).run({f32({1, 2, 3})})[0].f32(), (std::vector<float>{1, 2, 3}));
  expectImportError(training(0.5f), ErrorCode::kUNSUPPORTED, "random");
  OnnxModel runTimeMode(13);
  runTimeMode.input("x", {3}).input("ratio", {}).input("training", {}, TensorProto::BOOL);
  runTimeMode.node("Dropout", {"x", "ratio", "training"});
  runTimeMode.output();
  expectImportError(runTimeMode, ErrorCode::kUNSUPPORTED, "training_mode");
}

TEST(OnnxElementwise, IdentityOfADynamicInput) {
  OnnxModel m = unaryModel(16, "Identity", {-1, 2});
  auto network = m.import();
  auto engine = buildWithProfile(*network, profileFor("x", Dims{1, 2}, Dims{2, 2}, Dims{4, 2}));
  auto context = engine->createExecutionContext();
  auto out = runContext(*context, {HostTensor::f32({3, 2}, {1, 2, 3, 4, 5, 6})});
  EXPECT_EQ(toString(out[0].dims), "3x2");
  EXPECT_EQ(out[0].f32(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

}  // namespace
}  // namespace kiln::test
