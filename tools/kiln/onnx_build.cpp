#include "onnx_build.h"

#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>

#include "kiln/onnx.h"

namespace kiln::cli {

std::vector<uint8_t> readBinaryFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIO, "cannot open the file", path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

namespace {

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
  for (int32_t s = 0; s < 3; ++s) {
    auto selector = static_cast<OptProfileSelector>(s);
    if (!input.isShapeInput()) {
      profile.setDimensions(name.c_str(), selector, *chosen[s]);
      continue;
    }
    profile.setDimensions(name.c_str(), selector, input.getDimensions());
    profile.setShapeValues(name.c_str(), selector, chosen[s]->d, chosen[s]->nbDims);
  }
}

bool mentions(const ProfileShapes& shapes, const std::string& name) {
  return shapes.min.count(name) || shapes.opt.count(name) || shapes.max.count(name);
}

}  // namespace

std::vector<uint8_t> buildFromOnnx(const BuildRequest& request, Logger& logger) {
  auto start = std::chrono::steady_clock::now();
  Builder builder(logger);
  auto network = builder.createNetwork();
  onnx::Parser parser(*network, logger);
  parser.parseFromFile(request.onnxPath);
  const auto& info = parser.getModelInfo();
  std::cout << "Imported " << request.onnxPath << " (opset " << info.opset << ", producer " << info.producerName << " "
            << info.producerVersion << "): " << network->getNbLayers() << " layers\n";

  BuilderConfig config;
  config.setBackend(request.backend);
  if (request.fp16) config.setFlag(BuilderFlag::kFP16);
  if (request.avgTiming >= 0) config.setTimingIterations(request.avgTiming);
  std::vector<ProfileShapes> profiles = request.profiles;
  if (profiles.empty()) profiles.emplace_back();
  for (size_t p = 0; p < profiles.size(); ++p) {
    OptimizationProfile profile;
    for (const auto* shapes : {&profiles[p].min, &profiles[p].opt, &profiles[p].max})
      for (const auto& [name, dims] : *shapes)
        if (!network->getTensor(name.c_str()) || !network->getTensor(name.c_str())->isNetworkInput())
          throw Error(ErrorCode::kINVALID_ARGUMENT, "the model has no input named '" + name + "'", "shapes");
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
    if (std::ifstream probe(request.timingCacheFile); probe) {
      auto bytes = readBinaryFile(request.timingCacheFile);
      try {
        cache = TimingCache::deserialize(bytes.data(), bytes.size());
      } catch (const Error& e) {
        throw Error(e.code(), e.message() + " (" + e.object() + ")", request.timingCacheFile);
      }
    }
    config.setTimingCache(&cache);
  }
  auto plan = builder.buildSerializedNetwork(*network, config);
  if (!request.timingCacheFile.empty()) {
    auto bytes = cache.serialize();
    std::ofstream out(request.timingCacheFile, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw Error(ErrorCode::kIO, "cannot write the timing cache", request.timingCacheFile);
    std::cout << "Timing cache " << request.timingCacheFile << ": " << cache.hits() << " layer timings reused, "
              << cache.misses() << " made, " << cache.size() << " entries saved\n";
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "Built a " << request.backend << " plan with " << profiles.size() << " profile(s): " << plan.size()
            << " bytes in " << seconds << " s\n";
  if (!request.saveEngine.empty()) {
    std::ofstream out(request.saveEngine, std::ios::binary);
    out.write(reinterpret_cast<const char*>(plan.data()), static_cast<std::streamsize>(plan.size()));
    if (!out) throw Error(ErrorCode::kIO, "cannot write the plan", request.saveEngine);
    std::cout << "Saved " << request.saveEngine << "\n";
  }
  return plan;
}

}  // namespace kiln::cli
