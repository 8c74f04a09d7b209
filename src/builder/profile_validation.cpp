#include "builder/profile_validation.h"

#include <limits>

#include "kiln/error.h"

namespace kiln::builder {

namespace {

std::string where(int32_t profile, const std::string& input) {
  return input + "' in profile " + std::to_string(profile);
}

// The min/opt/max values of a shape input, each with one entry per element and min <= opt <= max.
void setValueRange(plan::InputRange& range, const graph::TensorNode& input, const OptimizationProfile* profile,
                   int32_t p) {
  size_t count = input.values->size();
  const char* names[3] = {"min", "opt", "max"};
  std::vector<int64_t> values[3];
  for (int32_t s = 0; s < 3; ++s) {
    values[s] = profile->getShapeValues(input.name.c_str(), static_cast<OptProfileSelector>(s));
    if (!profile->hasShapeValues(input.name) || values[s].size() != count)
      throw Error(ErrorCode::kINVALID_PROFILE,
                  std::string("'") + input.name + "' is a shape input of " + std::to_string(count) +
                      " values; profile " + std::to_string(p) + " needs " + names[s] +
                      " values for it (setShapeValues)" +
                      (values[s].empty() ? "" : ", not " + std::to_string(values[s].size())),
                  input.name);
  }
  // An int32 shape input holds nothing outside int32: a bound beyond it would size tensors no run can ask for.
  if (input.type == DataType::kINT32)
    for (int32_t s = 0; s < 3; ++s)
      for (size_t i = 0; i < count; ++i)
        if (values[s][i] < std::numeric_limits<int32_t>::min() || values[s][i] > std::numeric_limits<int32_t>::max())
          throw Error(ErrorCode::kINVALID_PROFILE,
                      "value " + std::to_string(i) + " of '" + where(p, input.name) + " has " + names[s] + " " +
                          std::to_string(values[s][i]) + ", outside the range of int32",
                      input.name);
  for (size_t i = 0; i < count; ++i)
    if (values[0][i] > values[1][i] || values[1][i] > values[2][i])
      throw Error(ErrorCode::kINVALID_PROFILE,
                  "needs min <= opt <= max on every shape value, but value " + std::to_string(i) + " of '" +
                      where(p, input.name) + " has min " + std::to_string(values[0][i]) + ", opt " +
                      std::to_string(values[1][i]) + ", max " + std::to_string(values[2][i]),
                  input.name);
  range.valueMin = std::move(values[0]);
  range.valueOpt = std::move(values[1]);
  range.valueMax = std::move(values[2]);
}

}  // namespace

std::vector<std::vector<plan::InputRange>> validateProfiles(const graph::Graph& graph, const BuilderConfig& config) {
  bool anyDynamic = false;
  for (int32_t t : graph.inputs)
    for (ExprId d : graph.tensors[t].dims)
      if (!graph.exprs.isConstant(d)) anyDynamic = true;
  int32_t nbProfiles = config.getNbOptimizationProfiles();
  for (int32_t t : graph.inputs)
    if (graph.tensors[t].values && !graph.tensors[t].values->empty()) anyDynamic = true;
  if (nbProfiles == 0 && anyDynamic) {
    for (int32_t t : graph.inputs)
      for (ExprId d : graph.tensors[t].dims)
        if (!graph.exprs.isConstant(d))
          throw Error(ErrorCode::kINVALID_PROFILE,
                      "the input has dynamic dimensions; add an optimization profile that covers it",
                      graph.tensors[t].name);
    for (int32_t t : graph.inputs)
      if (graph.tensors[t].values && !graph.tensors[t].values->empty())
        throw Error(ErrorCode::kINVALID_PROFILE,
                    "the input is a shape input; add an optimization profile that gives its values (setShapeValues)",
                    graph.tensors[t].name);
  }
  std::vector<std::vector<plan::InputRange>> result(std::max(nbProfiles, 1));
  for (int32_t p = 0; p < static_cast<int32_t>(result.size()); ++p) {
    const OptimizationProfile* profile = nbProfiles ? &config.getOptimizationProfile(p) : nullptr;
    if (profile) {
      for (const std::string& name : profile->inputNames()) {
        bool known = false;
        for (int32_t t : graph.inputs) known |= graph.tensors[t].name == name;
        if (!known)
          throw Error(ErrorCode::kINVALID_PROFILE,
                      "profile " + std::to_string(p) + " names '" + name + "', which is not a network input", name);
      }
    }
    for (int32_t t : graph.inputs) {
      const graph::TensorNode& input = graph.tensors[t];
      int32_t rank = static_cast<int32_t>(input.dims.size());
      Dims network;
      network.nbDims = rank;
      bool dynamic = false;
      for (int32_t i = 0; i < rank; ++i) {
        network.d[i] = graph.exprs.constantValue(input.dims[i]).value_or(-1);
        dynamic |= network.d[i] < 0;
      }
      plan::InputRange range;
      if (!profile || !profile->hasInput(input.name)) {
        if (dynamic)
          throw Error(ErrorCode::kINVALID_PROFILE,
                      "profile " + std::to_string(p) + " gives no shapes for dynamic input '" + input.name + "' " +
                          toString(network),
                      input.name);
        range.min = range.opt = range.max = network;
      } else {
        Dims dims[3];
        const char* names[3] = {"min", "opt", "max"};
        for (int32_t s = 0; s < 3; ++s) {
          dims[s] = profile->getDimensions(input.name.c_str(), static_cast<OptProfileSelector>(s));
          if (dims[s].nbDims < 0)
            throw Error(ErrorCode::kINVALID_PROFILE,
                        std::string("no ") + names[s] + " shape for '" + where(p, input.name), input.name);
          if (dims[s].nbDims != rank)
            throw Error(ErrorCode::kINVALID_PROFILE,
                        std::string(names[s]) + " shape " + toString(dims[s]) + " has rank " +
                            std::to_string(dims[s].nbDims) + " but '" + where(p, input.name) + " has rank " +
                            std::to_string(rank),
                        input.name);
          for (int32_t i = 0; i < rank; ++i)
            if (network.d[i] >= 0 && dims[s].d[i] != network.d[i])
              throw Error(ErrorCode::kINVALID_PROFILE,
                          std::string(names[s]) + " shape " + toString(dims[s]) +
                              " differs from the static dimension " + std::to_string(i) + " of '" +
                              where(p, input.name) + " (" + toString(network) + ")",
                          input.name);
        }
        for (int32_t i = 0; i < rank; ++i)
          if (dims[0].d[i] > dims[1].d[i] || dims[1].d[i] > dims[2].d[i])
            throw Error(ErrorCode::kINVALID_PROFILE,
                        "needs min <= opt <= max on every dimension, but dimension " + std::to_string(i) + " of '" +
                            where(p, input.name) + " has min " + toString(dims[0]) + ", opt " + toString(dims[1]) +
                            ", max " + toString(dims[2]),
                        input.name);
        range.min = dims[0];
        range.opt = dims[1];
        range.max = dims[2];
      }
      if (input.values && !input.values->empty()) setValueRange(range, input, profile, p);
      result[p].push_back(range);
    }
  }
  return result;
}

}  // namespace kiln::builder
