// `kiln compare`: one set of inputs through several backends (kiln's CPU and CUDA plans built from the model, ONNX
// Runtime, a saved plan), every output compared with the first backend's, as `polygraphy run` does.
#include <cmath>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>

#include "bound_tensors.h"
#include "commands.h"
#include "file_io.h"
#include "kiln/onnx.h"
#include "onnx_build.h"
#include "onnxruntime_runner.h"
#include "run_inputs.h"
#include "run_timer.h"
#include "shapes.h"
#include "tensor_comparison.h"
#include "text_parsing.h"

namespace kiln::cli {

namespace {

// The exit status of a comparison that ran and found a difference (1 is every command's status for an error).
constexpr int kMismatchExitCode = 2;

struct CompareOptions {
  std::string model, shapes, backends, loadInputs, loadEngine, markOutputs, python;
  Tolerance tolerance;
  uint32_t seed = 1;
  bool verbose = false;
};

// One entry of --backends: a kiln backend, optionally with fp16 allowed ("cpu:fp16"), or ONNX Runtime.
struct BackendSpec {
  std::string label;    // as given: "cpu", "cuda:fp16", "onnxruntime"
  std::string backend;  // "cpu", "cuda" or "onnxruntime"
  bool fp16 = false;
};

std::vector<BackendSpec> parseBackends(const std::string& text) {
  std::vector<BackendSpec> specs;
  std::set<std::string> seen;
  std::stringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    if (item.empty()) continue;
    BackendSpec spec{item, item, false};
    if (size_t colon = item.find(':'); colon != std::string::npos) {
      spec.backend = item.substr(0, colon);
      spec.fp16 = item.substr(colon + 1) == "fp16";
      if (!spec.fp16 || spec.backend == "onnxruntime")
        throw Error(ErrorCode::kINVALID_ARGUMENT,
                    "unknown backend setting " + quotedForMessage(item) + " (cpu and cuda take ':fp16')", "--backends");
    }
    if (spec.backend != "cpu" && spec.backend != "cuda" && spec.backend != "onnxruntime")
      throw Error(ErrorCode::kINVALID_ARGUMENT,
                  "unknown backend " + quotedForMessage(item) +
                      " (known: cpu, cuda, onnxruntime; cpu and cuda take ':fp16', e.g. cuda:fp16)",
                  "--backends");
    if (!seen.insert(item).second)
      throw Error(ErrorCode::kINVALID_ARGUMENT, "backend " + quotedForMessage(item) + " is named twice", "--backends");
    specs.push_back(spec);
  }
  return specs;
}

// What one backend made of the inputs.
struct Run {
  std::string label;
  bool ran = true;
  std::string skipped;  // why not, when !ran
  NamedArrays outputs;

