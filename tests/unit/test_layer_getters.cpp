// Layer getters: each reads back the layer's default before any setter runs, then exactly what its setter stored.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"

namespace kiln::test {
namespace {

// "scalar" is how toString writes rank 0: the Dims getters' answer for a setting never made.
constexpr const char* kNeverSet = "scalar";

TEST(LayerGetters, ConvolutionPaddingNd) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{1, 2, 8, 8});
  auto* conv = net.addConvolution(*x, *floatConstant(net, Dims{4, 2, 3, 3}, iota(72)), nullptr);
  EXPECT_EQ(toString(conv->getPaddingNd()), kNeverSet);
  conv->setPaddingNd(Dims{1, 2});
  EXPECT_EQ(toString(conv->getPaddingNd()), "1x2");
  EXPECT_EQ(toString(conv->getPostPadding()), "1x2");
  conv->setPrePadding(Dims{2, 0});  // asymmetric: the pre-padding, as TensorRT
  EXPECT_EQ(toString(conv->getPaddingNd()), "2x0");
}

TEST(LayerGetters, Pooling) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{1, 2, 9, 9});
  auto* pool = net.addPoolingNd(*x, PoolingType::kAVERAGE, Dims{2, 2});
  EXPECT_EQ(toString(pool->getPaddingNd()), kNeverSet);
  EXPECT_EQ(toString(pool->getDilationNd()), kNeverSet);
  EXPECT_FALSE(pool->getCeilMode());
  EXPECT_FALSE(pool->getIndicesColumnMajor());
  pool->setPaddingNd(Dims{1, 0});
  EXPECT_EQ(toString(pool->getPaddingNd()), "1x0");
  pool->setDilationNd(Dims{2, 3});
  EXPECT_EQ(toString(pool->getDilationNd()), "2x3");
  pool->setCeilMode(true);
  EXPECT_TRUE(pool->getCeilMode());

  auto* withIndices = net.addMaxPoolingWithIndices(*x, Dims{3, 3});
  withIndices->setIndicesColumnMajor(true);
  EXPECT_TRUE(withIndices->getIndicesColumnMajor());
}

TEST(LayerGetters, SoftMaxLog) {
  NetworkDefinition net;
  auto* softmax = net.addSoftMax(*net.addInput("x", DataType::kFLOAT, Dims{2, 5}));
  EXPECT_FALSE(softmax->getLog());
  softmax->setLog(true);
  EXPECT_TRUE(softmax->getLog());
}

TEST(LayerGetters, Shuffle) {
  NetworkDefinition net;
  auto* shuffle = net.addShuffle(*net.addInput("x", DataType::kFLOAT, Dims{2, 3, 4}));
  EXPECT_TRUE(shuffle->getFirstTranspose().empty());
  EXPECT_TRUE(shuffle->getSecondTranspose().empty());
  EXPECT_TRUE(shuffle->getZeroIsPlaceholder());
  shuffle->setFirstTranspose({2, 0, 1});
  EXPECT_EQ(shuffle->getFirstTranspose(), (std::vector<int32_t>{2, 0, 1}));
  shuffle->setSecondTranspose({1, 2, 0});
  EXPECT_EQ(shuffle->getSecondTranspose(), (std::vector<int32_t>{1, 2, 0}));
  EXPECT_EQ(toString(shuffle->getOutput(0)->getDimensions()), "2x3x4");  // the settings took effect
  shuffle->setZeroIsPlaceholder(false);
  EXPECT_FALSE(shuffle->getZeroIsPlaceholder());
}

TEST(LayerGetters, TopK) {
  NetworkDefinition net;
  auto* topk = net.addTopK(*net.addInput("x", DataType::kFLOAT, Dims{3, 5}), TopKOperation::kMAX, 2, 1u << 1);
  EXPECT_EQ(topk->getOperation(), TopKOperation::kMAX);
  EXPECT_EQ(topk->getReduceAxes(), 1u << 1);
  topk->setOperation(TopKOperation::kMIN);
  EXPECT_EQ(topk->getOperation(), TopKOperation::kMIN);
  topk->setReduceAxes(1u << 0);
  EXPECT_EQ(topk->getReduceAxes(), 1u << 0);
}

