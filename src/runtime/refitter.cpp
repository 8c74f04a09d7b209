// Refitter: new weights for a refittable engine, remade into its constants through the plan's recipes.
#include "kiln/refitter.h"

#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include "core/api_boundary.h"
#include "runtime/engine_state.h"
#include "runtime/weight_recipes.h"

namespace kiln {

struct Refitter::Impl {
  std::shared_ptr<runtime::EngineState> engine;
  std::map<std::string, size_t> sources;               // weight name -> its kSOURCE node
  std::map<std::string, std::vector<uint8_t>> values;  // set since the last refit
};

Refitter::Refitter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Refitter::~Refitter() = default;

std::unique_ptr<Refitter> createRefitter(Engine& engine) {
  return core::errorBoundary("refitter", [&] {
    const plan::Plan& plan = engine.state_->plan;
    if (!plan.has(plan::PlanFlag::kREFIT))
      throw Error(ErrorCode::kINVALID_ARGUMENT,
                  "the engine was not built with BuilderFlag::kREFIT (kiln build --refit): its weights cannot be "
                  "refit",
                  "refitter");
    auto impl = std::make_unique<Refitter::Impl>();
    impl->engine = engine.state_;
    for (size_t i = 0; i < plan.recipe.size(); ++i)
      if (plan.recipe[i].op == ops::RecipeOp::kSOURCE) impl->sources.emplace(plan.recipe[i].name, i);
    return std::unique_ptr<Refitter>(new Refitter(std::move(impl)));
  });
}

std::vector<std::string> Refitter::getAll() const {
  std::vector<std::string> names;
  for (const auto& [name, node] : impl_->sources) names.push_back(name);
  return names;
}

std::vector<std::string> Refitter::getMissing() const {
  std::vector<std::string> names;
  for (const auto& [name, node] : impl_->sources)
    if (!impl_->values.count(name)) names.push_back(name);
  return names;
}

void Refitter::setNamedWeights(const char* name, const Weights& weights) {
  core::errorBoundary("refitter", [&] {
    std::string weight = name ? name : "";
    auto it = impl_->sources.find(weight);
    if (it == impl_->sources.end())
      throw Error(ErrorCode::kINVALID_ARGUMENT, "the engine has no refittable weight of this name", weight);
    const plan::RecipeNode& source = impl_->engine->plan.recipe[it->second];
    if (weights.type != source.type)
      throw Error(ErrorCode::kINVALID_ARGUMENT,
                  std::string("weights of type ") + dataTypeName(weights.type) + " given, the weight is " +
                      dataTypeName(source.type),
                  weight);
    int64_t count = runtime::recipeVolume(source);
    if (weights.count != count)
      throw Error(ErrorCode::kINVALID_ARGUMENT,
                  std::to_string(weights.count) + " values given, the weight holds " + std::to_string(count), weight);
    if (count > 0 && !weights.values) throw Error(ErrorCode::kINVALID_ARGUMENT, "weights values are null", weight);
    const auto* bytes = static_cast<const uint8_t*>(weights.values);
    impl_->values[weight].assign(bytes, bytes + static_cast<size_t>(count) * dataTypeSize(weights.type));
  });
}

void Refitter::refitEngine() {
  core::errorBoundary("refitter", [&] {
    runtime::EngineState& state = *impl_->engine;
    std::unique_lock exclusive(state.runGuard, std::try_to_lock);
    if (!exclusive.owns_lock())
      throw Error(ErrorCode::kINVALID_STATE, "a context of the engine is running: refit between runs", "refitter");
    // Everything is computed before anything changes, so an error leaves the engine as it was.
    std::vector<std::vector<uint8_t>> nodes = runtime::evaluateRecipes(state.plan, impl_->values);
    std::vector<uint8_t> weights = state.plan.weights;
    for (const auto& c : state.plan.refitConstants) {
      const plan::TensorDesc& t = state.plan.tensors[c.tensor];
      const auto& bytes = nodes[static_cast<size_t>(c.node)];
      if (bytes.size() != t.weightsSize || t.weightsOffset + t.weightsSize > weights.size())
        throw Error(ErrorCode::kINVALID_PLAN, "the recipe does not fit the constant", t.name);
      if (!bytes.empty()) std::memcpy(weights.data() + t.weightsOffset, bytes.data(), bytes.size());
    }
    if (!weights.empty()) state.backend->copyFromHost(state.weights.data(), weights.data(), weights.size());
    state.plan.weights = std::move(weights);
    for (auto& node : state.plan.recipe)
      if (node.op == ops::RecipeOp::kSOURCE)
        if (auto it = impl_->values.find(node.name); it != impl_->values.end()) node.bytes = std::move(it->second);
    impl_->values.clear();
  });
}

}  // namespace kiln
