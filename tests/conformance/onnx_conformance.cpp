// Runs the ONNX backend test suite (Debian's libonnx-testdata) through kiln: import model.onnx, build with a
// profile covering the test's input shapes, run every test_data_set_*, compare with output_*.pb, and write a
// report. Exit status 1 when the pass rate is below --min-pass.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "core/element_types.h"
#include "core/half.h"
#include "io_buffer.h"
#include "kiln/kiln.h"
#include "kiln/onnx.h"
#include "onnx/onnx_proto.h"
#include "onnx/tensor_proto.h"

namespace fs = std::filesystem;
using namespace kiln;
namespace konnx = kiln::onnx;

namespace {

enum class Outcome { kPASS, kFAIL, kUNSUPPORTED, kSKIP };

struct Result {
  std::string suite, name;
  Outcome outcome = Outcome::kFAIL;
  std::string reason;
  std::set<std::string> ops;
};

const std::set<std::string> kRandomOps = {"RandomUniform",    "RandomNormal", "RandomUniformLike",
                                          "RandomNormalLike", "Bernoulli",    "Multinomial"};

::onnx::ModelProto loadModel(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  ::onnx::ModelProto m;
  if (!in || !m.ParseFromIstream(&in)) throw std::runtime_error("cannot read " + path.string());
  return m;
}

::onnx::TensorProto loadTensor(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  ::onnx::TensorProto t;
  if (!in || !t.ParseFromIstream(&in)) throw std::runtime_error("cannot read " + path.string());
  return t;
}

// The allowed skips: training ops, string tensors, sequence/optional/map values, random outputs. Nothing else is
// skipped: a test whose data contradicts its own model (shapeClash) counts as failed, with that reason.
std::string skipReason(const ::onnx::ModelProto& m) {
  for (const auto& o : m.opset_import())
    if (o.domain() == "ai.onnx.preview.training") return "ai.onnx.preview.training domain";
  auto valueKind = [](const ::onnx::ValueInfoProto& v) -> std::string {
    const auto& t = v.type();
    if (t.has_sequence_type()) return "sequence values";
    if (t.has_optional_type()) return "optional values";
    if (t.has_map_type()) return "map values";
    if (t.has_tensor_type() && t.tensor_type().elem_type() == ::onnx::TensorProto::STRING) return "string tensors";
    return "";
  };
  for (const auto& v : m.graph().input())
    if (auto k = valueKind(v); !k.empty()) return k;
  for (const auto& v : m.graph().output())
    if (auto k = valueKind(v); !k.empty()) return k;
  for (const auto& n : m.graph().node())
    if (kRandomOps.count(n.op_type())) return "output of a random-number op (" + n.op_type() + ")";
  return "";
}

std::vector<fs::path> sortedEntries(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path());
  // input_10 after input_9: sort by the number after the prefix.
  std::sort(out.begin(), out.end(), [&](const fs::path& a, const fs::path& b) {
    auto num = [&](const fs::path& p) {
      std::string s = p.stem().string().substr(prefix.size());
      return s.empty() ? 0 : std::stoi(s);
    };
    return num(a) < num(b);
  });
  return out;
}

double toDouble(const konnx::HostData& d, int64_t i) {
  const uint8_t* p = d.bytes.data();
  double value = 0;
  bool plain = core::dispatchArithmetic(
      d.type, [&](auto tag) { value = static_cast<double>(reinterpret_cast<const decltype(tag)*>(p)[i]); });
  if (plain) return value;
  if (d.type == DataType::kHALF) return core::halfToFloat(reinterpret_cast<const uint16_t*>(p)[i]);
  if (d.type == DataType::kBF16) return core::bf16ToFloat(reinterpret_cast<const uint16_t*>(p)[i]);
  return p[i];  // bool
}

// The suite stores bfloat16 test data as UINT16 tensors (the same bits) where the model declares BFLOAT16.
void relabelBf16(konnx::HostData& data, DataType declared) {
  if (data.type == DataType::kUINT16 && declared == DataType::kBF16) data.type = DataType::kBF16;
}