TEST(LayerGetters, Fill) {
  NetworkDefinition net;
  auto* fill = net.addFill(Dims{2, 3}, FillOperation::kLINSPACE, DataType::kFLOAT);
  EXPECT_EQ(toString(fill->getDimensions()), "2x3");
  EXPECT_EQ(fill->getAlpha(), 0.0);
  EXPECT_EQ(fill->getBeta(), 1.0);
  EXPECT_EQ(fill->getToType(), DataType::kFLOAT);
  fill->setDimensions(Dims{4});
  EXPECT_EQ(toString(fill->getDimensions()), "4");
  fill->setAlpha(2.5);
  EXPECT_EQ(fill->getAlpha(), 2.5);
  fill->setBeta(-0.25);
  EXPECT_EQ(fill->getBeta(), -0.25);
  fill->setToType(DataType::kINT32);
  EXPECT_EQ(fill->getToType(), DataType::kINT32);
}

TEST(LayerGetters, Scatter) {
  NetworkDefinition net;
  Tensor* data = net.addInput("data", DataType::kFLOAT, Dims{3, 3});
  Tensor* indices = int64Constant(net, {0, 1, 2, 2, 1, 0}, Dims{2, 3});
  Tensor* updates = net.addInput("updates", DataType::kFLOAT, Dims{2, 3});
  auto* scatter = net.addScatter(*data, *indices, *updates, ScatterMode::kELEMENT);
  EXPECT_EQ(scatter->getAxis(), 0);
  EXPECT_EQ(scatter->getReduction(), ScatterReduction::kNONE);
  scatter->setAxis(1);
  EXPECT_EQ(scatter->getAxis(), 1);
  scatter->setReduction(ScatterReduction::kMAX);
  EXPECT_EQ(scatter->getReduction(), ScatterReduction::kMAX);
}

TEST(LayerGetters, Deconvolution) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{1, 2, 4, 4});
  auto* deconv = net.addDeconvolution(*x, *floatConstant(net, Dims{2, 3, 3, 3}, iota(54)), nullptr);
  EXPECT_EQ(toString(deconv->getStrideNd()), kNeverSet);
  EXPECT_EQ(toString(deconv->getPrePadding()), kNeverSet);
  EXPECT_EQ(toString(deconv->getPostPadding()), kNeverSet);
  EXPECT_EQ(toString(deconv->getPaddingNd()), kNeverSet);
  EXPECT_EQ(toString(deconv->getDilationNd()), kNeverSet);
  EXPECT_EQ(deconv->getNbGroups(), 1);
  EXPECT_EQ(toString(deconv->getOutputPadding()), kNeverSet);

  deconv->setStrideNd(Dims{2, 3});
  EXPECT_EQ(toString(deconv->getStrideNd()), "2x3");
  deconv->setPaddingNd(Dims{1, 1});
  EXPECT_EQ(toString(deconv->getPaddingNd()), "1x1");
  deconv->setPrePadding(Dims{0, 1});
  EXPECT_EQ(toString(deconv->getPrePadding()), "0x1");
  deconv->setPostPadding(Dims{1, 2});
  EXPECT_EQ(toString(deconv->getPostPadding()), "1x2");
  deconv->setDilationNd(Dims{2, 1});
  EXPECT_EQ(toString(deconv->getDilationNd()), "2x1");
  deconv->setNbGroups(2);
  EXPECT_EQ(deconv->getNbGroups(), 2);
  deconv->setOutputPadding(Dims{1, 2});
  EXPECT_EQ(toString(deconv->getOutputPadding()), "1x2");
}

