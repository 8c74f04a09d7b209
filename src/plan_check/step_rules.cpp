// The plan's steps re-derived through the shape rules, at the concrete shapes of one set of input shapes.
#include "plan/step_rules.h"

#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>

#include "graph/infer.h"
#include "ops/generation.h"
#include "ops/indexing.h"
#include "ops/op_schema.h"
#include "ops/reduction.h"
#include "ops/resize.h"
#include "ops/shape.h"

namespace kiln::plan {

namespace {

std::string dimsText(const std::vector<int64_t>& dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) text += ",";
    text += std::to_string(dims[i]);
  }
  return text + "]";
}

bool isPermutation(const std::vector<int64_t>& perm) {
  std::vector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(perm.size()) || seen[p]) return false;
    seen[p] = true;
  }
  return true;
}

// The plan as an IR graph at one set of concrete shapes: a tensor per plan tensor (same ids) with constant dims, and
// the step being checked as the only layer. Small integer constants carry their values, as they did in the builder.
class ConcreteGraph {
 public:
  ConcreteGraph(const Plan& plan, std::span<const int64_t> values) : plan_(plan), values_(values) {
    graph_.tensors.reserve(plan.tensors.size());
    for (const TensorDesc& desc : plan.tensors) {
      graph::TensorNode node;
      node.name = desc.name;
      node.type = desc.type;
      node.dims = constants(evaluate(desc.dims));
      if (desc.kind == TensorKind::kCONSTANT) node.values = constantValues(desc);
      graph_.tensors.push_back(std::move(node));
    }
  }

  void check(size_t index) {
    const Step& step = plan_.steps[index];
    graph::LayerNode layer;
    layer.name = step.name;
    layer.type = step.type;
    layer.inputs = step.inputs;
    layer.outputs = step.outputs;
    layer.attrs = concreteAttrs(step.attrs);
    const ops::Attrs recordedAttrs = layer.attrs;
    graph_.tensors.resize(plan_.tensors.size());  // drops the value inputs rebuilt for the previous step
    rebuildValueInputs(index, layer);
    // An impossible rank marks each output until the rule writes it: an output the op does not have stays marked.
    std::vector<graph::TensorNode> recorded;
    for (int32_t out : step.outputs) {
      recorded.push_back(graph_.tensors[out]);
      graph_.tensors[out].dims.assign(Dims::MAX_DIMS + 1, graph_.exprs.constant(0));
      graph_.tensors[out].values.reset();
    }
    graph_.layers.clear();
    graph_.layers.push_back(std::move(layer));
    try {
      graph::inferLayer(graph_, 0);
    } catch (const Error& e) {
      fail(index, e.message());
    } catch (const std::out_of_range&) {
      fail(index, "it has fewer outputs than its op writes");
    }
    for (size_t k = 0; k < step.outputs.size(); ++k) compareOutput(index, k, recorded[k]);
    for (const auto& [key, derived] : graph_.layers[0].derived.values()) {
      auto it = recordedAttrs.values().find(key);
      if (it == recordedAttrs.values().end() || !(it->second == derived))
        fail(index, "its attribute '" + key + "' is not what its shape rule derives for these shapes");
    }
  }

 private:
  [[noreturn]] void fail(size_t index, const std::string& why) const {
    const Step& step = plan_.steps[index];
    throw Error(ErrorCode::kINVALID_PLAN,
                "step " + std::to_string(index) + " (" + layerTypeName(step.type) + "): " + why, step.name);
  }

  std::vector<int64_t> evaluate(const std::vector<core::ExprId>& ids) const {
    std::vector<int64_t> out;
    for (core::ExprId id : ids) out.push_back(values_[id]);
    return out;
  }
  std::vector<core::ExprId> constants(const std::vector<int64_t>& values) {
    std::vector<core::ExprId> out;
    for (int64_t v : values) out.push_back(graph_.exprs.constant(v));
    return out;
  }
  std::vector<int64_t> constantsOf(const std::vector<core::ExprId>& ids) const {
    std::vector<int64_t> out;
    for (core::ExprId id : ids) out.push_back(graph_.exprs.constantValue(id).value_or(0));
    return out;
  }

  // The values of a small int32/int64 constant whose bytes match its shape (the loader checks that before).
  std::optional<std::vector<core::ExprId>> constantValues(const TensorDesc& desc) {
    if (desc.type != DataType::kINT32 && desc.type != DataType::kINT64) return std::nullopt;
    int64_t count = 1;
    for (core::ExprId d : desc.dims) count *= values_[d];
    size_t size = dataTypeSize(desc.type);
    if (count > graph::kMaxTrackedValues || desc.weightsSize != static_cast<uint64_t>(count) * size ||
        desc.weightsOffset > plan_.weights.size() || desc.weightsSize > plan_.weights.size() - desc.weightsOffset)
      return std::nullopt;
    std::vector<int64_t> values(count);
    const uint8_t* bytes = plan_.weights.data() + desc.weightsOffset;
    for (int64_t i = 0; i < count; ++i) {
      if (desc.type == DataType::kINT32) {
        int32_t v;
        std::memcpy(&v, bytes + i * size, size);
        values[i] = v;
      } else {
        std::memcpy(&values[i], bytes + i * size, size);
      }
    }
    return constants(values);
  }

