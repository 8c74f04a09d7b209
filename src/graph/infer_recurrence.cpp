// Shape rule: recurrence (ONNX RNN, GRU and LSTM over a whole sequence).
#include "graph/infer.h"

namespace kiln::graph {

namespace {

// Input positions, in ONNX order.
enum RecurrenceInput : int32_t { kX, kW, kR, kB, kSEQUENCE_LENS, kINITIAL_H, kINITIAL_C, kP, kNB_INPUTS };

int64_t gateCount(RecurrenceCell cell) {
  switch (cell) {
    case RecurrenceCell::kRNN: return 1;
    case RecurrenceCell::kGRU: return 3;
    case RecurrenceCell::kLSTM: return 4;
  }
  return 0;
}

// Activation functions per direction: f (RNN); f, g (GRU); f, g, h (LSTM).
int64_t activationCount(RecurrenceCell cell) {
  switch (cell) {
    case RecurrenceCell::kRNN: return 1;
    case RecurrenceCell::kGRU: return 2;
    case RecurrenceCell::kLSTM: return 3;
  }
  return 0;
}

// Input `i` must have exactly the dimensions `expected` (described by `layout`, e.g. "[directions, 3 * hidden]").
void requireDims(InferContext& ctx, int32_t i, const char* what, const std::vector<ExprId>& expected,
                 const char* layout) {
  const auto& dims = ctx.input(i).dims;
  if (dims.size() != expected.size())
    ctx.fail(std::string(what) + " must be " + layout + ", not of rank " + std::to_string(dims.size()));
  for (size_t a = 0; a < dims.size(); ++a)
    ctx.requireEqual(dims[a], expected[a],
                     std::string(what) + " must be " + layout + "; axis " + std::to_string(a) + " differs");
}

void checkActivations(InferContext& ctx, int64_t expected) {
  const Attrs& attrs = ctx.attrs();
  if (!attrs.has("activations")) return;
  std::vector<int64_t> types = attrs.getInts("activations");
  if (static_cast<int64_t>(types.size()) != expected)
    ctx.fail("the cell and direction take " + std::to_string(expected) + " activation functions, not " +
             std::to_string(types.size()));
  for (int64_t type : types)
    if (type < 0 || type > static_cast<int64_t>(ActivationType::kGELU_TANH))
      ctx.fail("unknown activation type " + std::to_string(type));
  if (attrs.getFloats("activation_alphas").size() != types.size() ||
      attrs.getFloats("activation_betas").size() != types.size())
    ctx.fail("activations need one alpha and one beta each");
}

void inferRecurrence(InferContext& ctx) {
  const Attrs& attrs = ctx.attrs();
  int64_t cellCode = attrs.getInt("cell"), directionCode = attrs.getInt("direction");
  if (cellCode < 0 || cellCode > static_cast<int64_t>(RecurrenceCell::kLSTM))
    ctx.fail("unknown recurrence cell " + std::to_string(cellCode));
  if (directionCode < 0 || directionCode > static_cast<int64_t>(RecurrenceDirection::kBIDIRECTIONAL))
    ctx.fail("unknown recurrence direction " + std::to_string(directionCode));
  auto cell = static_cast<RecurrenceCell>(cellCode);
  bool lstm = cell == RecurrenceCell::kLSTM;
  int64_t directions = directionCode == static_cast<int64_t>(RecurrenceDirection::kBIDIRECTIONAL) ? 2 : 1;
  bool batchFirst = attrs.getInt("batch_first") != 0;
  if (ctx.nbInputs() > kNB_INPUTS) ctx.fail("a recurrence takes at most 8 inputs");
  if (!lstm && (ctx.hasInput(kINITIAL_C) || ctx.hasInput(kP)))
    ctx.fail("initial_c and peepholes (inputs 6 and 7) belong to LSTM cells only");
  if (attrs.getInt("linear_before_reset") != 0 && cell != RecurrenceCell::kGRU)
    ctx.fail("linear_before_reset applies to GRU cells only");
  if (attrs.getInt("input_forget") != 0 && !lstm) ctx.fail("input_forget applies to LSTM cells only");
  checkActivations(ctx, activationCount(cell) * directions);

  ctx.requireFloat(kX);
  for (int32_t i : {kW, kR, kB, kINITIAL_H, kINITIAL_C, kP})
    if (ctx.hasInput(i)) ctx.requireSameType(kX, i);
  if (ctx.rank(kX) != 3)
    ctx.fail("X must be " + std::string(batchFirst ? "[batch, sequence, input]" : "[sequence, batch, input]") +
             ", not of rank " + std::to_string(ctx.rank(kX)));
  if (ctx.rank(kR) != 3)
    ctx.fail("R must be [directions, gates * hidden, hidden], not of rank " + std::to_string(ctx.rank(kR)));
  const auto& x = ctx.input(kX).dims;
  ExprId sequence = x[batchFirst ? 1 : 0], batch = x[batchFirst ? 0 : 1], inputSize = x[2];
  ExprId hidden = ctx.input(kR).dims[2];
  ExprId dirs = ctx.constant(directions);
  ExprId gatesHidden = ctx.exprs().mul(ctx.constant(gateCount(cell)), hidden);
  requireDims(ctx, kW, "W", {dirs, gatesHidden, inputSize}, "[directions, gates * hidden, input]");
  requireDims(ctx, kR, "R", {dirs, gatesHidden, hidden}, "[directions, gates * hidden, hidden]");
  if (ctx.hasInput(kB))
    requireDims(ctx, kB, "B", {dirs, ctx.exprs().mul(ctx.constant(2), gatesHidden)},
                "[directions, 2 * gates * hidden]");
  if (ctx.hasInput(kSEQUENCE_LENS)) {
    if (ctx.input(kSEQUENCE_LENS).type != DataType::kINT32)
      ctx.fail(std::string("sequence_lens must be int32, not ") + dataTypeName(ctx.input(kSEQUENCE_LENS).type));
    requireDims(ctx, kSEQUENCE_LENS, "sequence_lens", {batch}, "[batch]");
  }
  std::vector<ExprId> state =
      batchFirst ? std::vector<ExprId>{batch, dirs, hidden} : std::vector<ExprId>{dirs, batch, hidden};
  const char* stateLayout = batchFirst ? "[batch, directions, hidden]" : "[directions, batch, hidden]";
  if (ctx.hasInput(kINITIAL_H)) requireDims(ctx, kINITIAL_H, "initial_h", state, stateLayout);
  if (ctx.hasInput(kINITIAL_C)) requireDims(ctx, kINITIAL_C, "initial_c", state, stateLayout);
  if (ctx.hasInput(kP))
    requireDims(ctx, kP, "P", {dirs, ctx.exprs().mul(ctx.constant(3), hidden)}, "[directions, 3 * hidden]");

  DataType type = ctx.input(kX).type;
  ctx.setOutput(0, type,
                batchFirst ? std::vector<ExprId>{batch, sequence, dirs, hidden}
                           : std::vector<ExprId>{sequence, dirs, batch, hidden});
  ctx.setOutput(1, type, state);
  if (lstm) ctx.setOutput(2, type, state);
}

}  // namespace

void registerRecurrenceOps(OpTable& table) { table.add({LayerType::kRECURRENCE, inferRecurrence, {}}); }

}  // namespace kiln::graph