  const NpyArray* output(const std::string& name) const {
    for (const auto& [n, array] : outputs)
      if (n == name) return &array;
    return nullptr;
  }
};

// The profile every model build gets: min = opt = max at the shapes of --shapes, and of the input files for the
// inputs --shapes leaves out (their values, for an input that turns out to be a shape input).
ProfileShapes buildShapes(const std::map<std::string, Dims>& shapes, const std::map<std::string, std::string>& files) {
  ProfileShapes profile{shapes, shapes, shapes, {}};
  for (const auto& [name, file] : files) {
    if (shapes.count(name)) continue;
    NpyArray array = readNpy(file);
    profile.min[name] = profile.opt[name] = profile.max[name] = array.dims;
    bool integer = array.type == DataType::kINT32 || array.type == DataType::kINT64;
    if (!integer || array.dims.nbDims > 1 || array.dims.volume() > Dims::MAX_DIMS) continue;
    Dims values;
    for (double v : valuesAsDoubles(array)) values.d[values.nbDims++] = static_cast<int64_t>(v);
    profile.shapeInputValues[name] = values;
  }
  return profile;
}

std::unique_ptr<Engine> loadPlan(const std::string& path, Logger& logger) {
  auto bytes = readFileBytes(path);
  try {
    return Runtime(logger).deserialize(bytes);
  } catch (const Error& e) {
    rethrowNamingFile(e, path);
  }
}

// The inputs every backend gets, made with the first plan's context (each shape checked against its profile): in
// that plan's input order, input i (its IO index) seeded with seed + i unless a file gives it.
NamedArrays makeInputs(const Engine& engine, const CompareOptions& o, const std::map<std::string, Dims>& shapes,
                       const std::map<std::string, std::string>& files) {
  checkInputNames(engine, shapes, "--shapes");
  checkInputNames(engine, files, "--loadInputs");
  auto context = engine.createExecutionContext();
  NamedArrays inputs;
  for (int32_t i = 0; i < engine.getNbIOTensors(); ++i) {
    std::string name = engine.getIOTensorName(i);
    if (engine.getTensorIOMode(name.c_str()) != TensorIOMode::kINPUT) continue;
    inputs.emplace_back(name, inputData(engine, *context, i, files, shapes, o.seed + static_cast<uint32_t>(i)));
  }
  return inputs;
}

// One run of a plan on `inputs`: every output copied to the host.
NamedArrays runPlan(const Engine& engine, const NamedArrays& inputs, const std::string& label) {
  auto context = engine.createExecutionContext();
  std::map<std::string, BoundTensor> bound;
  for (const auto& [name, array] : inputs) {
    if (engine.getTensorIOMode(name.c_str()) != TensorIOMode::kINPUT)
      throw Error(ErrorCode::kINVALID_ARGUMENT, "the " + label + " plan has no input of this name", name);
    setInputShape(*context, name, array.dims, "the shape every backend is given, on " + label);
    bound.emplace(name, bindInput(engine, *context, name, array));
  }
  auto outputs = bindOutputs(engine, *context);
  RunTimer(*context).run();
  NamedArrays arrays;
  for (int32_t i = 0; i < engine.getNbIOTensors(); ++i) {
    std::string name = engine.getIOTensorName(i);
    if (engine.getTensorIOMode(name.c_str()) == TensorIOMode::kOUTPUT)
      arrays.emplace_back(name, outputs.at(name).toArray());
  }
  return arrays;
}

// A node as errors and reports name it: its name, or its op type and first output.
std::string nodeLabel(const onnx::ModelSummary::Node& node) {
  return node.name.empty() ? node.opType + " (outputs " + (node.outputs.empty() ? "" : node.outputs[0]) + ")"
                           : node.name;
}

// Tensor names in the order the graph makes them (each node's outputs), then those of the reference no node makes.
std::vector<std::string> tensorsInGraphOrder(const onnx::ModelSummary& summary, const Run& reference) {
  std::vector<std::string> order;
  std::set<std::string> listed;
  for (const auto& node : summary.nodes)
    for (const auto& name : node.outputs)
      if (!name.empty() && listed.insert(name).second) order.push_back(name);
  for (const auto& [name, array] : reference.outputs)
    if (listed.insert(name).second) order.push_back(name);
  return order;
}

std::string number(double v) {
  if (v == 0.0) return "0";
  std::ostringstream s;
  s << std::setprecision(3) << v;
  return s.str();
}

std::string steps(const Engine& engine) {
  int32_t n = engine.getNbLayers();
  return std::to_string(n) + (n == 1 ? " step" : " steps");
}

std::string describe(const NpyArray& array) { return toString(array.dims) + " " + dataTypeName(array.type); }

// Compares every tensor both runs hold and prints a line each; returns whether all passed.
bool compareRuns(const Run& subject, const Run& reference, const onnx::ModelSummary& summary,
                 const Tolerance& tolerance) {
  std::cout << subject.label << " against " << reference.label << ":\n";
  std::set<std::string> modelOutputs(summary.outputs.begin(), summary.outputs.end());
  std::map<std::string, const onnx::ModelSummary::Node*> producers;
  for (const auto& node : summary.nodes)
    for (const auto& name : node.outputs) producers[name] = &node;
  int32_t compared = 0, failed = 0, oneSided = 0;
  std::string firstFailure;
  for (const std::string& name : tensorsInGraphOrder(summary, reference)) {
    const NpyArray* expected = reference.output(name);
    const NpyArray* actual = subject.output(name);
    if (!expected && !actual) continue;
    if (!expected || !actual) {
      // The model's own outputs must be in both; a marked intermediate tensor may be missing on one side (a tensor
      // the plan holds under another name, a plan built without --markOutputs all).
      if (modelOutputs.count(name) && expected) {
        std::cout << "  FAIL  " << name << "  missing from " << subject.label << "\n";
        ++failed;
        if (firstFailure.empty()) firstFailure = name;
      } else {
        ++oneSided;
      }
      continue;
    }
    ++compared;
    TensorDifference d = compareTensors(*actual, *expected, tolerance);
    std::cout << (d.passed() ? "  PASS  " : "  FAIL  ") << name << "  ";
    if (!d.sameShape) {
      std::cout << "shape " << describe(*actual) << " against " << describe(*expected) << "\n";
    } else {
      std::cout << describe(*actual) << "  max abs " << number(d.maxAbs) << "  max rel " << number(d.maxRel);
      if (!d.passed()) std::cout << "  (" << d.mismatches << " of " << d.elements << " elements outside)";
      std::cout << "\n";
    }
    if (d.passed()) continue;
    ++failed;
    if (firstFailure.empty()) firstFailure = name;
  }
  if (oneSided) std::cout << "  (" << oneSided << " intermediate tensors not compared: only one side has them)\n";
  if (!firstFailure.empty()) {
    auto producer = producers.find(firstFailure);
    std::cout << "  First divergence: tensor '" << firstFailure << "'";
    if (producer != producers.end())
      std::cout << ", made by layer '" << nodeLabel(*producer->second) << "' (" << producer->second->opType << ")";
    std::cout << "\n";
  }
  std::cout << "  " << (failed ? "FAIL" : "PASS") << ": " << compared << (compared == 1 ? " tensor" : " tensors")
            << " compared, " << failed << " differ\n";
  return failed == 0;
}

int compare(const CompareOptions& o) {
  ConsoleLogger logger(o.verbose ? Severity::kVERBOSE : Severity::kWARNING);
  if (o.tolerance.atol < 0 || o.tolerance.rtol < 0 || std::isnan(o.tolerance.atol) || std::isnan(o.tolerance.rtol))
    throw Error(ErrorCode::kINVALID_ARGUMENT, "tolerances are numbers >= 0",
                o.tolerance.atol < 0 ? "--atol" : "--rtol");
  // By default the CPU plan is the reference, for ONNX Runtime or for the plan file.
  std::string backends = o.backends.empty() ? (o.loadEngine.empty() ? "cpu,onnxruntime" : "cpu") : o.backends;
  std::vector<BackendSpec> specs = parseBackends(backends);
  if (specs.size() + (o.loadEngine.empty() ? 0 : 1) < 2)
    throw Error(ErrorCode::kINVALID_ARGUMENT, "nothing to compare: name two backends or more, or give --loadEngine",
                "--backends");
  bool markAll = o.markOutputs == "all";
  auto shapes = parseShapes(o.shapes, "--shapes");
  auto files = parseNamedPaths(o.loadInputs, "--loadInputs");
  onnx::ModelSummary summary = onnx::summarizeModel(o.model);

  // Every kiln plan first: the inputs are made (and checked) with the first.
  struct Plan {
    std::string label;
    std::unique_ptr<Engine> engine;
  };
  std::vector<Plan> plans(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].backend == "onnxruntime") continue;
    BuildRequest request;
    request.onnxPath = o.model;
    request.backend = specs[i].backend;
    request.fp16 = specs[i].fp16;
    request.markAllOutputs = markAll;
    request.quiet = true;
    request.profiles.push_back(buildShapes(shapes, files));
    auto bytes = buildFromOnnx(request, logger);
    plans[i] = {specs[i].label, Runtime(logger).deserialize(bytes)};
    std::cout << "Built " << specs[i].label << ": " << steps(*plans[i].engine) << "\n";
  }
  if (!o.loadEngine.empty()) {
    plans.push_back({o.loadEngine, loadPlan(o.loadEngine, logger)});
    std::cout << "Loaded " << o.loadEngine << ": a " << plans.back().engine->getBackendName() << " plan of "
              << steps(*plans.back().engine) << "\n";
  }
  const Engine* first = nullptr;
  for (const auto& plan : plans)
    if (plan.engine && !first) first = plan.engine.get();
  if (!first)
    throw Error(ErrorCode::kINVALID_ARGUMENT, "name a kiln backend (cpu or cuda) too, or give --loadEngine",
                "--backends");
  NamedArrays inputs = makeInputs(*first, o, shapes, files);
  for (const auto& [name, array] : inputs)
    std::cout << "Input " << name << ": " << describe(array) << (files.count(name) ? " from " + files.at(name) : "")
              << "\n";

  std::vector<Run> runs;
  for (size_t i = 0; i < plans.size(); ++i) {
    Run run;
    if (plans[i].engine) {
      run.label = plans[i].label;
      run.outputs = runPlan(*plans[i].engine, inputs, run.label);
    } else {
      run.label = specs[i].label;
      OnnxRuntimeRequest request{o.model, inputs, markAll, "", false};
      request.python = pythonInterpreter(o.python, &request.pythonGiven);
      OnnxRuntimeResult result = runOnnxRuntime(request);
      run.ran = result.ran;
      run.skipped = result.skipped;
      run.outputs = std::move(result.outputs);
      if (!run.ran) std::cout << run.label << ": skipped (" << run.skipped << ")\n";
    }
    runs.push_back(std::move(run));
  }

  const Run* reference = nullptr;
  int32_t subjects = 0, failing = 0;
  for (const Run& run : runs) {
    if (!run.ran) continue;
    if (!reference) {
      reference = &run;
      continue;
    }
    ++subjects;
    failing += compareRuns(run, *reference, summary, o.tolerance) ? 0 : 1;
  }
  std::cout << "Tolerance: |a - b| <= " << number(o.tolerance.atol) << " + " << number(o.tolerance.rtol)
            << " * |b|, b the reference's value\n";
  if (subjects == 0) {
    std::cout << "Nothing compared: only " << (reference ? reference->label : "no backend") << " ran\n";
    return 0;
  }
  if (failing) {
    std::cout << "FAILED: " << failing << " of " << subjects << " backends differ from " << reference->label << "\n";
    return kMismatchExitCode;
  }
  std::cout << "PASSED: " << subjects << (subjects == 1 ? " backend agrees with " : " backends agree with ")
            << reference->label << "\n";
  return 0;
}

}  // namespace

