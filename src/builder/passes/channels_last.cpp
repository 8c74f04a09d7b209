// Runs 2-D convolutions, and the pooling between them, channels-last (NHWC, plan/channels_last.h) where the target
// prefers that layout for their type (fp16 on the GPU: tensor cores read NHWC directly, while NCHW costs a transpose
// of every input and output inside cuDNN). TensorRT chooses these formats per layer by timing them; here the
// backend states its preference and the pass keeps whole chains channels-last, so the transposes it inserts at the
// chain's edges (into the first convolution, out of the last step) are the only ones left: between two converted
// steps the NHWC tensor passes directly, and the NCHW copy that nothing else reads is removed as dead.
// Constant kernels are stored permuted ([K, R, S, C]); a kernel computed at run time is transposed by a step. A
// convolution whose input channels the target does not take channels-last (an image's 3) runs on its input padded
// with zero channels up to the target's alignment, its kernel padded alike, where that makes it preferred.
#include "ops/channels_last.h"

#include <map>

#include "backends/common/weight_transforms.h"
#include "builder/host_evaluator.h"
#include "builder/passes/fusion_helpers.h"
#include "builder/passes/pass.h"
#include "graph/infer.h"
#include "ops/copy.h"
#include "ops/fused_epilogue.h"
#include "ops/indexing.h"
#include "ops/shape.h"

namespace kiln::builder {

namespace {

class ChannelsLastPass : public Pass {
 public:
  explicit ChannelsLastPass(const backend::Backend& target) : target_(target) {}
  const char* name() const override { return "channels-last"; }

  int32_t apply(graph::Graph& graph) const override {
    // convert[i]: 0, or the channel count layer i reads channels-last (above its own where the input is padded).
    std::vector<int64_t> convert(graph.layers.size(), 0);
    std::vector<char> channelsLastOutput(graph.tensors.size(), 0);
    int32_t converted = 0;
    for (size_t i = 0; i < graph.layers.size(); ++i) {
      const graph::LayerNode& layer = graph.layers[i];
      int64_t channels = layer.removed ? 0 : candidate(graph, layer, channelsLastOutput);
      if (channels == 0) continue;
      graph::LayerNode probe = layer;
      probe.attrs.set(ops::kChannelsLast, true);
      if (!targetAccepts(target_, graph, probe)) continue;
      convert[i] = channels;
      channelsLastOutput[layer.outputs[0]] = 1;
      ++converted;
    }
    if (converted == 0) return 0;
    rebuild(graph, convert);
    return converted;
  }

 private:
  // The channels a layer to convert reads channels-last, 0 for a layer to leave: a 2-D convolution that the target
  // prefers channels-last (its input channels padded with zeros up to the target's alignment where that makes it
  // preferred: a network's 3-channel image), or a pooling that reads a converted step.
  int64_t candidate(const graph::Graph& graph, const graph::LayerNode& layer, const std::vector<char>& nhwc) const {
    if (layer.inputs.empty() || layer.inputs[0] < 0 || layer.outputs.size() != 1) return 0;
    const graph::TensorNode& x = graph.tensors[layer.inputs[0]];
    if (x.dims.size() != 4 || ops::isChannelsLast(layer.opAttrs())) return 0;
    auto inputChannels = graph.exprs.constantValue(x.dims[1]);
    if (layer.type == LayerType::kPOOLING) return nhwc[layer.inputs[0]] && inputChannels ? *inputChannels : 0;
    if (layer.type != LayerType::kCONVOLUTION || layer.inputs.size() < 2 || layer.inputs[1] < 0 ||
        graph.tensors[layer.inputs[1]].dims.size() != 4 || !inputChannels)
      return 0;
    const auto& w = graph.tensors[layer.inputs[1]].dims;  // [K, C / groups, R, S]
    auto maps = graph.exprs.constantValue(w[0]), channels = graph.exprs.constantValue(w[1]);
    if (!maps || !channels) return 0;
    if (target_.prefersChannelsLast(x.type, *channels, *maps)) return *inputChannels;
    // Padding: one group, a constant kernel (padded with zeros at build time).
    int64_t alignment = std::max<int64_t>(1, target_.channelsLastAlignment(x.type));
    int64_t padded = (*channels + alignment - 1) / alignment * alignment;
    bool pads = padded != *channels && *channels == *inputChannels && isConstant(graph, layer.inputs[1]);
    return pads && target_.prefersChannelsLast(x.type, padded, *maps) ? padded : 0;
  }

