#include "unfused_comparison.h"

#include <gtest/gtest.h>

namespace kiln::test {

std::unique_ptr<Engine> buildFor(NetworkDefinition& net, const Dims& min, const Dims& max) {
  return buildWithProfile(net, profileFor("x", min, max, max));
}

LayerCounts compareWithUnfused(const MakeNetwork& make, const Dims& min, const Dims& max,
                               const std::vector<Dims>& shapes, std::unique_ptr<Engine>* fusedEngine) {
  auto fusedNet = makeNetwork();
  auto unfusedNet = makeNetwork();
  make(*fusedNet, false);
  make(*unfusedNet, true);
  auto fused = buildFor(*fusedNet, min, max);
  auto unfused = buildFor(*unfusedNet, min, max);
  uint32_t seed = 7;
  for (const Dims& shape : shapes) {
    SCOPED_TRACE(toString(shape));
    HostTensor x = HostTensor::f32(shape, randomFloats(static_cast<size_t>(shape.volume()), seed++, -2.0f, 2.0f));
    auto expected = runEngine(*unfused, {x});
    auto actual = runEngine(*fused, {x});
    EXPECT_EQ(toString(actual[0].dims), toString(expected[0].dims));
    expectNear(actual[0].f32(), expected[0].f32(), 1e-5f, 1e-5f);
  }
  LayerCounts counts{fused->getNbLayers(), unfused->getNbLayers()};
  if (fusedEngine) *fusedEngine = std::move(fused);
  return counts;
}

}  // namespace kiln::test
