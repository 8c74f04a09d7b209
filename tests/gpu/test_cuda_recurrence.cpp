// The CUDA recurrence (ONNX RNN, GRU and LSTM) against the CPU backend: the same networks built for both, run at
// several sequence lengths and batch sizes of one dynamic profile, every output compared (fp32 within 1e-4
// relative). The fp16 and fp64 variants run the CUDA network in that type (input, weights and bias cast at its edges,
// all exact in fp16) against the CPU's fp32, within 1e-2. Every test skips with a message without a GPU.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gpu_test_util.h"

namespace kiln {
namespace {

using test::HostTensor;

using gpu_test::as;
using gpu_test::distinctValues;
using gpu_test::MakeNetwork;
using gpu_test::markFloat;
using gpu_test::weights;

using gpu_test::dims;

constexpr int64_t kInput = 3;  // the size of every step's input
constexpr RecurrenceCell kCells[] = {RecurrenceCell::kRNN, RecurrenceCell::kGRU, RecurrenceCell::kLSTM};
constexpr RecurrenceDirection kDirections[] = {RecurrenceDirection::kFORWARD, RecurrenceDirection::kREVERSE,
                                               RecurrenceDirection::kBIDIRECTIONAL};

int64_t gateCount(RecurrenceCell cell) {
  return cell == RecurrenceCell::kRNN ? 1 : cell == RecurrenceCell::kGRU ? 3 : 4;
}
int64_t directionCount(RecurrenceDirection direction) {
  return direction == RecurrenceDirection::kBIDIRECTIONAL ? 2 : 1;
}
std::string describe(RecurrenceCell cell, RecurrenceDirection direction) {
  const char* cells[] = {"RNN", "GRU", "LSTM"};
  const char* directions[] = {"forward", "reverse", "bidirectional"};
  return std::string(cells[static_cast<int>(cell)]) + " " + directions[static_cast<int>(direction)];
}

// A recurrence of `hidden` units over `x` with random W, R and B (and peepholes P when `peepholes`), in `type`.
RecurrenceLayer* addRecurrence(NetworkDefinition& n, Tensor& x, RecurrenceCell cell, RecurrenceDirection direction,
                               int64_t hidden, uint32_t seed, DataType type, bool peepholes = false) {
  int64_t directions = directionCount(direction), rows = gateCount(cell) * hidden;
  // The layer's inputs must come from earlier layers: every constant first.
  Tensor* w = weights(n, dims({directions, rows, kInput}), seed, type);
  Tensor* r = weights(n, dims({directions, rows, hidden}), seed + 1, type);
  Tensor* b = weights(n, dims({directions, 2 * rows}), seed + 2, type);
  Tensor* p = peepholes ? weights(n, dims({directions, 3 * hidden}), seed + 3, type) : nullptr;
  RecurrenceLayer* layer = n.addRecurrence(x, *w, *r, cell, direction);
  layer->setInput(3, *b);
  if (p) layer->setInput(7, *p);
  return layer;
}

void markOutputs(NetworkDefinition& n, RecurrenceLayer* layer) {
  for (int32_t i = 0; i < layer->getNbOutputs(); ++i) markFloat(n, layer->getOutput(i));
}

// Input "x" (and "lens", the sequence lengths, when the network has it) for one run.
std::vector<HostTensor> inputs(const Dims& x, uint32_t seed, const std::vector<int32_t>& lengths = {}) {
  std::vector<HostTensor> in{HostTensor::f32(x, distinctValues(static_cast<size_t>(x.volume()), seed))};
  if (!lengths.empty()) in.push_back(HostTensor::i32(dims({static_cast<int64_t>(lengths.size())}), lengths));
  return in;
}

// Runs `make` at sequence lengths 1, 4 and 7 with batches of 1, 3 and 4 (time-major X).
void compareTimeMajor(const MakeNetwork& make, DataType type) {
  gpu_test::compareBackendsOn(
      make, type, test::profileFor("x", dims({1, 1, kInput}), dims({7, 4, kInput}), dims({7, 4, kInput})),
      {inputs(dims({1, 1, kInput}), 1), inputs(dims({4, 3, kInput}), 2), inputs(dims({7, 4, kInput}), 3)});
}

class CudaRecurrence : public ::testing::TestWithParam<DataType> {};

INSTANTIATE_TEST_SUITE_P(Precisions, CudaRecurrence,
                         ::testing::Values(DataType::kFLOAT, DataType::kHALF, DataType::kDOUBLE),
                         gpu_test::typeParamName);

// A second recurrence starts from the first one's final states (initial_h, and initial_c for LSTM), so the states'
// layout is read back as it was written; its LSTM has peepholes and its GRU applies the reset gate after R.
TEST_P(CudaRecurrence, EveryCellAndDirectionWithChainedInitialStates) {
  REQUIRE_CUDA();
  for (RecurrenceCell cell : kCells)
    for (RecurrenceDirection direction : kDirections) {
      SCOPED_TRACE(describe(cell, direction));
      compareTimeMajor(
          [&](NetworkDefinition& n, DataType type) {
            auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, -1, kInput})), type);
            RecurrenceLayer* first = addRecurrence(n, *x, cell, direction, 5, 10, type);
            bool lstm = cell == RecurrenceCell::kLSTM;
            RecurrenceLayer* second = addRecurrence(n, *x, cell, direction, 5, 20, type, lstm);
            second->setInput(5, *first->getOutput(1));
            if (lstm) second->setInput(6, *first->getOutput(2));
            if (cell == RecurrenceCell::kGRU) second->setLinearBeforeReset(true);
            markOutputs(n, first);
            markOutputs(n, second);
          },
          GetParam());
    }
}

