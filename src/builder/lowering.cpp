#include "builder/lowering.h"

#include <cstring>
#include <map>

#include "builder/memory_planner.h"
#include "kiln/error.h"
#include "kiln/version.h"
#include "ops/copy.h"
#include "plan/plan_bounds.h"

namespace kiln::builder {

namespace {

uint64_t alignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

class Lowering {
 public:
  Lowering(const graph::Graph& graph) : graph_(graph), tensorMap_(graph.tensors.size(), -1) {}

  plan::Plan run(const std::vector<std::vector<plan::InputRange>>& profiles) {
    for (int32_t t : graph_.inputs) plan_.inputs.push_back(mapTensor(t, plan::TensorKind::kINPUT));
    for (int32_t t : graph_.outputs) {
      if (graph_.tensors[t].inputIndex >= 0)
        throw Error(ErrorCode::kINVALID_GRAPH, "a network input cannot also be a network output; add an identity layer",
                    graph_.tensors[t].name);
    }
    for (int32_t l = 0; l < static_cast<int32_t>(graph_.layers.size()); ++l) {
      const graph::LayerNode& layer = graph_.layers[l];
      if (layer.removed) continue;
      if (layer.type == LayerType::kCONSTANT) {
        lowerConstant(layer);
        continue;
      }
      plan::Step step;
      step.type = layer.type;
      step.name = layer.name;
      step.attrs = layer.attrs;
      step.attrs.merge(layer.derived);
      for (int32_t in : layer.inputs) step.inputs.push_back(in < 0 ? -1 : tensorMap_.at(in));
      for (int32_t out : layer.outputs)
        step.outputs.push_back(
            mapTensor(out, graph_.tensors[out].isOutput ? plan::TensorKind::kOUTPUT : plan::TensorKind::kACTIVATION));
      for (const auto& a : layer.assertions) assertions_.push_back({a, layer.name});
      plan_.steps.push_back(std::move(step));
    }
    for (int32_t t : graph_.outputs) plan_.outputs.push_back(tensorMap_.at(t));
    compactExpressions();
    for (const auto& ranges : profiles) {
      plan::Profile profile;
      profile.inputs = ranges;
      plan_.profiles.push_back(std::move(profile));
    }
    for (int32_t p = 0; p < static_cast<int32_t>(plan_.profiles.size()); ++p) planMemory(p);
    plan_.kilnVersion = kilnVersion();
    return std::move(plan_);
  }

 private:
  int32_t mapTensor(int32_t t, plan::TensorKind kind) {
    if (tensorMap_[t] >= 0) return tensorMap_[t];
    const graph::TensorNode& node = graph_.tensors[t];
    plan::TensorDesc desc;
    desc.name = node.name;
    desc.type = node.type;
    desc.kind = kind;
    desc.dims = node.dims;  // graph expression ids until compactExpressions()
    tensorMap_[t] = static_cast<int32_t>(plan_.tensors.size());
    plan_.tensors.push_back(std::move(desc));
    return tensorMap_[t];
  }

  void lowerConstant(const graph::LayerNode& layer) {
    int32_t out = layer.outputs[0];
    const auto& bytes = graph_.blobs.at(layer.opAttrs().get(ops::Constant::kBlob));
    uint64_t offset = alignUp(plan_.weights.size(), plan::kWeightsAlignment);
    plan_.weights.resize(offset + bytes.size());
    if (!bytes.empty()) std::memcpy(plan_.weights.data() + offset, bytes.data(), bytes.size());
    if (graph_.tensors[out].isOutput) {
      // A constant network output: keep the data as a constant and copy it out with an identity step.
      int32_t source = static_cast<int32_t>(plan_.tensors.size());
      plan_.tensors.push_back({graph_.tensors[out].name + "_constant", graph_.tensors[out].type,
                               plan::TensorKind::kCONSTANT, graph_.tensors[out].dims, offset, bytes.size()});
      plan::Step copy;
      copy.type = LayerType::kIDENTITY;
      copy.name = layer.name;
      copy.inputs = {source};
      copy.outputs = {mapTensor(out, plan::TensorKind::kOUTPUT)};
      plan_.steps.push_back(std::move(copy));
      return;
    }
    int32_t id = mapTensor(out, plan::TensorKind::kCONSTANT);
    plan_.tensors[id].weightsOffset = offset;
    plan_.tensors[id].weightsSize = bytes.size();
  }

  // Copies the expressions the plan uses into a fresh pool and renumbers every reference.
  void compactExpressions() {
    std::vector<core::ExprId> roots;
    for (const auto& t : plan_.tensors) roots.insert(roots.end(), t.dims.begin(), t.dims.end());
    for (const auto& s : plan_.steps)
      for (const auto& [key, value] : s.attrs.values())
        if (auto e = std::get_if<ops::ExprList>(&value)) roots.insert(roots.end(), e->ids.begin(), e->ids.end());
    for (const auto& [a, layer] : assertions_) {
      roots.push_back(a.a);
      roots.push_back(a.b);
    }
    core::ExprPool compact;
    std::vector<core::ExprId> mapped = graph_.exprs.copyInto(compact, roots);
    std::map<core::ExprId, core::ExprId> remap;
    for (size_t i = 0; i < roots.size(); ++i) remap[roots[i]] = mapped[i];
    for (auto& t : plan_.tensors)
      for (auto& d : t.dims) d = remap.at(d);
    for (auto& s : plan_.steps) {
      ops::Attrs attrs;
      for (const auto& [key, value] : s.attrs.values()) {
        if (auto e = std::get_if<ops::ExprList>(&value)) {
          ops::ExprList list;
          for (auto id : e->ids) list.ids.push_back(remap.at(id));
          attrs.setValue(key, list);
        } else {
          attrs.setValue(key, value);
        }
      }
      s.attrs = std::move(attrs);
    }
    for (const auto& [a, layer] : assertions_) {
      core::ExprId x = remap.at(a.a), y = remap.at(a.b);
      // Assertions that became trivially true after folding are dropped.
      if (x == y) continue;
      plan_.assertions.push_back({a.kind, x, y, layer, a.message});
    }
    plan_.exprs = compact.nodes();
  }

  void planMemory(int32_t p) {
    auto bounds = plan::exprBounds(plan_, p);
    std::vector<uint64_t> bytes = plan::tensorByteBounds(plan_, bounds);
    MemoryPlan memory = planActivationMemory(plan_, bytes);
    plan_.profiles[p].activationOffsets = memory.offsets;
    plan_.profiles[p].activationBytes = memory.totalBytes;
  }

  const graph::Graph& graph_;
  std::vector<int32_t> tensorMap_;
  std::vector<std::pair<graph::Assertion, std::string>> assertions_;
  plan::Plan plan_;
};

}  // namespace

plan::Plan lowerToPlan(const graph::Graph& graph, const std::vector<std::vector<plan::InputRange>>& profiles) {
  return Lowering(graph).run(profiles);
}

}  // namespace kiln::builder
