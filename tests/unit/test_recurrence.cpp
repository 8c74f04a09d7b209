// Recurrence layers (RNN, GRU and LSTM cells): shape inference, and CPU results against values computed by hand from
// the ONNX equations with weights small enough to follow.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kiln/kiln.h"
#include "test_util.h"

namespace kiln {
namespace {

using test::HostTensor;

// An optional input of the layer (3 = B, 5 = initial_h, 6 = initial_c, 7 = P) given as a constant.
struct ConstantInput {
  int32_t index;
  Dims dims;
  std::vector<float> values;
};

// A recurrence over a network input "x" of shape `xDims` with constant W and R of hidden size 1 and input size 1,
// and the constant optional inputs `extra` (created first: a layer's inputs must come from earlier layers).
struct OneUnitRecurrence {
  NetworkDefinition network;
  RecurrenceLayer* layer = nullptr;

  OneUnitRecurrence(RecurrenceCell cell, RecurrenceDirection direction, const Dims& xDims, const std::vector<float>& w,
                    const std::vector<float>& r, const std::vector<ConstantInput>& extra = {}) {
    int64_t directions = direction == RecurrenceDirection::kBIDIRECTIONAL ? 2 : 1;
    int64_t rows = static_cast<int64_t>(w.size()) / directions;
    Tensor* x = network.addInput("x", DataType::kFLOAT, xDims);
    Tensor* wt = test::floatConstant(network, Dims{directions, rows, 1}, w);
    Tensor* rt = test::floatConstant(network, Dims{directions, rows, 1}, r);
    std::vector<Tensor*> extraTensors;
    for (const ConstantInput& in : extra) extraTensors.push_back(test::floatConstant(network, in.dims, in.values));
    layer = network.addRecurrence(*x, *wt, *rt, cell, direction);
    for (size_t i = 0; i < extra.size(); ++i) layer->setInput(extra[i].index, *extraTensors[i]);
  }
  // Builds with every output marked and runs.
  std::vector<HostTensor> run(const std::vector<HostTensor>& inputs) {
    for (int32_t i = 0; i < layer->getNbOutputs(); ++i) network.markOutput(*layer->getOutput(i));
    return test::buildAndRun(network, inputs);
  }
};

// x = [1, 2], W = 0.5, R = 1, Wb = 0.1, Rb = 0.2, tanh:
// h1 = tanh(0.5 * 1 + 0.3) = tanh(0.8) = 0.66403677; h2 = tanh(0.5 * 2 + 0.66403677 + 0.3) = 0.96139667.
TEST(RecurrenceTest, RnnTwoSteps) {
  OneUnitRecurrence rnn(RecurrenceCell::kRNN, RecurrenceDirection::kFORWARD, Dims{2, 1, 1}, {0.5f}, {1.0f},
                        {{3, Dims{1, 2}, {0.1f, 0.2f}}});
  ASSERT_EQ(rnn.layer->getNbOutputs(), 2);
  EXPECT_EQ(rnn.layer->getOutput(0)->getDimensions(), (Dims{2, 1, 1, 1}));
  EXPECT_EQ(rnn.layer->getOutput(1)->getDimensions(), (Dims{1, 1, 1}));
  auto out = rnn.run({HostTensor::f32(Dims{2, 1, 1}, {1, 2})});
  test::expectNear(out[0].f32(), {0.66403677f, 0.96139667f});
  test::expectNear(out[1].f32(), {0.96139667f});
}

// Gates z, r, h with W = [0.2, 0.4, 0.6], R = [0.3, 0.5, 0.7], Wb = 0.1 each, Rb = [0, 0, 0.2]; x = [1, -1], h0 = 0.
// Step 1 (h0 = 0): z = sigmoid(0.3) = 0.57444252, r = sigmoid(0.5); without linear_before_reset
// h~ = tanh(0.6 + 0.1 + 0.2) = tanh(0.9), with it the reset gate scales Rbh: h~ = tanh(0.7 + r * 0.2);
// h1 = (1 - z) * h~ = 0.30482592 and 0.28831830.
// Step 2: z = sigmoid(-0.2 + 0.1 + 0.3 h1), r = sigmoid(-0.4 + 0.1 + 0.5 h1); without linear_before_reset
// h~ = tanh(-0.6 + 0.1 + 0.7 r h1 + 0.2), with it h~ = tanh(-0.6 + 0.1 + r (0.7 h1 + 0.2)); h2 = (1 - z) h~ + z h1.
TEST(RecurrenceTest, GruTwoStepsWithAndWithoutLinearBeforeReset) {
  for (bool linearBeforeReset : {false, true}) {
    SCOPED_TRACE(linearBeforeReset ? "linear_before_reset" : "reset before R");
    OneUnitRecurrence gru(RecurrenceCell::kGRU, RecurrenceDirection::kFORWARD, Dims{2, 1, 1}, {0.2f, 0.4f, 0.6f},
                          {0.3f, 0.5f, 0.7f}, {{3, Dims{1, 6}, {0.1f, 0.1f, 0.1f, 0, 0, 0.2f}}});
    gru.layer->setLinearBeforeReset(linearBeforeReset);
    auto out = gru.run({HostTensor::f32(Dims{2, 1, 1}, {1, -1})});
    float h2 = linearBeforeReset ? -0.010201868f : 0.052087266f;
    float h1 = linearBeforeReset ? 0.28831830f : 0.30482592f;
    test::expectNear(out[0].f32(), {h1, h2});
    test::expectNear(out[1].f32(), {h2});
  }
}

// Gates i, o, f, c with W = [0.5, 0.6, 0.7, 0.8], R = [0.1, 0.2, 0.3, 0.4], no bias, peepholes P = [i 0.3, o 0.2,
// f 0.1], h0 = 0, c0 = 0.5, x = [1, 2]:
// step 1: i = sigmoid(0.5 + 0.3 * 0.5), f = sigmoid(0.7 + 0.1 * 0.5), c~ = tanh(0.8), C1 = f * 0.5 + i * c~
// = 0.77586846, o = sigmoid(0.6 + 0.2 * C1), H1 = o * tanh(C1) = 0.44242199;
// step 2 the same with x = 2 and H1, C1: C2 = 1.38508984, H2 = 0.72960985.
TEST(RecurrenceTest, LstmTwoStepsWithPeepholes) {
  OneUnitRecurrence lstm(RecurrenceCell::kLSTM, RecurrenceDirection::kFORWARD, Dims{2, 1, 1}, {0.5f, 0.6f, 0.7f, 0.8f},
                         {0.1f, 0.2f, 0.3f, 0.4f}, {{6, Dims{1, 1, 1}, {0.5f}}, {7, Dims{1, 3}, {0.3f, 0.2f, 0.1f}}});
  ASSERT_EQ(lstm.layer->getNbOutputs(), 3);
  auto out = lstm.run({HostTensor::f32(Dims{2, 1, 1}, {1, 2})});
  test::expectNear(out[0].f32(), {0.44242199f, 0.72960985f});
  test::expectNear(out[1].f32(), {0.72960985f});
  test::expectNear(out[2].f32(), {1.38508984f});
}

// Bidirectional tanh RNN (forward W = 0.5, R = 1; reverse W = 1, R = 0.5) over batch entries of length 3 and 1.
// Forward, entry 0: tanh(0.5) = 0.46211716, tanh(1 + that) = 0.89806301, tanh(1.5 + that) = 0.98361201; entry 1:
// tanh(0.5 * 4) = 0.96402758 and zeros after. Reverse starts at each entry's last valid step: entry 0 from t = 2,
// tanh(3) = 0.99505475, tanh(2 + 0.5 * that) = 0.98654838, tanh(1 + 0.5 * that) = 0.90392543; entry 1 from t = 0,
// tanh(4) = 0.99932930. The padding values (100) are never read.
TEST(RecurrenceTest, SequenceLengthsMaskEachBatchEntry) {
  OneUnitRecurrence rnn(RecurrenceCell::kRNN, RecurrenceDirection::kBIDIRECTIONAL, Dims{3, 2, 1}, {0.5f, 1.0f},
                        {1.0f, 0.5f});
  Tensor* lengths = rnn.network.addInput("lengths", DataType::kINT32, Dims{2});
  rnn.layer->setInput(4, *lengths);
  EXPECT_EQ(rnn.layer->getOutput(0)->getDimensions(), (Dims{3, 2, 2, 1}));
  auto out = rnn.run({HostTensor::f32(Dims{3, 2, 1}, {1, 4, 2, 100, 3, 100}), HostTensor::i32(Dims{2}, {3, 1})});
  // Y[t, direction, batch].
  test::expectNear(out[0].f32(), {0.46211716f, 0.96402758f, 0.90392543f, 0.99932930f,  //
                                  0.89806301f, 0, 0.98654838f, 0,                      //
                                  0.98361201f, 0, 0.99505475f, 0});
  // Y_h[direction, batch]: the forward pass's last valid step, the reverse pass's step 0.
  test::expectNear(out[1].f32(), {0.98361201f, 0.96402758f, 0.90392543f, 0.99932930f});
}

// The same forward RNN as RnnTwoSteps, batch-first and with the sequence and batch sizes left to the profile.
TEST(RecurrenceTest, BatchFirstWithDynamicSizes) {
  OneUnitRecurrence rnn(RecurrenceCell::kRNN, RecurrenceDirection::kFORWARD, Dims{-1, -1, 1}, {0.5f}, {1.0f},
                        {{3, Dims{1, 2}, {0.1f, 0.2f}}});
  rnn.layer->setBatchFirst(true);
  EXPECT_EQ(rnn.layer->getOutput(0)->getDimensions(), (Dims{-1, -1, 1, 1}));
  EXPECT_EQ(rnn.layer->getOutput(1)->getDimensions(), (Dims{-1, 1, 1}));
  rnn.network.markOutput(*rnn.layer->getOutput(0));
  OptimizationProfile profile;
  test::setRange(profile, "x", Dims{1, 1, 1}, Dims{2, 2, 1}, Dims{4, 4, 1});
  auto engine = test::buildWithProfile(rnn.network, profile);
  // Two entries of two steps: [1, 2] and [2, 0]; h for [2, 0]: tanh(1.3) = 0.86172316, tanh(0.3 + that).
  auto out = test::runEngine(*engine, {HostTensor::f32(Dims{2, 2, 1}, {1, 2, 2, 0})});
  EXPECT_EQ(out[0].dims, (Dims{2, 2, 1, 1}));
  test::expectNear(out[0].f32(), {0.66403677f, 0.96139667f, 0.86172316f, 0.82160065f});
}

TEST(RecurrenceTest, BadShapesAndSettingsAreRejected) {
  OneUnitRecurrence gru(RecurrenceCell::kGRU, RecurrenceDirection::kFORWARD, Dims{2, 1, 1}, {0.2f, 0.4f, 0.6f},
                        {0.3f, 0.5f, 0.7f});
  Tensor* shortBias = gru.network.addInput("short_bias", DataType::kFLOAT, Dims{1, 3});
  test::expectRejected(
      gru.layer, [&] { gru.layer->setInput(3, *shortBias); }, "bias of 3 values", "B must be");
  test::expectRejected(
      gru.layer, [&] { gru.layer->setInputForget(true); }, "input_forget on a GRU", "LSTM");
  test::expectRejected(
      gru.layer, [&] { gru.layer->setActivations({ActivationType::kSIGMOID}, {0}, {0}); }, "one function for two",
      "2 activation functions");

  NetworkDefinition network;
  Tensor* x = network.addInput("x", DataType::kFLOAT, Dims{2, 1, 3});
  Tensor* w = test::floatConstant(network, Dims{1, 4, 2}, std::vector<float>(8, 0.0f));
  Tensor* r = test::floatConstant(network, Dims{1, 4, 1}, std::vector<float>(4, 0.0f));
  Error e =
      test::errorOf([&] { network.addRecurrence(*x, *w, *r, RecurrenceCell::kLSTM, RecurrenceDirection::kFORWARD); });
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
  EXPECT_NE(e.message().find("W must be"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace kiln
