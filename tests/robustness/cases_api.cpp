// Misuse of the C++ API: each call fails with a kiln::Error or a failed Status naming the tensor, profile or object
// at fault, and leaves the engine and context usable.
#include <thread>

#include "bad_input_case.h"
#include "test_util.h"

namespace kiln::robustness {
namespace {

// y = relu(x) for x[-1, 4] with batch 1..8.
std::unique_ptr<NetworkDefinition> reluNetwork() {
  auto network = std::make_unique<NetworkDefinition>();
  Tensor* x = network->addInput("x", DataType::kFLOAT, Dims{-1, 4});
  Tensor* y = network->addActivation(*x, ActivationType::kRELU)->getOutput(0);
  y->setName("y");
  network->markOutput(*y);
  return network;
}

const Engine& reluEngine() {
  static std::unique_ptr<Engine> engine = [] {
    auto network = reluNetwork();
    BuilderConfig config;
    config.addOptimizationProfile(test::profileFor("x", Dims{1, 4}, Dims{2, 4}, Dims{8, 4}));
    return test::buildEngine(*network, config);
  }();
  return *engine;
}

// The error a build of the relu network with this profile raises.
Refusal buildError(const Dims& min, const Dims& opt, const Dims& max, const char* input = "x") {
  return errorOf([&] {
    auto network = reluNetwork();
    BuilderConfig config;
    config.addOptimizationProfile(test::profileFor(input, min, opt, max));
    Builder().buildSerializedNetwork(*network, config);
  });
}

// Calls reportLayerTime while the context is inside executeV2: the moment to try the context from another thread.
class SecondThreadDuringRun : public Profiler {
 public:
  explicit SecondThreadDuringRun(ExecutionContext& context) : context_(context) {}
  void reportLayerTime(const char*, float) override {
    if (tried_) return;
    tried_ = true;
    std::thread other([&] { status_ = context_.setInputShape("x", Dims{3, 4}); });
    other.join();
  }
  const Status& status() const { return status_; }

 private:
  ExecutionContext& context_;
  bool tried_ = false;
  Status status_;
};

KILN_BAD_INPUT_CASES({
    {"API misuse", "null tensor address", "'x'.*address is null",
     [] { return errorOf(reluEngine().createExecutionContext()->setTensorAddress("x", nullptr)); }},
    {"API misuse", "address not aligned to the element size", "'x'.*aligned",
     [] {
       static float storage[8];
       auto* misaligned = reinterpret_cast<char*>(storage) + 1;
       return errorOf(reluEngine().createExecutionContext()->setTensorAddress("x", misaligned));
     }},
    {"API misuse", "address for a name that is no IO tensor", "'z'.*no IO tensor",
     [] {
       float storage[4];
       return errorOf(reluEngine().createExecutionContext()->setTensorAddress("z", storage));
     }},
    {"API misuse", "null tensor name", "\\(null\\)",
     [] {
       return errorOf(reluEngine().createExecutionContext()->setInputShape(nullptr, Dims{1, 4}));
     }},
    {"API misuse", "input shape of the wrong rank", "'x'.*rank 3.*rank 2",
     [] {
       return errorOf(reluEngine().createExecutionContext()->setInputShape("x", Dims{1, 4, 1}));
     }},
    {"API misuse", "input shape outside the profile", "'x'.*outside optimization profile 0",
     [] {
       return errorOf(reluEngine().createExecutionContext()->setInputShape("x", Dims{9, 4}));
     }},
    {"API misuse", "profile index that does not exist", "profile 3 does not exist",
     [] { return errorOf(reluEngine().createExecutionContext()->setOptimizationProfile(3)); }},
    {"API misuse", "run before the input shape is set", "'x'",
     [] { return errorOf(reluEngine().createExecutionContext()->executeV2()); }},
    {"API misuse", "run before the addresses are bound", "'x'.*no address is bound",
     [] {
       auto context = reluEngine().createExecutionContext();
       if (!context->setInputShape("x", Dims{2, 4})) return Refusal{};
       return errorOf(context->executeV2());
     }},
    {"API misuse", "a context used from two threads at once", "in use by another thread",
     [] {
       auto context = reluEngine().createExecutionContext();
       float in[8] = {}, out[8] = {};
       if (!context->setInputShape("x", Dims{2, 4}) || !context->setTensorAddress("x", in) ||
           !context->setTensorAddress("y", out))
         return Refusal{};
       SecondThreadDuringRun profiler(*context);
       context->setProfiler(&profiler);
       if (!context->executeV2()) return Refusal{};
       return errorOf(profiler.status());
     }},
    {"API misuse", "plan pointer null with a size", "null|plan",
     [] { return errorOf([] { Runtime().deserialize(nullptr, 64); }); }},
    {"API misuse", "plan of zero bytes", "plan",
     [] { return errorOf([] { Runtime().deserialize(std::vector<uint8_t>{}); }); }},
    {"API misuse", "profile min above max", "'x'",
     [] {
       return buildError(Dims{4, 4}, Dims{4, 4}, Dims{2, 4});
     }},
    {"API misuse", "profile opt outside [min, max]", "'x'",
     [] {
       return buildError(Dims{1, 4}, Dims{9, 4}, Dims{8, 4});
     }},
    {"API misuse", "profile for an input the network lacks", "'nosuch'",
     [] {
       return buildError(Dims{1, 4}, Dims{2, 4}, Dims{8, 4}, "nosuch");
     }},
    {"API misuse", "profile shape of the wrong rank", "'x'",
     [] {
       return buildError(Dims{1, 4, 1}, Dims{1, 4, 1}, Dims{1, 4, 1});
     }},
    {"API misuse", "profile shape contradicting a static dimension", "'x'",
     [] {
       return buildError(Dims{1, 5}, Dims{1, 5}, Dims{1, 5});
     }},
    {"API misuse", "build without a profile for a dynamic input", "'x'",
     [] {
       return errorOf([] {
         auto network = reluNetwork();
         Builder().buildSerializedNetwork(*network, BuilderConfig());
       });
     }},
    {"API misuse", "a backend that does not exist", "tpu",
     [] {
       return errorOf([] {
         auto network = reluNetwork();
         BuilderConfig config;
         config.setBackend("tpu");
         config.addOptimizationProfile(test::profileFor("x", Dims{1, 4}, Dims{2, 4}, Dims{8, 4}));
         Builder().buildSerializedNetwork(*network, config);
       });
     }},
    {"API misuse", "network without outputs", "output",
     [] {
       return errorOf([] {
         NetworkDefinition network;
         network.addInput("x", DataType::kFLOAT, Dims{2, 4});
         Builder().buildSerializedNetwork(network, BuilderConfig());
       });
     }},
    {"API misuse", "two network inputs of one name", "'x'",
     [] {
       return errorOf([] {
         NetworkDefinition network;
         network.addInput("x", DataType::kFLOAT, Dims{2, 4});
         network.addInput("x", DataType::kFLOAT, Dims{2, 4});
       });
     }},
    {"API misuse", "timing cache of random bytes", "timing cache",
     [] { return errorOf([] { TimingCache::deserialize("not a timing cache", 18); }); }},
});

}  // namespace
}  // namespace kiln::robustness
