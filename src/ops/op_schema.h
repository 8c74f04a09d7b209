// What the library knows of an op besides its shape rule and kernels: its traits, in one OpSchema per LayerType.
//
// An op's schema is a struct in its family's header (src/ops/<family>.h) that holds its attribute keys and its
// traits (kSchema); op_schema.cpp lists them all. Adding an op means adding its schema there, next to its shape rule
// (src/graph/infer_<family>.cpp) and its kernels.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "kiln/layers.h"
#include "kiln/types.h"
#include "ops/attrs.h"

namespace kiln::ops {

// A set of input positions (0 to 31).
class InputSet {
 public:
  constexpr InputSet() = default;
  constexpr InputSet(std::initializer_list<int32_t> inputs) {
    for (int32_t input : inputs) bits_ |= uint32_t{1} << input;
  }
  constexpr bool contains(int32_t input) const { return input >= 0 && input < 32 && ((bits_ >> input) & 1u) != 0; }

 private:
  uint32_t bits_ = 0;
};

struct OpSchema {
  LayerType type = LayerType::kLAYER_TYPE_COUNT;
  const char* name = "";  // the type as errors, logs and `kiln inspect` name it ("Convolution")
  // Whether the layer keeps computing in fp32 when the builder lowers a network to fp16 or bf16: results that a
  // reduced type cannot hold or sum well (sums and products over many elements, generated sequences, shapes).
  // Null: the layer runs reduced wherever its kernel takes the reduced type.
  bool (*keepsFp32)(const OpAttrs& attrs) = nullptr;
  // The attribute naming the output's data type, where one does (elsewhere the type follows the inputs).
  const EnumAttr<DataType>* outputType = nullptr;
  // Inputs whose build-time values (not their data) the layer uses; the builder drops them from the plan.
  InputSet valueInputs = {};
  // Whether output 0 has as many elements as input 0, which bounds its memory by the input's.
  bool keepsElementCount = false;
};

inline bool alwaysFp32(const OpAttrs& /*attrs*/) { return true; }

// The schema of `type`; throws kiln::Error (kINVALID_ARGUMENT) for a value that is no LayerType.
const OpSchema& opSchema(LayerType type);

}  // namespace kiln::ops
