#include <fstream>
#include <sstream>
#include <iomanip>
#include <iostream>
#include <iterator>

#include "commands.h"
#include "kiln/kiln.h"

namespace kiln::cli {

namespace {

std::vector<uint8_t> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIO, "cannot open the file", path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::string bytesText(uint64_t bytes) {
  std::ostringstream s;
  if (bytes >= (1u << 20)) s << std::fixed << std::setprecision(2) << bytes / 1048576.0 << " MiB";
  else if (bytes >= 1024) s << std::fixed << std::setprecision(1) << bytes / 1024.0 << " KiB";
  else s << bytes << " B";
  return s.str();
}

void inspectPlan(const std::string& path, bool showLayers) {
  auto bytes = readFile(path);
  Runtime runtime;
  auto engine = runtime.deserialize(bytes);
  std::cout << "Plan: " << path << " (" << bytesText(bytes.size()) << ")\n"
            << "  kiln version " << engine->getKilnVersion() << ", plan format " << engine->getPlanFormatVersion()
            << ", backend " << engine->getBackendName() << ", weights " << bytesText(engine->getWeightsSize()) << "\n";
  std::cout << "IO tensors:\n";
  for (int32_t i = 0; i < engine->getNbIOTensors(); ++i) {
    const char* name = engine->getIOTensorName(i);
    bool input = engine->getTensorIOMode(name) == TensorIOMode::kINPUT;
    std::cout << "  " << (input ? "input  " : "output ") << name << "  " << dataTypeName(engine->getTensorDataType(name))
              << "  " << toString(engine->getTensorShape(name)) << "\n";
  }
  for (int32_t p = 0; p < engine->getNbOptimizationProfiles(); ++p) {
    std::cout << "Profile " << p << ":  activation memory " << bytesText(engine->getDeviceMemorySize(p)) << "\n";
    for (int32_t i = 0; i < engine->getNbIOTensors(); ++i) {
      const char* name = engine->getIOTensorName(i);
      if (engine->getTensorIOMode(name) != TensorIOMode::kINPUT) continue;
      std::cout << "  " << name << "  min " << toString(engine->getProfileShape(name, p, OptProfileSelector::kMIN))
                << "  opt " << toString(engine->getProfileShape(name, p, OptProfileSelector::kOPT)) << "  max "
                << toString(engine->getProfileShape(name, p, OptProfileSelector::kMAX)) << "\n";
    }
  }
  std::cout << "Layers: " << engine->getNbLayers() << "\n";
  if (!showLayers) return;
  for (int32_t l = 0; l < engine->getNbLayers(); ++l) {
    LayerInfo info = engine->getLayerInformation(l);
    std::cout << "  [" << l << "] " << info.type << " " << info.name << "  (";
    for (size_t i = 0; i < info.inputs.size(); ++i) std::cout << (i ? ", " : "") << info.inputs[i];
    std::cout << ") -> (";
    for (size_t i = 0; i < info.outputs.size(); ++i) std::cout << (i ? ", " : "") << info.outputs[i];
    std::cout << ")";
    if (!info.attributes.empty()) std::cout << "  " << info.attributes;
    std::cout << "\n";
  }
}

}  // namespace

void addInspectCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("inspect", "Show a plan's IO tensors, profiles, layers and memory");
  auto path = std::make_shared<std::string>();
  auto hideLayers = std::make_shared<bool>(false);
  cmd->add_option("plan", *path, "Plan file (.kiln)")->required()->check(CLI::ExistingFile);
  cmd->add_flag("--no-layers", *hideLayers, "Omit the per-layer listing");
  cmd->callback([path, hideLayers] { inspectPlan(*path, !*hideLayers); });
}

}  // namespace kiln::cli
