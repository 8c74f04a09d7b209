// `kiln run`: load or build a plan, feed inputs (.npy or random) in host or device memory as the plan wants, run,
// time, and save outputs.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <new>
#include <random>

#include "commands.h"
#include "file_io.h"
#include "io_buffer.h"
#include "npy.h"
#include "onnx_build.h"
#include "percentile.h"
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
  bool verbose = false;
};

// The values of a shape input as an int32/int64 array of the input's static shape.
NpyArray shapeInputValues(DataType type, const Dims& dims, const Dims& values, const std::string& name) {
  if (values.nbDims != dims.volume())
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                "shape input of " + std::to_string(dims.volume()) + " values given " + std::to_string(values.nbDims),
                name);
  NpyArray a{type, dims, std::vector<uint8_t>(static_cast<size_t>(dims.volume()) * dataTypeSize(type))};
  for (int32_t i = 0; i < values.nbDims; ++i) {
    if (type == DataType::kINT32) {
      auto v = static_cast<int32_t>(values.d[i]);
      std::memcpy(a.bytes.data() + i * sizeof v, &v, sizeof v);
    } else {
      std::memcpy(a.bytes.data() + i * sizeof(int64_t), &values.d[i], sizeof(int64_t));
    }
  }
  return a;
}

// Deterministic stand-in data: floats in [-1, 1], integers in [0, 4), bools alternating.
NpyArray randomInput(DataType type, const Dims& dims, uint32_t seed) {
  NpyArray a{type, dims, std::vector<uint8_t>(static_cast<size_t>(dims.volume()) * dataTypeSize(type))};
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (int64_t i = 0; i < dims.volume(); ++i) {
    switch (type) {
      case DataType::kFLOAT: reinterpret_cast<float*>(a.bytes.data())[i] = uniform(rng); break;
      case DataType::kDOUBLE: reinterpret_cast<double*>(a.bytes.data())[i] = uniform(rng); break;
      case DataType::kINT32: reinterpret_cast<int32_t*>(a.bytes.data())[i] = static_cast<int32_t>(rng() % 4); break;
      case DataType::kINT64: reinterpret_cast<int64_t*>(a.bytes.data())[i] = static_cast<int64_t>(rng() % 4); break;
      case DataType::kBOOL: a.bytes[i] = i % 2; break;
      default: a.bytes[i * dataTypeSize(type)] = static_cast<uint8_t>(rng() % 4); break;
    }
  }
  return a;
}

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

// Every input an option names must be one of the plan's; the error lists the inputs it has.
template <typename Value>
void checkInputNames(const Engine& engine, const std::map<std::string, Value>& named, const std::string& flag) {
  for (const auto& [name, value] : named) {
    if (engine.getTensorIOMode(name.c_str()) == TensorIOMode::kINPUT) continue;
    std::string inputs;
    for (int32_t i = 0; i < engine.getNbIOTensors(); ++i)
      if (engine.getTensorIOMode(engine.getIOTensorName(i)) == TensorIOMode::kINPUT)
        inputs += (inputs.empty() ? "" : ", ") + std::string(engine.getIOTensorName(i));
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                flag + " names an input the plan does not have (its inputs: " + inputs + ")", name);
  }
}

// Sets an input's shape before any memory is allocated for it; a refusal (rank, profile) says where the shape came
// from.
void setInputShape(ExecutionContext& context, const std::string& name, const Dims& dims, const std::string& source) {
  Status status = context.setInputShape(name.c_str(), dims);
  if (!status) throw Error(status.error().code(), status.error().message() + " (" + source + ")", name);
}

// An input's data from its .npy file: the file's type must be the input's, and --shapes, when it names the input
// too, must agree with the file.
NpyArray fileInput(const Engine& engine, const std::string& name, const std::string& file,
                   const std::map<std::string, Dims>& shapes) {
  NpyArray array = readNpy(file);
  DataType type = engine.getTensorDataType(name.c_str());
  if (array.type != type)
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                std::string("the file holds ") + dataTypeName(array.type) + " values but input '" + name + "' takes " +
                    dataTypeName(type),
                file);
  auto given = shapes.find(name);
  if (given == shapes.end()) return array;
  if (engine.isShapeInferenceIO(name.c_str())) {
    NpyArray values = shapeInputValues(type, engine.getTensorShape(name.c_str()), given->second, name);
    if (values.dims == array.dims && values.bytes == array.bytes) return array;
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                "--shapes gives the values " + toString(given->second) + " but " + file + " holds others", name);
  }
  if (!(given->second == array.dims))
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                "--shapes gives " + toString(given->second) + " but " + file + " holds " + toString(array.dims), name);
  return array;
}

