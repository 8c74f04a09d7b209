// Builder, BuilderConfig, OptimizationProfile and TimingCache: from a network to a serialized plan (bytes).
#include "kiln/builder.h"

#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "bindings.h"
#include "kiln/runtime.h"
#include "logger.h"

namespace kiln::python {

namespace {

// TensorRT's memory pools; kiln has one limit, the workspace.
enum class MemoryPoolType : int32_t { kWORKSPACE = 0 };
// TensorRT's network creation flags (create_network(1 << int(EXPLICIT_BATCH))); kiln has nothing else.
enum class NetworkCreationFlag : int32_t { kEXPLICIT_BATCH = 0 };

py::bytes toBytes(const std::vector<uint8_t>& data) {
  return {reinterpret_cast<const char*>(data.data()), data.size()};
}

void bindProfile(py::module_& module) {
  py::class_<OptimizationProfile>(module, "OptimizationProfile",
                                  "min/opt/max shapes per dynamic input (kiln::OptimizationProfile).")
      .def(py::init<>())
      .def(
          "set_shape",
          [](OptimizationProfile& p, const std::string& input, const Dims& min, const Dims& opt, const Dims& max) {
            p.setDimensions(input.c_str(), OptProfileSelector::kMIN, min);
            p.setDimensions(input.c_str(), OptProfileSelector::kOPT, opt);
            p.setDimensions(input.c_str(), OptProfileSelector::kMAX, max);
          },
          py::arg("input"), py::arg("min"), py::arg("opt"), py::arg("max"),
          "Sets an input's min, opt and max shapes; raises kiln.Error for a negative dimension.")
      .def(
          "get_shape",
          [](const OptimizationProfile& p, const std::string& input) {
            return minOptMax([&](OptProfileSelector s) { return p.getDimensions(input.c_str(), s); });
          },
          py::arg("input"), "[min, opt, max]; None for each while not set.")
      .def(
          "set_shape_input",
          [](OptimizationProfile& p, const std::string& input, const std::vector<int64_t>& min,
             const std::vector<int64_t>& opt, const std::vector<int64_t>& max) {
            const char* name = input.c_str();
            p.setShapeValues(name, OptProfileSelector::kMIN, min.data(), int32_t(min.size()));
            p.setShapeValues(name, OptProfileSelector::kOPT, opt.data(), int32_t(opt.size()));
            p.setShapeValues(name, OptProfileSelector::kMAX, max.data(), int32_t(max.size()));
          },
          py::arg("input"), py::arg("min"), py::arg("opt"), py::arg("max"), "min/opt/max values of a shape input.")
      .def(
          "get_shape_input",
          [](const OptimizationProfile& p, const std::string& input) {
            return minOptMax([&](OptProfileSelector s) { return p.getShapeValues(input.c_str(), s); });
          },
          py::arg("input"))
      .def_property_readonly("inputs", &OptimizationProfile::inputNames, "The inputs with a shape set.");
}

void bindTimingCache(py::module_& module) {
  py::class_<TimingCache>(module, "TimingCache",
                          "Tactic timings the builder reuses (kiln::TimingCache); save serialize() to a file.")
      .def(py::init<>())
      .def_static(
          "deserialize",
          [](const py::buffer& data) {
            const py::buffer_info bytes = data.request();
            return TimingCache::deserialize(bytes.ptr, static_cast<size_t>(bytes.size * bytes.itemsize));
          },
          py::arg("data"))
      .def("serialize", [](const TimingCache& c) { return toBytes(c.serialize()); })
      .def(
          "combine",
          [](TimingCache& c, const TimingCache& other, bool /*ignoreMismatch*/) {
            c.combine(other);
            return true;
          },
          py::arg("input_cache"), py::arg("ignore_mismatch") = false, "Adds the entries this cache lacks.")
      .def("__len__", &TimingCache::size)
      .def_property_readonly("hits", &TimingCache::hits, "Timings the last build found here.")
      .def_property_readonly("misses", &TimingCache::misses, "Timings the last build made and added.");
}

void bindConfig(py::module_& module) {
  bindEnum<BuilderFlag>(module, "BuilderFlag", "Precisions the builder may use besides fp32.",
                        {{"FP16", BuilderFlag::kFP16},
                         {"BF16", BuilderFlag::kBF16},
                         {"INT8", BuilderFlag::kINT8},
                         {"TF32", BuilderFlag::kTF32},
                         {"REFIT", BuilderFlag::kREFIT}});
  bindEnum<MemoryPoolType>(module, "MemoryPoolType", "TensorRT's memory pools; kiln limits the workspace.",
                           {{"WORKSPACE", MemoryPoolType::kWORKSPACE}});

  py::class_<BuilderConfig>(
      module, "BuilderConfig",
      "How to build a plan: profiles, flags, backend, memory limit, timing (kiln::BuilderConfig).")
      .def(py::init<>())
      .def("add_optimization_profile", &BuilderConfig::addOptimizationProfile, py::arg("profile"),
           "Adds a copy of the profile; answers its index.")
      .def_property_readonly("num_optimization_profiles", &BuilderConfig::getNbOptimizationProfiles)
      .def("set_flag", &BuilderConfig::setFlag, py::arg("flag"))
      .def("clear_flag", &BuilderConfig::clearFlag, py::arg("flag"))
      .def("get_flag", &BuilderConfig::getFlag, py::arg("flag"))
      .def_property(
          "flags", &BuilderConfig::getFlags,
          [](BuilderConfig& c, uint32_t mask) {
            for (uint32_t bit = 0; bit < 32; ++bit) {
              const auto flag = static_cast<BuilderFlag>(bit);
              if (mask & (1u << bit))
                c.setFlag(flag);
              else
                c.clearFlag(flag);
            }
          },
          "Every flag as a bit mask (1 << int(BuilderFlag.FP16), ...).")
      .def(
          "set_memory_pool_limit",
          [](BuilderConfig& c, MemoryPoolType /*pool*/, uint64_t bytes) { c.setWorkspaceLimit(bytes); },
          py::arg("pool"), py::arg("pool_size"))
      .def(
          "get_memory_pool_limit",
          [](const BuilderConfig& c, MemoryPoolType /*pool*/) { return c.getWorkspaceLimit(); }, py::arg("pool"))
      .def_property("max_workspace_size", &BuilderConfig::getWorkspaceLimit, &BuilderConfig::setWorkspaceLimit,
                    "The workspace limit in bytes (default 1 GiB).")
      .def_property("backend", &BuilderConfig::getBackend, &BuilderConfig::setBackend,
                    "'cpu' (default) or 'cuda' (see kiln.available_backends()).")
      .def_property("avg_timing_iterations", &BuilderConfig::getTimingIterations, &BuilderConfig::setTimingIterations,
                    "Timed runs per candidate tactic; 0 skips timing.")
      .def(
          "create_timing_cache",
          [](const BuilderConfig&, const py::buffer& data) {
            const py::buffer_info bytes = data.request();
            if (bytes.size == 0) return TimingCache();
            return TimingCache::deserialize(bytes.ptr, static_cast<size_t>(bytes.size * bytes.itemsize));
          },
          py::arg("serialized_timing_cache") = py::bytes(), "A cache from saved bytes (empty bytes: a new one).")
      .def(
          "set_timing_cache",
          [](BuilderConfig& c, TimingCache* cache, bool /*ignoreMismatch*/) {
            c.setTimingCache(cache);
            return true;
          },
          py::arg("cache"), py::arg("ignore_mismatch") = false, py::keep_alive<1, 2>(),
          "Builds read and add timings there; None builds without one.")
      .def("get_timing_cache", &BuilderConfig::getTimingCache, py::return_value_policy::reference);
}

}  // namespace

void bindBuilder(py::module_& module) {
  bindProfile(module);
  bindTimingCache(module);
  bindConfig(module);

  bindEnum<NetworkCreationFlag>(module, "NetworkDefinitionCreationFlag",
                                "TensorRT's network flags; kiln networks are always explicit-batch.",
                                {{"EXPLICIT_BATCH", NetworkCreationFlag::kEXPLICIT_BATCH}});
  module.def(
      "init_libnvinfer_plugins", [](const py::object&, const std::string&) { return true; },
      py::arg("logger") = py::none(), py::arg("namespace") = "",
      "Accepted for TensorRT scripts: kiln has no plugin library to load (answers True).");

  py::class_<Builder>(module, "Builder", "Builds plans (kiln::Builder, TensorRT's IBuilder).")
      .def(py::init([](PyLogger* logger) { return std::make_unique<Builder>(loggerOrQuiet(logger)); }),
           py::arg("logger") = nullptr, py::keep_alive<1, 2>())
      .def(
          "create_network", [](const Builder& b, int /*flags*/) { return b.createNetwork(); }, py::arg("flags") = 0,
          py::keep_alive<0, 1>(), "An empty network logging to the builder's logger (flags are accepted and ignored).")
      .def("create_builder_config", &Builder::createBuilderConfig)
      .def("create_optimization_profile", &Builder::createOptimizationProfile,
           py::return_value_policy::reference_internal)
      .def(
          "build_serialized_network",
          [](const Builder& b, const NetworkDefinition& network, const BuilderConfig& config) {
            std::vector<uint8_t> plan;
            {
              py::gil_scoped_release release;
              plan = b.buildSerializedNetwork(network, config);
            }
            return toBytes(plan);
          },
          py::arg("network"), py::arg("config"),
          "The serialized plan as bytes; raises kiln.Error naming the input, profile or layer at fault.")
      .def_property_readonly(
          "platform_has_fast_fp16",
          [](const Builder&) {
            const auto backends = availableBackends();
            return std::find(backends.begin(), backends.end(), "cuda") != backends.end();
          },
          "True where the CUDA backend can run here.");
}

}  // namespace kiln::python
