// NetworkDefinition: symbolic shape inference as layers are added, and errors that name the layer.
#include <gtest/gtest.h>

#include "test_util.h"

namespace kiln::test {
namespace {

TEST(NetworkDefinition, InputsKeepDynamicDimensions) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 3, -1, -1});
  EXPECT_EQ(toString(x->getDimensions()), "-1x3x-1x-1");
  EXPECT_TRUE(x->isNetworkInput());
  EXPECT_EQ(x->getDimensionExpression(2), "x.2");
  EXPECT_EQ(net.getNbInputs(), 1);
  EXPECT_EQ(net.getInput(0), x);
  EXPECT_EQ(net.getTensor("x"), x);
  EXPECT_EQ(net.getTensor("missing"), nullptr);
}

TEST(NetworkDefinition, DuplicateInputNameIsRejected) {
  NetworkDefinition net;
  net.addInput("x", DataType::kFLOAT, Dims{1});
  EXPECT_EQ(errorOf([&] { net.addInput("x", DataType::kFLOAT, Dims{1}); }).object(), "x");
}

TEST(NetworkDefinition, InvalidDimensionsAreRejected) {
  NetworkDefinition net;
  EXPECT_THROW(net.addInput("a", DataType::kFLOAT, Dims{1, -2}), Error);
  EXPECT_THROW(net.addInput("b", DataType::kFLOAT, Dims{1, 2, 3, 4, 5, 6, 7, 8, 9}), Error);
  EXPECT_THROW(net.addInput("", DataType::kFLOAT, Dims{1}), Error);
}

TEST(NetworkDefinition, ExpressionsFlowThroughLayers) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 6});
  auto* r = net.addShuffle(*x);
  r->setReshapeDimensions(Dims{0, 2, 3});
  auto* t = net.addShuffle(*r->getOutput(0));
  t->setFirstTranspose({2, 0, 1});
  Tensor* y = t->getOutput(0);
  EXPECT_EQ(toString(y->getDimensions()), "3x-1x2");
  EXPECT_EQ(y->getDimensionExpression(1), "x.0");
}

TEST(NetworkDefinition, ReshapeInfersMinusOneSymbolically) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 4, 7});
  auto* r = net.addShuffle(*x);
  r->setReshapeDimensions(Dims{-1, 28});
  EXPECT_EQ(r->getOutput(0)->getDimensionExpression(0), "x.0");
}

TEST(NetworkDefinition, ChannelMismatchFailsWhenAddedAndNamesTheLayer) {
  NetworkDefinition net;
  Tensor* a = net.addInput("a", DataType::kFLOAT, Dims{-1, 3});
  Tensor* b = net.addInput("b", DataType::kFLOAT, Dims{-1, 4});
  Error e = errorOf([&] { net.addElementWise(*a, *b, ElementWiseOperation::kSUM); });
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
  EXPECT_EQ(e.object(), "ElementWise_0");
  EXPECT_NE(std::string(e.what()).find("3 and 4"), std::string::npos) << e.what();
  EXPECT_EQ(net.getNbLayers(), 0);  // the failed layer is not kept
}

TEST(NetworkDefinition, RejectedSetterKeepsThePreviousValue) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{2, 6});
  auto* r = net.addShuffle(*x);
  r->setReshapeDimensions(Dims{3, 4});
  Error e = errorOf([&] { r->setReshapeDimensions(Dims{5, 5}); });
  EXPECT_EQ(e.object(), r->getName());
  EXPECT_EQ(toString(r->getOutput(0)->getDimensions()), "3x4");
  EXPECT_EQ(toString(r->getReshapeDimensions()), "3x4");
}

TEST(NetworkDefinition, SetterReinfersDownstreamLayers) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{1, 1, -1, -1});
  auto* resize = net.addResize(*x);
  auto* relu = net.addActivation(*resize->getOutput(0), ActivationType::kRELU);
  EXPECT_EQ(toString(relu->getOutput(0)->getDimensions()), "1x1x-1x-1");
  resize->setOutputDimensions(Dims{1, 1, 28, 28});
  EXPECT_EQ(toString(relu->getOutput(0)->getDimensions()), "1x1x28x28");
}

TEST(NetworkDefinition, BadAxisIsRejected) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{2, 3});
  auto* c = net.addConcatenation({x, x});
  EXPECT_THROW(c->setAxis(2), Error);
  EXPECT_EQ(toString(c->getOutput(0)->getDimensions()), "4x3");
  c->setAxis(-1);
  EXPECT_EQ(toString(c->getOutput(0)->getDimensions()), "2x6");
}