void addCompareCommand(CLI::App& app, int& exitCode) {
  auto* cmd = app.add_subcommand("compare", "Run one set of inputs through several backends and compare the outputs");
  auto o = std::make_shared<CompareOptions>();
  cmd->add_option("model", o->model, "ONNX model")->required()->check(CLI::ExistingFile);
  cmd->add_option("--shapes", o->shapes, "Input shapes, e.g. input:4x3x224x224 (each backend builds for them)");
  cmd->add_option("--backends", o->backends,
                  "Comma-separated, the first the reference: cpu, cuda, onnxruntime; cpu:fp16 and cuda:fp16 allow "
                  "fp16 (default cpu,onnxruntime; cpu with --loadEngine)");
  cmd->add_option("--atol", o->tolerance.atol, "Absolute tolerance (default 1e-5)");
  cmd->add_option("--rtol", o->tolerance.rtol, "Relative tolerance, of the reference's value (default 1e-5)");
  cmd->add_option("--markOutputs", o->markOutputs,
                  "'all': every tensor a node makes is an output too and compared; the first that differs is named")
      ->check(CLI::IsMember({"all"}));
  cmd->add_option("--loadInputs", o->loadInputs, "Input data as .npy files, e.g. input:image.npy");
  cmd->add_option("--loadEngine", o->loadEngine,
                  "A saved plan to compare against the model built for the first backend")
      ->check(CLI::ExistingFile);
  cmd->add_option("--seed", o->seed, "Seed of the stand-in input data: input i gets seed N + i (default 1)");
  cmd->add_option("--python", o->python,
                  "Interpreter for the onnxruntime backend (default $KILN_PYTHON, else /usr/bin/python3)");
  cmd->add_flag("-v,--verbose", o->verbose, "Log the builds in detail");
  cmd->callback([o, &exitCode] { exitCode = compare(*o); });
}

}  // namespace kiln::cli
