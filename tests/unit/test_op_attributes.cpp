// Typed op attributes: reads through the op schemas' keys, the errors that name the op and the key, the schemas'
// traits, and a plan's step attributes kept through serialization.
#include <gtest/gtest.h>

#include <string>

#include "graph/graph.h"
#include "ops/copy.h"
#include "ops/fused_epilogue.h"
#include "ops/generation.h"
#include "ops/indexing.h"
#include "ops/matrix.h"
#include "ops/op_schema.h"
#include "ops/reduction.h"
#include "ops/shape.h"
#include "plan/plan.h"
#include "test_util.h"

namespace kiln::test {
namespace {

// Runs `read`, which must throw kiln::Error of `code` naming `object` and every fragment in its message.
template <typename Read>
void expectAttributeError(Read read, ErrorCode code, const std::string& object,
                          std::initializer_list<std::string> fragments) {
  try {
    read();
    FAIL() << "the read succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_EQ(e.object(), object) << e.what();
    for (const std::string& fragment : fragments)
      EXPECT_NE(e.message().find(fragment), std::string::npos) << "'" << fragment << "' not in: " << e.message();
  }
}

graph::LayerNode layer(LayerType type, const std::string& name) {
  graph::LayerNode node;
  node.type = type;
  node.name = name;
  return node;
}

TEST(OpAttributes, AbsentRequiredAttributeNamesTheOpAndTheKey) {
  graph::LayerNode concat = layer(LayerType::kCONCATENATION, "concat_7");
  expectAttributeError([&] { concat.opAttrs().get(ops::Concatenation::kAxis); }, ErrorCode::kINVALID_GRAPH, "concat_7",
                       {"Concatenation", "required attribute 'axis' is missing"});
  concat.attrs.set(ops::Concatenation::kAxis, 2);
  EXPECT_EQ(concat.opAttrs().get(ops::Concatenation::kAxis), 2);
}

TEST(OpAttributes, MistypedAttributeNamesTheOpTheKeyAndBothTypes) {
  graph::LayerNode gather = layer(LayerType::kGATHER, "gather_1");
  gather.attrs.setValue(ops::Gather::kAxis.name, 1.5);  // as a damaged plan or a wrong writer would leave it
  expectAttributeError([&] { gather.opAttrs().get(ops::Gather::kAxis); }, ErrorCode::kINVALID_GRAPH, "gather_1",
                       {"Gather", "'axis'", "holds a float, not an integer"});
  // An optional key of the wrong type is no more a fallback than a required one.
  gather.attrs.setValue(ops::Gather::kBatchDims.name, std::vector<int64_t>{1});
  expectAttributeError([&] { gather.opAttrs().get(ops::Gather::kBatchDims); }, ErrorCode::kINVALID_GRAPH, "gather_1",
                       {"'batch_dims'", "holds an integer list"});
}

TEST(OpAttributes, AbsentOptionalAttributeReadsItsDefault) {
  graph::LayerNode gather = layer(LayerType::kGATHER, "gather");
  EXPECT_EQ(gather.opAttrs().get(ops::Gather::kMode), GatherMode::kDEFAULT);
  EXPECT_EQ(gather.opAttrs().get(ops::Gather::kBatchDims), 0);
  EXPECT_FALSE(gather.opAttrs().find(ops::Gather::kMode).has_value());
  graph::LayerNode shuffle = layer(LayerType::kSHUFFLE, "shuffle");
  EXPECT_TRUE(shuffle.opAttrs().get(ops::Shuffle::kFirstPerm).empty());  // optional lists read as empty
  EXPECT_TRUE(shuffle.opAttrs().get(ops::Shuffle::kZeroIsPlaceholder));
  // Optional without a default: absent means something no value does, and get() says it is missing.
  graph::LayerNode matmul = layer(LayerType::kMATRIX_MULTIPLY, "matmul");
  EXPECT_FALSE(ops::postActivation(matmul.opAttrs()).has_value());
  expectAttributeError([&] { matmul.opAttrs().get(ops::kPostActivation); }, ErrorCode::kINVALID_GRAPH, "matmul",
                       {"MatrixMultiply", "attribute 'postActivation' is missing"});
}

TEST(OpAttributes, TypedValuesRoundTrip) {
  ops::Attrs attrs;
  attrs.set(ops::Fill::kOp, FillOperation::kLINSPACE);
  attrs.set(ops::Fill::kBeta, 0.25);
  attrs.set(ops::Shuffle::kZeroIsPlaceholder, false);
  ops::OpAttrs fill(attrs, {LayerType::kFILL, "fill", ErrorCode::kINVALID_GRAPH});
  EXPECT_EQ(fill.get(ops::Fill::kOp), FillOperation::kLINSPACE);
  EXPECT_EQ(fill.get(ops::Fill::kBeta), 0.25);
  EXPECT_EQ(fill.get(ops::Fill::kAlpha), 0.0);
  EXPECT_FALSE(fill.get(ops::Shuffle::kZeroIsPlaceholder));
  attrs.erase(ops::Fill::kBeta);
  EXPECT_FALSE(attrs.has(ops::Fill::kBeta));
  EXPECT_EQ(fill.get(ops::Fill::kBeta), 1.0);
}

TEST(OpAttributes, EveryLayerTypeHasANamedSchema) {
  for (int32_t t = 0; t < static_cast<int32_t>(LayerType::kLAYER_TYPE_COUNT); ++t) {
    auto type = static_cast<LayerType>(t);
    const ops::OpSchema& schema = ops::opSchema(type);
    EXPECT_EQ(schema.type, type) << t;
    EXPECT_NE(std::string(schema.name), "") << t;
    EXPECT_STREQ(layerTypeName(type), schema.name);
  }
  EXPECT_THROW(ops::opSchema(LayerType::kLAYER_TYPE_COUNT), Error);
  EXPECT_STREQ(layerTypeName(LayerType::kLAYER_TYPE_COUNT), "Unknown");
}

TEST(OpAttributes, SchemasHoldTheTraits) {
  ops::Attrs sum, max;
  sum.set(ops::Reduce::kOp, ReduceOperation::kSUM);
  max.set(ops::Reduce::kOp, ReduceOperation::kMAX);
  const ops::OpSchema& reduce = ops::opSchema(LayerType::kREDUCE);
  ASSERT_NE(reduce.keepsFp32, nullptr);
  EXPECT_TRUE(reduce.keepsFp32({sum, {LayerType::kREDUCE, "sum", ErrorCode::kINVALID_GRAPH}}));
  EXPECT_FALSE(reduce.keepsFp32({max, {LayerType::kREDUCE, "max", ErrorCode::kINVALID_GRAPH}}));
  EXPECT_EQ(ops::opSchema(LayerType::kACTIVATION).keepsFp32, nullptr);
  EXPECT_EQ(ops::opSchema(LayerType::kCAST).outputType, &ops::Cast::kTo);
  EXPECT_TRUE(ops::opSchema(LayerType::kSLICE).valueInputs.contains(2));
  EXPECT_FALSE(ops::opSchema(LayerType::kSLICE).valueInputs.contains(0));
}

// y = relu(x * W): one matrix multiply step with the activation fused.
std::vector<uint8_t> fusedMatrixMultiplyPlan() {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{2, 3});
  Tensor* w = floatConstant(net, Dims{4, 3}, randomFloats(12, 3));  // transposed: [3, 4]
  Tensor* y = net.addMatrixMultiply(*x, MatrixOperation::kNONE, *w, MatrixOperation::kTRANSPOSE)->getOutput(0);
  y = net.addActivation(*y, ActivationType::kRELU)->getOutput(0);
  y->setName("y");
  net.markOutput(*y);
  return Builder().buildSerializedNetwork(net, BuilderConfig{});
}

const plan::Step& onlyStep(const plan::Plan& plan, LayerType type) {
  const plan::Step* found = nullptr;
  for (const plan::Step& step : plan.steps)
    if (step.type == type) {
      EXPECT_EQ(found, nullptr) << "more than one step of the type";
      found = &step;
    }
  if (!found) throw std::runtime_error("no step of the type");
  return *found;
}

TEST(OpAttributes, PlanStepKeepsItsAttributes) {
  std::vector<uint8_t> bytes = fusedMatrixMultiplyPlan();
  plan::Plan loaded = plan::deserialize(bytes.data(), bytes.size());
  const plan::Step& step = onlyStep(loaded, LayerType::kMATRIX_MULTIPLY);
  EXPECT_EQ(step.opAttrs().get(ops::MatrixMultiply::kOp0), MatrixOperation::kNONE);
  EXPECT_EQ(step.opAttrs().get(ops::MatrixMultiply::kOp1), MatrixOperation::kTRANSPOSE);
  auto post = ops::postActivation(step.opAttrs());
  ASSERT_TRUE(post.has_value());
  EXPECT_EQ(post->type, ActivationType::kRELU);
  // Written again and read back: the same attributes.
  std::vector<uint8_t> again = plan::serialize(loaded);
  plan::Plan reloaded = plan::deserialize(again.data(), again.size());
  EXPECT_EQ(onlyStep(reloaded, LayerType::kMATRIX_MULTIPLY).attrs, step.attrs);
}

TEST(OpAttributes, PlanStepMissingARequiredAttributeIsAnInvalidPlanNamingTheStep) {
  std::vector<uint8_t> bytes = fusedMatrixMultiplyPlan();
  plan::Plan loaded = plan::deserialize(bytes.data(), bytes.size());
  for (plan::Step& step : loaded.steps)
    if (step.type == LayerType::kMATRIX_MULTIPLY) step.attrs.erase(ops::MatrixMultiply::kOp1);
  const plan::Step& step = onlyStep(loaded, LayerType::kMATRIX_MULTIPLY);
  expectAttributeError([&] { step.opAttrs().get(ops::MatrixMultiply::kOp1); }, ErrorCode::kINVALID_PLAN, step.name,
                       {"MatrixMultiply", "required attribute 'op1' is missing"});
  // Loading such a plan fails the same way when the kernel reads its attributes.
  std::vector<uint8_t> damaged = plan::serialize(loaded);
  expectAttributeError([&] { Runtime().deserialize(damaged); }, ErrorCode::kINVALID_PLAN, step.name,
                       {"MatrixMultiply", "'op1'"});
}

}  // namespace
}  // namespace kiln::test
