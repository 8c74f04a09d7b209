#include "onnx_build.h"

#include <chrono>
#include <filesystem>
#include <iostream>

#include "file_io.h"
#include "kiln/onnx.h"

namespace kiln::cli {

namespace {

// Where progress goes when the caller prints its own: an ostream without a buffer writes nothing.
std::ostream& quietStream() {
  static std::ostream none(nullptr);
  return none;
}

// min/opt/max for one input: whichever selectors were given; a missing one takes the value of the others
// (trtexec's rule), so --shapes-style min = opt = max needs only one of them. For a shape input the flags give its
// values (`shape:2x-1x4` means the values 2, -1, 4), as trtexec reads them for shape tensors.
void addInputRange(OptimizationProfile& profile, const Tensor& input, const ProfileShapes& shapes) {
  std::string name = input.getName();
  auto pick = [&](const std::map<std::string, Dims>& m) -> const Dims* {
    auto it = m.find(name);
    return it == m.end() ? nullptr : &it->second;
  };
  const Dims* min = pick(shapes.min);
  const Dims* opt = pick(shapes.opt);
  const Dims* max = pick(shapes.max);
  const Dims* any = opt ? opt : (max ? max : min);
  const Dims* chosen[3] = {min ? min : any, opt ? opt : any, max ? max : any};
  auto fileValues = shapes.shapeInputValues.find(name);
  for (int32_t s = 0; s < 3; ++s) {
    auto selector = static_cast<OptProfileSelector>(s);
    if (!input.isShapeInput()) {
      profile.setDimensions(name.c_str(), selector, *chosen[s]);
      continue;
    }
    const Dims& values = fileValues != shapes.shapeInputValues.end() ? fileValues->second : *chosen[s];
    profile.setDimensions(name.c_str(), selector, input.getDimensions());
    profile.setShapeValues(name.c_str(), selector, values.d, values.nbDims);
  }
}

bool mentions(const ProfileShapes& shapes, const std::string& name) {
  return shapes.min.count(name) || shapes.opt.count(name) || shapes.max.count(name);
}

// Every input the shape flags name must be one of the network's; the error lists the inputs it has.
void checkInputNames(const ProfileShapes& shapes, const NetworkDefinition& network) {
  for (const auto* flag : {&shapes.min, &shapes.opt, &shapes.max})
    for (const auto& [name, dims] : *flag) {
      const Tensor* tensor = network.getTensor(name.c_str());
      if (tensor && tensor->isNetworkInput()) continue;
      std::string inputs;
      for (int32_t i = 0; i < network.getNbInputs(); ++i)
        inputs += (i ? ", " : "") + std::string(network.getInput(i)->getName());
      throw Error(ErrorCode::kINVALID_ARGUMENT,
                  "the shape flags name an input the model does not have (its inputs: " + inputs + ")", name);
    }
}

// Marks every tensor an ONNX node makes as an output, in graph order after the model's outputs. Tensors the
// network does not hold under the model's name (an Identity of a graph input keeps the input's) are left out.
int32_t markEveryNodeOutput(NetworkDefinition& network, const std::string& onnxPath) {
  int32_t marked = 0;
  for (const auto& node : onnx::summarizeModel(onnxPath).nodes)
    for (const auto& name : node.outputs) {
      Tensor* tensor = name.empty() ? nullptr : network.getTensor(name.c_str());
      if (!tensor || tensor->isNetworkInput() || tensor->isNetworkOutput()) continue;
      network.markOutput(*tensor);
      ++marked;
    }
  return marked;
}

}  // namespace

std::vector<uint8_t> buildFromOnnx(const BuildRequest& request, Logger& logger) {
  auto start = std::chrono::steady_clock::now();
  // Paths that will be written are checked before the build, which may take long.
  if (!request.saveEngine.empty()) checkOutputFile(request.saveEngine, "--saveEngine");
  if (!request.timingCacheFile.empty()) checkOutputFile(request.timingCacheFile, "--timingCacheFile");
  Builder builder(logger);
  auto network = builder.createNetwork();
  onnx::Parser parser(*network, logger);
  parser.parseFromFile(request.onnxPath);
  const auto& info = parser.getModelInfo();
  std::ostream& progress = request.quiet ? quietStream() : std::cout;
  progress << "Imported " << request.onnxPath << " (opset " << info.opset << ", producer " << info.producerName << " "
           << info.producerVersion << "): " << network->getNbLayers() << " layers\n";
  if (request.markAllOutputs)
    progress << "Marked " << markEveryNodeOutput(*network, request.onnxPath)
             << " intermediate tensors as outputs (--markOutputs all)\n";

  BuilderConfig config;
  config.setBackend(request.backend);
  if (request.fp16) config.setFlag(BuilderFlag::kFP16);
  if (request.refit) config.setFlag(BuilderFlag::kREFIT);
  if (request.avgTiming >= 0) config.setTimingIterations(request.avgTiming);
  std::vector<ProfileShapes> profiles = request.profiles;
  if (profiles.empty()) profiles.emplace_back();
  for (size_t p = 0; p < profiles.size(); ++p) {
    OptimizationProfile profile;
    checkInputNames(profiles[p], *network);
    for (int32_t i = 0; i < network->getNbInputs(); ++i) {
      Tensor* input = network->getInput(i);
      if (mentions(profiles[p], input->getName())) {
        addInputRange(profile, *input, profiles[p]);
      } else if (input->isShapeInput()) {
        throw Error(ErrorCode::kINVALID_ARGUMENT,
                    "is a shape input (its values size other tensors) but profile " + std::to_string(p) +
                        " gives it no values (use --minShapes/--optShapes/--maxShapes or --shapes with the values, "
                        "e.g. " +
                        input->getName() + ":2x3x4)",
                    input->getName());
      } else if (input->getDimensions().hasDynamic()) {
        throw Error(ErrorCode::kINVALID_ARGUMENT,
                    "input has dynamic dimensions " + toString(input->getDimensions()) + " but profile " +
                        std::to_string(p) + " gives it no shape (use --minShapes/--optShapes/--maxShapes or --shapes)",
                    input->getName());
      }
    }
    config.addOptimizationProfile(profile);
  }
  TimingCache cache;
  if (!request.timingCacheFile.empty()) {
    if (std::filesystem::exists(request.timingCacheFile)) {
      auto bytes = readFileBytes(request.timingCacheFile);
      try {
        cache = TimingCache::deserialize(bytes.data(), bytes.size());
      } catch (const Error& e) {
        rethrowNamingFile(e, request.timingCacheFile);
      }
    }
    config.setTimingCache(&cache);
  }
  auto plan = builder.buildSerializedNetwork(*network, config);
  if (!request.timingCacheFile.empty()) {
    auto bytes = cache.serialize();
    writeFileBytes(request.timingCacheFile, bytes.data(), bytes.size(), "the timing cache");
    progress << "Timing cache " << request.timingCacheFile << ": " << cache.hits() << " layer timings reused, "
             << cache.misses() << " made, " << cache.size() << " entries saved\n";
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress << "Built a " << request.backend << " plan with " << profiles.size() << " profile(s): " << plan.size()
           << " bytes in " << seconds << " s\n";
  if (!request.saveEngine.empty()) {
    writeFileBytes(request.saveEngine, plan.data(), plan.size(), "the plan");
    progress << "Saved " << request.saveEngine << "\n";
  }
  return plan;
}

}  // namespace kiln::cli
