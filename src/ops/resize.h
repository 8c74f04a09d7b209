// Schemas of the resize family: resize and grid sample (shape rules in src/graph/infer_resize.cpp).
#pragma once

#include "ops/attrs.h"
#include "ops/op_schema.h"

namespace kiln::ops {

// The output size comes from "output_dims", a shape tensor on input 1, or "scales" (in that order), else it is the
// input's size.
struct Resize {
  static constexpr EnumAttr<ResizeMode> kMode{"mode", ResizeMode::kNEAREST};
  static constexpr EnumAttr<ResizeCoordinateTransformation> kCoordinateTransformation{
      "coord", ResizeCoordinateTransformation::kHALF_PIXEL};
  static constexpr EnumAttr<ResizeRoundMode> kNearestRounding{"round", ResizeRoundMode::kHALF_DOWN};
  static constexpr FloatAttr kCubicCoeff{"cubic_coeff", -0.75};
  static constexpr BoolAttr kExcludeOutside{"exclude_outside", false};
  static constexpr BoolAttr kAntialias{"antialias", false};
  static constexpr FloatAttr kExtrapolationValue{"extrapolation_value", 0.0};
  static constexpr FloatsAttr kRegionOfInterest{"roi", kOptional};  // starts then ends: 2 x rank
  static constexpr IntsAttr kOutputDims{"output_dims", kOptional};
  static constexpr FloatsAttr kScales{"scales", kOptional};
  static constexpr FloatsAttr kCoordinateScales{"coordinate_scales", kOptional};  // map coordinates, not sizes
  // Set by shape inference: the scales that map output to input coordinates, when they are known (else the kernel
  // takes output / input sizes).
  static constexpr FloatsAttr kMappingScales{"mapping_scales", kOptional};
  static constexpr OpSchema kSchema{.type = LayerType::kRESIZE, .name = "Resize", .valueInputs = {1}};
};

struct GridSample {
  static constexpr EnumAttr<ResizeMode> kMode{"mode"};
  static constexpr EnumAttr<GridSamplePadding> kPadding{"padding"};
  static constexpr BoolAttr kAlignCorners{"align_corners"};
  static constexpr OpSchema kSchema{.type = LayerType::kGRID_SAMPLE, .name = "GridSample"};
};

}  // namespace kiln::ops
