// `kiln run`: load or build a plan, feed inputs (.npy or random), run, time, and save outputs.
#include <algorithm>
#include <cmath>
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <cstring>
#include <random>

#include "commands.h"
#include "npy.h"
#include "onnx_build.h"
#include "shapes.h"

namespace kiln::cli {

namespace {

struct RunOptions {
  std::string loadEngine, onnx, shapes, loadInputs, saveOutputs, backend = "cpu";
  int iterations = 10, warmUp = 2;
  bool verbose = false;
};

// Deterministic stand-in data: floats in [-1, 1], integers in [0, 4), bools alternating.
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

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
  return v[std::min(i, v.size() - 1)];
}

void run(const RunOptions& o) {
  ConsoleLogger logger(o.verbose ? Severity::kVERBOSE : Severity::kWARNING);
  if (o.loadEngine.empty() == o.onnx.empty())
    throw Error(ErrorCode::kINVALID_ARGUMENT, "give exactly one of --loadEngine and --onnx", "kiln run");
  auto shapes = parseShapes(o.shapes, "--shapes");
  std::vector<uint8_t> plan;
  if (!o.onnx.empty()) {
    // As trtexec: --shapes with --onnx builds one profile with min = opt = max.
    BuildRequest request;
    request.onnxPath = o.onnx;
    request.backend = o.backend;
    request.profiles.push_back({shapes, shapes, shapes});
    plan = buildFromOnnx(request, logger);
  } else {
    plan = readBinaryFile(o.loadEngine);
  }
  auto engine = Runtime(logger).deserialize(plan);
  // The command binds host buffers; device IO (samples/common/io_buffer.h shows how) is not wired in here yet.
  if (engine->isDeviceMemory())
    throw Error(ErrorCode::kUNSUPPORTED,
                "plans for a GPU backend cannot be run by `kiln run` yet (their inputs and outputs live in device "
                "memory); the samples and the C++ API run them",
                "kiln run");
  auto context = engine->createExecutionContext();
  auto files = parseNamedPaths(o.loadInputs, "--loadInputs");
  std::map<std::string, NpyArray> inputs;
  for (int32_t i = 0; i < engine->getNbIOTensors(); ++i) {
    std::string name = engine->getIOTensorName(i);
    if (engine->getTensorIOMode(name.c_str()) != TensorIOMode::kINPUT) continue;
    NpyArray array;
    DataType type = engine->getTensorDataType(name.c_str());
    if (files.count(name)) {
      array = readNpy(files[name]);
      if (array.type != type)
        throw Error(ErrorCode::kINVALID_ARGUMENT,
                    std::string("the file holds ") + dataTypeName(array.type) + " but the input is " + dataTypeName(type),
                    files[name]);
    } else if (engine->isShapeInferenceIO(name.c_str())) {
      // A shape input's --shapes entry gives its values.
      if (!shapes.count(name))
        throw Error(ErrorCode::kINVALID_ARGUMENT,
                    "is a shape input: give its values with --shapes (e.g. " + name + ":2x3x4) or --loadInputs", name);
      array = shapeInputValues(type, engine->getTensorShape(name.c_str()), shapes[name], name);
    } else {
      Dims dims = engine->getTensorShape(name.c_str());
      if (shapes.count(name)) dims = shapes[name];
      if (dims.hasDynamic())
        throw Error(ErrorCode::kINVALID_ARGUMENT,
                    "input has dynamic dimensions " + toString(dims) + "; give its shape with --shapes or --loadInputs",
                    name);
      array = randomInput(type, dims, static_cast<uint32_t>(i + 1));
    }
    if (array.bytes.empty()) array.bytes.resize(1);
    context->setInputShape(name.c_str(), array.dims).check();
    context->setTensorAddress(name.c_str(), array.bytes.data()).check();
    inputs[name] = std::move(array);
  }
  context->inferShapes().check();
  std::map<std::string, NpyArray> outputs;
  for (int32_t i = 0; i < engine->getNbIOTensors(); ++i) {
    std::string name = engine->getIOTensorName(i);
    if (engine->getTensorIOMode(name.c_str()) != TensorIOMode::kOUTPUT) continue;
    NpyArray& out = outputs[name];
    out.type = engine->getTensorDataType(name.c_str());
    out.dims = context->getTensorShape(name.c_str());
    out.bytes.resize(std::max<size_t>(1, static_cast<size_t>(out.dims.volume()) * dataTypeSize(out.type)));
    context->setTensorAddress(name.c_str(), out.bytes.data()).check();
  }
  for (int i = 0; i < o.warmUp; ++i) context->executeV2().check();
  std::vector<double> ms;
  for (int i = 0; i < std::max(1, o.iterations); ++i) {
    auto t0 = std::chrono::steady_clock::now();
    context->executeV2().check();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  for (const auto& [name, in] : inputs) std::cout << "Input  " << name << ": " << toString(in.dims) << "\n";
  for (auto& [name, out] : outputs) {
    out.bytes.resize(static_cast<size_t>(out.dims.volume()) * dataTypeSize(out.type));
    std::cout << "Output " << name << ": " << toString(out.dims) << " " << dataTypeName(out.type) << "\n";
    if (!o.saveOutputs.empty()) {
      std::filesystem::create_directories(o.saveOutputs);
      std::string file = (std::filesystem::path(o.saveOutputs) / (name + ".npy")).string();
      writeNpy(file, out);
      std::cout << "  saved " << file << "\n";
    }
  }
  double median = percentile(ms, 0.5);
  std::cout << std::fixed << std::setprecision(4) << "Latency over " << ms.size() << " runs (" << o.warmUp
            << " warm-up, " << engine->getBackendName() << "): min " << *std::min_element(ms.begin(), ms.end())
            << " ms, median " << median << " ms, p99 " << percentile(ms, 0.99) << " ms, max "
            << *std::max_element(ms.begin(), ms.end()) << " ms\n"
            << "Throughput: " << std::setprecision(1) << 1000.0 / median << " inferences/s\n";
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
  cmd->add_option("--iterations", o->iterations, "Timed runs")->check(CLI::PositiveNumber);
  cmd->add_option("--warmUp", o->warmUp, "Untimed runs first")->check(CLI::NonNegativeNumber);
  cmd->add_option("--backend", o->backend, "Backend when building from --onnx")->check(CLI::IsMember({"cpu", "cuda"}));
  cmd->add_flag("-v,--verbose", o->verbose, "Log in detail");
  cmd->callback([o] { run(*o); });
}

}  // namespace kiln::cli