  // Rebuilds the layer list with the converted layers channels-last: transposes into the first of a chain, a
  // permuted kernel, and after each converted layer a transpose back to the tensor its NCHW readers (if any) read.
  void rebuild(graph::Graph& graph, const std::vector<int64_t>& convert) const {
    std::vector<graph::LayerNode> layers;
    layers.reserve(graph.layers.size() + 8);
    std::map<int32_t, int32_t> channelsLastOf;  // NCHW tensor -> the tensor holding it NHWC
    std::vector<size_t> reinfer;                // positions in `layers` whose shapes follow from the new layout
    std::map<int32_t, int64_t> paddedTo;        // padding slices: output tensor -> channels
    auto transposeStep = [&](int32_t from, const std::vector<int64_t>& perm, int32_t to) {
      graph::LayerNode shuffle;
      shuffle.name = graph.tensors[to].name;
      shuffle.type = LayerType::kSHUFFLE;
      shuffle.attrs.set(ops::Shuffle::kFirstPerm, perm);
      shuffle.inputs = {from};
      shuffle.outputs = {to};
      reinfer.push_back(layers.size());
      layers.push_back(std::move(shuffle));
    };
    auto channelsLast = [&](int32_t t) {
      auto [it, inserted] = channelsLastOf.try_emplace(t, -1);
      if (inserted) {
        it->second = graph.addTensor(graph.uniqueTensorName(graph.tensors[t].name + "_nhwc"), graph.tensors[t].type);
        transposeStep(t, ops::toChannelsLast(4), it->second);
      }
      return it->second;
    };
    for (size_t i = 0; i < graph.layers.size(); ++i) {
      // Copied, not moved: a later kernel constant is read from its old slot.
      graph::LayerNode layer = graph.layers[i];
      if (!convert[i]) {
        layers.push_back(std::move(layer));
        continue;
      }
      // Padded where the channels to read exceed the input's (a convolution of one group).
      bool pad = convert[i] > *graph.exprs.constantValue(graph.tensors[layer.inputs[0]].dims[1]);
      layer.inputs[0] = channelsLast(layer.inputs[0]);
      if (layer.type == LayerType::kCONVOLUTION) {
        if (pad) layer.inputs[0] = paddedChannels(graph, layer.inputs[0], convert[i], layers, reinfer, paddedTo);
        layer.inputs[1] = permutedKernel(graph, layer.inputs[1], pad ? convert[i] : 0, layers, reinfer);
        if (layer.inputs.size() > ops::kResidualInput && layer.inputs[ops::kResidualInput] >= 0)
          layer.inputs[ops::kResidualInput] = channelsLast(layer.inputs[ops::kResidualInput]);
      }
      layer.attrs.set(ops::kChannelsLast, true);
      int32_t nchw = layer.outputs[0];
      int32_t nhwc =
          graph.addTensor(graph.uniqueTensorName(graph.tensors[nchw].name + "_nhwc"), graph.tensors[nchw].type);
      layer.outputs[0] = nhwc;
      channelsLastOf[nchw] = nhwc;
      reinfer.push_back(layers.size());
      layers.push_back(std::move(layer));
      transposeStep(nhwc, ops::toChannelsFirst(4), nchw);
    }
    replaceLayers(graph, std::move(layers));
    for (size_t i : reinfer) infer(graph, static_cast<int32_t>(i), paddedTo);
  }

  // The NHWC tensor `t` with its channels padded with zeros to `channels`: a slice that fills beyond the input.
  static int32_t paddedChannels(graph::Graph& graph, int32_t t, int64_t channels, std::vector<graph::LayerNode>& layers,
                                std::vector<size_t>& reinfer, std::map<int32_t, int64_t>& paddedTo) {
    int32_t out = graph.addTensor(graph.uniqueTensorName(graph.tensors[t].name + "_padded"), graph.tensors[t].type);
    graph::LayerNode slice;
    slice.name = graph.tensors[out].name;
    slice.type = LayerType::kSLICE;
    slice.attrs.set(ops::Slice::kStart, {0, 0, 0, 0});
    slice.attrs.set(ops::Slice::kStride, {1, 1, 1, 1});
    slice.attrs.set(ops::Slice::kMode, SampleMode::kFILL);
    slice.inputs = {t, -1, -1};
    slice.outputs = {out};
    reinfer.push_back(layers.size());
    layers.push_back(std::move(slice));
    paddedTo[out] = channels;
    return out;
  }

