// mlp_dynamic_batch: SimpleMLP 784-32-10 exported with a dynamic batch axis, built as a dynamic engine (profile
// min 1 / opt 32 / max 64) and as a static engine (batch 32); buffers sized from the context's resolved output
// shape; both engines timed per batch size, and their answers checked against each other and the labels.

#include <cmath>
#include <fstream>
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

// As seed 004 does, both builds share a timing cache: the static engine's layers have the dynamic engine's opt
// shapes, so their tactic timings come from the cache instead of being made again.
std::unique_ptr<Engine> buildEngine(const std::string& model, const std::string& backend, Dims min, Dims opt, Dims max,
                                    TimingCache& cache, Logger& logger) {
  Builder builder(logger);
  auto network = builder.createNetwork();
  onnx::Parser(*network, logger).parseFromFile(model);
  BuilderConfig config;
  config.setBackend(backend);
  config.setTimingCache(&cache);
  OptimizationProfile profile;
  profile.setDimensions("input", OptProfileSelector::kMIN, min);
  profile.setDimensions("input", OptProfileSelector::kOPT, opt);
  profile.setDimensions("input", OptProfileSelector::kMAX, max);
  config.addOptimizationProfile(profile);
  auto engine = Runtime(logger).deserialize(builder.buildSerializedNetwork(*network, config));
  std::cout << "[I] built for batch " << min.d[0] << ".." << max.d[0] << ": " << cache.misses()
            << " tactic timings made, " << cache.hits() << " taken from the timing cache\n";
  return engine;
}

TimingCache loadTimingCache(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (path.empty() || !in) return {};
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return TimingCache::deserialize(bytes.data(), bytes.size());
}

void saveTimingCache(const TimingCache& cache, const std::string& path) {
  if (path.empty()) return;
  auto bytes = cache.serialize();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw Error(ErrorCode::kIO, "cannot write the timing cache", path);
  std::cout << "[I] timing cache saved to " << path << " (" << cache.size() << " entries)\n";
}

// Runs `batch` digits starting at `first`; the output buffer is sized from the context's resolved shape. The timing
// is of executeV2, which returns once the backend (the GPU too) has finished.
std::vector<float> infer(ExecutionContext& context, const samples::MnistSet& digits, int64_t first, int64_t batch,
                         double* medianMs) {
  samples::BoundIo io(context, "input", Dims{batch, 784}, digits.image(first), "output");
  std::vector<float> output = io.run();
  if (medianMs) *medianMs = samples::medianMilliseconds([&] { context.executeV2().check(); });
  return output;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"SimpleMLP with a dynamic batch: a dynamic and a static engine, timed per batch size"};
  samples::SampleOptions o;
  o.model = KILN_SAMPLES_DIR "/models/simple_mlp.onnx";
  samples::addSampleOptions(app, o, "SimpleMLP exported with a dynamic batch axis");
  std::string timingCacheFile = "mlp_dynamic_batch.timing_cache";
  app.add_option("--timingCacheFile", timingCacheFile,
                 "Tactic timings: reused from this file when it exists, saved to it afterwards ('' for none)");
  CLI11_PARSE(app, argc, argv);
  samples::SampleReport report("kiln.sample_mlp_dynamic_batch", argc, argv);
  try {
    ConsoleLogger logger(Severity::kWARNING);
    std::string backend = samples::chooseBackend(o.device);
    samples::MnistSet digits = samples::loadMnistTestSet(o.dataDir);
    TimingCache cache = loadTimingCache(timingCacheFile);
    auto dynamicEngine = buildEngine(o.model, backend, Dims{1, 784}, Dims{32, 784}, Dims{64, 784}, cache, logger);
    auto staticEngine = buildEngine(o.model, backend, Dims{32, 784}, Dims{32, 784}, Dims{32, 784}, cache, logger);
    saveTimingCache(cache, timingCacheFile);
    auto dynamicContext = dynamicEngine->createExecutionContext();
    auto staticContext = staticEngine->createExecutionContext();
    std::cout << "[I] Dynamic engine: input " << toString(dynamicEngine->getTensorShape("input")) << ", profile "
              << toString(dynamicEngine->getProfileShape("input", 0, OptProfileSelector::kMIN)) << " .. "
              << toString(dynamicEngine->getProfileShape("input", 0, OptProfileSelector::kMAX)) << "\n"
              << "[I] Static engine:  input fixed at "
              << toString(staticEngine->getProfileShape("input", 0, OptProfileSelector::kOPT)) << "\n\n"
              << "[I] batch   dynamic engine (ms)   static engine (ms)   ms per digit (dynamic)\n";
    bool consistent = true;
    int64_t correct = 0, seen = 0;
    for (int64_t batch : {1, 8, 32, 64}) {
      double dynamicMs = 0, staticMs = -1;
      auto out = infer(*dynamicContext, digits, 8000, batch, &dynamicMs);
      if (batch == 32) {
        auto reference = infer(*staticContext, digits, 8000, batch, &staticMs);
        for (size_t i = 0; i < out.size(); ++i) consistent &= std::fabs(out[i] - reference[i]) <= 1e-5f;
      }
      std::cout << "[I] " << std::setw(5) << batch << std::fixed << std::setprecision(4) << std::setw(22) << dynamicMs
                << std::setw(21) << (staticMs < 0 ? std::string("-") : std::to_string(staticMs).substr(0, 6))
                << std::setw(25) << dynamicMs / batch << "\n";
      if (batch == 64)
        for (int64_t n = 0; n < batch; ++n, ++seen) {
          std::array<float, 10> logits;
          std::copy(out.begin() + n * 10, out.begin() + n * 10 + 10, logits.begin());
          correct += samples::argmax(logits) == digits.labels[8000 + n];
        }
    }
    // A batch outside the profile is refused, naming the range.
    Status outside = dynamicContext->setInputShape("input", Dims{65, 784});
    std::cout << "\n[I] batch 65: " << (outside.isOk() ? "accepted" : outside.error().what()) << "\n"
              << "[I] dynamic and static engines agree at batch 32: " << (consistent ? "yes" : "NO") << "\n"
              << "[I] correct on held-out digits 8000-8063: " << correct << " / " << seen << "\n";
    return report.finish(consistent && !outside.isOk() && correct >= seen * 85 / 100);
  } catch (const Error& e) {
    std::cout << "[E] " << e.what() << "\n";
    return report.finish(false);
  }
}