// More gate rows and hidden units than a block has threads: each thread loops over several.
TEST_P(CudaRecurrence, WideLayersLoopOverRowsAndUnits) {
  REQUIRE_CUDA();
  compareTimeMajor(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, -1, kInput})), type);
        markOutputs(n, addRecurrence(n, *x, RecurrenceCell::kRNN, RecurrenceDirection::kFORWARD, 260, 30, type));
        markOutputs(n, addRecurrence(n, *x, RecurrenceCell::kGRU, RecurrenceDirection::kBIDIRECTIONAL, 300, 40, type));
        markOutputs(n, addRecurrence(n, *x, RecurrenceCell::kLSTM, RecurrenceDirection::kREVERSE, 100, 50, type, true));
      },
      GetParam());
}

// Batch-major tensors (ONNX layout = 1) with per-entry sequence lengths, 0 and the full length among them: the
// reverse pass starts at each entry's last valid step and Y is zero past it.
TEST_P(CudaRecurrence, BatchFirstWithSequenceLengths) {
  REQUIRE_CUDA();
  OptimizationProfile profile;
  test::setRange(profile, "x", dims({1, 1, kInput}), dims({4, 6, kInput}), dims({4, 6, kInput}));
  test::setRange(profile, "lens", dims({1}), dims({4}), dims({4}));
  std::vector<std::vector<HostTensor>> runs = {inputs(dims({4, 6, kInput}), 1, {6, 0, 3, 1}),
                                               inputs(dims({1, 2, kInput}), 2, {2}),
                                               inputs(dims({3, 5, kInput}), 3, {0, 5, 2})};
  for (RecurrenceCell cell : kCells)
    for (RecurrenceDirection direction : {RecurrenceDirection::kREVERSE, RecurrenceDirection::kBIDIRECTIONAL}) {
      SCOPED_TRACE(describe(cell, direction));
      gpu_test::compareBackendsOn(
          [&](NetworkDefinition& n, DataType type) {
            auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, -1, kInput})), type);
            Tensor* lengths = n.addInput("lens", DataType::kINT32, dims({-1}));
            bool lstm = cell == RecurrenceCell::kLSTM;
            RecurrenceLayer* first = addRecurrence(n, *x, cell, direction, 4, 60, type);
            first->setBatchFirst(true);
            RecurrenceLayer* second = addRecurrence(n, *x, cell, direction, 4, 70, type, lstm);
            second->setBatchFirst(true);
            second->setInput(4, *lengths);
            second->setInput(5, *first->getOutput(1));
            if (lstm) second->setInput(6, *first->getOutput(2));
            markOutputs(n, second);
          },
          GetParam(), profile, runs);
    }
}

