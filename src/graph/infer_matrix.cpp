// Shape rules: batched matrix multiply with numpy broadcasting of the batch axes; determinant; einsum.
#include <algorithm>
#include <cctype>
#include <map>

#include "graph/broadcast.h"
#include "graph/infer.h"
#include "ops/matrix.h"

namespace kiln::graph {

namespace {

void inferMatrixMultiply(InferContext& ctx) {
  ctx.requireFloat(0);
  ctx.requireSameType(0, 1);
  auto a = ctx.input(0).dims;
  auto b = ctx.input(1).dims;
  bool ta = ctx.attrs().get(ops::MatrixMultiply::kOp0) == MatrixOperation::kTRANSPOSE;
  bool tb = ctx.attrs().get(ops::MatrixMultiply::kOp1) == MatrixOperation::kTRANSPOSE;
  if (a.empty() || b.empty()) ctx.fail("operands must have rank >= 1");
  // Rank-1 operands follow numpy: a vector on the left is a row, on the right a column; the axis is dropped.
  bool vecA = a.size() == 1, vecB = b.size() == 1;
  if (vecA) a.insert(a.begin(), ctx.constant(1));
  if (vecB) b.push_back(ctx.constant(1));
  size_t ra = a.size(), rb = b.size();
  ExprId m = ta ? a[ra - 1] : a[ra - 2];
  ExprId ka = ta ? a[ra - 2] : a[ra - 1];
  ExprId kb = tb ? b[rb - 1] : b[rb - 2];
  ExprId n = tb ? b[rb - 2] : b[rb - 1];
  ctx.requireEqual(ka, kb, "inner dimensions differ");
  std::vector<ExprId> batchA(a.begin(), a.end() - 2), batchB(b.begin(), b.end() - 2);
  auto out = broadcastShapes(ctx, {batchA, batchB});
  if (!vecA) out.push_back(m);
  if (!vecB) out.push_back(n);
  // A fused bias (ops/fused_epilogue.h): one value per output column, shaped [N] or [1, ..., 1, N].
  if (ctx.hasInput(2)) {
    ctx.requireSameType(0, 2);
    const auto& bias = ctx.input(2).dims;
    if (out.empty() || bias.empty() || bias.size() > out.size())
      ctx.fail("the fused bias has rank " + std::to_string(bias.size()) + " for an output of rank " +
               std::to_string(out.size()));
    for (size_t a = 0; a + 1 < bias.size(); ++a)
      ctx.requireEqual(bias[a], ctx.constant(1), "the fused bias must be [N] or [1, ..., 1, N]");
    ctx.requireEqual(bias.back(), out.back(), "the fused bias must hold one value per output column");
  }
  ctx.setOutput(0, ctx.input(0).type, out);
}

// [..., M, M] gives [...].
void inferDeterminant(InferContext& ctx) {
  ctx.requireFloat(0);
  const auto& x = ctx.input(0).dims;
  if (x.size() < 2) ctx.fail("the input must have rank >= 2 (square matrices in the last two axes)");
  ctx.requireEqual(x[x.size() - 2], x[x.size() - 1], "the matrices must be square");
  ctx.setOutput(0, ctx.input(0).type, std::vector<ExprId>(x.begin(), x.end() - 2));
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
// operand's and the output's axis labels from ops::Einsum::kLabels (concatenated) and kRanks.
void inferEinsum(InferContext& ctx) {
  std::string equation = ctx.attrs().get(ops::Einsum::kEquation);
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
  ctx.setDerived(ops::Einsum::kLabels, allLabels);
  ctx.setDerived(ops::Einsum::kRanks, ranks);
  ctx.setOutput(0, type, out);
}

}  // namespace

void registerMatrixOps(OpTable& table) {
  table.add({LayerType::kMATRIX_MULTIPLY, inferMatrixMultiply});
  table.add({LayerType::kDETERMINANT, inferDeterminant});
  table.add({LayerType::kEINSUM, inferEinsum});
}

}  // namespace kiln::graph
