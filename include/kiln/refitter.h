// Refit: new weights for an engine built with BuilderFlag::kREFIT, without a rebuild (TensorRT's IRefitter).
// See docs/refit.md.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kiln/runtime.h"
#include "kiln/types.h"

namespace kiln {

// Made by createRefitter(engine); one refit at a time, from one thread (the engine's contexts may run on others).
class Refitter {
 public:
  // Frees the weights set and not yet refit; the engine keeps those it was refit with.
  ~Refitter();
  Refitter(const Refitter&) = delete;
  Refitter& operator=(const Refitter&) = delete;

  // The names of the engine's refittable weights: ONNX initializer names for an imported model, "<layer>:kernel"
  // and "<layer>:bias" for the convolutions of an API-built network, or the constant tensor's name.
  std::vector<std::string> getAll() const;
  // Those not set since the last refit (a refit keeps their current values).
  std::vector<std::string> getMissing() const;
  // New values for weight `name`, copied (`weights` may be freed afterwards). Throws kiln::Error
  // (kINVALID_ARGUMENT) naming the weight when the name is unknown or the type or element count differs from the
  // weight's.
  void setNamedWeights(const char* name, const Weights& weights);
  // The engine's constants remade from the weights set (and the others' current values) through the builder's
  // folding recipe, as a build from those weights would make them; every context of the engine, made before or
  // after, reads them. All or nothing: on any error the engine keeps its weights. Throws kiln::Error
  // (kINVALID_STATE) while a context of the engine is inside executeV2/enqueueV3; after enqueueV3, synchronize the
  // stream before refitting.
  void refitEngine();

 private:
  friend std::unique_ptr<Refitter> createRefitter(Engine& engine);
  // The engine's state and the weights set so far, defined in the library's sources.
  struct Impl;
  explicit Refitter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A refitter for `engine` (which must outlive it). Throws kiln::Error (kINVALID_ARGUMENT) when the engine was not
// built with BuilderFlag::kREFIT.
std::unique_ptr<Refitter> createRefitter(Engine& engine);

}  // namespace kiln