// Empty when `data` fits the input's declared shape (-1: any size); otherwise what differs. A few suite tests
// (castlike to and from bfloat16) declare an input 3x4 but give it 1 element, which no runtime can accept.
std::string shapeClash(const Tensor& input, const Dims& data) {
  Dims declared = input.getDimensions();
  bool fits = declared.nbDims == data.nbDims;
  for (int32_t d = 0; fits && d < data.nbDims; ++d) fits = declared.d[d] < 0 || declared.d[d] == data.d[d];
  if (fits) return "";
  return "input '" + std::string(input.getName()) + "' is declared " + toString(declared) + ", its data is " +
         toString(data);
}

// Empty when they agree: rtol 1e-3 / atol 1e-5 for floats, NaN only against NaN; bit-exact for integers, bools and
// bf16 (whose only producer in the suite is Cast, with its rounding spelled out in the expected bits).
std::string compare(const std::string& name, const konnx::HostData& expected, DataType type, const Dims& dims,
                    const std::vector<uint8_t>& bytes) {
  if (type != expected.type)
    return "output '" + name + "' has type " + dataTypeName(type) + ", expected " + dataTypeName(expected.type);
  if (!(dims == expected.dims))
    return "output '" + name + "' has shape " + toString(dims) + ", expected " + toString(expected.dims);
  konnx::HostData actual{type, dims, bytes};
  bool exact = !isFloatingPoint(type) || type == DataType::kBF16;
  size_t size = dataTypeSize(type);
  int64_t bad = 0, first = -1;
  for (int64_t i = 0; i < expected.count(); ++i) {
    double a = toDouble(actual, i), e = toDouble(expected, i);
    bool ok = exact ? std::memcmp(bytes.data() + i * size, expected.bytes.data() + i * size, size) == 0
                    : (std::isnan(e) ? std::isnan(a)
                                     : (std::isinf(e) ? a == e : std::fabs(a - e) <= 1e-5 + 1e-3 * std::fabs(e)));
    if (!ok && bad++ == 0) first = i;
  }
  if (bad == 0) return "";
  std::ostringstream s;
  s << "output '" << name << "': " << bad << " of " << expected.count() << " values differ; first at " << first << ": "
    << std::setprecision(17) << toDouble(actual, first) << " vs expected " << toDouble(expected, first);
  return s.str();
}

// The values of an int32/int64 tensor (a shape input's data).
std::vector<int64_t> intValues(const konnx::HostData& data) {
  std::vector<int64_t> values(static_cast<size_t>(data.count()));
  for (size_t k = 0; k < values.size(); ++k) {
    if (data.type == DataType::kINT32) {
      int32_t v;
      std::memcpy(&v, data.bytes.data() + k * sizeof v, sizeof v);
      values[k] = v;
    } else {
      std::memcpy(&values[k], data.bytes.data() + k * sizeof(int64_t), sizeof(int64_t));
    }
  }
  return values;
}

