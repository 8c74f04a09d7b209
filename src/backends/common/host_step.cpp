#include "backends/common/host_step.h"

namespace kiln::backend {

std::vector<std::vector<uint8_t>> runSingleStep(const Backend& host, const plan::Plan& mini,
                                                const std::vector<const uint8_t*>& inputs, const int64_t* exprValues) {
  const plan::Step& step = mini.steps.at(0);
  auto concreteShape = [&](int32_t tensorId) {
    Dims d;
    const auto& dims = mini.tensors[tensorId].dims;
    d.nbDims = static_cast<int32_t>(dims.size());
    for (int32_t i = 0; i < d.nbDims; ++i) d.d[i] = exprValues[dims[i]];
    return d;
  };
  std::vector<TensorArg> ins, outs;
  for (size_t i = 0; i < step.inputs.size(); ++i) {
    int32_t t = step.inputs[i];
    if (t < 0 || !inputs.at(i)) {
      ins.push_back({});
      continue;
    }
    ins.push_back({const_cast<uint8_t*>(inputs[i]), mini.tensors[t].type, concreteShape(t)});
  }
  std::vector<std::vector<uint8_t>> results;
  results.reserve(step.outputs.size());  // the outputs point into it
  for (int32_t t : step.outputs) {
    Dims shape = concreteShape(t);
    results.emplace_back(static_cast<size_t>(shape.volume()) * dataTypeSize(mini.tensors[t].type));
    outs.push_back({results.back().data(), mini.tensors[t].type, shape});
  }
  auto kernel = host.createKernel(KernelSpec{mini, step});
  KernelArgs args;
  args.bind(ins, outs);
  args.exprValues = exprValues;
  std::vector<uint8_t> workspace(kernel->workspaceSize(args));
  args.workspace = workspace.data();
  args.workspaceSize = workspace.size();
  kernel->run(args).check();
  return results;
}

}  // namespace kiln::backend
