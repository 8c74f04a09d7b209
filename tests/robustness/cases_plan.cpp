// Bad plans: damaged files, plans of another version or backend, and forged plans (one metadata field changed and
// the checksum recomputed). Each is refused with one line naming the plan section, tensor or step at fault.
#include <algorithm>
#include <cstring>

#include "bad_input_case.h"
#include "onnx_model_builder.h"
#include "ops/indexing.h"
#include "ops/pooling.h"
#include "ops/shape.h"
#include "plan_forger.h"

namespace kiln::robustness {
namespace {

using test::forgePlan;

const std::vector<uint8_t>& planNamed(const char* name) {
  for (const auto& plan : test::forgeablePlans())
    if (std::string(plan.name) == name) return plan.bytes;
  throw std::logic_error(std::string("no forgeable plan named ") + name);
}
const std::vector<uint8_t>& convolutionPlan() { return planNamed("convolution and pooling"); }
const std::vector<uint8_t>& concatenationPlan() { return planNamed("concatenation and gather"); }
const std::vector<uint8_t>& reshapePlan() { return planNamed("reshape by a shape tensor"); }
const std::vector<uint8_t>& shapeInputPlan() { return planNamed("reshape by a shape input"); }
const std::vector<uint8_t>& matrixPlan() { return planNamed("matrix multiply and broadcast"); }

Refusal load(const std::vector<uint8_t>& bytes) {
  return errorOf([&] { Runtime().deserialize(bytes); });
}

// `kiln run --loadEngine` on the bytes, written to a file of the case's own.
Refusal runFile(const std::string& caseName, const std::vector<uint8_t>& bytes) {
  auto path = writeFile(scratchDir(caseName) / "model.plan", std::string(bytes.begin(), bytes.end()));
  return kilnCommandError({"run", "--loadEngine", path.string()});
}

std::vector<uint8_t> flipped(std::vector<uint8_t> bytes, size_t at) {
  bytes.at(at) ^= 0x10;
  return bytes;
}

std::vector<uint8_t> withVersion(std::vector<uint8_t> bytes, uint32_t version) {
  std::memcpy(bytes.data() + 8, &version, 4);
  return bytes;
}

// Header fields (docs/plan-format.md).
uint64_t headerField(const std::vector<uint8_t>& bytes, size_t at) {
  uint64_t v;
  std::memcpy(&v, bytes.data() + at, 8);
  return v;
}
uint64_t metadataOffset(const std::vector<uint8_t>& bytes) { return headerField(bytes, 32); }
uint64_t weightsOffset(const std::vector<uint8_t>& bytes) { return headerField(bytes, 48); }

std::vector<uint8_t> cut(const std::vector<uint8_t>& bytes, uint64_t size) {
  return std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
}

// The plan with its tensor table's count (the u32 before the first tensor's name) set to `count`, the checksum of
// every byte after the 64-byte header recomputed: a count no table could hold.
std::vector<uint8_t> withTensorCount(std::vector<uint8_t> bytes, uint32_t count) {
  std::string firstName;
  forgePlan(bytes, [&](plan::Plan& p) { firstName = p.tensors.at(0).name; });
  std::vector<uint8_t> pattern(4);
  uint32_t length = static_cast<uint32_t>(firstName.size());
  std::memcpy(pattern.data(), &length, 4);
  pattern.insert(pattern.end(), firstName.begin(), firstName.end());
  auto at = std::search(bytes.begin() + static_cast<std::ptrdiff_t>(metadataOffset(bytes)), bytes.end(),
                        pattern.begin(), pattern.end());
  if (at == bytes.end()) throw std::logic_error("the first tensor's name is not in the tables");
  std::memcpy(&*(at - 4), &count, 4);
  test::resealChecksum(bytes);
  return bytes;
}

size_t stepOfType(const plan::Plan& p, LayerType type) {
  for (size_t s = 0; s < p.steps.size(); ++s)
    if (p.steps[s].type == type) return s;
  throw std::logic_error("the plan has no step of that type");
}

int32_t firstConstant(const plan::Plan& p) {
  for (size_t t = 0; t < p.tensors.size(); ++t)
    if (p.tensors[t].kind == plan::TensorKind::kCONSTANT) return static_cast<int32_t>(t);
  throw std::logic_error("the plan has no constant");
}

// A new constant expression for `value`, appended to the shape program (operands precede their nodes).
core::ExprId constantExpr(plan::Plan& p, int64_t value) {
  p.exprs.push_back({core::ExprOp::kCONST, value, -1, -1});
  return static_cast<core::ExprId>(p.exprs.size() - 1);
}

KILN_BAD_INPUT_CASES({
    {"Plan", "empty plan file", "truncated: 0 bytes is shorter than the header",
     [] { return runFile("plan_empty", {}); }},
    {"Plan", "a directory instead of a plan file", "not_a_plan|[Dd]irectory",
     [] {
       auto dir = scratchDir("plan_directory") / "not_a_plan.plan";
       std::filesystem::create_directories(dir);
       return kilnCommandError({"run", "--loadEngine", dir.string()});
     }},
    {"Plan", "an ONNX model given as a plan", "wrong magic",
     [] {
       test::OnnxModel model(17);
       model.input("x", {2, 3});
       model.floats("w", {3, 8}, test::randomFloats(24, 1));
       model.outputNode("MatMul", {"x", "w"});
       std::string onnx = model.serialized();
       return runFile("plan_onnx", std::vector<uint8_t>(onnx.begin(), onnx.end()));
     }},
    {"Plan", "truncated inside the header", "plan header.*shorter than the header",
     [] { return load(cut(convolutionPlan(), 40)); }},
    {"Plan", "truncated inside the tables", "^(?=.*plan header)(?=.*truncated or padded)",
     [] { return runFile("plan_cut_tables", cut(convolutionPlan(), metadataOffset(convolutionPlan()) + 100)); }},
    {"Plan", "truncated inside the weights", "plan header.*truncated or padded",
     [] { return load(cut(convolutionPlan(), weightsOffset(convolutionPlan()) + 100)); }},
    {"Plan", "a bit flipped in the header's checksum", "checksum mismatch",
     [] { return load(flipped(convolutionPlan(), 25)); }},
    {"Plan", "a bit flipped in the tables", "checksum mismatch",
     [] { return runFile("plan_flip_tables", flipped(convolutionPlan(), metadataOffset(convolutionPlan()) + 20)); }},
    {"Plan", "a bit flipped in the weights", "checksum mismatch",
     [] { return load(flipped(convolutionPlan(), weightsOffset(convolutionPlan()) + 8)); }},
    {"Plan", "an older format version", "plan header.*format version 2 is older",
     [] { return load(withVersion(convolutionPlan(), 2)); }},
    {"Plan", "a newer format version", "^(?=.*plan header)(?=.*format version 99 is newer)",
     [] { return runFile("plan_newer", withVersion(convolutionPlan(), 99)); }},
    {"Plan", "a plan built for the CUDA backend where CUDA is not available", "backend 'cuda'",
     [] { return load(forgePlan(convolutionPlan(), [](plan::Plan& p) { p.backend = "cuda"; })); }},
    // Forged plans: the metadata changed, the checksum right.
    {"Plan", "forged: a tensor count of 15 million in a plan of a few kilobytes",
     "implausible tensor count 15000000 \\(the \\d+ bytes left hold at most \\d+\\) at byte \\d+ \\(tensors\\)",
     [] { return runFile("plan_tensor_count", withTensorCount(convolutionPlan(), 15000000)); }},
    {"Plan", "forged: a constant's dimension in the shape program no longer matches its weights",
     "Constant_.*holds \\d+ bytes but its shape of fp32 needs \\d+",
     [] {
       return load(forgePlan(convolutionPlan(), [](plan::Plan& p) {
         auto& desc = p.tensors[firstConstant(p)];
         desc.dims[0] = constantExpr(p, 5);
       }));
     }},
    {"Plan", "forged: a convolution's output type",
     "Convolution_.*step 0 \\(Convolution\\): output 0 .* is fp16 but its shape rule gives fp32",
     [] {
       return load(forgePlan(convolutionPlan(), [](plan::Plan& p) {
         p.tensors[p.steps[stepOfType(p, LayerType::kCONVOLUTION)].outputs[0]].type = DataType::kHALF;
       }));
     }},
    {"Plan", "forged: a concatenation axis beyond the inputs' rank",
     "Concatenation_.*axis 5 is out of range for rank 2",
     [] {
       return load(forgePlan(concatenationPlan(), [](plan::Plan& p) {
         p.steps[stepOfType(p, LayerType::kCONCATENATION)].attrs.set(ops::Concatenation::kAxis, 5);
       }));
     }},
    {"Plan", "forged: a constant's weights offset off the 256-byte alignment",
     "weights offset 4 is not a multiple of 256",
     [] {
       return load(forgePlan(convolutionPlan(), [](plan::Plan& p) { p.tensors[firstConstant(p)].weightsOffset += 4; }));
     }},
    {"Plan", "forged: a profile's min shape below the pooling window",
     "^(?=.*Pooling_)(?=.*window is larger than the padded input.*min shapes of profile 0)",
     [] {
       return runFile("plan_pool_min",
                      forgePlan(convolutionPlan(), [](plan::Plan& p) { p.profiles[0].inputs[0].min.d[2] = 1; }));
     }},
    {"Plan", "forged: a pooling window beyond the input, its assertion dropped",
     "Pooling_.*step 1 \\(Pooling\\):.*window",
     [] {
       return load(forgePlan(convolutionPlan(), [](plan::Plan& p) {
         p.steps[stepOfType(p, LayerType::kPOOLING)].attrs.set(ops::Pooling::kWindow, std::vector<int64_t>{2, 64});
         p.assertions.clear();
       }));
     }},
    {"Plan", "forged: gather indices of a float type", "Gather_.*indices must be int32 or int64, not fp32",
     [] {
       return load(forgePlan(concatenationPlan(), [](plan::Plan& p) {
         p.tensors[p.steps[stepOfType(p, LayerType::kGATHER)].inputs[1]].type = DataType::kFLOAT;
       }));
     }},
    {"Plan", "forged: a reshape's output shape of another element count",
     "Shuffle_.*reshape changes the number of elements",
     [] {
       return load(forgePlan(reshapePlan(), [](plan::Plan& p) {
         auto& out = p.tensors[p.steps[stepOfType(p, LayerType::kSHUFFLE)].outputs[0]];
         out.dims[0] = constantExpr(p, 4);  // [3, n, 2] after the transpose: 3 becomes 4
       }));
     }},
    {"Plan", "forged: a slice start past the end of its axis", "Slice_.*reads past the end of the axis",
     [] {
       return load(forgePlan(reshapePlan(), [](plan::Plan& p) {
         auto& step = p.steps[stepOfType(p, LayerType::kSLICE)];
         auto start = step.attrs.get(ops::Slice::kDerivedStart, {step.type, step.name, ErrorCode::kINVALID_PLAN});
         start[1] = constantExpr(p, 5);
         step.attrs.set(ops::Slice::kDerivedStart, start);
       }));
     }},
    {"Plan", "forged: a matrix multiply's fused bias of the wrong length", "MatrixMultiply_.*fused bias",
     [] {
       return load(forgePlan(matrixPlan(), [](plan::Plan& p) {
         auto& bias = p.tensors[p.steps[stepOfType(p, LayerType::kMATRIX_MULTIPLY)].inputs[2]];
         bias.dims.back() = constantExpr(p, 2);
         bias.weightsSize = 2 * 4;
       }));
     }},
    {"Plan", "forged: a network input's dimension read from another input",
     "'s'.*dimension 0 of the input is not the input's own",
     [] {
       return load(forgePlan(matrixPlan(),
                             [](plan::Plan& p) { p.tensors[p.inputs[1]].dims[0] = p.tensors[p.inputs[0]].dims[0]; }));
     }},
    {"Plan", "forged: an activation placed over its step's input in the arena",
     "ElementWise_.*overlap in the arena of profile 0",
     [] {
       return load(forgePlan(matrixPlan(), [](plan::Plan& p) {
         const auto& step = p.steps[stepOfType(p, LayerType::kELEMENTWISE)];
         auto& offsets = p.profiles[0].activationOffsets;
         offsets[step.outputs[0]] = offsets[step.inputs[0]];
       }));
     }},
    {"Plan", "forged: an activation's arena offset off its alignment",
     "memory plan.*'ElementWise_5_output_0' has arena offset \\d+ in profile 0, not a multiple of 256",
     [] {
       return load(forgePlan(matrixPlan(), [](plan::Plan& p) {
         p.profiles[0].activationOffsets[p.steps[stepOfType(p, LayerType::kELEMENTWISE)].outputs[0]] += 1;
       }));
     }},
    {"Plan", "forged: a profile's opt shape above its max", "'x'.*profile 0 has an inconsistent range",
     [] { return load(forgePlan(matrixPlan(), [](plan::Plan& p) { p.profiles[0].inputs[0].opt.d[0] = 99; })); }},
    {"Plan", "forged: a shape input of a float type", "'target'.*shape input must be int32 or int64",
     [] {
       return load(forgePlan(shapeInputPlan(), [](plan::Plan& p) { p.tensors[p.inputs[1]].type = DataType::kFLOAT; }));
     }},
    {"Plan", "forged: a step given a layer type its inputs do not fit", "step 0 \\(MatrixMultiply\\)",
     [] {
       return load(
           forgePlan(concatenationPlan(), [](plan::Plan& p) { p.steps[0].type = LayerType::kMATRIX_MULTIPLY; }));
     }},
    {"Plan", "forged: the output list names an input", "output list names a tensor that is not an output",
     [] { return load(forgePlan(matrixPlan(), [](plan::Plan& p) { p.outputs[0] = p.inputs[0]; })); }},
});

}  // namespace
}  // namespace kiln::robustness