TEST(NetworkDefinition, ConstantWeightsCountMustMatch) {
  NetworkDefinition net;
  float v[3] = {1, 2, 3};
  EXPECT_THROW(net.addConstant(Dims{2, 2}, Weights{DataType::kFLOAT, v, 3}), Error);
  EXPECT_THROW(net.addConstant(Dims{3}, Weights{DataType::kFLOAT, nullptr, 3}), Error);
  EXPECT_NO_THROW(net.addConstant(Dims{3}, Weights{DataType::kFLOAT, v, 3}));
}

TEST(NetworkDefinition, ConstantsAreCopied) {
  NetworkDefinition net;
  std::vector<float> v = {1, 2};
  Tensor* c = net.addConstant(Dims{2}, Weights{DataType::kFLOAT, v.data(), 2})->getOutput(0);
  v = {100, 200};  // the caller's buffer changes after the call
  net.markOutput(*net.addIdentity(*c)->getOutput(0));
  auto out = buildAndRun(net, {});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{1, 2}));
}

TEST(NetworkDefinition, MarkAndUnmarkOutputs) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{1, 10});
  Tensor* y = net.addActivation(*x, ActivationType::kRELU)->getOutput(0);
  net.markOutput(*y);
  auto* softmax = net.addSoftMax(*net.getOutput(0));
  net.unmarkOutput(*net.getOutput(0));
  net.markOutput(*softmax->getOutput(0));
  EXPECT_EQ(net.getNbOutputs(), 1);
  EXPECT_EQ(net.getOutput(0), softmax->getOutput(0));
  EXPECT_FALSE(y->isNetworkOutput());
  EXPECT_THROW(net.unmarkOutput(*y), Error);
}

TEST(NetworkDefinition, ShapeTensorsCarrySymbolicValues) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 3, -1});
  Tensor* shape = net.addShape(*x)->getOutput(0);
  EXPECT_TRUE(shape->isShapeTensor());
  EXPECT_EQ(shape->getType(), DataType::kINT64);
  EXPECT_EQ(toString(shape->getDimensions()), "3");
  EXPECT_FALSE(x->isShapeTensor());
}

TEST(NetworkDefinition, DataDependentReshapeIsRejected) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{4});
  Tensor* dims = net.addInput("dims", DataType::kINT64, Dims{2});
  auto* r = net.addShuffle(*x);
  Error e = errorOf([&] { r->setInput(1, *dims); });
  EXPECT_NE(std::string(e.what()).find("shape tensor"), std::string::npos) << e.what();
  EXPECT_EQ(toString(r->getOutput(0)->getDimensions()), "4");
}

TEST(NetworkDefinition, NetworkWithoutOutputsCannotBeBuilt) {
  NetworkDefinition net;
  net.addInput("x", DataType::kFLOAT, Dims{1});
  EXPECT_THROW(Builder().buildSerializedNetwork(net, BuilderConfig{}), Error);
}

TEST(NetworkDefinition, InputAsOutputIsRejectedAtBuild) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{1});
  net.markOutput(*x);
  Error e = errorOf([&] { Builder().buildSerializedNetwork(net, BuilderConfig{}); });
  EXPECT_EQ(e.object(), "x");
}

TEST(NetworkDefinition, UnknownBackendIsRejected) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{1});
  net.markOutput(*net.addIdentity(*x)->getOutput(0));
  BuilderConfig config;
  config.setBackend("abacus");
  EXPECT_NE(std::string(errorOf([&] { Builder().buildSerializedNetwork(net, config); }).what()).find("abacus"),
            std::string::npos);
}

TEST(NetworkDefinition, LayerNamesAndTypes) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{2});
  auto* u = net.addUnary(*x, UnaryOperation::kEXP);
  EXPECT_EQ(u->getType(), LayerType::kUNARY);
  EXPECT_STREQ(u->getName(), "Unary_0");
  u->setName("exp");
  EXPECT_STREQ(u->getName(), "exp");
  EXPECT_EQ(net.getLayer(0), u);
  EXPECT_EQ(u->getInput(0), x);
  EXPECT_EQ(u->getInput(1), nullptr);
  EXPECT_EQ(u->getNbOutputs(), 1);
}

}  // namespace
}  // namespace kiln::test
