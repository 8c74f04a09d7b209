// Builder passes and memory planning, observed through the plans they produce.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

#include "builder/memory_planner.h"
#include "ops/shape.h"
#include "test_util.h"

namespace kiln::test {
namespace {

// One profile for `input` from `min` to `max`, opt = max.
std::unique_ptr<Engine> buildForBatch(NetworkDefinition& net, const char* input, Dims min, Dims max) {
  return buildWithProfile(net, profileFor(input, min, max, max));
}

TEST(BuilderPasses, ConstantSubgraphsFoldIntoOneConstant) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 3});
  Tensor* a = floatConstant(net, Dims{1, 3}, {1, 2, 3});
  Tensor* b = floatConstant(net, Dims{1, 3}, {10, 20, 30});
  Tensor* ab = net.addElementWise(*a, *b, ElementWiseOperation::kPROD)->getOutput(0);  // folds
  Tensor* e = net.addUnary(*ab, UnaryOperation::kSQRT)->getOutput(0);                  // folds
  Tensor* y = net.addElementWise(*x, *e, ElementWiseOperation::kSUM)->getOutput(0);
  net.markOutput(*y);
  auto engine = buildForBatch(net, "x", Dims{1, 3}, Dims{4, 3});
  ASSERT_EQ(engine->getNbLayers(), 1);
  EXPECT_EQ(engine->getLayerInformation(0).type, "ElementWise");
  auto out = runEngine(*engine, {HostTensor::f32(Dims{2, 3}, {0, 0, 0, 1, 1, 1})});
  expectNear(out[0].f32(), {std::sqrt(10.f), std::sqrt(40.f), std::sqrt(90.f), 1 + std::sqrt(10.f), 1 + std::sqrt(40.f),
                            1 + std::sqrt(90.f)});
}

TEST(BuilderPasses, DeadLayersAreDropped) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 3});
  net.addActivation(*x, ActivationType::kSIGMOID);  // nobody reads it
  Tensor* unused = net.addUnary(*x, UnaryOperation::kEXP)->getOutput(0);
  net.addUnary(*unused, UnaryOperation::kLOG);
  net.markOutput(*net.addActivation(*x, ActivationType::kRELU)->getOutput(0));
  auto engine = buildForBatch(net, "x", Dims{1, 3}, Dims{2, 3});
  ASSERT_EQ(engine->getNbLayers(), 1);
  EXPECT_EQ(engine->getLayerInformation(0).type, "Activation");
}

TEST(BuilderPasses, ShapeArithmeticFoldsIntoTheReshape) {
  // The PyTorch export pattern: a reshape whose target comes from Shape and arithmetic on it.
  // flat = reshape(x, [-1]); y = reshape(flat, shape(x) * [1, 1, 1] + [0, 0, 0]) == x
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 2, -1});
  Tensor* shape = net.addShape(*x)->getOutput(0);
  Tensor* c1 = int64Constant(net, {1, 1, 1});
  Tensor* c0 = int64Constant(net, {0, 0, 0});
  Tensor* scaled = net.addElementWise(*shape, *c1, ElementWiseOperation::kPROD)->getOutput(0);
  Tensor* target = net.addElementWise(*scaled, *c0, ElementWiseOperation::kSUM)->getOutput(0);
  EXPECT_TRUE(target->isShapeTensor());
  auto* flat = net.addShuffle(*x);
  flat->setReshapeDimensions(Dims{-1});
  auto* back = net.addShuffle(*flat->getOutput(0));
  back->setZeroIsPlaceholder(false);
  back->setInput(1, *target);
  back->getOutput(0)->setName("y");
  net.markOutput(*back->getOutput(0));
  EXPECT_EQ(toString(back->getOutput(0)->getDimensions()), "-1x2x-1");
  EXPECT_EQ(back->getOutput(0)->getDimensionExpression(2), "x.2");
  auto engine = buildForBatch(net, "x", Dims{1, 2, 1}, Dims{3, 2, 5});
  // Every shape computation became an expression, and the two reshapes merged into one data-moving step.
  ASSERT_EQ(engine->getNbLayers(), 1);
  EXPECT_EQ(engine->getLayerInformation(0).type, "Shuffle");
  std::vector<float> values = iota(3 * 2 * 5);
  auto out = runEngine(*engine, {HostTensor::f32(Dims{3, 2, 5}, values)});
  EXPECT_EQ(toString(out[0].dims), "3x2x5");
  EXPECT_EQ(out[0].f32(), values);
}

