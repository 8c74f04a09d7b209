// Sizes and memory: shapes, profiles and files whose sizes overflow 64 bits or exceed the machine's memory, and
// integer arithmetic between constants with no defined result. Each is refused with an error naming the tensor, the
// layer or the input, before anything is allocated for it.
#include <limits>

#include "bad_input_case.h"
#include "cpu_backend_wrapper.h"
#include "kiln/onnx.h"
#include "onnx_model_builder.h"

namespace kiln::robustness {
namespace {

using test::OnnxModel;
using test::TensorProto;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

// y = relu(relu(x)) with x of [-1, 4], built with a batch of up to `maxBatch`.
Refusal buildTwoRelus(int64_t maxBatch) {
  return errorOf([&] {
    auto network = test::makeNetwork();
    Tensor* x = network->addInput("x", DataType::kFLOAT, Dims{-1, 4});
    auto* first = network->addActivation(*x, ActivationType::kRELU);
    auto* second = network->addActivation(*first->getOutput(0), ActivationType::kRELU);
    network->markOutput(*second->getOutput(0));
    test::buildWithProfile(*network, test::profileFor("x", Dims{1, 4}, Dims{1, 4}, Dims{maxBatch, 4}));
  });
}

// a op b for two int64 constants, built.
Refusal buildConstantArithmetic(int64_t a, int64_t b, ElementWiseOperation op) {
  return errorOf([&] {
    auto network = test::makeNetwork();
    auto* layer = network->addElementWise(*test::int64Constant(*network, {a}), *test::int64Constant(*network, {b}), op);
    layer->setName("constant arithmetic");
    network->markOutput(*layer->getOutput(0));
    test::buildEngine(*network, BuilderConfig());
  });
}

Refusal importAndBuild(const OnnxModel& model) {
  return errorOf([&] {
    auto network = model.import();
    test::buildEngine(*network, BuilderConfig());
  });
}

// y = x + w over x[2, 3], with the initializer w given by the caller.
Refusal importWithInitializer(const TensorProto& w) {
  OnnxModel model(17);
  model.input("x", {2, 3});
  model.initializer(w);
  model.outputNode("Add", {"x", "w"});
  return importAndBuild(model);
}

// The CPU backend with allocations above 1 KiB failing.
const bool registered = [] {
  backend::registerBackend(std::make_unique<test::LimitedMemoryBackend>("small-memory-cpu", 1024));
  return true;
}();

KILN_BAD_INPUT_CASES({
    {"Sizes and memory", "profile max of 2^57 (more memory than the machine has)",
     "'x'.*more than the [0-9]+ bytes of the cpu backend's memory", [] { return buildTwoRelus(int64_t{1} << 57); }},
    {"Sizes and memory", "profile max of 2^60 (its byte size wrapped to 0)", "'x'.*overflows 64-bit integers",
     [] { return buildTwoRelus(int64_t{1} << 60); }},
    {"Sizes and memory", "profile max of INT64_MAX", "'x'.*overflows 64-bit integers",
     [] { return buildTwoRelus(kInt64Max); }},
    {"Sizes and memory", "input dims whose product overflows", "'x'.*more elements than 64-bit integers",
     [] {
       return errorOf([] {
         test::makeNetwork()->addInput("x", DataType::kFLOAT, Dims{int64_t{1} << 40, int64_t{1} << 40});
       });
     }},
    {"Sizes and memory", "layer whose output size overflows (concatenation of two 2^62 axes)",
     "Concatenation layer: shape arithmetic overflows 64-bit integers",
     [] {
       return errorOf([] {
         auto network = test::makeNetwork();
         Tensor* x = network->addInput("x", DataType::kFLOAT, Dims{int64_t{1} << 62});
         Tensor* both[] = {x, x};
         network->addConcatenation(both, 2);
       });
     }},
    {"Sizes and memory", "initializer dims whose product overflows", "'w'.*overflows 64-bit integers",
     [] {
       return importWithInitializer(test::tensorOfShape("w", {int64_t{1} << 40, int64_t{1} << 40}, TensorProto::FLOAT));
     }},
    {"Sizes and memory", "initializer of 2^42 elements", "'w'.*more than the [0-9]+ an initializer may have",
     [] {
       return importWithInitializer(test::tensorOfShape("w", {int64_t{1} << 21, int64_t{1} << 21}, TensorProto::FLOAT));
     }},
    {"Sizes and memory", "initializer dims of 256 GiB over 8 bytes of data", "'w'.*raw data holds 8 bytes",
     [] {
       TensorProto w = test::tensorOfShape("w", {int64_t{1} << 18, int64_t{1} << 18}, TensorProto::FLOAT);
       w.set_raw_data(std::string(8, '\0'));
       return importWithInitializer(w);
     }},
    {"Sizes and memory", "ConstantOfShape of 2^40 elements", "'y'.*4398046511104 bytes.*memory",
     [] { return importAndBuild(test::constantOfShapePlusInput({int64_t{1} << 40})); }},
    {"Sizes and memory", "ConstantOfShape of 2^40 x 2^40 elements", "Fill layer.*more elements than 64-bit integers",
     [] {
       return importAndBuild(test::constantOfShapePlusInput({int64_t{1} << 40, int64_t{1} << 40}));
     }},
    {"Sizes and memory", "INT64_MIN / -1 folded into a reshape's shape",
     "Shuffle|Reshape|negative|-9223372036854775808",
     [] {
       return errorOf([] {
         auto network = test::makeNetwork();
         Tensor* x = network->addInput("x", DataType::kFLOAT, Dims{2, 3});
         auto* quotient = network->addElementWise(*test::int64Constant(*network, {kInt64Min}),
                                                  *test::int64Constant(*network, {-1}), ElementWiseOperation::kDIV);
         ShuffleLayer* reshape = network->addShuffle(*x);
         reshape->setInput(1, *quotient->getOutput(0));
       });
     }},
    {"Sizes and memory", "integer division by zero between constants", "'constant arithmetic'.*division by zero",
     [] { return buildConstantArithmetic(7, 0, ElementWiseOperation::kDIV); }},
    {"Sizes and memory", "integer modulo by zero between constants", "'constant arithmetic'.*division by zero",
     [] { return buildConstantArithmetic(kInt64Min, 0, ElementWiseOperation::kMOD); }},
    {"Sizes and memory", "int32 shape-input value outside int32 in the profile",
     "'target'.*4294967296, outside the range of int32",
     [] {
       return errorOf([] {
         auto network = test::reshapeByShapeInput(DataType::kINT32);
         OptimizationProfile profile;
         test::setShapeValueRange(profile, "target", {1, 1, 1}, {2, 3, 4}, {24, int64_t{1} << 32, 24});
         test::buildWithProfile(*network, profile);
       });
     }},
    {"Sizes and memory", "context whose activation memory cannot be allocated",
     "'execution context'.*cannot allocate the [0-9]+ bytes of activation memory of profile 0",
     [] {
       return errorOf([] {
         auto network = test::makeNetwork();
         Tensor* x = network->addInput("x", DataType::kFLOAT, Dims{-1, 4});
         auto* first = network->addActivation(*x, ActivationType::kRELU);
         network->markOutput(*network->addActivation(*first->getOutput(0), ActivationType::kRELU)->getOutput(0));
         BuilderConfig config;
         config.setBackend("small-memory-cpu");
         config.addOptimizationProfile(test::profileFor("x", Dims{1, 4}, Dims{1, 4}, Dims{1024, 4}));
         test::buildEngine(*network, config)->createExecutionContext();
       });
     }},
    {"Sizes and memory", "kiln build with a max shape of 2^60", "'x'.*overflows 64-bit integers",
     [] {
       OnnxModel model(17);
       model.input("x", {-1, 4});
       model.outputNode("Relu", {"x"});
       auto file = writeFile(scratchDir("sizes_cli") / "relu.onnx", model.serialized());
       return kilnCommandError({"build", "--onnx", file.string(), "--minShapes", "x:1x4", "--optShapes", "x:1x4",
                                "--maxShapes", "x:1152921504606846976x4"});
     }},
});

}  // namespace
}  // namespace kiln::robustness