// Activation functions other than the defaults, with their alphas and betas, bounded inputs (clip) and LSTM's
// coupled input and forget gates.
TEST_P(CudaRecurrence, ActivationsWithParametersClipAndInputForget) {
  REQUIRE_CUDA();
  compareTimeMajor(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, -1, kInput})), type);
        RecurrenceLayer* rnn =
            addRecurrence(n, *x, RecurrenceCell::kRNN, RecurrenceDirection::kBIDIRECTIONAL, 4, 80, type);
        rnn->setActivations({ActivationType::kTHRESHOLDED_RELU, ActivationType::kLEAKY_RELU}, {0.25, 0.2}, {0, 0});
        rnn->setClip(0.75);
        markOutputs(n, rnn);
        RecurrenceLayer* gru =
            addRecurrence(n, *x, RecurrenceCell::kGRU, RecurrenceDirection::kBIDIRECTIONAL, 4, 90, type);
        gru->setActivations(
            {ActivationType::kHARD_SIGMOID, ActivationType::kSOFTSIGN, ActivationType::kSIGMOID, ActivationType::kELU},
            {0.3, 0, 0, 0.5}, {0.4, 0, 0, 0});
        gru->setClip(1.5);
        gru->setLinearBeforeReset(true);
        markOutputs(n, gru);
        RecurrenceLayer* lstm =
            addRecurrence(n, *x, RecurrenceCell::kLSTM, RecurrenceDirection::kREVERSE, 4, 100, type, true);
        lstm->setActivations({ActivationType::kHARD_SIGMOID, ActivationType::kSCALED_TANH, ActivationType::kSOFTPLUS},
                             {0.2, 1.1, 1.0}, {0.5, 0.9, 1.0});
        lstm->setClip(3.0);
        lstm->setInputForget(true);
        markOutputs(n, lstm);
      },
      GetParam());
}

// A sequence length outside [0, sequence] cannot be reported without a host synchronization: the CUDA kernel zeroes
// that entry's outputs (the CPU backend rejects the run), and the other entries keep their results.
TEST(CudaRecurrence, OutOfRangeSequenceLengthsZeroTheirEntries) {
  REQUIRE_CUDA();
  constexpr int64_t sequence = 4, batch = 3, hidden = 5;
  auto make = [](NetworkDefinition& n) {
    Tensor* x = n.addInput("x", DataType::kFLOAT, dims({sequence, batch, kInput}));
    Tensor* lengths = n.addInput("lens", DataType::kINT32, dims({batch}));
    Tensor* initialH = weights(n, dims({1, batch, hidden}), 110, DataType::kFLOAT);
    RecurrenceLayer* rnn =
        addRecurrence(n, *x, RecurrenceCell::kRNN, RecurrenceDirection::kFORWARD, hidden, 120, DataType::kFLOAT);
    rnn->setInput(4, *lengths);
    rnn->setInput(5, *initialH);
    markOutputs(n, rnn);
  };
  auto cpuNetwork = test::makeNetwork();
  auto cudaNetwork = test::makeNetwork();
  make(*cpuNetwork);
  make(*cudaNetwork);
  OptimizationProfile profile;
  test::setRange(profile, "x", dims({sequence, batch, kInput}), dims({sequence, batch, kInput}),
                 dims({sequence, batch, kInput}));
  test::setRange(profile, "lens", dims({batch}), dims({batch}), dims({batch}));
  auto cpu = gpu_test::buildFor("cpu", *cpuNetwork, profile);
  auto gpu = gpu_test::buildFor("cuda", *cudaNetwork, profile);
  auto actual = gpu_test::runOnDevice(*gpu, inputs(dims({sequence, batch, kInput}), 1, {2, sequence + 1, -1}));
  // Entry 0 as the CPU computes it when the other entries are empty.
  auto expected = test::runEngine(*cpu, inputs(dims({sequence, batch, kInput}), 1, {2, 0, 0}));
  ASSERT_EQ(actual.size(), 2u);
  std::vector<float> y = actual[0].f32(), yExpected = expected[0].f32();  // [sequence, 1, batch, hidden]
  std::vector<float> h = actual[1].f32(), hExpected = expected[1].f32();  // [1, batch, hidden]
  for (int64_t b = 0; b < batch; ++b) {
    SCOPED_TRACE("batch entry " + std::to_string(b));
    for (int64_t j = 0; j < hidden; ++j) {
      size_t state = static_cast<size_t>(b * hidden + j);
      EXPECT_NEAR(h[state], b == 0 ? hExpected[state] : 0.0f, 1e-5f);
      for (int64_t t = 0; t < sequence; ++t) {
        size_t at = static_cast<size_t>((t * batch + b) * hidden + j);
        EXPECT_NEAR(y[at], b == 0 ? yExpected[at] : 0.0f, 1e-5f);
      }
    }
  }
  // The reference is not all zeros: entry 0 ran two steps from a non-zero initial state.
  EXPECT_NE(hExpected[0], 0.0f);
}

}  // namespace
}  // namespace kiln
