// The plan: everything the runtime needs to run a built network, and nothing of the IR.
// See docs/plan-format.md for the byte layout.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/symbolic.h"
#include "kiln/error.h"
#include "kiln/layers.h"
#include "kiln/types.h"
#include "ops/attrs.h"
#include "ops/weight_recipe.h"

namespace kiln::plan {

constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'P', 'L', 'A', 'N'};
// 2: shape inputs (value leaves, profile value ranges); 3: tactics; 4: refit recipes; 5: plugin steps
constexpr uint32_t kFormatVersion = 5;
constexpr uint32_t kOldestFormatVersion = 4;    // older plans are refused: rebuild them
constexpr uint64_t kWeightsAlignment = 256;     // of the weights section in the file and of each constant in it
constexpr uint64_t kActivationAlignment = 256;  // of each activation's offset in a context's arena

enum class TensorKind : uint8_t { kACTIVATION = 0, kINPUT = 1, kOUTPUT = 2, kCONSTANT = 3 };

struct TensorDesc {
  std::string name;
  DataType type = DataType::kFLOAT;
  TensorKind kind = TensorKind::kACTIVATION;
  std::vector<core::ExprId> dims;  // into Plan::exprs
  uint64_t weightsOffset = 0;      // constants: byte offset into the weights section
  uint64_t weightsSize = 0;
};

struct Step {
  LayerType type = LayerType::kIDENTITY;
  std::string name;
  ops::Attrs attrs;              // user attributes and derived (run-time expression) attributes together
  std::vector<int32_t> inputs;   // tensor ids, -1 for absent
  std::vector<int32_t> outputs;  // tensor ids

  // For typed reads, whose errors name the step.
  ops::OpAttrs opAttrs() const { return {attrs, {type, name, ErrorCode::kINVALID_PLAN}}; }
};

struct InputRange {
  Dims min, opt, max;
  // Shape inputs only: bounds of each value (empty for other inputs).
  std::vector<int64_t> valueMin, valueOpt, valueMax;
  bool isShapeInput() const { return !valueMin.empty(); }
};

// The implementation the builder chose for a step (a cuBLASLt algorithm, a cuDNN algorithm, ...). `data` is opaque
// bytes only the backend that made it reads; an empty tactic means the step's default implementation.
struct Tactic {
  std::string name;  // human-readable, for logs and `kiln inspect`
  std::string data;
  bool isDefault() const { return data.empty(); }
  bool operator==(const Tactic&) const = default;
};

struct Profile {
  std::vector<InputRange> inputs;           // one per network input, in Plan::inputs order
  std::vector<uint64_t> activationOffsets;  // per tensor; meaningful for activations only
  uint64_t activationBytes = 0;             // size of a context's arena for this profile
  std::vector<Tactic> tactics;              // per step, timed at this profile's opt shapes; empty: all default
  const Tactic* tactic(size_t step) const { return step < tactics.size() ? &tactics[step] : nullptr; }
};

struct Assertion {
  core::AssertionKind kind = core::AssertionKind::kEQUAL;
  core::ExprId a = -1;
  core::ExprId b = -1;
  std::string layer;
  std::string message;
};

// What the kernels may do beyond the steps' own types, as bits of Plan::flags. The builder sets them from its config.
// A bit sits where the BuilderFlag of the same name does, as plans before this field was narrowed to the kernels'
// flags stored every builder flag there, so they read alike.
enum class PlanFlag : uint32_t {
  kTF32 = 3,   // fp32 matrix multiplies and convolutions may run on TF32 tensor cores
  kREFIT = 4,  // built with BuilderFlag::kREFIT: the weights can be refit (recipe, refitConstants)
};

// A node of the weight recipes (ops/weight_recipe.h), its inputs earlier nodes (-1: absent).
struct RecipeNode {
  ops::RecipeOp op = ops::RecipeOp::kFIXED;
  DataType type = DataType::kFLOAT;
  std::vector<int64_t> dims;
  std::vector<int32_t> inputs;
  std::string name;
  std::vector<uint8_t> bytes;
  std::vector<int64_t> params;
  bool operator==(const RecipeNode&) const = default;
};

// A constant tensor whose bytes recipe node `node` makes.
struct RefitConstant {
  int32_t tensor = -1;
  int32_t node = -1;
  bool operator==(const RefitConstant&) const = default;
};

struct Plan {
  std::string kilnVersion;
  std::string backend;           // "cpu", "cuda"
  std::string target;            // backend-specific target description (e.g. "sm_90")
  uint32_t flags = 0;            // PlanFlag bits
  std::vector<int32_t> inputs;   // tensor ids of the network inputs
  std::vector<int32_t> outputs;  // tensor ids of the network outputs
  std::vector<TensorDesc> tensors;
  std::vector<Step> steps;
  std::vector<Profile> profiles;
  std::vector<core::ExprNode> exprs;  // the shape program: evaluated in order
  std::vector<Assertion> assertions;
  std::vector<uint8_t> weights;
  std::vector<RecipeNode> recipe;             // refittable plans: the weight recipes, in evaluation order
  std::vector<RefitConstant> refitConstants;  // the constants they make

  bool has(PlanFlag flag) const { return (flags >> static_cast<uint32_t>(flag)) & 1u; }
  void set(PlanFlag flag) { flags |= 1u << static_cast<uint32_t>(flag); }
};

// Serialized form: header, metadata, weights (aligned), all covered by a CRC-32.
std::vector<uint8_t> serialize(const Plan& plan);
// Throws kiln::Error (kINVALID_PLAN) naming the section at fault; checks every size, offset and index.
Plan deserialize(const void* data, size_t size);

}  // namespace kiln::plan
