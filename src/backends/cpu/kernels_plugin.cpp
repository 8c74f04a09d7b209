// CPU kernel of the plugin family: the registered plugin's enqueue.
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "backends/cpu/cpu_kernel.h"
#include "ops/plugin.h"

namespace kiln::cpu {

namespace {

std::vector<PluginTensor> pluginTensors(const TensorArg* args, int32_t count) {
  std::vector<PluginTensor> tensors;
  tensors.reserve(count);
  for (int32_t i = 0; i < count; ++i) tensors.push_back({args[i].data, args[i].type, args[i].shape});
  return tensors;
}

// The plugin is created once per engine and shared by its contexts: IPluginV3::enqueue is const and documented as
// called concurrently.
class PluginKernel {
 public:
  PluginKernel(const KernelSpec& spec, std::shared_ptr<const IPluginV3> plugin)
      : step_(spec.step.name), label_(ops::pluginLabel(spec.step.opAttrs())), plugin_(std::move(plugin)) {}

  size_t workspaceBytes(const KernelArgs& a) const {
    auto ins = pluginTensors(a.inputs, a.nbInputs);
    auto outs = pluginTensors(a.outputs, a.nbOutputs);
    return guarded("getWorkspaceSize", [&] { return plugin_->getWorkspaceSize(ins, outs); });
  }

  void operator()(const KernelArgs& a) const {
    auto ins = pluginTensors(a.inputs, a.nbInputs);
    auto outs = pluginTensors(a.outputs, a.nbOutputs);
    guarded("enqueue", [&] {
      plugin_->enqueue(ins, outs, a.workspace, a.stream);
      return 0;
    });
  }

 private:
  // Whatever the plugin's code throws becomes a kiln::Error naming the plugin and the layer.
  template <typename F>
  std::invoke_result_t<F> guarded(const char* call, F&& f) const {
    try {
      return f();
    } catch (const std::exception& e) {
      failStep(step_, label_ + " failed in " + call + ": " + e.what());
    } catch (...) {
      failStep(step_, label_ + " failed in " + call + " with an exception that is no std::exception");
    }
  }

  std::string step_;
  std::string label_;
  std::shared_ptr<const IPluginV3> plugin_;
};

std::unique_ptr<Kernel> makePlugin(const KernelSpec& spec) {
  std::shared_ptr<const IPluginV3> plugin = ops::createRecordedPlugin(spec.step.opAttrs());
  bool cpu = false;
  for (PluginBackend b : plugin->getSupportedBackends()) cpu = cpu || b == PluginBackend::kCPU;
  if (!cpu) spec.unsupported(ops::pluginLabel(spec.step.opAttrs()) + " has no CPU implementation");
  return std::make_unique<WorkspaceKernel<PluginKernel>>(spec, PluginKernel(spec, std::move(plugin)));
}

}  // namespace

void registerPluginKernels(KernelTable& table) { table.add(LayerType::kPLUGIN, makePlugin); }

}  // namespace kiln::cpu
