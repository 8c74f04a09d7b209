// Importers of the convolution family (convolution and deconvolution layers): Conv, ConvTranspose.
#include <algorithm>

#include "onnx/linear_common.h"

namespace kiln::onnx {

namespace {

using EW = ElementWiseOperation;

// Number of spatial axes of an N x C x spatial input (1 to 3), checked against the weights' rank.
size_t convSpatialAxes(ImportContext& ctx, const Node& node, Tensor& x, Tensor& w) {
  int32_t rank = rankOf(x);
  if (rank < 3 || rank > 5)
    ctx.unsupported(node, "only 1-D, 2-D and 3-D convolutions are supported (input rank " + std::to_string(rank) + ")");
  if (rankOf(w) != rank) ctx.invalid(node, "the weights must have the input's rank " + std::to_string(rank));
  return static_cast<size_t>(rank - 2);
}

// The weights' spatial dims (-1 where dynamic), standing in for an absent kernel_shape.
std::vector<int64_t> kernelDims(Tensor& w) {
  Dims d = w.getDimensions();
  return std::vector<int64_t>(d.d + 2, d.d + d.nbDims);
}

// kernel_shape, when given, must agree with the weights.
void checkKernelShape(ImportContext& ctx, const Node& node, const WindowAttrs& attrs, Tensor& w) {
  auto dims = kernelDims(w);
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i] >= 0 && dims[i] != attrs.kernel[i])
      ctx.invalid(node, "kernel_shape does not match the weights on spatial axis " + std::to_string(i));
}

// x with `pre` and `post` zeros around each spatial axis: a slice starting before the input, reading zeros outside.
Tensor* padSpatial(ImportContext& ctx, Tensor& x, const std::vector<int64_t>& pre, const std::vector<int64_t>& post) {
  std::vector<int64_t> start = {0, 0}, grow = {0, 0};
  for (size_t i = 0; i < pre.size(); ++i) {
    start.push_back(-pre[i]);
    grow.push_back(pre[i] + post[i]);
  }
  Dims zeros = toDims(std::vector<int64_t>(start.size(), 0));
  Dims ones = toDims(std::vector<int64_t>(start.size(), 1));
  // The parameter tensors must exist before the slice that reads them.
  Tensor* first = ctx.constantInt64(start);
  Tensor* size = binary(ctx, *shapeOf(ctx, x), *ctx.constantInt64(grow), EW::kSUM);
  auto* slice = ctx.network().addSlice(x, zeros, zeros, ones);
  slice->setMode(SampleMode::kFILL);
  slice->setInput(1, *first);
  slice->setInput(2, *size);
  return slice->getOutput(0);
}

// addConvolution checks the unpadded geometry before the pads can be set, so an input known to be smaller than the
// dilated kernel is padded explicitly instead (SAME pads are then computed here, from the known sizes).
Tensor* prePadSmallInput(ImportContext& ctx, const Node& node, Tensor& x, WindowAttrs& attrs) {
  Dims in = x.getDimensions();
  bool small = false, dynamic = false;
  for (size_t i = 0; i < attrs.kernel.size(); ++i) {
    int64_t span = (attrs.kernel[i] - 1) * attrs.dilations[i] + 1;
    dynamic |= in.d[i + 2] < 0;
    small |= in.d[i + 2] >= 0 && attrs.kernel[i] >= 0 && in.d[i + 2] < span;
  }
  if (!small) return &x;
  if (attrs.mode != PaddingMode::kEXPLICIT) {
    if (dynamic) ctx.unsupported(node, "SAME padding of an input smaller than the kernel needs known spatial sizes");
    for (size_t i = 0; i < attrs.kernel.size(); ++i) {
      int64_t span = (attrs.kernel[i] - 1) * attrs.dilations[i] + 1, s = attrs.strides[i], size = in.d[i + 2];
      int64_t total = std::max<int64_t>(0, ((size + s - 1) / s - 1) * s + span - size);
      attrs.pre[i] = attrs.mode == PaddingMode::kSAME_UPPER ? total / 2 : total - total / 2;
      attrs.post[i] = total - attrs.pre[i];
    }
    attrs.mode = PaddingMode::kEXPLICIT;
  }
  Tensor* padded = padSpatial(ctx, x, attrs.pre, attrs.post);
  std::fill(attrs.pre.begin(), attrs.pre.end(), 0);
  std::fill(attrs.post.begin(), attrs.post.end(), 0);
  return padded;
}

}  // namespace

Tensor* convolution(ImportContext& ctx, const Node& node, Tensor& input, Tensor& w, Tensor* bias) {
  WindowAttrs attrs = readWindowAttrs(ctx, node, convSpatialAxes(ctx, node, input, w), kernelDims(w));
  checkKernelShape(ctx, node, attrs, w);
  Tensor& x = *prePadSmallInput(ctx, node, input, attrs);
  int64_t groups = ctx.getInt(node, "group", 1);
  if (groups < 1) ctx.invalid(node, "group must be >= 1");
  auto* conv = ctx.network().addConvolution(x, w, bias);
  conv->setNbGroups(groups);
  conv->setStrideNd(toDims(attrs.strides));
  conv->setDilationNd(toDims(attrs.dilations));
  conv->setPrePadding(toDims(attrs.pre));
  conv->setPostPadding(toDims(attrs.post));
  conv->setPaddingMode(attrs.mode);
  return conv->getOutput(0);
}

