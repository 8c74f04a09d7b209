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
// (trtexec's rule), so --shapes-style min = opt = max needs only one of them.
void addInputRange(OptimizationProfile& profile, const std::string& name, const ProfileShapes& shapes) {
  auto pick = [&](const std::map<std::string, Dims>& m) -> const Dims* {
    auto it = m.find(name);
    return it == m.end() ? nullptr : &it->second;
  };
  const Dims* min = pick(shapes.min);
  const Dims* opt = pick(shapes.opt);
  const Dims* max = pick(shapes.max);
  const Dims* any = opt ? opt : (max ? max : min);
  profile.setDimensions(name.c_str(), OptProfileSelector::kMIN, min ? *min : *any);
  profile.setDimensions(name.c_str(), OptProfileSelector::kOPT, opt ? *opt : *any);
  profile.setDimensions(name.c_str(), OptProfileSelector::kMAX, max ? *max : *any);
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
        addInputRange(profile, input->getName(), profiles[p]);
      } else if (input->getDimensions().hasDynamic()) {
        throw Error(ErrorCode::kINVALID_ARGUMENT,
                    "input has dynamic dimensions " + toString(input->getDimensions()) + " but profile " +
                        std::to_string(p) + " gives it no shape (use --minShapes/--optShapes/--maxShapes or --shapes)",
                    input->getName());
      }
    }
    config.addOptimizationProfile(profile);
  }
  auto plan = builder.buildSerializedNetwork(*network, config);
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
