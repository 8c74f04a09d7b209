// Importers: RNN, GRU and LSTM, each one recurrence layer.
#include <algorithm>
#include <cctype>

#include "onnx/linear_common.h"

namespace kiln::onnx {

namespace {

// An ONNX activation function name ("Sigmoid", "LeakyRelu", ...) with its parameters.
struct RecurrentActivation {
  ActivationType type;
  double alpha = 0, beta = 0;
};

// The parameters each function takes, read in order from activation_alpha / activation_beta ("consumed in the
// order of activation functions"), with the defaults of the corresponding ONNX operators where the lists run out.
class ActivationReader {
 public:
  ActivationReader(ImportContext& ctx, const Node& node)
      : ctx_(ctx),
        node_(node),
        alphas_(ctx.getFloats(node, "activation_alpha")),
        betas_(ctx.getFloats(node, "activation_beta")) {}

  RecurrentActivation read(const std::string& name) {
    std::string key = name;
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    using A = ActivationType;
    if (key == "sigmoid") return {A::kSIGMOID};
    if (key == "tanh") return {A::kTANH};
    if (key == "relu") return {A::kRELU};
    if (key == "softsign") return {A::kSOFTSIGN};
    if (key == "softplus") return {A::kSOFTPLUS, 1.0, 1.0};  // log(1 + e^x)
    if (key == "leakyrelu") return {A::kLEAKY_RELU, next(alphas_, nextAlpha_, 0.01)};
    if (key == "thresholdedrelu") return {A::kTHRESHOLDED_RELU, next(alphas_, nextAlpha_, 1.0)};
    if (key == "elu") return {A::kELU, next(alphas_, nextAlpha_, 1.0)};
    if (key == "scaledtanh") {
      double alpha = next(alphas_, nextAlpha_, 1.0);
      return {A::kSCALED_TANH, alpha, next(betas_, nextBeta_, 1.0)};
    }
    if (key == "hardsigmoid") {
      double alpha = next(alphas_, nextAlpha_, 0.2);
      return {A::kHARD_SIGMOID, alpha, next(betas_, nextBeta_, 0.5)};
    }
    ctx_.unsupported(node_, "activation function '" + name +
                                "' is not supported (Sigmoid, Tanh, Relu, LeakyRelu, ThresholdedRelu, ScaledTanh, "
                                "HardSigmoid, Elu, Softsign and Softplus are)");
  }

 private:
  static double next(const std::vector<float>& values, size_t& index, double fallback) {
    return index < values.size() ? static_cast<double>(values[index++]) : fallback;
  }

  ImportContext& ctx_;
  const Node& node_;
  std::vector<float> alphas_, betas_;
  size_t nextAlpha_ = 0, nextBeta_ = 0;
};

RecurrenceDirection readDirection(ImportContext& ctx, const Node& node) {
  std::string direction = ctx.getString(node, "direction", "forward");
  if (direction == "forward") return RecurrenceDirection::kFORWARD;
  if (direction == "reverse") return RecurrenceDirection::kREVERSE;
  if (direction == "bidirectional") return RecurrenceDirection::kBIDIRECTIONAL;
  ctx.invalid(node, "direction must be forward, reverse or bidirectional, not '" + direction + "'");
}

// Inputs "X, W, R, B, sequence_lens, initial_h" and for LSTM "initial_c, P"; outputs "Y, Y_h" and for LSTM "Y_c".
// `functionsPerDirection` activation names are expected per direction (f; f, g; f, g, h). layout comes with
// opset 14.
OpImporter recurrence(RecurrenceCell cell, int32_t functionsPerDirection, bool hasLayout) {
  return [=](ImportContext& ctx, const Node& node) {
    int32_t maxInputs = cell == RecurrenceCell::kLSTM ? 8 : 6;
    if (ctx.nbInputs(node) > maxInputs)
      ctx.invalid(node,
                  "takes at most " + std::to_string(maxInputs) + " inputs, not " + std::to_string(ctx.nbInputs(node)));
    int64_t layout = ctx.getInt(node, "layout", 0);
    if (ctx.has(node, "layout") && !hasLayout) ctx.invalid(node, "layout is an attribute of opset 14 on");
    if (layout != 0 && layout != 1) ctx.invalid(node, "layout must be 0 or 1, not " + std::to_string(layout));
    RecurrenceDirection direction = readDirection(ctx, node);
    Tensor& x = ctx.requiredInput(node, 0);
    Tensor& r = ctx.requiredInput(node, 2);
    if (ctx.has(node, "hidden_size") && rankOf(r) == 3) {
      int64_t declared = ctx.getInt(node, "hidden_size", 0), actual = r.getDimensions().d[2];
      if (actual >= 0 && declared != actual)
        ctx.invalid(node, "hidden_size is " + std::to_string(declared) + " but R's last dimension is " +
                              std::to_string(actual));
    }
    auto* layer = ctx.network().addRecurrence(x, ctx.requiredInput(node, 1), r, cell, direction);
    layer->setBatchFirst(layout == 1);
    if (ctx.has(node, "activations")) {
      std::vector<std::string> names = ctx.getStrings(node, "activations");
      size_t directions = direction == RecurrenceDirection::kBIDIRECTIONAL ? 2 : 1;
      if (names.size() != directions * static_cast<size_t>(functionsPerDirection))
        ctx.invalid(node, "expects " + std::to_string(directions * functionsPerDirection) +
                              " activation functions, got " + std::to_string(names.size()));
      ActivationReader reader(ctx, node);
      std::vector<ActivationType> types;
      std::vector<double> alphas, betas;
      for (const std::string& name : names) {
        RecurrentActivation f = reader.read(name);
        types.push_back(f.type);
        alphas.push_back(f.alpha);
        betas.push_back(f.beta);
      }
      layer->setActivations(types, alphas, betas);
    }
    if (ctx.has(node, "clip")) {
      float clip = ctx.getFloat(node, "clip", 0.0f);
      if (!(clip > 0)) ctx.invalid(node, "clip must be positive");
      layer->setClip(clip);
    }
    if (cell == RecurrenceCell::kGRU) layer->setLinearBeforeReset(ctx.getInt(node, "linear_before_reset", 0) != 0);
    if (cell == RecurrenceCell::kLSTM) layer->setInputForget(ctx.getInt(node, "input_forget", 0) != 0);
    for (int32_t i = 3; i < ctx.nbInputs(node); ++i)
      if (Tensor* optional = ctx.input(node, i)) layer->setInput(i, *optional);
    for (int32_t i = 0; i < layer->getNbOutputs(); ++i) ctx.setOutput(node, i, layer->getOutput(i));
  };
}

}  // namespace

void registerRecurrenceImporters(OpRegistry& r) {
  r.add("RNN", 7, recurrence(RecurrenceCell::kRNN, 1, false));
  r.add("RNN", 14, recurrence(RecurrenceCell::kRNN, 1, true));
  r.add("GRU", 7, recurrence(RecurrenceCell::kGRU, 2, false));
  r.add("GRU", 14, recurrence(RecurrenceCell::kGRU, 2, true));
  r.add("LSTM", 7, recurrence(RecurrenceCell::kLSTM, 3, false));
  r.add("LSTM", 14, recurrence(RecurrenceCell::kLSTM, 3, true));
}

}  // namespace kiln::onnx
