#include <cstring>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

#include "commands.h"
#include "file_io.h"
#include "kiln/kiln.h"
#include "kiln/onnx.h"
#include "onnx_build.h"

namespace kiln::cli {

namespace {

std::string bytesText(uint64_t bytes) {
  std::ostringstream s;
  if (bytes >= (1u << 20))
    s << std::fixed << std::setprecision(2) << bytes / 1048576.0 << " MiB";
  else if (bytes >= 1024)
    s << std::fixed << std::setprecision(1) << bytes / 1024.0 << " KiB";
  else
    s << bytes << " B";
  return s.str();
}

void inspectPlan(const std::string& path, const std::vector<uint8_t>& bytes, bool showLayers) {
  std::unique_ptr<Engine> engine;
  try {
    engine = Runtime().deserialize(bytes);
  } catch (const Error& e) {
    rethrowNamingFile(e, path);
  }
  std::cout << "Plan: " << path << " (" << bytesText(bytes.size()) << ")\n"
            << "  kiln version " << engine->getKilnVersion() << ", plan format " << engine->getPlanFormatVersion()
            << ", backend " << engine->getBackendName() << ", weights " << bytesText(engine->getWeightsSize()) << "\n";
  std::cout << "IO tensors:\n";
  for (int32_t i = 0; i < engine->getNbIOTensors(); ++i) {
    const char* name = engine->getIOTensorName(i);
    bool input = engine->getTensorIOMode(name) == TensorIOMode::kINPUT;
    std::cout << "  " << (input ? "input  " : "output ") << name << "  "
              << dataTypeName(engine->getTensorDataType(name)) << "  " << toString(engine->getTensorShape(name))
              << "\n";
  }
  for (int32_t p = 0; p < engine->getNbOptimizationProfiles(); ++p) {
    std::cout << "Profile " << p << ":  activation memory " << bytesText(engine->getDeviceMemorySize(p)) << "\n";
    for (int32_t i = 0; i < engine->getNbIOTensors(); ++i) {
      const char* name = engine->getIOTensorName(i);
      if (engine->getTensorIOMode(name) != TensorIOMode::kINPUT) continue;
      std::cout << "  " << name << "  min " << toString(engine->getProfileShape(name, p, OptProfileSelector::kMIN))
                << "  opt " << toString(engine->getProfileShape(name, p, OptProfileSelector::kOPT)) << "  max "
                << toString(engine->getProfileShape(name, p, OptProfileSelector::kMAX)) << "\n";
      if (engine->isShapeInferenceIO(name)) {
        auto values = [&](OptProfileSelector s) {
          std::string text;
          for (int64_t v : engine->getProfileShapeValues(name, p, s))
            text += (text.empty() ? "" : ",") + std::to_string(v);
          return "[" + text + "]";
        };
        std::cout << "    shape input values  min " << values(OptProfileSelector::kMIN) << "  opt "
                  << values(OptProfileSelector::kOPT) << "  max " << values(OptProfileSelector::kMAX) << "\n";
      }
    }
  }
  std::cout << "Layers: " << engine->getNbLayers() << "\n";
  // What an --fp16 build lowered: steps by the type of their first output, the Casts between them apart.
  std::map<std::string, int32_t> byType;
  int32_t casts = 0;
  for (int32_t l = 0; l < engine->getNbLayers(); ++l) {
    LayerInfo info = engine->getLayerInformation(l);
    if (info.type == "Cast")
      ++casts;
    else if (!info.outputTypes.empty())
      ++byType[dataTypeName(info.outputTypes[0])];
  }
  std::cout << "Step outputs by type:";
  for (const auto& [type, count] : byType) std::cout << " " << type << " " << count << ",";
  std::cout << " Cast steps " << casts << "\n";
  if (!showLayers) return;
  for (int32_t l = 0; l < engine->getNbLayers(); ++l) {
    LayerInfo info = engine->getLayerInformation(l);
    std::cout << "  [" << l << "] " << info.type << " " << info.name << "  (";
    for (size_t i = 0; i < info.inputs.size(); ++i) std::cout << (i ? ", " : "") << info.inputs[i];
    std::cout << ") -> (";
    for (size_t i = 0; i < info.outputs.size(); ++i)
      std::cout << (i ? ", " : "") << info.outputs[i] << ":" << dataTypeName(info.outputTypes[i]);
    std::cout << ")";
    if (!info.attributes.empty()) std::cout << "  " << info.attributes;
    std::cout << "\n";
    for (size_t p = 0; p < info.tactics.size(); ++p)
      if (!info.tactics[p].empty()) std::cout << "      profile " << p << " tactic: " << info.tactics[p] << "\n";
  }
}

void inspectModel(const std::string& path) {
  onnx::ModelSummary m = onnx::summarizeModel(path);
  std::cout << "ONNX model: " << path << "\n  IR version " << m.info.irVersion << ", opset " << m.info.opset
            << ", producer " << m.info.producerName << " " << m.info.producerVersion << ", weights "
            << bytesText(static_cast<uint64_t>(m.initializerBytes)) << "\n";
  std::cout << "Inputs:\n";
  for (const auto& in : m.inputs) {
    std::cout << "  " << in.name << "  " << in.type << "  [";
    for (size_t i = 0; i < in.dims.size(); ++i) std::cout << (i ? ", " : "") << in.dims[i];
    std::cout << "]\n";
  }
  std::cout << "Outputs:\n";
  for (const auto& out : m.outputs) std::cout << "  " << out << "\n";
  std::cout << "Ops:\n";
  for (const auto& [op, count] : m.opHistogram) std::cout << "  " << std::setw(6) << count << "  " << op << "\n";
  if (m.unsupportedOps.empty()) {
    std::cout << "Every op has an importer.\n";
  } else {
    std::cout << "Unsupported ops:";
    for (const auto& op : m.unsupportedOps) std::cout << " " << op;
    std::cout << "\n";
  }
}

}  // namespace

void addInspectCommand(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("inspect", "Show a plan (IO, profiles, layers, memory) or an ONNX model (inputs, ops)");
  auto path = std::make_shared<std::string>();
  auto hideLayers = std::make_shared<bool>(false);
  cmd->add_option("file", *path, "Plan file (.kiln) or ONNX model (.onnx)")->required()->check(CLI::ExistingFile);
  auto plugins = std::make_shared<std::vector<std::string>>();
  cmd->add_flag("--no-layers", *hideLayers, "Omit the per-layer listing");
  cmd->add_option("--plugins", *plugins, "Plugin libraries to load first (a plan's plugin steps need them)")
      ->check(CLI::ExistingFile);
  cmd->callback([path, hideLayers, plugins] {
    for (const std::string& library : *plugins) loadPluginLibrary(library);
    // Read once, as a regular file (opening a pipe to peek at its magic would wait for a writer).
    std::vector<uint8_t> bytes = readFileBytes(*path);
    // A truncated plan still starts with the magic; anything else is read as a model.
    if (bytes.size() < 8 || std::memcmp(bytes.data(), "KILNPLAN", 8) == 0)
      inspectPlan(*path, bytes, !*hideLayers);
    else
      inspectModel(*path);
  });
}

}  // namespace kiln::cli
