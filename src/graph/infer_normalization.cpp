// Shape rules: normalization (layer, instance, group), local response normalization, einsum.
#include <algorithm>
#include <cctype>
#include <map>

#include "graph/infer.h"

namespace kiln::graph {

namespace {

// Input `i` must broadcast to the dims `x` without changing them (ONNX unidirectional broadcasting).
void requireBroadcastsTo(InferContext& ctx, int32_t i, const std::vector<ExprId>& x, const char* what) {
  const auto& dims = ctx.input(i).dims;
  if (dims.size() > x.size())
    ctx.fail(std::string(what) + " has rank " + std::to_string(dims.size()) + ", above the input's " +
             std::to_string(x.size()));
  size_t offset = x.size() - dims.size();
  for (size_t a = 0; a < dims.size(); ++a) {
    if (ctx.constantValue(dims[a]) == 1) continue;
    ctx.requireEqual(dims[a], x[offset + a],
                     std::string(what) + " must be 1 or the input's size on axis " + std::to_string(offset + a));
  }
}

void inferNormalization(InferContext& ctx) {
  ctx.requireFloat(0);
  ctx.requireSameType(0, 1);
  ctx.requireSameType(0, 2);
  const auto& x = ctx.input(0).dims;
  auto rank = static_cast<int32_t>(x.size());
  int64_t mask = ctx.attrs().getInt("axes");
  int64_t groups = ctx.attrs().getInt("groups", 1);
  if (ctx.attrs().getFloat("epsilon", 1e-5) < 0) ctx.fail("epsilon must not be negative");
  if (mask < 0 || (mask >> rank) != 0)
    ctx.fail("the axes mask " + std::to_string(mask) + " names an axis beyond rank " + std::to_string(rank));
  if (groups < 1) ctx.fail("number of groups must be >= 1, got " + std::to_string(groups));
  // With groups the channels of a group are always normalized together; otherwise some axis must be.
  if (mask == 0 && groups == 1) ctx.fail("the axes mask is empty; at least one axis must be normalized");
  if (groups > 1) {
    if (rank < 2) ctx.fail("groups need a channel axis (1); the input has rank " + std::to_string(rank));
    ctx.requireEqual(ctx.exprs().mod(x[1], ctx.constant(groups)), ctx.constant(0),
                     "the channels must be divisible by the number of groups (" + std::to_string(groups) + ")");
  }
  requireBroadcastsTo(ctx, 1, x, "scale");
  requireBroadcastsTo(ctx, 2, x, "bias");
  ctx.setOutput(0, ctx.input(0).type, x);
}

void inferLRN(InferContext& ctx) {
  ctx.requireFloat(0);
  if (ctx.rank(0) < 2) ctx.fail("the input needs a channel axis (1), not rank " + std::to_string(ctx.rank(0)));
  int64_t window = ctx.attrs().getInt("window");
  if (window < 1) ctx.fail("the window size must be >= 1, got " + std::to_string(window));
  ctx.setOutput(0, ctx.input(0).type, ctx.input(0).dims);
}

// ---- Einsum -----------------------------------------------------------------------------------------------------

// The labels of one operand or the output: letters, and "..." as one entry.
struct Term {
  std::vector<char> labels;  // '.' marks the ellipsis
};

// Splits "ij,jk->ik" (spaces allowed) into input terms and the output term; `explicitOutput` false without "->".
std::vector<Term> parseEquation(const InferContext& ctx, const std::string& equation, bool& explicitOutput) {
  std::string eq;
  for (char c : equation)
    if (!std::isspace(static_cast<unsigned char>(c))) eq += c;
  auto arrow = eq.find("->");
  explicitOutput = arrow != std::string::npos;
  std::vector<Term> terms(1);
  for (size_t i = 0; i < eq.size(); ++i) {
    char c = eq[i];
    if (explicitOutput && i == arrow) {
      terms.emplace_back();
      ++i;  // the '>' of "->"
    } else if (c == ',' && (!explicitOutput || i < arrow)) {
      terms.emplace_back();
    } else if (eq.compare(i, 3, "...") == 0) {
      if (std::count(terms.back().labels.begin(), terms.back().labels.end(), '.'))
        ctx.fail("a term of the equation has two ellipses");
      terms.back().labels.push_back('.');
      i += 2;
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      terms.back().labels.push_back(c);
    } else {
      ctx.fail(std::string("unexpected character '") + c + "' in the equation '" + equation + "'");
    }
  }
  return terms;
}

// Label ids: 0 .. E-1 for the ellipsis axes (E = the widest ellipsis), then one per letter. The kernel reads every
// operand's and the output's axis labels from "einsum_labels" (concatenated) and "einsum_ranks".
void inferEinsum(InferContext& ctx) {
  std::string equation = ctx.attrs().getString("equation");
  bool explicitOutput = false;
  auto terms = parseEquation(ctx, equation, explicitOutput);
  int32_t nbInputs = ctx.nbInputs();
  if (static_cast<int32_t>(terms.size()) != nbInputs + (explicitOutput ? 1 : 0))
    ctx.fail("the equation '" + equation + "' has " + std::to_string(terms.size() - explicitOutput) +
             " input terms for " + std::to_string(nbInputs) + " inputs");
  DataType type = ctx.input(0).type;
  if (type == DataType::kBOOL) ctx.fail("einsum of bool values is not defined");
  // Ellipsis widths, and the broadcast ellipsis shape (right-aligned).
  std::vector<size_t> ellipsis(nbInputs, 0);
  size_t widest = 0;
  for (int32_t k = 0; k < nbInputs; ++k) {
    if (k > 0) ctx.requireSameType(0, k);
    const auto& labels = terms[k].labels;
    bool hasEllipsis = std::count(labels.begin(), labels.end(), '.') != 0;
    size_t letters = labels.size() - (hasEllipsis ? 1 : 0);
    auto rank = static_cast<size_t>(ctx.rank(k));
    if (hasEllipsis ? rank < letters : rank != letters)
      ctx.fail("operand " + std::to_string(k) + " has rank " + std::to_string(rank) + " but its term names " +
               std::to_string(letters) + " axes");
    ellipsis[k] = hasEllipsis ? rank - letters : 0;
    widest = std::max(widest, ellipsis[k]);
  }
  std::vector<ExprId> ellipsisDims(widest, ctx.constant(1));
  std::map<char, ExprId> letterDims;
  std::map<char, int> letterCount;
  std::vector<int64_t> allLabels, ranks;
  auto letterId = [&](char c) { return static_cast<int64_t>(widest) + (std::islower(c) ? c - 'a' : 26 + c - 'A'); };
  for (int32_t k = 0; k < nbInputs; ++k) {
    const auto& dims = ctx.input(k).dims;
    size_t axis = 0;
    for (char c : terms[k].labels) {
      if (c == '.') {
        for (size_t e = 0; e < ellipsis[k]; ++e, ++axis) {
          size_t slot = widest - ellipsis[k] + e;
          ellipsisDims[slot] =
              ctx.broadcastDim(ellipsisDims[slot], dims[axis], "ellipsis axis " + std::to_string(slot));
          allLabels.push_back(static_cast<int64_t>(slot));
        }
        continue;
      }
      auto [it, inserted] = letterDims.emplace(c, dims[axis]);
      if (!inserted) ctx.requireEqual(it->second, dims[axis], std::string("the sizes of label '") + c + "' differ");
      ++letterCount[c];
      allLabels.push_back(letterId(c));
      ++axis;
    }
    ranks.push_back(static_cast<int64_t>(dims.size()));
  }
  // "output indices are (implicitly) set to the alphabetically sorted sequence of indices appearing exactly once in
  // the equation." ... "In implicit mode, the ellipsis dimensions are set to the beginning of the output."
  Term output;
  if (explicitOutput) {
    output = terms.back();
  } else {
    if (widest > 0) output.labels.push_back('.');
    for (const auto& [c, count] : letterCount)
      if (count == 1) output.labels.push_back(c);
  }
  std::vector<ExprId> out;
  std::vector<char> seen;
  for (char c : output.labels) {
    if (std::count(seen.begin(), seen.end(), c)) ctx.fail(std::string("output label '") + c + "' appears twice");
    seen.push_back(c);
    if (c == '.') {
      for (size_t e = 0; e < widest; ++e) {
        out.push_back(ellipsisDims[e]);
        allLabels.push_back(static_cast<int64_t>(e));
      }
      continue;
    }
    auto it = letterDims.find(c);
    if (it == letterDims.end()) ctx.fail(std::string("output label '") + c + "' is not in any input term");
    out.push_back(it->second);
    allLabels.push_back(letterId(c));
  }
  // An explicit output without "..." sums the ellipsis axes away, which ONNX does not define.
  if (widest > 0 && std::count(output.labels.begin(), output.labels.end(), '.') == 0)
    ctx.fail("the output term must keep the ellipsis");
  ranks.push_back(static_cast<int64_t>(out.size()));
  ctx.setDerivedInts("einsum_labels", allLabels);
  ctx.setDerivedInts("einsum_ranks", ranks);
  ctx.setOutput(0, type, out);
}

}  // namespace

void registerNormalizationOps(OpTable& table) {
  table.add({LayerType::kNORMALIZATION, inferNormalization, {}});
  table.add({LayerType::kLRN, inferLRN, {}});
  table.add({LayerType::kEINSUM, inferEinsum, {}});
}

}  // namespace kiln::graph