TEST(BuilderPasses, ShapeOutputIsComputedFromTheShapeProgram) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 3, -1});
  Tensor* shape = net.addShape(*x)->getOutput(0);
  Tensor* c = int64Constant(net, {2, 2, 2});
  Tensor* doubled = net.addElementWise(*shape, *c, ElementWiseOperation::kPROD)->getOutput(0);
  doubled->setName("doubled");
  net.markOutput(*doubled);
  auto engine = buildForBatch(net, "x", Dims{1, 3, 1}, Dims{8, 3, 8});
  ASSERT_EQ(engine->getNbLayers(), 1);
  EXPECT_EQ(engine->getLayerInformation(0).type, "ShapeValues");
  auto ctx = engine->createExecutionContext();
  for (auto [n, w] : {std::pair<int64_t, int64_t>{1, 7}, {5, 2}}) {
    std::vector<float> data(n * 3 * w, 1.0f);
    auto out = runContext(*ctx, {HostTensor::f32(Dims{n, 3, w}, data)});
    EXPECT_EQ(out[0].as<int64_t>(), (std::vector<int64_t>{2 * n, 6, 2 * w}));
  }
}

TEST(BuilderPasses, ChainReusesActivationMemory) {
  NetworkDefinition net;
  Tensor* t = net.addInput("x", DataType::kFLOAT, Dims{-1, 1024});
  for (int i = 0; i < 6; ++i) t = net.addUnary(*t, UnaryOperation::kNEG)->getOutput(0);
  net.markOutput(*t);
  auto engine = buildForBatch(net, "x", Dims{1, 1024}, Dims{64, 1024});
  uint64_t oneTensor = 64 * 1024 * 4;
  // Five intermediates, but at most two are alive at once.
  EXPECT_EQ(engine->getDeviceMemorySize(0), 2 * oneTensor);
  std::vector<float> x = iota(3 * 1024);
  auto out = runEngine(*engine, {HostTensor::f32(Dims{3, 1024}, x)});
  EXPECT_EQ(out[0].f32(), x);  // six negations
}

TEST(BuilderPasses, ReshapeOfABroadcastKeepsItsElementCountBound) {
  // y = x + m broadcasts the batch axes of two inputs; reshaping y by x's own batch ([a, -1, 16]) infers
  // (broadcast(a, b) * 64) / (a * 16), which axis-by-axis bounds put at 64 * 64 / 16 = 256 instead of 4.
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 64});
  Tensor* m = net.addInput("m", DataType::kFLOAT, Dims{-1, 64});
  Tensor* y = net.addElementWise(*x, *m, ElementWiseOperation::kSUM)->getOutput(0);
  Tensor* batch = net.addGather(*net.addShape(*x)->getOutput(0), *int64Constant(net, {0}), 0)->getOutput(0);
  Tensor* target = net.addConcatenation({batch, int64Constant(net, {-1, 16})})->getOutput(0);
  auto* reshape = net.addShuffle(*y);
  reshape->setInput(1, *target);
  Tensor* out =
      net.addUnary(*net.addUnary(*reshape->getOutput(0), UnaryOperation::kNEG)->getOutput(0), UnaryOperation::kNEG)
          ->getOutput(0);
  net.markOutput(*out);
  OptimizationProfile profile;
  for (const char* name : {"x", "m"}) {
    profile.setDimensions(name, OptProfileSelector::kMIN, Dims{1, 64});
    profile.setDimensions(name, OptProfileSelector::kOPT, Dims{64, 64});
    profile.setDimensions(name, OptProfileSelector::kMAX, Dims{64, 64});
  }
  auto engine = buildWithProfile(net, profile);
  uint64_t oneTensor = 64 * 64 * 4;
  EXPECT_LE(engine->getDeviceMemorySize(0), 3 * oneTensor);
  std::vector<float> xs = iota(5 * 64), ms(5 * 64, 1.0f);
  auto result = runEngine(*engine, {HostTensor::f32(Dims{5, 64}, xs), HostTensor::f32(Dims{5, 64}, ms)});
  ASSERT_EQ(toString(result[0].dims), "5x4x16");
  EXPECT_EQ(result[0].f32()[319], 320.0f);
}

TEST(BuilderPasses, ReshapeBetweenActivationsSharesItsInputsMemory) {
  // a = -x; b = a reshaped; c = -b; d = c reshaped back; y = d * a = -x^2. b shares a's memory and d shares c's: two
  // tensors' worth of arena, where copies would need three at once (a, b and c while c is computed).
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 1024});
  Tensor* a = net.addUnary(*x, UnaryOperation::kNEG)->getOutput(0);
  auto* b = net.addShuffle(*a);
  b->setReshapeDimensions(Dims{0, 32, 32});
  Tensor* c = net.addUnary(*b->getOutput(0), UnaryOperation::kNEG)->getOutput(0);
  auto* d = net.addShuffle(*c);
  d->setReshapeDimensions(Dims{0, 1024});
  net.markOutput(*net.addElementWise(*d->getOutput(0), *a, ElementWiseOperation::kPROD)->getOutput(0));
  auto engine = buildForBatch(net, "x", Dims{1, 1024}, Dims{64, 1024});
  ASSERT_EQ(engine->getNbLayers(), 5);
  EXPECT_EQ(engine->getDeviceMemorySize(0), 2u * 64 * 1024 * 4);
  for (int64_t batch : {1, 3, 64}) {
    std::vector<float> xs = randomFloats(static_cast<size_t>(batch * 1024), static_cast<uint32_t>(batch));
    std::vector<float> expected;
    for (float v : xs) expected.push_back(-v * v);
    auto out = runEngine(*engine, {HostTensor::f32(Dims{batch, 1024}, xs)});
    EXPECT_EQ(out[0].f32(), expected);
  }
}