TEST(LayerGetters, NormalizationGroups) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{2, 4, 6});
  Tensor* scale = floatConstant(net, Dims{1, 4, 1}, iota(4, 1.0f));
  Tensor* bias = floatConstant(net, Dims{1, 4, 1}, iota(4));
  auto* norm = net.addNormalization(*x, *scale, *bias, 1u << 2);
  EXPECT_EQ(norm->getNbGroups(), 1);
  norm->setNbGroups(2);
  EXPECT_EQ(norm->getNbGroups(), 2);
}

TEST(LayerGetters, Cumulative) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{3, 4});
  auto* cumsum = net.addCumulative(*x, 1, CumulativeOperation::kSUM, false, false);
  EXPECT_EQ(cumsum->getAxis(), 1);
  EXPECT_FALSE(cumsum->getExclusive());
  EXPECT_FALSE(cumsum->getReverse());
  cumsum->setAxis(-2);
  EXPECT_EQ(cumsum->getAxis(), -2);
  cumsum->setExclusive(true);
  EXPECT_TRUE(cumsum->getExclusive());
  cumsum->setReverse(true);
  EXPECT_TRUE(cumsum->getReverse());
}

TEST(LayerGetters, OneHotAxis) {
  NetworkDefinition net;
  Tensor* indices = int64Constant(net, {0, 2, 1}, Dims{3});
  Tensor* values = floatConstant(net, Dims{2}, {0.0f, 1.0f});
  Tensor* depth = int64Constant(net, {4}, Dims{});
  auto* oneHot = net.addOneHot(*indices, *values, *depth, -1);
  EXPECT_EQ(oneHot->getAxis(), -1);
  oneHot->setAxis(0);
  EXPECT_EQ(oneHot->getAxis(), 0);
  EXPECT_EQ(toString(oneHot->getOutput(0)->getDimensions()), "4x3");
}

TEST(LayerGetters, EinsumEquation) {
  NetworkDefinition net;
  Tensor* a = net.addInput("a", DataType::kFLOAT, Dims{2, 3});
  Tensor* b = net.addInput("b", DataType::kFLOAT, Dims{3, 4});
  auto* einsum = net.addEinsum({a, b}, "ij,jk->ik");
  EXPECT_EQ(std::string(einsum->getEquation()), "ij,jk->ik");
  einsum->setEquation("ij,jk->ki");
  EXPECT_EQ(std::string(einsum->getEquation()), "ij,jk->ki");
  EXPECT_EQ(toString(einsum->getOutput(0)->getDimensions()), "4x2");
}

TEST(LayerGetters, LRN) {
  NetworkDefinition net;
  auto* lrn = net.addLRN(*net.addInput("x", DataType::kFLOAT, Dims{1, 4, 3, 3}), 3, 2e-4, 0.5, 1.5);
  EXPECT_EQ(lrn->getWindowSize(), 3);
  EXPECT_EQ(lrn->getAlpha(), 2e-4);
  EXPECT_EQ(lrn->getBeta(), 0.5);
  EXPECT_EQ(lrn->getK(), 1.5);
  lrn->setWindowSize(5);
  EXPECT_EQ(lrn->getWindowSize(), 5);
  lrn->setAlpha(1e-3);
  EXPECT_EQ(lrn->getAlpha(), 1e-3);
  lrn->setBeta(0.75);
  EXPECT_EQ(lrn->getBeta(), 0.75);
  lrn->setK(2.0);
  EXPECT_EQ(lrn->getK(), 2.0);
}

// A recurrence over a 2-step sequence of batch 1 and input size 3, hidden size 2; `gates` per cell (RNN 1, GRU 3,
// LSTM 4).
RecurrenceLayer* addRecurrence(NetworkDefinition& net, RecurrenceCell cell, RecurrenceDirection direction,
                               int64_t gates) {
  int64_t directions = direction == RecurrenceDirection::kBIDIRECTIONAL ? 2 : 1;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{2, 1, 3});
  Tensor* w = floatConstant(net, Dims{directions, gates * 2, 3}, iota(directions * gates * 6));
  Tensor* r = floatConstant(net, Dims{directions, gates * 2, 2}, iota(directions * gates * 4));
  return net.addRecurrence(*x, *w, *r, cell, direction);
}