Result runTest(const fs::path& dir, const std::string& suite, const std::string& backend) {
  Result r;
  r.suite = suite;
  r.name = dir.filename().string();
  ::onnx::ModelProto model = loadModel(dir / "model.onnx");
  for (const auto& n : model.graph().node()) r.ops.insert(n.op_type());
  if (std::string why = skipReason(model); !why.empty()) {
    r.outcome = Outcome::kSKIP;
    r.reason = why;
    return r;
  }
  try {
    NetworkDefinition network;
    konnx::Parser parser(network);
    parser.parseFromFile((dir / "model.onnx").string());
    auto sets = sortedEntries(dir, "test_data_set_");
    if (sets.empty()) throw Error(ErrorCode::kIO, "no test data sets", r.name);
    // Inputs of every data set, in network input order.
    std::vector<std::vector<konnx::HostData>> inputs;
    for (const auto& set : sets) {
      std::vector<konnx::HostData> in;
      for (const auto& f : sortedEntries(set, "input_")) in.push_back(konnx::readTensor(loadTensor(f), set.string()));
      if (static_cast<int32_t>(in.size()) != network.getNbInputs())
        throw Error(
            ErrorCode::kINVALID_GRAPH,
            std::to_string(in.size()) + " input files for " + std::to_string(network.getNbInputs()) + " network inputs",
            r.name);
      for (int32_t i = 0; i < network.getNbInputs(); ++i) {
        relabelBf16(in[i], network.getInput(i)->getType());
        if (std::string clash = shapeClash(*network.getInput(i), in[i].dims); !clash.empty()) {
          r.outcome = Outcome::kFAIL;
          r.reason = "the test data contradicts its model (kiln rejects such inputs): " + clash;
          return r;
        }
      }
      inputs.push_back(std::move(in));
    }
    // One profile spanning the data sets' shapes (opt: the first set).
    OptimizationProfile profile;
    for (int32_t i = 0; i < network.getNbInputs(); ++i) {
      Dims lo = inputs[0][i].dims, hi = lo;
      for (const auto& in : inputs)
        for (int32_t d = 0; d < lo.nbDims && d < in[i].dims.nbDims; ++d) {
          lo.d[d] = std::min(lo.d[d], in[i].dims.d[d]);
          hi.d[d] = std::max(hi.d[d], in[i].dims.d[d]);
        }
      const char* name = network.getInput(i)->getName();
      profile.setDimensions(name, OptProfileSelector::kMIN, lo);
      profile.setDimensions(name, OptProfileSelector::kOPT, inputs[0][i].dims);
      profile.setDimensions(name, OptProfileSelector::kMAX, hi);
      if (network.getInput(i)->isShapeInput()) {
        // A shape input's values bound the shapes it sets: min/max elementwise over the data sets, opt the first.
        std::vector<int64_t> vlo = intValues(inputs[0][i]), vhi = vlo;
        for (const auto& in : inputs) {
          std::vector<int64_t> v = intValues(in[i]);
          for (size_t k = 0; k < v.size() && k < vlo.size(); ++k) {
            vlo[k] = std::min(vlo[k], v[k]);
            vhi[k] = std::max(vhi[k], v[k]);
          }
        }
        std::vector<int64_t> vopt = intValues(inputs[0][i]);
        profile.setShapeValues(name, OptProfileSelector::kMIN, vlo.data(), static_cast<int32_t>(vlo.size()));
        profile.setShapeValues(name, OptProfileSelector::kOPT, vopt.data(), static_cast<int32_t>(vopt.size()));
        profile.setShapeValues(name, OptProfileSelector::kMAX, vhi.data(), static_cast<int32_t>(vhi.size()));
      }
    }
    BuilderConfig config;
    config.setBackend(backend);
    config.addOptimizationProfile(profile);
    auto plan = Builder().buildSerializedNetwork(network, config);
    auto engine = Runtime().deserialize(plan);
    auto context = engine->createExecutionContext();
    bool onDevice = backend != "cpu";
    for (size_t s = 0; s < sets.size(); ++s) {
      std::vector<samples::IoBuffer> device;  // this data set's device copies (GPU backends)
      device.reserve(network.getNbInputs() + network.getNbOutputs());
      for (int32_t i = 0; i < network.getNbInputs(); ++i) {
        const char* name = network.getInput(i)->getName();
        context->setInputShape(name, inputs[s][i].dims).check();
        // Empty tensors still need an address; shape inputs stay on the host.
        auto& bytes = inputs[s][i].bytes;
        if (bytes.empty()) bytes.resize(1);
        bool host = !onDevice || engine->isShapeInferenceIO(name);
        if (host) {
          context->setTensorAddress(name, bytes.data()).check();
          continue;
        }
        auto& buffer = device.emplace_back(name, bytes.size(), true);
        std::memcpy(buffer.host(), bytes.data(), bytes.size());
        buffer.toDevice();
        context->setTensorAddress(name, buffer.binding()).check();
      }
      auto expected = sortedEntries(sets[s], "output_");
      if (static_cast<int32_t>(expected.size()) != network.getNbOutputs())
        throw Error(ErrorCode::kINVALID_GRAPH,
                    std::to_string(expected.size()) + " output files for " + std::to_string(network.getNbOutputs()) +
                        " outputs",
                    r.name);
      context->inferShapes().check();
      std::vector<std::vector<uint8_t>> outputs(network.getNbOutputs());
      std::vector<samples::IoBuffer*> deviceOutputs(network.getNbOutputs(), nullptr);
      for (int32_t o = 0; o < network.getNbOutputs(); ++o) {
        const char* name = network.getOutput(o)->getName();
        Dims dims = context->getTensorShape(name);
        outputs[o].resize(
            std::max<size_t>(1, static_cast<size_t>(dims.volume()) * dataTypeSize(engine->getTensorDataType(name))));
        if (onDevice) deviceOutputs[o] = &device.emplace_back(name, outputs[o].size(), true);
        context->setTensorAddress(name, onDevice ? deviceOutputs[o]->binding() : outputs[o].data()).check();
      }
      context->executeV2().check();
      for (int32_t o = 0; o < network.getNbOutputs() && onDevice; ++o) {
        deviceOutputs[o]->toHost();
        std::memcpy(outputs[o].data(), deviceOutputs[o]->host(), outputs[o].size());
      }
      for (int32_t o = 0; o < network.getNbOutputs(); ++o) {
        const char* name = network.getOutput(o)->getName();
        konnx::HostData want = konnx::readTensor(loadTensor(expected[o]), sets[s].string());
        relabelBf16(want, engine->getTensorDataType(name));
        Dims dims = context->getTensorShape(name);
        outputs[o].resize(static_cast<size_t>(dims.volume()) * dataTypeSize(engine->getTensorDataType(name)));
        std::string diff = compare(name, want, engine->getTensorDataType(name), dims, outputs[o]);
        if (!diff.empty()) {
          r.outcome = Outcome::kFAIL;
          r.reason = sets[s].filename().string() + ": " + diff;
          return r;
        }
      }
    }
    r.outcome = Outcome::kPASS;
  } catch (const Error& e) {
    r.outcome = e.code() == ErrorCode::kUNSUPPORTED ? Outcome::kUNSUPPORTED : Outcome::kFAIL;
    r.reason = e.what();
  } catch (const std::exception& e) {
    r.outcome = Outcome::kFAIL;
    r.reason = e.what();
  }
  return r;
}