TEST(MemoryPlanner, ReshapeOutputTakesItsInputsOffsetAndTransposeOutputDoesNot) {
  // t0 -> reshape -> t1 -> step -> t2; t0 -> transpose -> t3; step(t0, t2, t3) -> t4. t0 lives until the last step.
  plan::Plan p;
  for (int32_t t = 0; t < 5; ++t) {
    plan::TensorDesc desc;
    desc.name = std::string(1, 't').append(std::to_string(t));
    p.tensors.push_back(desc);
  }
  auto step = [&](LayerType type, std::vector<int32_t> inputs, int32_t output) {
    plan::Step s;
    s.type = type;
    s.inputs = std::move(inputs);
    s.outputs = {output};
    p.steps.push_back(s);
    return &p.steps.back();
  };
  step(LayerType::kUNARY, {}, 0);
  step(LayerType::kSHUFFLE, {0}, 1)->attrs.set(ops::Shuffle::kSecondPerm, {0, 1});  // the identity
  step(LayerType::kUNARY, {1}, 2);
  step(LayerType::kSHUFFLE, {0}, 3)->attrs.set(ops::Shuffle::kFirstPerm, {1, 0});
  step(LayerType::kELEMENTWISE, {0, 2, 3}, 4);
  EXPECT_TRUE(builder::sharesInputMemory(p, p.steps[1]));
  EXPECT_FALSE(builder::sharesInputMemory(p, p.steps[3]));
  std::vector<uint64_t> bytes(5, 1000);
  auto plan = builder::planActivationMemory(p, bytes);
  EXPECT_EQ(plan.offsets[1], plan.offsets[0]);
  std::set<uint64_t> distinct{plan.offsets[0], plan.offsets[2], plan.offsets[3]};
  EXPECT_EQ(distinct.size(), 3u);         // t0 (with t1), t2 and t3 are alive together at the last step
  EXPECT_EQ(plan.totalBytes, 4 * 1024u);  // t4 too; 256-byte alignment rounds each up
  // A network output is the caller's buffer: no sharing.
  p.tensors[1].kind = plan::TensorKind::kOUTPUT;
  EXPECT_FALSE(builder::sharesInputMemory(p, p.steps[1]));
}

TEST(MemoryPlanner, TensorsAliveTogetherNeverOverlap) {
  // Random plans: every pair of activations with overlapping lifetimes gets disjoint byte ranges.
  std::mt19937 rng(42);
  for (int trial = 0; trial < 50; ++trial) {
    plan::Plan p;
    int32_t nbTensors = 2 + static_cast<int32_t>(rng() % 30);
    for (int32_t t = 0; t < nbTensors; ++t) {
      plan::TensorDesc desc;
      desc.name = std::string(1, 't').append(std::to_string(t));
      p.tensors.push_back(desc);
    }
    std::vector<uint64_t> bytes(nbTensors);
    for (auto& b : bytes) b = 1 + rng() % 5000;
    // Step s writes tensor s and reads a few earlier tensors.
    for (int32_t s = 0; s < nbTensors; ++s) {
      plan::Step step;
      step.outputs = {s};
      for (int k = 0; k < 2 && s > 0; ++k) step.inputs.push_back(static_cast<int32_t>(rng() % s));
      p.steps.push_back(step);
    }
    auto plan = builder::planActivationMemory(p, bytes);
    std::vector<int32_t> first(nbTensors), last(nbTensors);
    for (int32_t t = 0; t < nbTensors; ++t) first[t] = last[t] = t;
    for (int32_t s = 0; s < nbTensors; ++s)
      for (int32_t in : p.steps[s].inputs) last[in] = std::max(last[in], s);
    for (int32_t a = 0; a < nbTensors; ++a) {
      EXPECT_EQ(plan.offsets[a] % plan::kActivationAlignment, 0u);
      EXPECT_LE(plan.offsets[a] + bytes[a], plan.totalBytes);
      for (int32_t b = a + 1; b < nbTensors; ++b) {
        bool together = !(last[a] < first[b] || last[b] < first[a]);
        bool disjoint = plan.offsets[a] + bytes[a] <= plan.offsets[b] || plan.offsets[b] + bytes[b] <= plan.offsets[a];
        EXPECT_TRUE(!together || disjoint) << "tensors " << a << " and " << b << " in trial " << trial;
      }
    }
  }
}

}  // namespace
}  // namespace kiln::test
