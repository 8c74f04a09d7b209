// `kiln run`: load or build a plan, feed inputs (.npy or random) in host or device memory as the plan wants, run,
// time, and save outputs.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "bound_tensors.h"
#include "commands.h"
#include "file_io.h"
#include "kiln/plugin.h"
#include "npy.h"
#include "onnx_build.h"
#include "percentile.h"
#include "run_inputs.h"
#include "run_timer.h"
#include "shapes.h"
#include "step_profile.h"

namespace kiln::cli {

namespace {

// The most timed or warm-up runs one command makes: every timed run's latency is kept (8 bytes each).
constexpr int64_t kMaxRuns = 1'000'000;

struct RunOptions {
  std::string loadEngine, onnx, shapes, loadInputs, saveOutputs, exportTimes, exportProfile, backend = "cpu";
  bool dumpProfile = false;
  int64_t iterations = 10, warmUp = 2;
  std::vector<std::string> plugins;  // libraries loaded before building or loading
  bool verbose = false;
};

struct LatencySummary {
  double min, median, p99, max, throughput;  // milliseconds; throughput in inferences/s (one per median run)
};

LatencySummary summarize(const std::vector<double>& ms) {
  double median = percentile(ms, 0.5);
  return {*std::min_element(ms.begin(), ms.end()), median, percentile(ms, 0.99),
          *std::max_element(ms.begin(), ms.end()), 1000.0 / median};
}

// --exportTimes: every timed run's latency and the summary, as JSON (trtexec's flag; its per-run fields differ).
void exportTimes(const std::string& path, const std::vector<double>& ms, const LatencySummary& s, const char* backend,
                 int64_t warmUp) {
  std::ofstream out(path);
  out << std::setprecision(9) << "{\n  \"backend\": \"" << backend << "\",\n  \"warmUp\": " << warmUp
      << ",\n  \"iterations\": " << ms.size() << ",\n  \"latencyMs\": {\"min\": " << s.min
      << ", \"median\": " << s.median << ", \"p99\": " << s.p99 << ", \"max\": " << s.max
      << "},\n  \"throughputPerSecond\": " << s.throughput << ",\n  \"timesMs\": [";
  for (size_t i = 0; i < ms.size(); ++i) out << (i ? ", " : "") << ms[i];
  out << "]\n}\n";
  if (!out) throw Error(ErrorCode::kIO, "cannot write the times", path);
}

void run(const RunOptions& o) {
  ConsoleLogger logger(o.verbose ? Severity::kVERBOSE : Severity::kWARNING);
  if (o.loadEngine.empty() == o.onnx.empty())
    throw Error(ErrorCode::kINVALID_ARGUMENT, "give exactly one of --loadEngine and --onnx", "kiln run");
  auto shapes = parseShapes(o.shapes, "--shapes");
  auto files = parseNamedPaths(o.loadInputs, "--loadInputs");
  // Outputs are checked before the work that would write them.
  if (!o.saveOutputs.empty()) makeOutputFolder(o.saveOutputs, "--saveOutputs");
  if (!o.exportTimes.empty()) checkOutputFile(o.exportTimes, "--exportTimes");
  if (!o.exportProfile.empty()) checkOutputFile(o.exportProfile, "--exportProfile");
  std::vector<uint8_t> plan;
  if (!o.onnx.empty()) {
    // As trtexec: --shapes with --onnx builds one profile with min = opt = max.
    BuildRequest request;
    request.onnxPath = o.onnx;
    request.backend = o.backend;
    request.profiles.push_back({shapes, shapes, shapes, {}});
    plan = buildFromOnnx(request, logger);
  } else {
    plan = readFileBytes(o.loadEngine);
  }
  std::unique_ptr<Engine> engine;
  try {
    engine = Runtime(logger).deserialize(plan);
  } catch (const Error& e) {
    if (o.loadEngine.empty()) throw;
    rethrowNamingFile(e, o.loadEngine);
  }
  auto context = engine->createExecutionContext();
  checkInputNames(*engine, shapes, "--shapes");
  checkInputNames(*engine, files, "--loadInputs");
  std::map<std::string, BoundTensor> inputs;
  for (int32_t i = 0; i < engine->getNbIOTensors(); ++i) {
    std::string name = engine->getIOTensorName(i);
    if (engine->getTensorIOMode(name.c_str()) != TensorIOMode::kINPUT) continue;
    NpyArray array = inputData(*engine, *context, i, files, shapes, static_cast<uint32_t>(i + 1));
    inputs.emplace(name, bindInput(*engine, *context, name, array));
  }
  std::map<std::string, BoundTensor> outputs = bindOutputs(*engine, *context);
  std::vector<double> ms;
  {
    RunTimer timer(*context);
    for (int64_t i = 0; i < o.warmUp; ++i) timer.run();
    for (int64_t i = 0; i < o.iterations; ++i) ms.push_back(timer.run());
  }
  // Profiled runs come after the timed ones: timing every step waits for the device and keeps graphs out.
  StepProfile profile;
  if (o.dumpProfile || !o.exportProfile.empty()) {
    context->setProfiler(&profile);
    RunTimer timer(*context);
    for (int64_t i = 0; i < o.iterations; ++i) timer.run();
    context->setProfiler(nullptr);
  }
  for (const auto& [name, in] : inputs) std::cout << "Input  " << name << ": " << toString(in.dims) << "\n";
  for (auto& [name, out] : outputs) {
    std::cout << "Output " << name << ": " << toString(out.dims) << " " << dataTypeName(out.type) << "\n";
    if (o.saveOutputs.empty()) continue;
    std::string file = (std::filesystem::path(o.saveOutputs) / npyFileName(name)).string();
    writeNpy(file, out.toArray());
    std::cout << "  saved " << file << "\n";
  }
  LatencySummary s = summarize(ms);
  std::cout << std::fixed << std::setprecision(4) << "Latency over " << ms.size() << " runs (" << o.warmUp
            << " warm-up, " << engine->getBackendName() << "): min " << s.min << " ms, median " << s.median
            << " ms, p99 " << s.p99 << " ms, max " << s.max << " ms\n"
            << "Throughput: " << std::setprecision(1) << s.throughput << " inferences/s\n";
  if (!o.exportTimes.empty()) {
    exportTimes(o.exportTimes, ms, s, engine->getBackendName(), o.warmUp);
    std::cout << "Saved the times to " << o.exportTimes << "\n";
  }
  if (o.dumpProfile) profile.print(*engine);
  if (!o.exportProfile.empty()) {
    profile.exportJson(*engine, o.exportProfile);
    std::cout << "Saved the profile to " << o.exportProfile << "\n";
  }
}

}  // namespace

void addRunCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("run", "Run a plan (or an ONNX model built on the fly) and time it");
  auto o = std::make_shared<RunOptions>();
  cmd->add_option("--loadEngine", o->loadEngine, "Plan file to load")->check(CLI::ExistingFile);
  cmd->add_option("--onnx", o->onnx, "ONNX model to build first (one profile at --shapes)")->check(CLI::ExistingFile);
  cmd->add_option("--shapes", o->shapes, "Input shapes to run, e.g. input:4x3x224x224");
  cmd->add_option("--loadInputs", o->loadInputs, "Input data as .npy files, e.g. input:image.npy");
  cmd->add_option("--saveOutputs", o->saveOutputs, "Write each output as DIR/<name>.npy");
  cmd->add_option("--exportTimes", o->exportTimes, "Write every timed run's latency and the summary as JSON");
  cmd->add_flag("--dumpProfile", o->dumpProfile,
                "After the timed runs, profile as many more and print every step's median time");
  cmd->add_option("--exportProfile", o->exportProfile, "Write the per-step profile as JSON (implies profiled runs)");
  cmd->add_option("--iterations", o->iterations, "Timed runs (1 to " + std::to_string(kMaxRuns) + ")")
      ->check(CLI::Range(int64_t{1}, kMaxRuns));
  cmd->add_option("--warmUp", o->warmUp, "Untimed runs first (0 to " + std::to_string(kMaxRuns) + ")")
      ->check(CLI::Range(int64_t{0}, kMaxRuns));
  cmd->add_option("--backend", o->backend, "Backend when building from --onnx")->check(CLI::IsMember({"cpu", "cuda"}));
  cmd->add_option("--plugins", o->plugins, "Plugin libraries to load before building or loading the plan")
      ->check(CLI::ExistingFile);
  cmd->add_flag("-v,--verbose", o->verbose, "Log in detail");
  cmd->callback([o] {
    for (const std::string& library : o->plugins) loadPluginLibrary(library);
    run(*o);
  });
}

}  // namespace kiln::cli
