// Lowers an fp32 network to fp16 (or bf16) where the target runs the layers in that type, as TensorRT does for
// BuilderFlag::kFP16: every layer whose kernel accepts the reduced type computes in it (the kernels keep fp32 math
// inside and round once per result), network inputs and outputs keep the types they were declared with, and Cast
// layers convert at the boundaries. Constants are stored in the reduced type, saturated to its largest finite value:
// an additive attention mask of float32's lowest value must become -65504, not -inf, or (1 - mask) * -inf gives NaN.
//
// Layers whose results a reduced type cannot hold or sum well stay in fp32, as their schemas say (OpSchema::keepsFp32):
// sums and products over many elements (reductions, cumulative sums, determinants) and generated sequences (Fill),
// whose values may exceed fp16's range.
#include <algorithm>
#include <cmath>
#include <map>

#include "backends/common/weight_transforms.h"
#include "builder/passes/fusion_helpers.h"
#include "builder/passes/pass.h"
#include "ops/copy.h"
#include "ops/op_schema.h"

namespace kiln::builder {

namespace {

// The op's trait (ops/op_schema.h): a reduced type could not hold or sum its results well.
bool keepsFp32(const graph::LayerNode& layer) {
  const ops::OpSchema& schema = ops::opSchema(layer.type);
  return schema.keepsFp32 && schema.keepsFp32(layer.opAttrs());
}

class LowerPrecisionPass : public Pass {
 public:
  LowerPrecisionPass(const backend::Backend& target, DataType low) : target_(target), low_(low) {}
  const char* name() const override { return "lower-precision"; }

  int32_t apply(graph::Graph& graph) const override {
    std::vector<char> isIo(graph.tensors.size(), 0);
    for (int32_t t : graph.inputs) isIo[t] = 1;
    for (int32_t t : graph.outputs) isIo[t] = 1;
    auto lowerable = [&](int32_t t) {
      return t >= 0 && graph.tensors[t].type == DataType::kFLOAT && !graph.tensors[t].values;
    };

    // Which layers compute in the reduced type: those with an fp32 tensor that the target accepts retyped.
    std::vector<char> runsLow(graph.layers.size(), 0);
    for (size_t i = 0; i < graph.layers.size(); ++i) {
      graph::LayerNode& layer = graph.layers[i];
      if (layer.removed || layer.type == LayerType::kCONSTANT || keepsFp32(layer)) continue;
      std::vector<int32_t> floats;
      for (int32_t t : layer.inputs)
        if (lowerable(t)) floats.push_back(t);
      for (int32_t t : layer.outputs)
        if (lowerable(t)) floats.push_back(t);
      if (floats.empty()) continue;
      runsLow[i] = acceptsRetyped(graph, layer, floats);
    }
    demoteIslands(graph, runsLow, lowerable);
    // A constant is stored reduced when a layer that runs low reads it.
    for (size_t i = 0; i < graph.layers.size(); ++i) {
      const graph::LayerNode& layer = graph.layers[i];
      if (layer.removed || !runsLow[i]) continue;
      for (int32_t t : layer.inputs)
        if (lowerable(t) && graph.tensors[t].producer >= 0 &&
            graph.layers[graph.tensors[t].producer].type == LayerType::kCONSTANT)
          runsLow[graph.tensors[t].producer] = 1;
    }

    // Retype what the low layers produce. A network output keeps its type: its producer writes a reduced copy and
    // a Cast after it writes the output.
    std::vector<char> retyped(graph.tensors.size(), 0);         // fp32 tensors that now hold the reduced type
    std::map<std::pair<int32_t, DataType>, int32_t> converted;  // (tensor, type) -> tensor holding it in that type
    std::vector<std::vector<graph::LayerNode>> castsAfter(graph.layers.size() + 1);  // [0]: after the inputs
    int32_t changed = 0;
    for (size_t i = 0; i < graph.layers.size(); ++i) {
      if (!runsLow[i]) continue;
      graph::LayerNode& layer = graph.layers[i];
      ++changed;
      if (layer.type == LayerType::kCONSTANT)
        lowerConstant(graph, layer);
      else if (const auto* typeKey = ops::opSchema(layer.type).outputType; typeKey && lowerable(layer.outputs[0]))
        layer.attrs.set(*typeKey, low_);
      for (int32_t& out : layer.outputs) {
        if (!lowerable(out)) continue;
        retyped[out] = 1;
        if (!isIo[out]) {
          graph.tensors[out].type = low_;
          continue;
        }
        int32_t reduced = copyTensor(graph, out, low_, std::string("_").append(dataTypeName(low_)));
        graph.tensors[reduced].producer = static_cast<int32_t>(i);
        castsAfter[i + 1].push_back(castLayer(graph, reduced, out));
        converted[{out, low_}] = reduced;
        out = reduced;
      }
    }

    // Each layer reads its fp32 inputs in the type it runs in, through one Cast per tensor and type.
    for (size_t i = 0; i < graph.layers.size(); ++i) {
      graph::LayerNode& layer = graph.layers[i];
      if (layer.removed) continue;
      for (int32_t& in : layer.inputs) {
        if (in < 0 || graph.tensors[in].values) continue;
        bool wasFp32 =
            graph.tensors[in].type == DataType::kFLOAT || (in < static_cast<int32_t>(retyped.size()) && retyped[in]);
        if (!wasFp32) continue;  // declared in another type: read as it is
        DataType have = graph.tensors[in].type, want = runsLow[i] ? low_ : DataType::kFLOAT;
        if (have == want) continue;
        auto [it, inserted] = converted.try_emplace({in, want}, -1);
        if (inserted) {
          it->second = copyTensor(graph, in, want, std::string("_").append(dataTypeName(want)));
          castsAfter[graph.tensors[in].producer + 1].push_back(castLayer(graph, in, it->second));
        }
        in = it->second;
      }
    }
    insertCasts(graph, castsAfter);
    return changed;
  }