// An input's data: its .npy file, a shape input's values from --shapes, or seeded stand-in values at the shape from
// --shapes or the plan. The shape is set on the context (and checked against the profile) before the data is made.
NpyArray inputData(const Engine& engine, ExecutionContext& context, int32_t index,
                   const std::map<std::string, std::string>& files, const std::map<std::string, Dims>& shapes) {
  std::string name = engine.getIOTensorName(index);
  DataType type = engine.getTensorDataType(name.c_str());
  if (auto file = files.find(name); file != files.end()) {
    NpyArray array = fileInput(engine, name, file->second, shapes);
    setInputShape(context, name, array.dims, "the shape of " + file->second);
    return array;
  }
  Dims dims = engine.getTensorShape(name.c_str());
  auto given = shapes.find(name);
  if (engine.isShapeInferenceIO(name.c_str())) {
    if (given == shapes.end())
      throw Error(ErrorCode::kINVALID_ARGUMENT,
                  "is a shape input: give its values with --shapes (e.g. " + name + ":2x3x4) or --loadInputs", name);
    setInputShape(context, name, dims, "the plan's shape");
    return shapeInputValues(type, dims, given->second, name);
  }
  if (given != shapes.end()) dims = given->second;
  if (dims.hasDynamic())
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                "input has dynamic dimensions " + toString(dims) + "; give its shape with --shapes or --loadInputs",
                name);
  setInputShape(context, name, dims, given == shapes.end() ? "the plan's shape" : "given by --shapes");
  try {
    return randomInput(type, dims, static_cast<uint32_t>(index + 1));
  } catch (const std::bad_alloc&) {
    throw Error(ErrorCode::kRUNTIME, "out of host memory for its data at shape " + toString(dims), name);
  }
}

// Memory for one IO tensor where the engine reads it: the device for a GPU plan, except shape inputs, whose values
// every backend reads from the host.
samples::IoBuffer ioBuffer(const Engine& engine, const std::string& name, size_t bytes) {
  return samples::IoBuffer(name, bytes, engine.isDeviceMemory() && !engine.isShapeInferenceIO(name.c_str()));
}

struct BoundTensor {
  DataType type;
  Dims dims;
  samples::IoBuffer buffer;
};

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
    request.profiles.push_back({shapes, shapes, shapes});
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
  std::map<std::string, BoundTensor> inputs, outputs;
  for (int32_t i = 0; i < engine->getNbIOTensors(); ++i) {
    std::string name = engine->getIOTensorName(i);
    if (engine->getTensorIOMode(name.c_str()) != TensorIOMode::kINPUT) continue;
    NpyArray array = inputData(*engine, *context, i, files, shapes);
    samples::IoBuffer buffer = ioBuffer(*engine, name, array.bytes.size());
    if (!array.bytes.empty()) std::memcpy(buffer.host(), array.bytes.data(), array.bytes.size());
    buffer.toDevice();
    context->setTensorAddress(name.c_str(), buffer.binding()).check();
    inputs.emplace(name, BoundTensor{array.type, array.dims, std::move(buffer)});
  }
  context->inferShapes().check();
  for (int32_t i = 0; i < engine->getNbIOTensors(); ++i) {
    std::string name = engine->getIOTensorName(i);
    if (engine->getTensorIOMode(name.c_str()) != TensorIOMode::kOUTPUT) continue;
    DataType type = engine->getTensorDataType(name.c_str());
    Dims dims = context->getTensorShape(name.c_str());
    if (dims.nbDims < 0 || dims.hasDynamic())
      throw Error(ErrorCode::kUNSUPPORTED, "output shape " + toString(dims) + " is not known before the run", name);
    samples::IoBuffer buffer = ioBuffer(*engine, name, static_cast<size_t>(dims.volume()) * dataTypeSize(type));
    context->setTensorAddress(name.c_str(), buffer.binding()).check();
    outputs.emplace(name, BoundTensor{type, dims, std::move(buffer)});
  }
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
    out.buffer.toHost();
    const auto* bytes = out.buffer.hostAs<uint8_t>();
    std::string file = (std::filesystem::path(o.saveOutputs) / npyFileName(name)).string();
    writeNpy(file, NpyArray{out.type, out.dims, std::vector<uint8_t>(bytes, bytes + out.buffer.size())});
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
  cmd->add_flag("-v,--verbose", o->verbose, "Log in detail");
  cmd->callback([o] { run(*o); });
}

}  // namespace kiln::cli
