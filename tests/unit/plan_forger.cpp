#include "plan_forger.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "test_util.h"

namespace kiln::test {

namespace {

std::vector<uint8_t> buildPlan(NetworkDefinition& net, const OptimizationProfile& profile) {
  BuilderConfig config;
  config.addOptimizationProfile(profile);
  return Builder().buildSerializedNetwork(net, config);
}

struct InputShapes {
  const char* name;
  Dims min, opt, max;
};

// Built with one profile giving each input its shapes.
std::vector<uint8_t> buildPlan(NetworkDefinition& net, const std::vector<InputShapes>& inputs) {
  OptimizationProfile profile;
  for (const auto& input : inputs) setRange(profile, input.name, input.min, input.opt, input.max);
  return buildPlan(net, profile);
}

// Convolution (bias and ReLU fused), max pooling with a stride, and SAME average pooling, over dynamic spatial axes.
std::vector<uint8_t> convolutionAndPooling() {
  auto net = makeNetwork();
  static const std::vector<float> w = randomFloats(4 * 3 * 3 * 3, 1), b = randomFloats(4, 2);
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1, 3, -1, -1});
  auto* conv =
      net->addConvolutionNd(*x, 4, Dims{3, 3}, {DataType::kFLOAT, w.data(), 108}, {DataType::kFLOAT, b.data(), 4});
  conv->setPaddingNd(Dims{1, 1});
  Tensor* y = net->addActivation(*conv->getOutput(0), ActivationType::kRELU)->getOutput(0);
  auto* pool = net->addPoolingNd(*y, PoolingType::kMAX, Dims{2, 2});
  pool->setStrideNd(Dims{2, 2});
  pool->getOutput(0)->setName("y");
  net->markOutput(*pool->getOutput(0));
  auto* average = net->addPoolingNd(*x, PoolingType::kAVERAGE, Dims{3, 3});
  average->setPaddingMode(PaddingMode::kSAME_UPPER);
  average->getOutput(0)->setName("z");
  net->markOutput(*average->getOutput(0));
  return buildPlan(*net, {{"x", Dims{1, 3, 4, 4}, Dims{2, 3, 8, 8}, Dims{2, 3, 12, 12}}});
}

// Concatenation on both axes, then a gather of constant indices.
std::vector<uint8_t> concatenationAndGather() {
  auto net = makeNetwork();
  Tensor* a = net->addInput("a", DataType::kFLOAT, Dims{-1, 4});
  Tensor* b = net->addInput("b", DataType::kFLOAT, Dims{-1, 4});
  Tensor* rows = net->addConcatenation({a, b}, 0)->getOutput(0);
  Tensor* indices =
      net->addConstant(Dims{3}, {DataType::kINT32, std::vector<int32_t>{3, 0, 2}.data(), 3})->getOutput(0);
  Tensor* picked = net->addGather(*rows, *indices, 1)->getOutput(0);
  picked->setName("picked");
  net->markOutput(*picked);
  Tensor* wide = net->addConcatenation({a, a}, 1)->getOutput(0);
  wide->setName("wide");
  net->markOutput(*wide);
  return buildPlan(*net, {{"a", Dims{1, 4}, Dims{2, 4}, Dims{5, 4}}, {"b", Dims{1, 4}, Dims{3, 4}, Dims{5, 4}}});
}

// A reshape whose target is computed from the input's shape (Shape -> Gather -> Concatenation), then a transpose
// and a slice of dynamic size.
std::vector<uint8_t> reshapeByShapeTensor() {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1, 6});
  Tensor* shape = net->addShape(*x)->getOutput(0);
  Tensor* batch = net->addGather(*shape, *int64Constant(*net, {0}), 0)->getOutput(0);
  Tensor* target = net->addConcatenation({batch, int64Constant(*net, {3, 2})}, 0)->getOutput(0);
  auto* reshape = net->addShuffle(*x);
  reshape->setInput(1, *target);
  reshape->setSecondTranspose({2, 0, 1});
  Tensor* y = reshape->getOutput(0);
  y->setName("y");
  net->markOutput(*y);
  Tensor* size = net->addConcatenation({batch, int64Constant(*net, {4})}, 0)->getOutput(0);
  auto* slice = net->addSlice(*x, Dims{0, 1}, Dims{1, 4}, Dims{1, 1});
  slice->setInput(2, *size);
  slice->getOutput(0)->setName("s");
  net->markOutput(*slice->getOutput(0));
  return buildPlan(*net, {{"x", Dims{1, 6}, Dims{3, 6}, Dims{7, 6}}});
}

