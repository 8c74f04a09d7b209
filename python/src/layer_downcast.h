// Layers are made as library-private subclasses, which pybind11 cannot name; this hook picks the public class from
// Layer::getType() instead, so get_layer() answers ConvolutionLayer, ActivationLayer, ...
// Included by every file that hands a Layer* to Python.
#pragma once

#include <pybind11/pybind11.h>

#include <typeinfo>

#include "kiln/layers.h"

namespace pybind11 {

template <>
struct polymorphic_type_hook<kiln::Layer> {
  static const void* get(const kiln::Layer* layer, const std::type_info*& type) {
    if (!layer) return layer;
    switch (layer->getType()) {
#define KILN_LAYER_CLASS(TYPE, CLASS) \
  case kiln::LayerType::TYPE: type = &typeid(kiln::CLASS); return static_cast<const kiln::CLASS*>(layer);
      KILN_LAYER_CLASS(kCONSTANT, ConstantLayer)
      KILN_LAYER_CLASS(kCONVOLUTION, ConvolutionLayer)
      KILN_LAYER_CLASS(kMATRIX_MULTIPLY, MatrixMultiplyLayer)
      KILN_LAYER_CLASS(kELEMENTWISE, ElementWiseLayer)
      KILN_LAYER_CLASS(kACTIVATION, ActivationLayer)
      KILN_LAYER_CLASS(kUNARY, UnaryLayer)
      KILN_LAYER_CLASS(kPOOLING, PoolingLayer)
      KILN_LAYER_CLASS(kSOFTMAX, SoftMaxLayer)
      KILN_LAYER_CLASS(kRESIZE, ResizeLayer)
      KILN_LAYER_CLASS(kSHUFFLE, ShuffleLayer)
      KILN_LAYER_CLASS(kCONCATENATION, ConcatenationLayer)
      KILN_LAYER_CLASS(kSLICE, SliceLayer)
      KILN_LAYER_CLASS(kGATHER, GatherLayer)
      KILN_LAYER_CLASS(kREDUCE, ReduceLayer)
      KILN_LAYER_CLASS(kTOPK, TopKLayer)
      KILN_LAYER_CLASS(kSHAPE, ShapeLayer)
      KILN_LAYER_CLASS(kCAST, CastLayer)
      KILN_LAYER_CLASS(kIDENTITY, IdentityLayer)
      KILN_LAYER_CLASS(kSELECT, SelectLayer)
      KILN_LAYER_CLASS(kFILL, FillLayer)
      KILN_LAYER_CLASS(kSCATTER, ScatterLayer)
      KILN_LAYER_CLASS(kDECONVOLUTION, DeconvolutionLayer)
      KILN_LAYER_CLASS(kNORMALIZATION, NormalizationLayer)
      KILN_LAYER_CLASS(kCUMULATIVE, CumulativeLayer)
      KILN_LAYER_CLASS(kONE_HOT, OneHotLayer)
      KILN_LAYER_CLASS(kEINSUM, EinsumLayer)
      KILN_LAYER_CLASS(kLRN, LRNLayer)
      KILN_LAYER_CLASS(kRECURRENCE, RecurrenceLayer)
      KILN_LAYER_CLASS(kGRID_SAMPLE, GridSampleLayer)
      KILN_LAYER_CLASS(kDETERMINANT, DeterminantLayer)
      KILN_LAYER_CLASS(kPLUGIN, PluginV3Layer)
#undef KILN_LAYER_CLASS
      default: type = nullptr; return layer;
    }
  }
};

}  // namespace pybind11