  // Infers layer i of the rebuilt graph. A padding slice's size is a shape tensor of known values (its input's N, H,
  // W and the padded C, known once the input is inferred), detached afterwards as the shape-value folding leaves
  // every slice: the kernel reads the output's shape.
  static void infer(graph::Graph& graph, int32_t i, const std::map<int32_t, int64_t>& paddedTo) {
    graph::LayerNode& layer = graph.layers[i];
    auto padded = layer.type == LayerType::kSLICE ? paddedTo.find(layer.outputs[0]) : paddedTo.end();
    if (padded == paddedTo.end()) return graph::inferLayer(graph, i);
    std::vector<ExprId> size = graph.tensors[layer.inputs[0]].dims;
    size.back() = graph.exprs.constant(padded->second);
    int32_t sizeTensor =
        graph.addTensor(graph.uniqueTensorName(graph.tensors[layer.outputs[0]].name + "_size"), DataType::kINT64);
    graph.tensors[sizeTensor].dims = {graph.exprs.constant(static_cast<int64_t>(size.size()))};
    graph.tensors[sizeTensor].values = size;
    graph.layers[i].inputs[2] = sizeTensor;
    graph::inferLayer(graph, i);
    graph.layers[i].inputs[2] = -1;
  }

  // The kernel [K, C/groups, R, S] as [K, R, S, C/groups] (its channels padded with zeros to `channels` when that is
  // more): a permuted constant, or a transpose step.
  static int32_t permutedKernel(graph::Graph& graph, int32_t kernel, int64_t channels,
                                std::vector<graph::LayerNode>& layers, std::vector<size_t>& reinfer) {
    const graph::TensorNode& w = graph.tensors[kernel];
    int32_t out = graph.addTensor(graph.uniqueTensorName(w.name + "_krsc"), w.type);
    graph::LayerNode step;
    step.name = graph.tensors[out].name;
    step.outputs = {out};
    if (isConstant(graph, kernel)) {
      const graph::LayerNode& constant = graph.layers[graph.tensors[kernel].producer];
      std::vector<int64_t> dims = constant.opAttrs().get(ops::Constant::kDims);
      std::vector<int64_t> permutedDims = ops::permuted(dims, ops::toChannelsLast(4));
      permutedDims[3] = std::max(permutedDims[3], channels);
      std::vector<uint8_t> bytes = backend::channelsLastKernel(constantBytes(graph, graph.tensors[kernel].producer),
                                                               dims, dataTypeSize(w.type), channels);
      ops::RecipePtr source = recipeOf(graph, kernel);
      graph.blobs.push_back(std::move(bytes));
      if (source) {
        auto recipe = std::make_shared<ops::WeightRecipe>();
        recipe->op = ops::RecipeOp::kCHANNELS_LAST;
        recipe->type = w.type;
        recipe->dims = permutedDims;
        recipe->inputs = {source};
        setRecipe(graph, graph.blobs.size() - 1, recipe);
      }
      step.type = LayerType::kCONSTANT;
      step.attrs = constant.attrs;
      step.attrs.set(ops::Constant::kDims, permutedDims);
      step.attrs.set(ops::Constant::kBlob, static_cast<int64_t>(graph.blobs.size() - 1));
    } else {
      step.type = LayerType::kSHUFFLE;
      step.attrs.set(ops::Shuffle::kFirstPerm, ops::toChannelsLast(4));
      step.inputs = {kernel};
    }
    reinfer.push_back(layers.size());
    layers.push_back(std::move(step));
    return out;
  }

  const backend::Backend& target_;
};

}  // namespace

std::unique_ptr<Pass> makeChannelsLastPass(const backend::Backend& target) {
  return std::make_unique<ChannelsLastPass>(target);
}

}  // namespace kiln::builder