std::string oneLine(std::string s, size_t max = 300) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '|', '/');
  if (s.size() > max) s = s.substr(0, max) + "...";
  return s;
}

void writeReport(const std::string& path, const std::string& backend, const std::vector<Result>& results,
                 const std::vector<Result>& cpuResults) {
  std::map<Outcome, int> totals;
  for (const auto& r : results) totals[r.outcome]++;
  struct OpCount {
    int pass = 0, fail = 0, unsupported = 0, skip = 0;
  };
  std::map<std::string, OpCount> perOp;
  for (const auto& r : results)
    for (const auto& op : r.ops) {
      auto& c = perOp[op];
      (r.outcome == Outcome::kPASS          ? c.pass
       : r.outcome == Outcome::kFAIL        ? c.fail
       : r.outcome == Outcome::kUNSUPPORTED ? c.unsupported
                                            : c.skip)++;
    }
  std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  std::ofstream out(path);
  size_t n = results.size();
  out << "# ONNX backend conformance (" << (backend == "cpu" ? "CPU" : "CUDA") << " backend)\n\n"
      << "Generated by `tests/conformance/onnx_conformance --backend " << backend << "` (run by "
      << (backend == "cpu" ? "`scripts/test`" : "`scripts/device-check` on the GPU machine")
      << ", copied here by `scripts/update-docs`); do not edit by hand.\n\n"
      << "Suite: Debian's `libonnx-testdata` (`node`, `pytorch-converted`, `pytorch-operator`, `simple`). Each test's\n"
      << "model is imported, built with one profile spanning its data sets' input shapes, run on every data set and\n"
      << "compared with the expected outputs (rtol 1e-3, atol 1e-5 for floats; exact for integers and bools).\n\n"
      << "| | tests | share |\n|---|---|---|\n";
  auto row = [&](const char* label, int count) {
    out << "| " << label << " | " << count << " | " << std::fixed << std::setprecision(1) << 100.0 * count / n
        << "% |\n";
  };
  row("passed", totals[Outcome::kPASS]);
  row("failed", totals[Outcome::kFAIL]);
  row("unsupported", totals[Outcome::kUNSUPPORTED]);
  row("skipped (allowed)", totals[Outcome::kSKIP]);
  out << "| **total** | " << n << " | |\n\n";
  out << "Pass rate counting skips as not passed: **" << std::fixed << std::setprecision(1)
      << 100.0 * totals[Outcome::kPASS] / n << "%** (" << totals[Outcome::kPASS] << " / " << n << ").\n\n";
  out << "## Per op\n\nA test counts for every op type its model contains.\n\n"
      << "| op | passed | failed | unsupported | skipped |\n|---|---|---|---|---|\n";
  for (const auto& [op, c] : perOp)
    out << "| " << op << " | " << c.pass << " | " << c.fail << " | " << c.unsupported << " | " << c.skip << " |\n";
  auto list = [&](Outcome o, const char* title) {
    out << "\n## " << title << "\n\n";
    int count = 0;
    for (const auto& r : results)
      if (r.outcome == o) {
        out << "- `" << r.suite << "/" << r.name << "`: " << oneLine(r.reason) << "\n";
        ++count;
      }
    if (count == 0) out << "None.\n";
  };
  if (!cpuResults.empty()) {
    // The GPU bar: every test that passes on the CPU passes here, or is listed with its reason.
    out << "\n## Passing on the CPU backend but not here\n\n";
    int count = 0;
    for (size_t i = 0; i < results.size() && i < cpuResults.size(); ++i)
      if (cpuResults[i].outcome == Outcome::kPASS && results[i].outcome != Outcome::kPASS) {
        out << "- `" << results[i].suite << "/" << results[i].name << "`: " << oneLine(results[i].reason) << "\n";
        ++count;
      }
    if (count == 0) out << "None.\n";
  }
  list(Outcome::kFAIL, "Failing tests");
  list(Outcome::kUNSUPPORTED, "Unsupported tests");
  list(Outcome::kSKIP, "Skipped tests (allowed: training domain, strings, sequences/optionals/maps, random ops)");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Run the ONNX backend test suite through kiln"};
  std::string data = "/usr/share/libonnx-testdata/data", report, filter;
  double minPass = 0.0;
  bool verbose = false;
  app.add_option("--data", data, "Root of the test data (holds node/, simple/, ...)");
  app.add_option("--report", report, "Write the markdown report here");
  app.add_option("--filter", filter, "Only tests whose name contains this");
  app.add_option("--min-pass", minPass, "Fail (exit 1) below this pass rate, 0..1");
  app.add_flag("-v,--verbose", verbose, "Print every test's outcome");
  std::string backend = "cpu";
  app.add_option("--backend", backend, "Backend to run on (a GPU backend is also compared with the CPU's results)");
  CLI11_PARSE(app, argc, argv);
  if (!fs::is_directory(data)) {
    std::cerr << "no ONNX test data at " << data << " (install Debian's libonnx-testdata)\n";
    return 1;
  }
  if (backend != "cpu") {
    auto names = availableBackends();
    if (std::find(names.begin(), names.end(), backend) == names.end()) {
      std::cout << "backend '" << backend << "' is not available here (no GPU, or not built); skipping\n";
      return 77;  // ctest's SKIP_RETURN_CODE
    }
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<Result> results, cpuResults;
  for (const char* suite : {"node", "pytorch-converted", "pytorch-operator", "simple"}) {
    fs::path dir = fs::path(data) / suite;
    if (!fs::is_directory(dir)) continue;
    std::vector<fs::path> tests;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_directory()) tests.push_back(e.path());
    std::sort(tests.begin(), tests.end());
    for (const auto& t : tests) {
      if (!filter.empty() && t.filename().string().find(filter) == std::string::npos) continue;
      Result r = runTest(t, suite, backend);
      if (backend != "cpu") cpuResults.push_back(runTest(t, suite, "cpu"));
      if (verbose) {
        static const char* names[] = {"PASS", "FAIL", "UNSUPPORTED", "SKIP"};
        std::cout << names[static_cast<int>(r.outcome)] << " " << suite << "/" << r.name
                  << (r.reason.empty() ? "" : "  " + oneLine(r.reason, 200)) << "\n";
      }
      results.push_back(std::move(r));
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int passed = 0;
  for (const auto& r : results) passed += r.outcome == Outcome::kPASS;
  double rate = results.empty() ? 0.0 : static_cast<double>(passed) / results.size();
  std::cout << "ONNX conformance: " << passed << " / " << results.size() << " passed (" << std::fixed
            << std::setprecision(1) << 100.0 * rate << "%) in " << seconds << " s\n";
  if (!report.empty()) writeReport(report, backend, results, cpuResults);
  if (rate < minPass) {
    std::cout << "below the required " << 100.0 * minPass << "%\n";
    return 1;
  }
  return 0;
}
