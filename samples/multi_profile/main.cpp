// multi_profile: one engine with three optimization profiles (low latency: batch 1; dynamic batching: 1..32, opt 4;
// offline: batch 128), an execution context per profile, and each request routed to the context whose profile fits.
// Shows per-profile latency, and that changing shapes inside a profile rebuilds and reallocates nothing.

#include <cmath>
#include <iomanip>
#include <iostream>

#include "bound_io.h"
#include "device.h"
#include "kiln/kiln.h"
#include "kiln/onnx.h"
#include "mnist.h"
#include "sample_options.h"
#include "sample_report.h"
#include "timing.h"

using namespace kiln;

namespace {

struct Route {
  int32_t profile;
  ExecutionContext* context;
};

// The first profile whose batch range holds `batch` (profiles are listed from the lowest latency).
Route route(const Engine& engine, std::vector<std::unique_ptr<ExecutionContext>>& contexts, int64_t batch) {
  for (int32_t p = 0; p < engine.getNbOptimizationProfiles(); ++p)
    if (batch >= engine.getProfileShape("input", p, OptProfileSelector::kMIN).d[0] &&
        batch <= engine.getProfileShape("input", p, OptProfileSelector::kMAX).d[0])
      return {p, contexts[p].get()};
  throw Error(ErrorCode::kSHAPE_OUT_OF_RANGE, "no profile serves batch " + std::to_string(batch), "input");
}

// `batch` digits bound as the context's input, and its logits.
samples::BoundIo bind(ExecutionContext& context, const float* images, int64_t batch) {
  return samples::BoundIo(context, "input", Dims{batch, 1, 28, 28}, images, "logits");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Three optimization profiles in one engine, a context per profile, requests routed by batch size"};
  samples::SampleOptions o;
  samples::addSampleOptions(app, o, "ONNX model with a dynamic batch axis");
  CLI11_PARSE(app, argc, argv);
  samples::SampleReport report("kiln.sample_multi_profile", argc, argv);
  try {
    ConsoleLogger logger(Severity::kWARNING);
    samples::MnistSet digits = samples::loadMnistTestSet(o.dataDir);
    Builder builder(logger);
    auto network = builder.createNetwork();
    onnx::Parser(*network, logger).parseFromFile(o.model);
    BuilderConfig config;
    config.setBackend(samples::chooseBackend(o.device));
    for (auto [lo, opt, hi] : {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1}, {1, 4, 32}, {128, 128, 128}}) {
      OptimizationProfile p;
      p.setDimensions("input", OptProfileSelector::kMIN, Dims{lo, 1, 28, 28});
      p.setDimensions("input", OptProfileSelector::kOPT, Dims{opt, 1, 28, 28});
      p.setDimensions("input", OptProfileSelector::kMAX, Dims{hi, 1, 28, 28});
      config.addOptimizationProfile(p);
    }
    auto engine = Runtime(logger).deserialize(builder.buildSerializedNetwork(*network, config));
    std::vector<std::unique_ptr<ExecutionContext>> contexts;
    for (int32_t p = 0; p < engine->getNbOptimizationProfiles(); ++p) {
      contexts.push_back(engine->createExecutionContext());
      contexts.back()->setOptimizationProfile(p).check();
      std::cout << "[I] profile " << p << ": batch "
                << engine->getProfileShape("input", p, OptProfileSelector::kMIN).d[0] << ".."
                << engine->getProfileShape("input", p, OptProfileSelector::kMAX).d[0] << " (opt "
                << engine->getProfileShape("input", p, OptProfileSelector::kOPT).d[0] << "), context memory "
                << engine->getDeviceMemorySize(p) << " bytes\n";
    }
    // Reference: every digit alone through the batch-1 profile.
    std::vector<float> single;
    for (int64_t n = 0; n < 128; ++n) {
      auto out = bind(*contexts[0], digits.image(8000 + n), 1).run();
      single.insert(single.end(), out.begin(), out.end());
    }
    bool agree = true;
    std::cout << "\n[I] request  profile  median latency (ms)\n";
    for (int64_t batch : {1, 3, 4, 17, 32, 128}) {
      Route r = route(*engine, contexts, batch);
      samples::BoundIo io = bind(*r.context, digits.image(8000), batch);
      auto out = io.run();
      for (size_t i = 0; i < out.size(); ++i)
        agree &= std::fabs(out[i] - single[i]) <= 1e-4f * (1 + std::fabs(single[i]));
      // executeV2 returns once the backend (the GPU too) has finished; the buffers stay bound while `io` lives.
      double ms = samples::medianMilliseconds([&] { r.context->executeV2().check(); }, 20, 2);
      std::cout << "[I] " << std::setw(7) << batch << std::setw(9) << r.profile << std::setw(21) << std::fixed
                << std::setprecision(4) << ms << "\n";
    }
    // Inside a profile a new shape is a host-side evaluation of the shape program: no rebuild, no allocation.
    ExecutionContext& dynamic = *contexts[1];
    int64_t b = 1;
    double setShapeMs = samples::medianMilliseconds(
        [&] {
          b = b % 32 + 1;
          dynamic.setInputShape("input", Dims{b, 1, 28, 28}).check();
          dynamic.inferShapes().check();
        },
        200, 10);
    std::cout << "\n[I] changing the batch inside profile 1 (setInputShape + inferShapes): median "
              << std::setprecision(4) << setShapeMs * 1000
              << " us, the engine built once, the context's memory unchanged (" << engine->getDeviceMemorySize(1)
              << " bytes)\n"
              << "[I] routed results equal single-digit results: " << (agree ? "yes" : "NO") << "\n";
    return report.finish(agree);
  } catch (const Error& e) {
    std::cout << "[E] " << e.what() << "\n";
    return report.finish(false);
  }
}