TEST(LayerGetters, RecurrenceGru) {
  NetworkDefinition net;
  auto* gru = addRecurrence(net, RecurrenceCell::kGRU, RecurrenceDirection::kFORWARD, 3);
  EXPECT_EQ(gru->getActivations(), (std::vector<ActivationType>{ActivationType::kSIGMOID, ActivationType::kTANH}));
  EXPECT_EQ(gru->getActivationAlphas(), (std::vector<double>{0.0, 0.0}));
  EXPECT_EQ(gru->getActivationBetas(), (std::vector<double>{0.0, 0.0}));
  EXPECT_EQ(gru->getClip(), 0.0);
  EXPECT_FALSE(gru->getLinearBeforeReset());

  gru->setActivations({ActivationType::kHARD_SIGMOID, ActivationType::kLEAKY_RELU}, {0.2, 0.01}, {0.5, 0.0});
  EXPECT_EQ(gru->getActivations(),
            (std::vector<ActivationType>{ActivationType::kHARD_SIGMOID, ActivationType::kLEAKY_RELU}));
  EXPECT_EQ(gru->getActivationAlphas(), (std::vector<double>{0.2, 0.01}));
  EXPECT_EQ(gru->getActivationBetas(), (std::vector<double>{0.5, 0.0}));
  gru->setClip(3.0);
  EXPECT_EQ(gru->getClip(), 3.0);
  gru->setLinearBeforeReset(true);
  EXPECT_TRUE(gru->getLinearBeforeReset());
}

TEST(LayerGetters, RecurrenceDefaultActivationsFollowCellAndDirection) {
  NetworkDefinition rnnNet;
  auto* rnn = addRecurrence(rnnNet, RecurrenceCell::kRNN, RecurrenceDirection::kREVERSE, 1);
  EXPECT_EQ(rnn->getActivations(), (std::vector<ActivationType>{ActivationType::kTANH}));

  NetworkDefinition lstmNet;
  auto* lstm = addRecurrence(lstmNet, RecurrenceCell::kLSTM, RecurrenceDirection::kBIDIRECTIONAL, 4);
  const ActivationType sigmoid = ActivationType::kSIGMOID, tanh = ActivationType::kTANH;
  EXPECT_EQ(lstm->getActivations(), (std::vector<ActivationType>{sigmoid, tanh, tanh, sigmoid, tanh, tanh}));
  EXPECT_EQ(lstm->getActivationAlphas(), std::vector<double>(6, 0.0));
  EXPECT_FALSE(lstm->getInputForget());
  lstm->setInputForget(true);
  EXPECT_TRUE(lstm->getInputForget());
}

TEST(LayerGetters, GridSample) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{1, 1, 4, 4});
  Tensor* grid = net.addInput("grid", DataType::kFLOAT, Dims{1, 2, 3, 2});
  auto* sample = net.addGridSample(*x, *grid);
  EXPECT_EQ(sample->getInterpolationMode(), ResizeMode::kLINEAR);
  EXPECT_EQ(sample->getPaddingMode(), GridSamplePadding::kZEROS);
  EXPECT_FALSE(sample->getAlignCorners());
  sample->setInterpolationMode(ResizeMode::kCUBIC);
  EXPECT_EQ(sample->getInterpolationMode(), ResizeMode::kCUBIC);
  sample->setPaddingMode(GridSamplePadding::kREFLECTION);
  EXPECT_EQ(sample->getPaddingMode(), GridSamplePadding::kREFLECTION);
  sample->setAlignCorners(true);
  EXPECT_TRUE(sample->getAlignCorners());
}

}  // namespace
}  // namespace kiln::test
