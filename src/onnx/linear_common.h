// Helpers shared by the linear-algebra, pooling and normalization importers: sliding-window attributes and shape
// rewrites built from shape tensors, so they work for dynamic input shapes.
#pragma once

#include <cstdint>
#include <vector>

#include "onnx/import_context.h"

namespace kiln::onnx {

// kernel_shape, strides, dilations, pads and auto_pad of a Conv, ConvTranspose or pooling node.
struct WindowAttrs {
  std::vector<int64_t> kernel, strides, dilations, pre, post;
  // kEXPLICIT for NOTSET and VALID (VALID zeroes the pads).
  PaddingMode mode = PaddingMode::kEXPLICIT;
};

// `kernelFallback` stands in for an absent kernel_shape (Conv takes it from the weights); empty makes it required.
WindowAttrs readWindowAttrs(ImportContext& ctx, const Node& node, size_t nbSpatial,
                            const std::vector<int64_t>& kernelFallback);

Dims toDims(const std::vector<int64_t>& values);

int32_t rankOf(Tensor& x);

// The 1-D int64 shape of x, and elements `indices` of such a shape tensor.
Tensor* shapeOf(ImportContext& ctx, Tensor& x);
Tensor* pickDims(ImportContext& ctx, Tensor& shape, const std::vector<int64_t>& indices);

// x reshaped to the values of the 1-D shape tensor `shape` (0 is a size, not a placeholder).
Tensor* reshapeTo(ImportContext& ctx, Tensor& x, Tensor& shape);

// x without the axes `axes` (each of size 1).
Tensor* dropAxes(ImportContext& ctx, Tensor& x, const std::vector<int32_t>& axes);

// ONNX's coercion to 2-D before opset 13: [d_0 * ... * d_(axis-1), d_axis * ... * d_(n-1)].
Tensor* flattenTo2D(ImportContext& ctx, Tensor& x, int32_t axis);

// Bit mask of the axes; fails the node on a repeated axis.
uint32_t axesMask(ImportContext& ctx, const Node& node, const std::vector<int64_t>& axes, int32_t rank);

// The convolution a Conv node describes (kernel_shape, strides, dilations, pads, auto_pad, group) of x by w.
Tensor* convolution(ImportContext& ctx, const Node& node, Tensor& x, Tensor& w, Tensor* bias);

// Element-wise helpers.
Tensor* binary(ImportContext& ctx, Tensor& a, Tensor& b, ElementWiseOperation op);
Tensor* unary(ImportContext& ctx, Tensor& x, UnaryOperation op);
// `value` of x's type shaped 1 x ... x 1 of `rank`.
Tensor* scalarLike(ImportContext& ctx, Tensor& x, float value, int32_t rank);

}  // namespace kiln::onnx
