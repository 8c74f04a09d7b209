// ONNX importers for the copy family (Constant, Shape, Size), on models built in memory: every value attribute of
// Constant, Shape's start and end, dynamic inputs, and what is reported as unsupported or invalid.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "onnx_model_builder.h"

namespace kiln::test {
namespace {

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

}  // namespace
}  // namespace kiln::test
