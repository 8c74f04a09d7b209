#include "backends/cpu/channels_first_adapter.h"

#include <algorithm>

#include "backends/common/transpose.h"
#include "ops/channels_last.h"

namespace kiln::cpu {

using backend::transpose;

namespace {

size_t align64(size_t n) { return (n + 63) / 64 * 64; }

struct ChannelsFirstBody {
  std::shared_ptr<const plan::Step> step;  // the step without the attribute, which the inner kernel was made from
  std::shared_ptr<const Kernel> inner;
  std::vector<int32_t> permuted;

  // The channels-first arguments, with the staged tensors placed in `workspace` (when it is null, as for sizing the
  // workspace, they keep the caller's pointers: only their sizes count).
  struct Staged {
    std::vector<TensorArg> ins, outs;
    size_t bytes = 0;
  };
  Staged stage(const KernelArgs& a) const {
    Staged s;
    s.ins.assign(a.inputs, a.inputs + a.nbInputs);
    s.outs.assign(a.outputs, a.outputs + a.nbOutputs);
    auto place = [&](TensorArg& t) {
      t.shape = ops::channelsFirstShape(t.shape);
      if (a.workspace) t.data = static_cast<uint8_t*>(a.workspace) + s.bytes;
      s.bytes += align64(static_cast<size_t>(t.volume()) * dataTypeSize(t.type));
    };
    for (int32_t i : permuted)
      if (a.hasInput(i)) place(s.ins[static_cast<size_t>(i)]);
    place(s.outs[0]);
    return s;
  }

  KernelArgs innerArgs(const KernelArgs& a, const Staged& s) const {
    KernelArgs inner = a;
    inner.bind(s.ins, s.outs);
    inner.workspace = a.workspace ? static_cast<uint8_t*>(a.workspace) + s.bytes : nullptr;
    inner.workspaceSize = a.workspaceSize > s.bytes ? a.workspaceSize - s.bytes : 0;
    return inner;
  }

  size_t workspaceBytes(const KernelArgs& a) const {
    Staged s = stage(a);
    return s.bytes + inner->workspaceSize(innerArgs(a, s));
  }

  void operator()(const KernelArgs& a) const {
    Staged s = stage(a);
    if (a.workspaceSize < s.bytes || !a.workspace)
      throw Error(ErrorCode::kRUNTIME, "the workspace is smaller than the channels-first copies need", step->name);
    for (int32_t i : permuted) {
      if (!a.hasInput(i)) continue;
      const TensorArg& t = a.in(i);
      transpose(static_cast<const uint8_t*>(t.data), static_cast<uint8_t*>(s.ins[static_cast<size_t>(i)].data), t.shape,
                ops::toChannelsFirst(static_cast<size_t>(t.shape.nbDims)), dataTypeSize(t.type));
    }
    inner->run(innerArgs(a, s)).check();
    const TensorArg& y = s.outs[0];
    transpose(static_cast<const uint8_t*>(y.data), static_cast<uint8_t*>(a.out(0).data), y.shape,
              ops::toChannelsLast(static_cast<size_t>(y.shape.nbDims)), dataTypeSize(y.type));
  }
};

}  // namespace

std::unique_ptr<Kernel> makeChannelsFirstAdapter(const KernelSpec& spec, std::vector<int32_t> permuted,
                                                 const KernelFactory& channelsFirst) {
  if (spec.step.outputs.size() != 1) spec.unsupported("a channels-last step has one output");
  auto step = std::make_shared<plan::Step>(spec.step);
  step->attrs.erase(ops::kChannelsLast);
  std::shared_ptr<const Kernel> inner = channelsFirst(KernelSpec{spec.plan, *step, spec.tactic});
  return std::make_unique<WorkspaceKernel<ChannelsFirstBody>>(spec,
                                                              ChannelsFirstBody{step, inner, std::move(permuted)});
}

}  // namespace kiln::cpu