namespace {

void importConv(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  Tensor& w = ctx.requiredInput(node, 1);
  ctx.setOutput(node, 0, convolution(ctx, node, x, w, ctx.input(node, 2)));
}

// Python's floor division, as the ONNX reference splits a (possibly negative) total padding.
int64_t floorHalf(int64_t v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }

// ConvTranspose pads from output_shape or auto_pad SAME. From the spec:
//   total_padding[i] = stride[i] * (input_size[i] - 1) + output_padding[i] + ((kernel_shape[i] - 1) * dilations[i]
//                      + 1) - output_shape[i]
//   If (auto_pads == SAME_UPPER): pads[start_i] = total_padding[i]/2; pads[end_i] = total_padding[i] -
//   (total_padding[i]/2) Else: pads[start_i] = total_padding[i] - (total_padding[i]/2); pads[end_i] =
//   (total_padding[i]/2).
// With auto_pad SAME "the output shape will be input_shape[i] * strides[i]", so the total does not depend on the
// input size. A negative end padding (an output_shape beyond the natural size) grows the output padding instead.
void transposedPads(ImportContext& ctx, const Node& node, Tensor& x, WindowAttrs& attrs,
                    std::vector<int64_t>& outputPadding) {
  bool fromShape = ctx.has(node, "output_shape");
  if (!fromShape && attrs.mode == PaddingMode::kEXPLICIT) return;
  size_t nbSpatial = attrs.kernel.size();
  std::vector<int64_t> outputShape = ctx.getInts(node, "output_shape");
  // "output_shape ... should not include dimensions for batch size and channels"; some exporters include them.
  if (fromShape && outputShape.size() == nbSpatial + 2) outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
  if (fromShape && outputShape.size() != nbSpatial)
    ctx.invalid(node, "output_shape must have one value per spatial axis");
  Dims in = x.getDimensions();
  for (size_t i = 0; i < nbSpatial; ++i) {
    if (attrs.kernel[i] < 0) ctx.unsupported(node, "the kernel size must be known at build time to derive the pads");
    int64_t span = (attrs.kernel[i] - 1) * attrs.dilations[i] + 1;
    int64_t total = outputPadding[i] + span - attrs.strides[i];
    if (fromShape) {
      int64_t size = in.d[i + 2];
      if (size < 0) ctx.unsupported(node, "output_shape needs the input's spatial sizes known at build time");
      total = attrs.strides[i] * (size - 1) + outputPadding[i] + span - outputShape[i];
    }
    bool upper = attrs.mode == PaddingMode::kSAME_UPPER;
    attrs.pre[i] = upper ? floorHalf(total) : total - floorHalf(total);
    attrs.post[i] = total - attrs.pre[i];
    if (attrs.pre[i] < 0) ctx.unsupported(node, "the derived pads would grow the output at its start");
    if (attrs.post[i] < 0) {
      outputPadding[i] -= attrs.post[i];
      attrs.post[i] = 0;
    }
  }
}

void importConvTranspose(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  Tensor& w = ctx.requiredInput(node, 1);
  size_t nbSpatial = convSpatialAxes(ctx, node, x, w);
  WindowAttrs attrs = readWindowAttrs(ctx, node, nbSpatial, kernelDims(w));
  checkKernelShape(ctx, node, attrs, w);
  int64_t groups = ctx.getInt(node, "group", 1);
  if (groups < 1) ctx.invalid(node, "group must be >= 1");
  std::vector<int64_t> outputPadding = ctx.getInts(node, "output_padding");
  if (outputPadding.empty()) outputPadding.assign(nbSpatial, 0);
  if (outputPadding.size() != nbSpatial) ctx.invalid(node, "output_padding must have one value per spatial axis");
  transposedPads(ctx, node, x, attrs, outputPadding);
  // Each setting re-infers the layer: the bias, sized by the groups, comes last, and the output padding before the
  // pads that shrink the output.
  auto* deconv = ctx.network().addDeconvolution(x, w, nullptr);
  deconv->setNbGroups(groups);
  deconv->setStrideNd(toDims(attrs.strides));
  deconv->setDilationNd(toDims(attrs.dilations));
  deconv->setOutputPadding(toDims(outputPadding));
  deconv->setPrePadding(toDims(attrs.pre));
  deconv->setPostPadding(toDims(attrs.post));
  if (Tensor* bias = ctx.input(node, 2)) deconv->setInput(2, *bias);
  ctx.setOutput(node, 0, deconv->getOutput(0));
}

}  // namespace

void registerConvolutionImporters(OpRegistry& r) {
  r.add("Conv", 1, importConv);
  r.add("ConvTranspose", 1, importConvTranspose);
}

}  // namespace kiln::onnx
