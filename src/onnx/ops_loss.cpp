// Importers of the importer-only loss family (no kiln layer of its own: each op composes layers of other
// families): the classification losses NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (opsets 12 and 13),
// composed from log-softmax, gather, select, element-wise and reduce layers.
//
// For input (N, C, d1..dk) and target (N, d1..dk):
//   loss[n, d..] = -input[n, target[n, d..], d..] * weight[target[n, d..]], and 0 where target == ignore_index;
// "mean" divides the sum by the summed weights of the targets that are not ignored (by their count without weights).
// Every shape is read from the tensors themselves, so N, C and the d's may all be dynamic.
#include <cstdint>
#include <limits>

#include "onnx/import_context.h"

namespace kiln::onnx {

namespace {

using EW = ElementWiseOperation;

enum class Reduction { kNONE, kSUM, kMEAN };

Reduction reductionOf(ImportContext& ctx, const Node& node) {
  std::string name = ctx.getString(node, "reduction", "mean");
  if (name == "none") return Reduction::kNONE;
  if (name == "sum") return Reduction::kSUM;
  if (name == "mean") return Reduction::kMEAN;
  ctx.invalid(node, "reduction '" + name + "' is not one of none, sum, mean");
}

// Types and shapes as far as they are known at build time; dynamic sizes are checked by the layers at run time.
void checkOperands(ImportContext& ctx, const Node& node, bool allowBf16) {
  Tensor& input = ctx.requiredInput(node, 0);
  Tensor& target = ctx.requiredInput(node, 1);
  Tensor* weight = ctx.input(node, 2);
  DataType type = input.getType();
  if (type != DataType::kFLOAT && type != DataType::kHALF && type != DataType::kDOUBLE &&
      !(allowBf16 && type == DataType::kBF16))
    ctx.invalid(node, std::string("the input type ") + dataTypeName(type) + " is not " +
                          (allowBf16 ? "float16, float, double or bfloat16" : "float16, float or double"));
  if (target.getType() != DataType::kINT32 && target.getType() != DataType::kINT64)
    ctx.invalid(node, std::string("the target must be int32 or int64, not ") + dataTypeName(target.getType()));
  Dims x = input.getDimensions(), t = target.getDimensions();
  if (x.nbDims < 2) ctx.invalid(node, "the input must have shape (N, C) or (N, C, d1, ..., dk), not " + toString(x));
  // The target has the input's shape without the class axis 1.
  bool matches = t.nbDims == x.nbDims - 1;
  for (int32_t i = 0; matches && i < t.nbDims; ++i) {
    int64_t expected = x.d[i == 0 ? 0 : i + 1];
    matches = t.d[i] < 0 || expected < 0 || t.d[i] == expected;
  }
  if (!matches)
    ctx.invalid(node,
                "the target's shape " + toString(t) + " is not the input's " + toString(x) + " without the class axis");
  if (!weight) return;
  if (weight->getType() != type)
    ctx.invalid(node, std::string("the weight type ") + dataTypeName(weight->getType()) + " differs from the input's " +
                          dataTypeName(type));
  Dims w = weight->getDimensions();
  if (w.nbDims != 1 || (w.d[0] >= 0 && x.d[1] >= 0 && w.d[0] != x.d[1]))
    ctx.invalid(node, "the weight must be a vector of " + (x.d[1] >= 0 ? std::to_string(x.d[1]) : "C") +
                          " values, one per class, not " + toString(w));
}

Tensor* elementWise(ImportContext& ctx, Tensor& a, Tensor& b, EW op) {
  return ctx.network().addElementWise(a, b, op)->getOutput(0);
}

Tensor* select(ImportContext& ctx, Tensor& condition, Tensor& a, Tensor& b) {
  return ctx.network().addSelect(condition, a, b)->getOutput(0);
}

// The sum of every element, as a scalar.
Tensor* sumAll(ImportContext& ctx, Tensor& x, ReduceOperation op = ReduceOperation::kSUM) {
  uint32_t all = (1u << x.getDimensions().nbDims) - 1;
  return ctx.network().addReduce(x, op, all, false)->getOutput(0);
}

Tensor* shapeOf(ImportContext& ctx, Tensor& x) { return ctx.network().addShape(x)->getOutput(0); }

// Elements `indices` of the 1-D tensor `v`.
Tensor* pick(ImportContext& ctx, Tensor& v, const std::vector<int64_t>& indices) {
  return ctx.network().addGather(v, *ctx.constantInt64(indices), 0)->getOutput(0);
}

// A reshape of x to the values of the 1-D shape tensor `shape` (which must exist before the reshape).
ShuffleLayer* reshapeLayer(ImportContext& ctx, Tensor& x, Tensor& shape) {
  auto* s = ctx.network().addShuffle(x);
  s->setZeroIsPlaceholder(false);
  s->setInput(1, shape);
  return s;
}

// Where the target equals ignore_index, or nullptr without one. An index beyond int32 matches no int32 target.
Tensor* ignoredTargets(ImportContext& ctx, const Node& node, Tensor& target) {
  if (!ctx.has(node, "ignore_index")) return nullptr;
  int64_t ignoreIndex = ctx.getInt(node, "ignore_index", 0);
  if (target.getType() == DataType::kINT32 &&
      (ignoreIndex < std::numeric_limits<int32_t>::min() || ignoreIndex > std::numeric_limits<int32_t>::max()))
    return nullptr;
  Tensor* value = ctx.cast(*ctx.constantInt64({ignoreIndex}), target.getType());
  return elementWise(ctx, target, *value, EW::kEQUAL);
}

// The classes to read: ignored targets read class 0 (their loss is replaced by 0 afterwards, so they may lie outside
// [0, C)); negative ones become C, so the gathers reject them at run time instead of counting from the end.
Tensor* classIndices(ImportContext& ctx, Tensor& target, Tensor& nbClasses, Tensor* ignored) {
  DataType type = target.getType();
  Tensor* zero = ctx.constantScalar(0, type, 1);
  Tensor* negative = elementWise(ctx, target, *zero, EW::kLESS);
  Tensor* classes = select(ctx, *negative, *ctx.cast(nbClasses, type), target);
  return ignored ? select(ctx, *ignored, *zero, *classes) : classes;
}

// input[n, classes[n, d..], d..]: a GatherElements on the class axis with one index per sample, then that axis
// dropped by a reshape to the input's shape without it. The gather checks that the target is nowhere larger than the
// input and the reshape that it holds as many samples, so a target shaped unlike the input fails (at run time when
// dynamic). Both layers are named after the node, so that failure points at it.
Tensor* pickClassScores(ImportContext& ctx, const Node& node, Tensor& input, Tensor& classes) {
  auto rank = static_cast<int64_t>(input.getDimensions().nbDims);
  // The target's shape followed by a 1, picked as (N, 1, d1..dk).
  std::vector<int64_t> classAxisOfOne = {0, rank - 1};
  for (int64_t a = 1; a < rank - 1; ++a) classAxisOfOne.push_back(a);
  Tensor* targetShape = ctx.network().addConcatenation({shapeOf(ctx, classes), ctx.constantInt64({1})})->getOutput(0);
  Tensor* indices = reshapeLayer(ctx, classes, *pick(ctx, *targetShape, classAxisOfOne))->getOutput(0);
  // Created on axis 0, where the inferred shape is the same, then moved to the class axis.
  GatherLayer* gather = ctx.network().addGatherV2(input, *indices, GatherMode::kELEMENT);
  gather->setGatherAxis(1);
  std::string label = nodeLabel(node) + ": target against input";
  gather->setName(label.c_str());
  std::vector<int64_t> sampleAxes = {0};
  for (int64_t a = 2; a < rank; ++a) sampleAxes.push_back(a);
  ShuffleLayer* samples = reshapeLayer(ctx, *gather->getOutput(0), *pick(ctx, *shapeOf(ctx, input), sampleAxes));
  samples->setName(label.c_str());
  return samples->getOutput(0);
}

// weight[classes]; the weight is first reshaped to C, which checks its length when that is dynamic.
Tensor* sampleWeights(ImportContext& ctx, Tensor& weight, Tensor& nbClasses, Tensor& classes) {
  return ctx.network().addGather(*reshapeLayer(ctx, weight, nbClasses)->getOutput(0), classes, 0)->getOutput(0);
}

// The loss of `logProb` (N, C, d1..dk) against the node's target, weight, ignore_index and reduction.
Tensor* negativeLogLikelihood(ImportContext& ctx, const Node& node, Tensor& logProb) {
  Tensor& target = ctx.requiredInput(node, 1);
  Tensor* weight = ctx.input(node, 2);
  Reduction reduction = reductionOf(ctx, node);
  DataType type = logProb.getType();
  int32_t rank = target.getDimensions().nbDims;

  Tensor* nbClasses = pick(ctx, *shapeOf(ctx, logProb), {1});
  Tensor* ignored = ignoredTargets(ctx, node, target);
  Tensor* classes = classIndices(ctx, target, *nbClasses, ignored);
  Tensor* scores = pickClassScores(ctx, node, logProb, *classes);
  Tensor* loss = ctx.network().addUnary(*scores, UnaryOperation::kNEG)->getOutput(0);
  Tensor* weights = weight ? sampleWeights(ctx, *weight, *nbClasses, *classes) : nullptr;
  if (weights) loss = elementWise(ctx, *loss, *weights, EW::kPROD);
  // Selected rather than multiplied by 0: the score read for an ignored sample may be infinite.
  Tensor* zero = ctx.constantScalar(0, type, rank);
  if (ignored) loss = select(ctx, *ignored, *zero, *loss);

  switch (reduction) {
    case Reduction::kNONE: return loss;
    case Reduction::kSUM: return sumAll(ctx, *loss);
    case Reduction::kMEAN: break;
  }
  if (!weights && !ignored) return sumAll(ctx, *loss, ReduceOperation::kAVG);
  Tensor* counted = weights ? weights : ctx.constantScalar(1, type, rank);
  if (ignored) counted = select(ctx, *ignored, *zero, *counted);
  return elementWise(ctx, *sumAll(ctx, *loss), *sumAll(ctx, *counted), EW::kDIV);
}

void importNegativeLogLikelihoodLoss(ImportContext& ctx, const Node& node) {
  checkOperands(ctx, node, false);
  ctx.setOutput(node, 0, negativeLogLikelihood(ctx, node, ctx.requiredInput(node, 0)));
}

// log_softmax over the class axis, then the loss above; the optional second output is that log-probability.
// SoftmaxCrossEntropyLoss-13 adds bfloat16.
OpImporter importSoftmaxCrossEntropyLoss(bool allowBf16) {
  return [allowBf16](ImportContext& ctx, const Node& node) {
    checkOperands(ctx, node, allowBf16);
    SoftMaxLayer* logSoftmax = ctx.network().addSoftMax(ctx.requiredInput(node, 0));
    logSoftmax->setAxes(1u << 1);
    logSoftmax->setLog(true);
    Tensor* logProb = logSoftmax->getOutput(0);
    ctx.setOutput(node, 0, negativeLogLikelihood(ctx, node, *logProb));
    ctx.setOutput(node, 1, logProb);
  };
}

}  // namespace

void registerLossImporters(OpRegistry& r) {
  // Version 13 of NegativeLogLikelihoodLoss changes nothing the importer sees.
  r.add("NegativeLogLikelihoodLoss", 12, importNegativeLogLikelihoodLoss);
  r.add("NegativeLogLikelihoodLoss", 13, importNegativeLogLikelihoodLoss);
  r.add("SoftmaxCrossEntropyLoss", 12, importSoftmaxCrossEntropyLoss(false));
  r.add("SoftmaxCrossEntropyLoss", 13, importSoftmaxCrossEntropyLoss(true));
}

}  // namespace kiln::onnx