 private:
  // A reduced layer whose float inputs all come from fp32 layers or the network, and whose float results all go to
  // fp32 layers or the network, would pay a Cast on every side to run one layer reduced (an add between two fp32
  // convolutions of the CPU backend): it runs in fp32. Repeated until no such layer is left.
  template <typename Lowerable>
  static void demoteIslands(const graph::Graph& graph, std::vector<char>& runsLow, const Lowerable& lowerable) {
    auto reducedProducer = [&](int32_t t) {
      int32_t p = graph.tensors[t].producer;
      return p >= 0 && runsLow[p] && graph.layers[p].type != LayerType::kCONSTANT;
    };
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t i = 0; i < graph.layers.size(); ++i) {
        if (!runsLow[i]) continue;
        const graph::LayerNode& layer = graph.layers[i];
        bool neighbour = false;
        for (int32_t t : layer.inputs)
          if (lowerable(t) && reducedProducer(t)) neighbour = true;
        for (int32_t t : layer.outputs)
          if (lowerable(t))
            for (int32_t c : graph.consumers(t))
              if (runsLow[c]) neighbour = true;
        if (!neighbour) {
          runsLow[i] = 0;
          changed = true;
        }
      }
    }
  }

  bool acceptsRetyped(graph::Graph& graph, graph::LayerNode& layer, const std::vector<int32_t>& floats) const {
    for (int32_t t : floats) graph.tensors[t].type = low_;
    graph::LayerNode probe = layer;
    const auto* typeKey = ops::opSchema(layer.type).outputType;
    if (typeKey && std::find(floats.begin(), floats.end(), layer.outputs[0]) != floats.end())
      probe.attrs.set(*typeKey, low_);
    bool accepted = targetAccepts(target_, graph, probe);
    for (int32_t t : floats) graph.tensors[t].type = DataType::kFLOAT;
    return accepted;
  }

  void lowerConstant(graph::Graph& graph, graph::LayerNode& layer) const {
    int32_t out = layer.outputs[0];
    DataType from = graph.tensors[out].type;
    ops::RecipePtr source = recipeOf(graph, out);
    auto lowered = backend::reducePrecision(graph.blobs.at(layer.opAttrs().get(ops::Constant::kBlob)), from, low_);
    graph.blobs.push_back(std::move(lowered));
    if (source) {
      auto recipe = std::make_shared<ops::WeightRecipe>();
      recipe->op = ops::RecipeOp::kREDUCE_PRECISION;
      recipe->type = low_;
      recipe->dims = constantDims(graph, out);
      recipe->inputs = {source};
      setRecipe(graph, graph.blobs.size() - 1, recipe);
    }
    layer.attrs.set(ops::Constant::kBlob, static_cast<int64_t>(graph.blobs.size() - 1));
    layer.attrs.set(ops::Constant::kType, low_);
  }

  static int32_t copyTensor(graph::Graph& graph, int32_t from, DataType type, const std::string& suffix) {
    int32_t t = graph.addTensor(graph.uniqueTensorName(graph.tensors[from].name + suffix), type);
    graph.tensors[t].dims = graph.tensors[from].dims;
    return t;
  }

  static graph::LayerNode castLayer(const graph::Graph& graph, int32_t from, int32_t to) {
    graph::LayerNode cast;
    cast.name = graph.tensors[to].name;
    cast.type = LayerType::kCAST;
    cast.attrs.set(ops::Cast::kTo, graph.tensors[to].type);
    cast.inputs = {from};
    cast.outputs = {to};
    return cast;
  }

  // Rebuilds the layer list with each Cast right after the layer producing its input (first for network inputs),
  // which keeps it in topological order, and renumbers the producers.
  static void insertCasts(graph::Graph& graph, std::vector<std::vector<graph::LayerNode>>& castsAfter) {
    std::vector<graph::LayerNode> layers;
    layers.reserve(graph.layers.size());
    for (size_t i = 0; i <= graph.layers.size(); ++i) {
      if (i > 0) layers.push_back(std::move(graph.layers[i - 1]));
      for (auto& cast : castsAfter[i]) layers.push_back(std::move(cast));
    }
    replaceLayers(graph, std::move(layers));
  }

  const backend::Backend& target_;
  DataType low_;
};

}  // namespace

std::unique_ptr<Pass> makeLowerPrecisionPass(const backend::Backend& target, DataType low) {
  return std::make_unique<LowerPrecisionPass>(target, low);
}

}  // namespace kiln::builder