// A reshape to the values of a shape input (each of the profile's min, opt and max values a valid target).
std::vector<uint8_t> reshapeByShapeInput() {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{2, 3, 4});
  Tensor* target = net->addInput("target", DataType::kINT64, Dims{2});
  net->markShapeInput(*target);
  auto* reshape = net->addShuffle(*x);
  reshape->setInput(1, *target);
  reshape->getOutput(0)->setName("y");
  net->markOutput(*reshape->getOutput(0));
  OptimizationProfile profile;
  setRange(profile, "x", Dims{2, 3, 4}, Dims{2, 3, 4}, Dims{2, 3, 4});
  setRange(profile, "target", Dims{2}, Dims{2}, Dims{2});
  profile.setShapeValues("target", OptProfileSelector::kMIN, std::vector<int64_t>{-1, 2}.data(), 2);
  profile.setShapeValues("target", OptProfileSelector::kOPT, std::vector<int64_t>{-1, 4}.data(), 2);
  profile.setShapeValues("target", OptProfileSelector::kMAX, std::vector<int64_t>{-1, 8}.data(), 2);
  return buildPlan(*net, profile);
}

// A matrix multiply with a fused bias and ReLU, a product broadcast from a column, and a softmax.
std::vector<uint8_t> matrixMultiplyAndBroadcast() {
  auto net = makeNetwork();
  static const std::vector<float> w = randomFloats(8 * 4, 3), b = randomFloats(4, 4);
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1, 8});
  Tensor* s = net->addInput("s", DataType::kFLOAT, Dims{-1, 1});
  Tensor* y =
      net->addMatrixMultiply(*x, MatrixOperation::kNONE, *floatConstant(*net, Dims{8, 4}, w), MatrixOperation::kNONE)
          ->getOutput(0);
  y = net->addElementWise(*y, *floatConstant(*net, Dims{1, 4}, b), ElementWiseOperation::kSUM)->getOutput(0);
  y = net->addActivation(*y, ActivationType::kRELU)->getOutput(0);
  y = net->addElementWise(*y, *s, ElementWiseOperation::kPROD)->getOutput(0);
  y = net->addSoftMax(*y)->getOutput(0);
  y->setName("y");
  net->markOutput(*y);
  return buildPlan(*net, {{"x", Dims{1, 8}, Dims{4, 8}, Dims{6, 8}}, {"s", Dims{1, 1}, Dims{4, 1}, Dims{6, 1}}});
}

}  // namespace

const std::vector<NamedPlan>& forgeablePlans() {
  static const std::vector<NamedPlan> plans = {
      {"convolution and pooling", convolutionAndPooling()},
      {"concatenation and gather", concatenationAndGather()},
      {"reshape by a shape tensor", reshapeByShapeTensor()},
      {"reshape by a shape input", reshapeByShapeInput()},
      {"matrix multiply and broadcast", matrixMultiplyAndBroadcast()},
  };
  return plans;
}

void resealChecksum(std::vector<uint8_t>& plan) {
  constexpr size_t kHeaderSize = 64, kChecksumOffset = 24;  // docs/plan-format.md
  auto checksum = static_cast<uint32_t>(
      crc32(crc32(0L, Z_NULL, 0), plan.data() + kHeaderSize, static_cast<uInt>(plan.size() - kHeaderSize)));
  std::memcpy(plan.data() + kChecksumOffset, &checksum, sizeof checksum);
}

std::vector<uint8_t> forgePlan(const std::vector<uint8_t>& bytes, const std::function<void(plan::Plan&)>& edit) {
  plan::Plan p = plan::deserialize(bytes.data(), bytes.size());
  edit(p);
  return plan::serialize(p);
}

