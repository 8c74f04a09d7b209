// ONNX bytes -> import -> build for the CPU with a small profile (dynamic dimensions 1..2) -> one run at the min
// shapes. External data is looked up in a folder that does not exist.
#include "fuzz_support.h"
#include "kiln/onnx.h"

namespace {

// A dynamic dimension spans 1..2; a shape input's values are all 1 (the smallest sizes that mean something).
kiln::OptimizationProfile smallProfile(const kiln::NetworkDefinition& network) {
  kiln::OptimizationProfile profile;
  for (int32_t i = 0; i < network.getNbInputs(); ++i) {
    const kiln::Tensor& input = *network.getInput(i);
    kiln::Dims dims = input.getDimensions();
    if (input.isShapeInput()) {
      std::vector<int64_t> ones(dims.nbDims == 0 ? 1 : std::max<int64_t>(dims.d[0], 0), 1);
      for (auto selector :
           {kiln::OptProfileSelector::kMIN, kiln::OptProfileSelector::kOPT, kiln::OptProfileSelector::kMAX}) {
        profile.setDimensions(input.getName(), selector, dims);
        profile.setShapeValues(input.getName(), selector, ones.data(), static_cast<int32_t>(ones.size()));
      }
      continue;
    }
    kiln::Dims min = dims, max = dims;
    for (int32_t d = 0; d < dims.nbDims; ++d)
      if (dims.d[d] < 0) min.d[d] = 1, max.d[d] = 2;
    profile.setDimensions(input.getName(), kiln::OptProfileSelector::kMIN, min);
    profile.setDimensions(input.getName(), kiln::OptProfileSelector::kOPT, min);
    profile.setDimensions(input.getName(), kiln::OptProfileSelector::kMAX, max);
  }
  return profile;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kiln;
  try {
    Builder builder;
    auto network = builder.createNetwork();
    onnx::Parser(*network).parse(data, size, "/nonexistent-kiln-fuzz-folder");
    if (network->getNbLayers() > 256) return 0;
    for (int32_t i = 0; i < network->getNbInputs(); ++i) {
      const Dims& dims = network->getInput(i)->getDimensions();
      int64_t count = 1;
      for (int32_t d = 0; d < dims.nbDims; ++d) count *= std::min<int64_t>(std::max<int64_t>(dims.d[d], 1), 1 << 20);
      if (count > fuzz::kMaxInputElements) return 0;
    }
    BuilderConfig config;
    config.setTimingIterations(0);
    config.addOptimizationProfile(smallProfile(*network));
    auto plan = builder.buildSerializedNetwork(*network, config);
    auto engine = Runtime().deserialize(plan);
    fuzz::runAtMinShapes(*engine);
  } catch (const Error&) {
    // A clear refusal is the expected outcome for most mutants.
  }
  return 0;
}
