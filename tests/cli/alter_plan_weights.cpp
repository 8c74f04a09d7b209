// alter_plan_weights IN.kiln OUT.kiln CONSTANT: writes IN's plan with every fp32 value of the constant tensor named
// CONSTANT increased by 0.5, its checksum recomputed, so that the plan loads and runs but computes the wrong thing
// from that layer on: what `kiln compare --loadEngine` must catch.
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>

#include "plan/plan.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: alter_plan_weights IN.kiln OUT.kiln CONSTANT\n";
    return 1;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  kiln::plan::Plan plan = kiln::plan::deserialize(bytes.data(), bytes.size());
  std::string constants;
  for (const auto& tensor : plan.tensors) {
    if (tensor.kind != kiln::plan::TensorKind::kCONSTANT) continue;
    constants += " '" + tensor.name + "'";
    if (tensor.name != argv[3]) continue;
    if (tensor.type != kiln::DataType::kFLOAT) {
      std::cerr << "constant '" << argv[3] << "' is not fp32\n";
      return 1;
    }
    for (uint64_t at = tensor.weightsOffset; at + sizeof(float) <= tensor.weightsOffset + tensor.weightsSize;
         at += sizeof(float)) {
      float value;
      std::memcpy(&value, plan.weights.data() + at, sizeof value);
      value += 0.5f;
      std::memcpy(plan.weights.data() + at, &value, sizeof value);
    }
    std::vector<uint8_t> altered = kiln::plan::serialize(plan);
    std::ofstream out(argv[2], std::ios::binary);
    out.write(reinterpret_cast<const char*>(altered.data()), static_cast<std::streamsize>(altered.size()));
    return out ? 0 : 1;
  }
  std::cerr << "the plan has no constant '" << argv[3] << "'; its constants:" << constants << "\n";
  return 1;
}