namespace {

// The values an integer field is changed to: its neighbours, zero, -1, its negation, about twice it, and a size far
// beyond what the small test networks use.
std::vector<int64_t> nearbyValues(int64_t v) {
  std::vector<int64_t> out;
  for (int64_t c : {v + 1, v - 1, int64_t{0}, int64_t{-1}, -v, 2 * v + 1, int64_t{4096}})
    if (c != v && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  return out;
}

class MutationList {
 public:
  explicit MutationList(const plan::Plan& plan) : p_(plan) {}

  std::vector<PlanMutation> all() {
    exprs();
    tensors();
    ioLists();
    steps();
    assertions();
    profiles();
    return std::move(list_);
  }

 private:
  void add(std::string what, std::function<void(plan::Plan&)> apply) {
    list_.push_back({std::move(what), std::move(apply)});
  }
  std::string tensorLabel(size_t t) const { return "tensor " + std::to_string(t) + " ('" + p_.tensors[t].name + "')"; }
  std::string stepLabel(size_t s) const { return "step " + std::to_string(s) + " ('" + p_.steps[s].name + "')"; }
  int32_t nbTensors() const { return static_cast<int32_t>(p_.tensors.size()); }
  int32_t nbExprs() const { return static_cast<int32_t>(p_.exprs.size()); }

  // Other expression ids for a reference to `id`: the first, the last and the neighbours.
  std::vector<int32_t> otherExprs(int32_t id, int32_t limit) const {
    std::vector<int32_t> out;
    for (int32_t c : {0, limit - 1, id + 1, id - 1})
      if (c != id && c >= 0 && c < limit && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    return out;
  }
  // Other tensor ids for a reference to `id`.
  std::vector<int32_t> otherTensors(int32_t id) const {
    std::vector<int32_t> out;
    for (int32_t c : {0, nbTensors() - 1, id + 1, id - 1})
      if (c != id && c >= 0 && c < nbTensors() && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    return out;
  }

  void exprs() {
    for (int32_t i = 0; i < nbExprs(); ++i) {
      const core::ExprNode& e = p_.exprs[i];
      std::string label = "expr " + std::to_string(i);
      if (core::isLeaf(e.op)) {
        for (int64_t v : nearbyValues(e.value))
          add(label + " value -> " + std::to_string(v), [i, v](plan::Plan& q) { q.exprs[i].value = v; });
        if (e.op != core::ExprOp::kCONST)
          add(label + " becomes a constant", [i](plan::Plan& q) { q.exprs[i].op = core::ExprOp::kCONST; });
        continue;
      }
      for (auto op : {core::ExprOp::kADD, core::ExprOp::kSUB, core::ExprOp::kMUL, core::ExprOp::kFLOOR_DIV,
                      core::ExprOp::kCEIL_DIV, core::ExprOp::kMOD, core::ExprOp::kMIN, core::ExprOp::kMAX,
                      core::ExprOp::kBROADCAST})
        if (op != e.op)
          add(label + " op -> " + std::to_string(static_cast<int>(op)), [i, op](plan::Plan& q) { q.exprs[i].op = op; });
      for (int32_t a : otherExprs(e.a, i))
        add(label + " operand a -> " + std::to_string(a), [i, a](plan::Plan& q) { q.exprs[i].a = a; });
      for (int32_t b : otherExprs(e.b, i))
        add(label + " operand b -> " + std::to_string(b), [i, b](plan::Plan& q) { q.exprs[i].b = b; });
    }
  }

  void tensors() {
    for (int32_t t = 0; t < nbTensors(); ++t) {
      const plan::TensorDesc& desc = p_.tensors[t];
      std::string label = tensorLabel(t);
      for (int32_t type = 0; isValidDataType(type); ++type)
        if (type != static_cast<int32_t>(desc.type))
          add(label + " type -> " + dataTypeName(static_cast<DataType>(type)),
              [t, type](plan::Plan& q) { q.tensors[t].type = static_cast<DataType>(type); });
      for (int32_t kind = 0; kind <= static_cast<int32_t>(plan::TensorKind::kCONSTANT); ++kind)
        if (kind != static_cast<int32_t>(desc.kind))
          add(label + " kind -> " + std::to_string(kind),
              [t, kind](plan::Plan& q) { q.tensors[t].kind = static_cast<plan::TensorKind>(kind); });
      for (size_t k = 0; k < desc.dims.size(); ++k)
        for (int32_t id : otherExprs(desc.dims[k], nbExprs()))
          add(label + " dim " + std::to_string(k) + " -> expr " + std::to_string(id),
              [t, k, id](plan::Plan& q) { q.tensors[t].dims[k] = id; });
      if (desc.dims.size() < static_cast<size_t>(Dims::MAX_DIMS))
        add(label + " gains an axis",
            [t](plan::Plan& q) { q.tensors[t].dims.push_back(q.tensors[t].dims.empty() ? 0 : q.tensors[t].dims[0]); });
      if (!desc.dims.empty()) add(label + " loses its last axis", [t](plan::Plan& q) { q.tensors[t].dims.pop_back(); });
      if (desc.kind != plan::TensorKind::kCONSTANT) continue;
      for (int64_t delta : {int64_t{1}, int64_t{4}, int64_t{256}, int64_t{-256}})
        if (static_cast<int64_t>(desc.weightsOffset) + delta >= 0)
          add(label + " weights offset " + std::to_string(delta),
              [t, delta](plan::Plan& q) { q.tensors[t].weightsOffset += delta; });
      for (int64_t delta : {int64_t{4}, int64_t{-4}, -static_cast<int64_t>(desc.weightsSize)})
        if (delta != 0 && static_cast<int64_t>(desc.weightsSize) + delta >= 0)
          add(label + " weights size " + std::to_string(delta),
              [t, delta](plan::Plan& q) { q.tensors[t].weightsSize += delta; });
    }
  }

  void ioLists() {
    for (size_t i = 0; i < p_.inputs.size(); ++i)
      for (int32_t id : otherTensors(p_.inputs[i]))
        add("input " + std::to_string(i) + " -> tensor " + std::to_string(id),
            [i, id](plan::Plan& q) { q.inputs[i] = id; });
    for (size_t i = 0; i < p_.outputs.size(); ++i)
      for (int32_t id : otherTensors(p_.outputs[i]))
        add("output " + std::to_string(i) + " -> tensor " + std::to_string(id),
            [i, id](plan::Plan& q) { q.outputs[i] = id; });
  }

  void steps() {
    for (size_t s = 0; s < p_.steps.size(); ++s) {
      const plan::Step& step = p_.steps[s];
      std::string label = stepLabel(s);
      auto type = static_cast<int32_t>(step.type);
      for (int32_t other : {type + 1, type - 1, static_cast<int32_t>(LayerType::kIDENTITY),
                            static_cast<int32_t>(LayerType::kELEMENTWISE), static_cast<int32_t>(LayerType::kSHUFFLE)})
        if (other != type && other >= 0 && other < static_cast<int32_t>(LayerType::kLAYER_TYPE_COUNT))
          add(label + " type -> " + std::to_string(other),
              [s, other](plan::Plan& q) { q.steps[s].type = static_cast<LayerType>(other); });
      for (size_t k = 0; k < step.inputs.size(); ++k) {
        std::vector<int32_t> ids = otherTensors(step.inputs[k]);
        if (step.inputs[k] >= 0) ids.push_back(-1);
        for (int32_t id : ids)
          add(label + " input " + std::to_string(k) + " -> " + std::to_string(id),
              [s, k, id](plan::Plan& q) { q.steps[s].inputs[k] = id; });
      }
      for (size_t k = 0; k < step.outputs.size(); ++k)
        for (int32_t id : otherTensors(step.outputs[k]))
          add(label + " output " + std::to_string(k) + " -> " + std::to_string(id),
              [s, k, id](plan::Plan& q) { q.steps[s].outputs[k] = id; });
      add(label + " gains an input", [s](plan::Plan& q) { q.steps[s].inputs.push_back(0); });
      if (!step.inputs.empty())
        add(label + " loses its last input", [s](plan::Plan& q) { q.steps[s].inputs.pop_back(); });
      if (!step.outputs.empty())
        add(label + " loses its last output", [s](plan::Plan& q) { q.steps[s].outputs.pop_back(); });
      for (const auto& [key, value] : step.attrs.values()) attribute(s, key, value);
    }
  }

  void attribute(size_t s, const std::string& key, const ops::AttrValue& value) {
    std::string label = stepLabel(s) + " attribute '" + key + "'";
    auto set = [s, key](ops::AttrValue v) { return [s, key, v](plan::Plan& q) { q.steps[s].attrs.setValue(key, v); }; };
    add(label + " removed", [s, key](plan::Plan& q) {
      ops::Attrs kept;
      for (const auto& [k, v] : q.steps[s].attrs.values())
        if (k != key) kept.setValue(k, v);
      q.steps[s].attrs = kept;
    });
    if (const auto* v = std::get_if<int64_t>(&value)) {
      for (int64_t c : nearbyValues(*v)) add(label + " -> " + std::to_string(c), set(c));
      add(label + " as a list", set(std::vector<int64_t>{*v}));
    } else if (const auto* d = std::get_if<double>(&value)) {
      for (double c : {0.0, -1.0, 2 * *d, 1e30, std::numeric_limits<double>::quiet_NaN()})
        add(label + " -> " + std::to_string(c), set(c));
    } else if (const auto* list = std::get_if<std::vector<int64_t>>(&value)) {
      for (size_t j = 0; j < list->size(); ++j)
        for (int64_t c : {(*list)[j] + 1, (*list)[j] - 1, int64_t{0}, int64_t{-1}, int64_t{4096}}) {
          if (c == (*list)[j]) continue;
          auto changed = *list;
          changed[j] = c;
          add(label + "[" + std::to_string(j) + "] -> " + std::to_string(c), set(changed));
        }
      auto longer = *list;
      longer.push_back(1);
      add(label + " gains an entry", set(longer));
      if (!list->empty()) add(label + " loses an entry", set(std::vector<int64_t>(list->begin(), list->end() - 1)));
      add(label + " as one integer", set(list->empty() ? int64_t{0} : list->front()));
    } else if (const auto* floats = std::get_if<std::vector<double>>(&value)) {
      for (size_t j = 0; j < floats->size(); ++j)
        for (double c : {0.0, -1.0, 1e30}) {
          auto changed = *floats;
          changed[j] = c;
          add(label + "[" + std::to_string(j) + "] -> " + std::to_string(c), set(changed));
        }
      add(label + " gains an entry", set([&] {
            auto longer = *floats;
            longer.push_back(1.0);
            return longer;
          }()));
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      add(label + " emptied", set(std::string()));
      add(label + " -> 'ij,jk->ik'", set(std::string("ij,jk->ik")));
      (void)text;
    } else if (const auto* exprs = std::get_if<ops::ExprList>(&value)) {
      for (size_t j = 0; j < exprs->ids.size(); ++j)
        for (int32_t id : otherExprs(exprs->ids[j], nbExprs())) {
          auto changed = *exprs;
          changed.ids[j] = id;
          add(label + "[" + std::to_string(j) + "] -> expr " + std::to_string(id), set(changed));
        }
      auto longer = *exprs;
      longer.ids.push_back(0);
      add(label + " gains an entry", set(longer));
      if (!exprs->ids.empty())
        add(label + " loses an entry", set(ops::ExprList{{exprs->ids.begin(), exprs->ids.end() - 1}}));
      add(label + " as integers", set(std::vector<int64_t>(exprs->ids.size(), 1)));
    }
  }

  void assertions() {
    for (size_t a = 0; a < p_.assertions.size(); ++a) {
      std::string label = "assertion " + std::to_string(a) + " ('" + p_.assertions[a].message + "')";
      add(label + " removed", [a](plan::Plan& q) { q.assertions.erase(q.assertions.begin() + a); });
      add(label + " operands swapped", [a](plan::Plan& q) { std::swap(q.assertions[a].a, q.assertions[a].b); });
      add(label + " compares against expr 0", [a](plan::Plan& q) { q.assertions[a].b = 0; });
      for (auto kind :
           {core::AssertionKind::kEQUAL, core::AssertionKind::kBROADCAST, core::AssertionKind::kGREATER_EQUAL})
        if (kind != p_.assertions[a].kind)
          add(label + " kind -> " + std::to_string(static_cast<int>(kind)),
              [a, kind](plan::Plan& q) { q.assertions[a].kind = kind; });
    }
  }

  void profiles() {
    for (size_t p = 0; p < p_.profiles.size(); ++p) {
      const plan::Profile& profile = p_.profiles[p];
      std::string label = "profile " + std::to_string(p);
      const char* selectors[3] = {"min", "opt", "max"};
      for (size_t i = 0; i < profile.inputs.size(); ++i) {
        const plan::InputRange& range = profile.inputs[i];
        const Dims* shapes[3] = {&range.min, &range.opt, &range.max};
        for (int32_t sel = 0; sel < 3; ++sel)
          for (int32_t axis = 0; axis < shapes[sel]->nbDims; ++axis) {
            int64_t d = shapes[sel]->d[axis];
            for (int64_t c : {d + 1, d - 1, int64_t{0}, 2 * d, int64_t{4096}}) {
              if (c == d) continue;
              add(label + " input " + std::to_string(i) + " " + selectors[sel] + " dim " + std::to_string(axis) +
                      " -> " + std::to_string(c),
                  [p, i, sel, axis, c](plan::Plan& q) {
                    auto& r = q.profiles[p].inputs[i];
                    (sel == 0 ? r.min : sel == 1 ? r.opt : r.max).d[axis] = c;
                  });
            }
          }
        const std::vector<int64_t>* values[3] = {&range.valueMin, &range.valueOpt, &range.valueMax};
        for (int32_t sel = 0; sel < 3; ++sel)
          for (size_t e = 0; e < values[sel]->size(); ++e) {
            int64_t v = (*values[sel])[e];
            for (int64_t c : {v + 1, v - 1, int64_t{0}, int64_t{-1}, int64_t{4096}}) {
              if (c == v) continue;
              add(label + " input " + std::to_string(i) + " " + selectors[sel] + " value " + std::to_string(e) +
                      " -> " + std::to_string(c),
                  [p, i, sel, e, c](plan::Plan& q) {
                    auto& r = q.profiles[p].inputs[i];
                    (sel == 0 ? r.valueMin : sel == 1 ? r.valueOpt : r.valueMax)[e] = c;
                  });
            }
          }
      }
      for (int32_t t = 0; t < nbTensors(); ++t) {
        if (p_.tensors[t].kind != plan::TensorKind::kACTIVATION) continue;
        for (int64_t delta : {int64_t{1}, int64_t{4}, int64_t{256}, int64_t{-256}})
          if (static_cast<int64_t>(profile.activationOffsets[t]) + delta >= 0)
            add(label + " arena offset of " + tensorLabel(t) + " " + std::to_string(delta),
                [p, t, delta](plan::Plan& q) { q.profiles[p].activationOffsets[t] += delta; });
        if (profile.activationOffsets[t] != 0)
          add(label + " arena offset of " + tensorLabel(t) + " -> 0",
              [p, t](plan::Plan& q) { q.profiles[p].activationOffsets[t] = 0; });
      }
      add(label + " arena halved", [p](plan::Plan& q) { q.profiles[p].activationBytes /= 2; });
      if (profile.tactics.empty())
        add(label + " gains junk tactics", [p](plan::Plan& q) {
          q.profiles[p].tactics.assign(q.steps.size(), plan::Tactic{"junk", std::string("\x01\x02\x03\x04", 4)});
        });
    }
  }

  const plan::Plan& p_;
  std::vector<PlanMutation> list_;
};

// Host buffers for one run, zero-filled except fp32 (a small constant) and shape inputs (their profile values).
struct RunBuffers {
  std::vector<std::vector<uint8_t>> held;
  void* fresh(size_t bytes) {
    held.emplace_back(std::max<size_t>(bytes, 1), 0);
    return held.back().data();
  }
};

// Buffers larger than this are not allocated by the test (a forged profile can ask for anything): the run is skipped.
constexpr int64_t kMaxBufferBytes = int64_t{64} << 20;

int64_t bufferBytes(const Dims& dims, DataType type) {
  if (dims.nbDims < 0) return -1;
  int64_t count = 1;
  for (int32_t i = 0; i < dims.nbDims; ++i) {
    if (dims.d[i] < 0 || (dims.d[i] > 0 && count > kMaxBufferBytes / dims.d[i])) return -1;
    count *= dims.d[i];
  }
  int64_t bytes = count * static_cast<int64_t>(dataTypeSize(type));
  return bytes > kMaxBufferBytes ? -1 : bytes;
}

// Sets the shapes of profile `p` at `selector`, binds fresh buffers and runs once; `note` records failures and says
// whether to go on.
void runAtProfileShapes(const Engine& engine, ExecutionContext& context, int32_t p, OptProfileSelector selector,
                        const std::function<bool(const Status&)>& note) {
  RunBuffers buffers;
  for (int32_t i = 0; i < engine.getNbIOTensors(); ++i) {
    const char* name = engine.getIOTensorName(i);
    if (engine.getTensorIOMode(name) != TensorIOMode::kINPUT) continue;
    Dims shape = engine.getProfileShape(name, p, selector);
    if (!note(context.setInputShape(name, shape))) return;
    DataType type = engine.getTensorDataType(name);
    int64_t bytes = bufferBytes(shape, type);
    if (bytes < 0) return;
    void* data = buffers.fresh(static_cast<size_t>(bytes));
    if (engine.isShapeInferenceIO(name)) {
      std::vector<int64_t> values = engine.getProfileShapeValues(name, p, selector);
      for (size_t v = 0; v < values.size() && (v + 1) * dataTypeSize(type) <= static_cast<size_t>(bytes); ++v) {
        if (type == DataType::kINT32)
          static_cast<int32_t*>(data)[v] = static_cast<int32_t>(values[v]);
        else if (type == DataType::kINT64)
          static_cast<int64_t*>(data)[v] = values[v];
      }
    } else if (type == DataType::kFLOAT) {
      std::fill_n(static_cast<float*>(data), bytes / 4, 0.25f);
    }
    if (!note(context.setTensorAddress(name, data))) return;
  }
  if (!note(context.inferShapes())) return;
  for (int32_t i = 0; i < engine.getNbIOTensors(); ++i) {
    const char* name = engine.getIOTensorName(i);
    if (engine.getTensorIOMode(name) != TensorIOMode::kOUTPUT) continue;
    int64_t bytes = bufferBytes(context.getTensorShape(name), engine.getTensorDataType(name));
    if (bytes < 0) return;
    if (!note(context.setTensorAddress(name, buffers.fresh(static_cast<size_t>(bytes))))) return;
  }
  note(context.executeV2());
}

}  // namespace

std::vector<PlanMutation> planMutations(const plan::Plan& plan) { return MutationList(plan).all(); }

PlanOutcome loadAndRun(const std::vector<uint8_t>& bytes, std::string* message) {
  auto keep = [&](const std::string& text) {
    if (message && message->empty()) *message = text;
  };
  std::unique_ptr<Engine> engine;
  std::unique_ptr<ExecutionContext> context;
  try {
    engine = Runtime().deserialize(bytes);
  } catch (const Error& e) {
    keep(e.what());
    return PlanOutcome::kREFUSED_AT_LOAD;
  }
  try {
    context = engine->createExecutionContext();
  } catch (const Error& e) {
    keep(e.what());
    return PlanOutcome::kREFUSED_LATER;
  }
  bool refused = false;
  auto note = [&](const Status& status) {
    if (status) return true;
    refused = true;
    keep(status.error().what());
    return false;
  };
  for (int32_t p = 0; p < engine->getNbOptimizationProfiles(); ++p) {
    if (!note(context->setOptimizationProfile(p))) continue;
    for (auto selector : {OptProfileSelector::kMIN, OptProfileSelector::kOPT, OptProfileSelector::kMAX})
      runAtProfileShapes(*engine, *context, p, selector, note);
  }
  return refused ? PlanOutcome::kREFUSED_LATER : PlanOutcome::kRAN;
}

}  // namespace kiln::test