  // The step's attributes with each run-time expression replaced by its value here.
  ops::Attrs concreteAttrs(const ops::Attrs& attrs) {
    ops::Attrs out;
    for (const auto& [key, value] : attrs.values()) {
      if (const auto* list = std::get_if<ops::ExprList>(&value))
        out.setValue(key, ops::ExprList{constants(evaluate(list->ids))});
      else
        out.setValue(key, value);
    }
    return out;
  }

  // A 1-D int64 shape tensor holding `values`.
  int32_t valueTensor(const std::vector<int64_t>& values) {
    graph::TensorNode node;
    node.name = "value input";
    node.type = DataType::kINT64;
    node.dims = {graph_.exprs.constant(static_cast<int64_t>(values.size()))};
    node.values = constants(values);
    graph_.tensors.push_back(std::move(node));
    return static_cast<int32_t>(graph_.tensors.size() - 1);
  }

  // The builder detached the value inputs (a reshape's target, a slice's starts, ...) once their values were in the
  // step's output dims and derived attributes; they are rebuilt from there, so that the rule checks them again.
  void rebuildValueInputs(size_t index, graph::LayerNode& layer) {
    const Step& step = plan_.steps[index];
    const ops::InputSet& valueInputs = ops::opSchema(step.type).valueInputs;
    for (size_t i = 0; i < step.inputs.size(); ++i)
      if (valueInputs.contains(static_cast<int32_t>(i)) && step.inputs[i] >= 0)
        fail(index, "input " + std::to_string(i) + " is a value input, which a plan does not carry");
    if (step.outputs.empty()) return;
    std::vector<int64_t> out = evaluate(plan_.tensors[step.outputs[0]].dims);
    auto detached = [&](size_t i) { return i < step.inputs.size(); };
    ops::OpAttrs attrs(layer.attrs, {step.type, step.name, ErrorCode::kINVALID_PLAN});
    switch (step.type) {
      case LayerType::kSHUFFLE:
        if (detached(1)) {
          // The target is the output before the second transpose; a 0 in it is a size, not the input's.
          std::vector<int64_t> second = attrs.get(ops::Shuffle::kSecondPerm), target = out;
          if (second.size() == out.size() && isPermutation(second))
            for (size_t i = 0; i < out.size(); ++i) target[second[i]] = out[i];
          layer.inputs[1] = valueTensor(target);
          layer.attrs.set(ops::Shuffle::kZeroIsPlaceholder, false);
        }
        break;
      case LayerType::kSLICE: {
        // The derived starts and strides replace the attributes of the same keys; the size is the output's.
        std::vector<int64_t> start = constantsOf(attrs.get(ops::Slice::kDerivedStart));
        std::vector<int64_t> stride = constantsOf(attrs.get(ops::Slice::kDerivedStride));
        layer.inputs.resize(std::max<size_t>(layer.inputs.size(), 4), -1);
        layer.inputs[1] = valueTensor(start);
        layer.inputs[2] = valueTensor(out);
        layer.inputs[3] = valueTensor(stride);
        break;
      }
      case LayerType::kTOPK:
        if (detached(1)) {
          auto mask = static_cast<uint64_t>(attrs.get(ops::TopK::kAxes));
          auto axis = static_cast<size_t>(std::countr_zero(mask));
          if (std::popcount(mask) == 1 && axis < out.size()) layer.inputs[1] = valueTensor({out[axis]});
        }
        break;
      case LayerType::kFILL:
        if (detached(0)) layer.inputs[0] = valueTensor(out);
        break;
      case LayerType::kONE_HOT:
        if (detached(2)) {
          int64_t axis = attrs.get(ops::OneHot::kAxis);
          if (axis < 0) axis += static_cast<int64_t>(out.size());
          if (axis >= 0 && axis < static_cast<int64_t>(out.size())) layer.inputs[2] = valueTensor({out[axis]});
        }
        break;
      case LayerType::kRESIZE:
        if (detached(1)) layer.inputs[1] = valueTensor(out);
        break;
      default: break;
    }
  }

  void compareOutput(size_t index, size_t k, const graph::TensorNode& recorded) const {
    const graph::TensorNode& derived = graph_.tensors[plan_.steps[index].outputs[k]];
    std::string which = "output " + std::to_string(k) + " ('" + recorded.name + "')";
    if (derived.dims.size() > static_cast<size_t>(Dims::MAX_DIMS)) fail(index, which + " is not one its op writes");
    if (derived.type != recorded.type)
      fail(index,
           which + " is " + dataTypeName(recorded.type) + " but its shape rule gives " + dataTypeName(derived.type));
    if (derived.dims != recorded.dims)
      fail(index, which + " has shape " + dimsText(constantsOf(recorded.dims)) + " but its shape rule gives " +
                      dimsText(constantsOf(derived.dims)) + " for these shapes");
  }

  const Plan& plan_;
  std::span<const int64_t> values_;
  graph::Graph graph_;
};

}  // namespace

void checkStepsAgainstShapeRules(const Plan& plan, std::span<const int64_t> exprValues) {
  ConcreteGraph graph(plan, exprValues);
  for (size_t i = 0; i < plan.steps.size(); ++i) graph.check(i);
}

}  // namespace kiln::plan
