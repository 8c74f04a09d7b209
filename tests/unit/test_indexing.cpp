// Slice (all sample modes) and Gather (default, element and ND modes): shape rules, shape-tensor folding and CPU
// kernels.
#include <gtest/gtest.h>

#include "test_util.h"

namespace kiln::test {
namespace {

// One profile covering [min, max] for every named input, opt = max.
std::unique_ptr<Engine> buildDynamic(NetworkDefinition& net,
                                     const std::vector<std::tuple<const char*, Dims, Dims>>& ranges) {
  OptimizationProfile profile;
  for (const auto& [name, min, max] : ranges) setRange(profile, name, min, max, max);
  return buildWithProfile(net, profile);
}

// Naive TensorRT slice of a row-major tensor.
std::vector<float> referenceSlice(const std::vector<float>& x, const Dims& in, const Dims& start, const Dims& size,
                                  const Dims& stride) {
  std::vector<float> out;
  for (int64_t flat = 0; flat < size.volume(); ++flat) {
    int64_t rem = flat, src = 0, inStride = 1;
    for (int32_t a = in.nbDims - 1; a >= 0; --a) {
      src += (start.d[a] + (rem % size.d[a]) * stride.d[a]) * inStride;
      rem /= size.d[a];
      inStride *= in.d[a];
    }
    out.push_back(x[src]);
  }
  return out;
}

// ---- Slice --------------------------------------------------------------------------------------------------------

std::vector<HostTensor> runSlice(const HostTensor& input, const Dims& start, const Dims& size, const Dims& stride) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", input.type, input.dims);
  auto* slice = net->addSlice(*x, start, size, stride);
  EXPECT_EQ(slice->getOutput(0)->getDimensions(), size);
  net->markOutput(*slice->getOutput(0));
  return buildAndRun(*net, {input});
}

TEST(SliceTest, StrideTwo) {
  // [[0..5], [6..11]]: rows 0-1, columns 1, 3, 5.
  auto out = runSlice(HostTensor::f32({2, 6}, iota(12)), Dims{0, 1}, Dims{2, 3}, Dims{1, 2});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{1, 3, 5, 7, 9, 11}));
}

TEST(SliceTest, NegativeStrideReverses) {
  auto out = runSlice(HostTensor::f32({5}, {10, 11, 12, 13, 14}), Dims{4}, Dims{5}, Dims{-1});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{14, 13, 12, 11, 10}));
  // Every other element from index 3 down, on the inner axis of a 2-D tensor.
  out = runSlice(HostTensor::f32({2, 4}, iota(8)), Dims{1, 3}, Dims{1, 2}, Dims{1, -2});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{7, 5}));
}

TEST(SliceTest, MixedStridesMatchTheReference) {
  Dims in{4, 5, 6};
  auto x = randomFloats(in.volume(), 2);
  Dims start{3, 1, 0}, size{2, 2, 3}, stride{-2, 3, 2};
  auto out = runSlice(HostTensor::f32(in, x), start, size, stride);
  EXPECT_EQ(out[0].f32(), referenceSlice(x, in, start, size, stride));
}

TEST(SliceTest, CopiesAnyElementType) {
  auto out = runSlice(HostTensor::i64({6}, {1, -2, 3, -4, 5, -6}), Dims{1}, Dims{3}, Dims{2});
  EXPECT_EQ(out[0].type, DataType::kINT64);
  EXPECT_EQ(out[0].as<int64_t>(), (std::vector<int64_t>{-2, -4, -6}));
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kBOOL, Dims{4});
  net->markOutput(*net->addSlice(*x, Dims{0}, Dims{2}, Dims{3})->getOutput(0));
  auto bools = buildAndRun(*net, {boolTensor(Dims{4}, {1, 0, 0, 1})});
  EXPECT_EQ(bools[0].as<uint8_t>(), (std::vector<uint8_t>{1, 1}));
}

TEST(SliceTest, OutOfRangeIsRejectedNamingTheLayer) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{5});
  std::string autoName = "Slice_" + std::to_string(net->getNbLayers());
  try {
    net->addSlice(*x, Dims{3}, Dims{3}, Dims{1});  // reads index 5
    FAIL() << "a slice past the end was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
    EXPECT_EQ(e.object(), autoName);
  }
  EXPECT_THROW(net->addSlice(*x, Dims{1}, Dims{3}, Dims{-1}), Error);  // reads index -1
  EXPECT_THROW(net->addSlice(*x, Dims{-1}, Dims{1}, Dims{1}), Error);
  EXPECT_THROW(net->addSlice(*x, Dims{0, 0}, Dims{1, 1}, Dims{1, 1}), Error);  // rank mismatch
  auto* slice = net->addSlice(*x, Dims{0}, Dims{5}, Dims{1});
  slice->setName("crop");
  try {
    slice->setStride(Dims{2});
    FAIL() << "stride 2 over 5 elements from 0 was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.object(), "crop");
  }
  EXPECT_EQ(slice->getStride(), (Dims{1}));
  // An empty slice reads nothing, so its start may sit at the end.
  EXPECT_EQ(net->addSlice(*x, Dims{5}, Dims{0}, Dims{1})->getOutput(0)->getDimensions(), (Dims{0}));
}

TEST(SliceTest, SliceOfAShapeFoldsIntoAReshape) {
  // reshape(x, concat(shape(x)[0:1], [3, 2])): the ONNX Shape -> Slice -> Concat -> Reshape pattern.
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1, 6});
  Tensor* shape = net->addShape(*x)->getOutput(0);
  Tensor* batch = net->addSlice(*shape, Dims{0}, Dims{1}, Dims{1})->getOutput(0);
  EXPECT_TRUE(batch->isShapeTensor());
  Tensor* parts[] = {batch, int64Constant(*net, {3, 2})};
  Tensor* target = net->addConcatenation(parts, 2)->getOutput(0);
  auto* reshape = net->addShuffle(*x);
  reshape->setInput(1, *target);
  EXPECT_EQ(reshape->getOutput(0)->getDimensions(), (Dims{-1, 3, 2}));
  EXPECT_EQ(reshape->getOutput(0)->getDimensionExpression(0), "x.0");
  net->markOutput(*reshape->getOutput(0));
  auto engine = buildDynamic(*net, {{"x", Dims{1, 6}, Dims{4, 6}}});
  auto context = engine->createExecutionContext();
  for (int64_t n : {1, 3}) {
    auto out = runContext(*context, {HostTensor::f32({n, 6}, iota(n * 6))});
    EXPECT_EQ(out[0].dims, (Dims{n, 3, 2}));
    EXPECT_EQ(out[0].f32(), iota(n * 6));
  }
}

TEST(SliceTest, SizeFromAShapeTensorIsCheckedAtRunTime) {
  // Crops y to the shape of x: size comes from shape(x) through input 2.
  auto net = makeNetwork();
  Tensor* y = net->addInput("y", DataType::kFLOAT, Dims{-1, -1});
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1, -1});
  Tensor* xShape = net->addShape(*x)->getOutput(0);  // made first: a layer's inputs come from earlier layers
  auto* crop = net->addSlice(*y, Dims{0, 0}, Dims{1, 1}, Dims{1, 1});
  crop->setInput(2, *xShape);
  EXPECT_EQ(crop->getOutput(0)->getDimensionExpression(1), "x.1");
  net->markOutput(*crop->getOutput(0));
  auto engine = buildDynamic(*net, {{"y", Dims{1, 1}, Dims{8, 8}}, {"x", Dims{1, 1}, Dims{8, 8}}});
  auto context = engine->createExecutionContext();
  auto out = runContext(*context, {HostTensor::f32({3, 4}, iota(12)), HostTensor::f32({2, 3}, std::vector<float>(6))});
  EXPECT_EQ(out[0].dims, (Dims{2, 3}));
  EXPECT_EQ(out[0].f32(), (std::vector<float>{0, 1, 2, 4, 5, 6}));
  // x larger than y: the slice would read past y's end.
  EXPECT_THROW(runContext(*context, {HostTensor::f32({2, 2}, iota(4)), HostTensor::f32({3, 2}, std::vector<float>(6))}),
               Error);
}

TEST(SliceTest, StartFromAShapeTensorTakesTheLastElements) {
  // x[n-2 : n] with n dynamic: start = shape(x) - 2 is evaluated at run time.
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1});
  Tensor* shape = net->addShape(*x)->getOutput(0);
  Tensor* start =
      net->addElementWise(*shape, *int64Constant(*net, {2}, Dims{1}), ElementWiseOperation::kSUB)->getOutput(0);
  ASSERT_TRUE(start->isShapeTensor());
  auto* tail = net->addSlice(*x, Dims{0}, Dims{2}, Dims{1});
  tail->setInput(1, *start);
  net->markOutput(*tail->getOutput(0));
  // start >= 0 is a run-time assertion: a profile admitting one element (start -1) is rejected when building.
  EXPECT_THROW(buildDynamic(*net, {{"x", Dims{1}, Dims{10}}}), Error);
  auto engine = buildDynamic(*net, {{"x", Dims{2}, Dims{10}}});
  auto context = engine->createExecutionContext();
  EXPECT_EQ(runContext(*context, {HostTensor::f32({5}, iota(5))})[0].f32(), (std::vector<float>{3, 4}));
  EXPECT_EQ(runContext(*context, {HostTensor::f32({2}, iota(2))})[0].f32(), (std::vector<float>{0, 1}));
  EXPECT_EQ(runContext(*context, {HostTensor::f32({10}, iota(10))})[0].f32(), (std::vector<float>{8, 9}));
}

TEST(SliceTest, ConstantDataWithARunTimeStartIsNotFolded) {
  // The data and size are constant but start = shape(x) - 2 is not: the slice must run at run time.
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1});
  Tensor* data = floatConstant(*net, Dims{10}, iota(10));
  Tensor* start = net->addElementWise(*net->addShape(*x)->getOutput(0), *int64Constant(*net, {2}, Dims{1}),
                                      ElementWiseOperation::kSUB)
                      ->getOutput(0);
  auto* window = net->addSlice(*data, Dims{0}, Dims{2}, Dims{1});
  window->setInput(1, *start);
  net->markOutput(*window->getOutput(0));
  auto engine = buildDynamic(*net, {{"x", Dims{2}, Dims{10}}});
  auto context = engine->createExecutionContext();
  EXPECT_EQ(runContext(*context, {HostTensor::f32({5}, iota(5))})[0].f32(), (std::vector<float>{3, 4}));
  EXPECT_EQ(runContext(*context, {HostTensor::f32({9}, iota(9))})[0].f32(), (std::vector<float>{7, 8}));
}

TEST(SliceTest, ParameterInputsMustBeShapeTensors) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{4});
  Tensor* runtimeStart = net->addInput("s", DataType::kINT64, Dims{1});
  auto* slice = net->addSlice(*x, Dims{0}, Dims{2}, Dims{1});
  EXPECT_THROW(slice->setInput(1, *runtimeStart), Error);
  EXPECT_EQ(slice->getOutput(0)->getDimensions(), (Dims{2}));
}

// ---- Slice sample modes and stride 0 ------------------------------------------------------------------------------

std::vector<HostTensor> runSampledSlice(const HostTensor& input, const Dims& start, const Dims& size,
                                        const Dims& stride, SampleMode mode, const HostTensor* fill = nullptr) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", input.type, input.dims);
  Tensor* f = fill ? net->addInput("fill", fill->type, fill->dims) : nullptr;
  // Added reading nothing (strict bounds would reject the coordinates outside the input), then given its mode.
  Dims none = size;
  for (int32_t i = 0; i < none.nbDims; ++i) none.d[i] = 0;
  auto* slice = net->addSlice(*x, start, none, stride);
  slice->setMode(mode);
  EXPECT_EQ(slice->getMode(), mode);
  if (f) slice->setInput(4, *f);
  slice->setSize(size);
  net->markOutput(*slice->getOutput(0));
  std::vector<HostTensor> inputs = {input};
  if (fill) inputs.push_back(*fill);
  return buildAndRun(*net, inputs);
}

TEST(SliceModeTest, WrapRepeatsTheAxis) {
  // Coordinates -2..4 of [0, 1, 2] wrap to 1 2 0 1 2 0 1.
  auto out = runSampledSlice(HostTensor::f32({3}, {0, 1, 2}), Dims{-2}, Dims{7}, Dims{1}, SampleMode::kWRAP);
  EXPECT_EQ(out[0].f32(), (std::vector<float>{1, 2, 0, 1, 2, 0, 1}));
  // Backwards from 1 with stride -1: 1, 0, then around to the end.
  out = runSampledSlice(HostTensor::f32({3}, {0, 1, 2}), Dims{1}, Dims{5}, Dims{-1}, SampleMode::kWRAP);
  EXPECT_EQ(out[0].f32(), (std::vector<float>{1, 0, 2, 1, 0}));
}

TEST(SliceModeTest, ClampRepeatsTheEdges) {
  auto out = runSampledSlice(HostTensor::f32({3}, {5, 6, 7}), Dims{-2}, Dims{7}, Dims{1}, SampleMode::kCLAMP);
  EXPECT_EQ(out[0].f32(), (std::vector<float>{5, 5, 5, 6, 7, 7, 7}));
}

TEST(SliceModeTest, ReflectMirrorsWithoutRepeatingTheEdge) {
  // numpy.pad([0, 1, 2, 3], 3, mode="reflect") = [3, 2, 1, 0, 1, 2, 3, 2, 1, 0].
  auto out = runSampledSlice(HostTensor::f32({4}, {0, 1, 2, 3}), Dims{-3}, Dims{10}, Dims{1}, SampleMode::kREFLECT);
  EXPECT_EQ(out[0].f32(), (std::vector<float>{3, 2, 1, 0, 1, 2, 3, 2, 1, 0}));
  // Past one full period: coordinates 6..9 of a 3-element axis (period 4) read 2, 1, 0, 1.
  out = runSampledSlice(HostTensor::f32({3}, {0, 1, 2}), Dims{6}, Dims{4}, Dims{1}, SampleMode::kREFLECT);
  EXPECT_EQ(out[0].f32(), (std::vector<float>{2, 1, 0, 1}));
  // A single element reflects onto itself.
  out = runSampledSlice(HostTensor::f32({1}, {4}), Dims{-2}, Dims{3}, Dims{1}, SampleMode::kREFLECT);
  EXPECT_EQ(out[0].f32(), (std::vector<float>{4, 4, 4}));
}

TEST(SliceModeTest, FillPadsWithTheFillValueOrZero) {
  // A border of one around [[1, 2], [3, 4]].
  HostTensor x = HostTensor::f32({2, 2}, {1, 2, 3, 4});
  HostTensor nine = HostTensor::f32({}, {9});
  auto out = runSampledSlice(x, Dims{-1, -1}, Dims{4, 4}, Dims{1, 1}, SampleMode::kFILL, &nine);
  EXPECT_EQ(out[0].dims, (Dims{4, 4}));
  EXPECT_EQ(out[0].f32(), (std::vector<float>{9, 9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9, 9, 9, 9}));
  out = runSampledSlice(x, Dims{1, -1}, Dims{2, 3}, Dims{1, 1}, SampleMode::kFILL);
  EXPECT_EQ(out[0].f32(), (std::vector<float>{0, 3, 4, 0, 0, 0}));
  // An empty axis can still be filled.
  HostTensor empty = HostTensor::f32({0}, {});
  empty.bytes.resize(4);  // an address to bind; nothing is read
  out = runSampledSlice(empty, Dims{0}, Dims{2}, Dims{1}, SampleMode::kFILL, &nine);
  EXPECT_EQ(out[0].f32(), (std::vector<float>{9, 9}));
}

TEST(SliceModeTest, ModesMoveAnyElementType) {
  auto out = runSampledSlice(HostTensor::i64({2}, {-7, 8}), Dims{-1}, Dims{4}, Dims{1}, SampleMode::kWRAP);
  EXPECT_EQ(out[0].as<int64_t>(), (std::vector<int64_t>{8, -7, 8, -7}));
  HostTensor fill = boolTensor(Dims{1}, {1});
  out = runSampledSlice(boolTensor(Dims{2}, {0, 0}), Dims{-1}, Dims{4}, Dims{1}, SampleMode::kFILL, &fill);
  EXPECT_EQ(out[0].as<uint8_t>(), (std::vector<uint8_t>{1, 0, 0, 1}));
}

TEST(SliceModeTest, StrideZeroBroadcastsOneElement) {
  // [[5], [6]] to 2x3: stride 0 on the size-1 axis reads its element three times.
  auto out = runSlice(HostTensor::f32({2, 1}, {5, 6}), Dims{0, 0}, Dims{2, 3}, Dims{1, 0});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{5, 5, 5, 6, 6, 6}));
  out = runSlice(HostTensor::f32({3}, {1, 2, 3}), Dims{2}, Dims{4}, Dims{0});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{3, 3, 3, 3}));
}

TEST(SliceModeTest, WrapWithARunTimeSizeTilesEveryShape) {
  // Tile by 2 on both axes of a dynamic input: size = shape(x) * 2.
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1, -1});
  Tensor* size = net->addElementWise(*net->addShape(*x)->getOutput(0), *int64Constant(*net, {2}, Dims{1}),
                                     ElementWiseOperation::kPROD)
                     ->getOutput(0);
  auto* tile = net->addSlice(*x, Dims{0, 0}, Dims{0, 0}, Dims{1, 1});
  tile->setMode(SampleMode::kWRAP);
  tile->setInput(2, *size);
  EXPECT_EQ(tile->getOutput(0)->getDimensionExpression(1), "x.1*2");
  net->markOutput(*tile->getOutput(0));
  auto engine = buildDynamic(*net, {{"x", Dims{1, 1}, Dims{3, 4}}});
  auto context = engine->createExecutionContext();
  auto out = runContext(*context, {HostTensor::f32({1, 2}, {1, 2})});
  EXPECT_EQ(out[0].dims, (Dims{2, 4}));
  EXPECT_EQ(out[0].f32(), (std::vector<float>{1, 2, 1, 2, 1, 2, 1, 2}));
  out = runContext(*context, {HostTensor::f32({3, 1}, {7, 8, 9})});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{7, 7, 8, 8, 9, 9, 7, 7, 8, 8, 9, 9}));
}

TEST(SliceModeTest, InvalidSettingsAreRejected) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{3});
  Tensor* empty = net->addInput("empty", DataType::kFLOAT, Dims{0});
  Tensor* intFill = int64Constant(*net, {1}, Dims{});
  Tensor* twoValues = floatConstant(*net, Dims{2}, {1, 2});
  Tensor* fill = floatConstant(*net, Dims{1}, {1});
  auto* wrap = net->addSlice(*x, Dims{0}, Dims{1}, Dims{1});
  wrap->setMode(SampleMode::kWRAP);
  wrap->setSize(Dims{5});  // wrapping reads past the end freely
  expectRejected(
      wrap, [&] { wrap->setInput(4, *fill); }, "a fill value outside kFILL", "needs sample mode kFILL");
  auto* padded = net->addSlice(*x, Dims{-1}, Dims{0}, Dims{1});
  padded->setMode(SampleMode::kFILL);
  padded->setSize(Dims{5});
  padded->setInput(4, *fill);
  EXPECT_EQ(padded->getOutput(0)->getDimensions(), (Dims{5}));
  expectRejected(
      padded, [&] { padded->setInput(4, *intFill); }, "a fill value of another type", "different types");
  expectRejected(
      padded, [&] { padded->setInput(4, *twoValues); }, "two fill values", "exactly one element");
  auto* sampled = net->addSlice(*empty, Dims{0}, Dims{0}, Dims{1});
  sampled->setMode(SampleMode::kCLAMP);
  expectRejected(
      sampled, [&] { sampled->setSize(Dims{2}); }, "clamping into an empty axis", "empty axis");
}

// ---- Gather -------------------------------------------------------------------------------------------------------

std::vector<HostTensor> runGather(const HostTensor& data, const HostTensor& indices, int32_t axis,
                                  Dims* outDims = nullptr) {
  auto net = makeNetwork();
  Tensor* d = net->addInput("data", data.type, data.dims);
  Tensor* i = net->addInput("indices", indices.type, indices.dims);
  auto* gather = net->addGather(*d, *i, axis);
  if (outDims) *outDims = gather->getOutput(0)->getDimensions();
  net->markOutput(*gather->getOutput(0));
  return buildAndRun(*net, {data, indices});
}

TEST(GatherTest, AxisZeroPicksRows) {
  Dims dims;
  auto out = runGather(HostTensor::f32({3, 2}, iota(6)), HostTensor::i32({2}, {2, 0}), 0, &dims);
  EXPECT_EQ(dims, (Dims{2, 2}));
  EXPECT_EQ(out[0].f32(), (std::vector<float>{4, 5, 0, 1}));
}

TEST(GatherTest, AxisOneWithMatrixIndices) {
  // data [2, 3, 2], indices [2, 2] on axis 1 -> [2, 2, 2, 2].
  Dims dims;
  auto out = runGather(HostTensor::f32({2, 3, 2}, iota(12)), HostTensor::i32({2, 2}, {0, 2, 1, 1}), 1, &dims);
  EXPECT_EQ(dims, (Dims{2, 2, 2, 2}));
  EXPECT_EQ(out[0].f32(), (std::vector<float>{0, 1, 4, 5, 2, 3, 2, 3, 6, 7, 10, 11, 8, 9, 8, 9}));
}

TEST(GatherTest, NegativeAndInt64Indices) {
  auto out = runGather(HostTensor::f32({2, 4}, iota(8)), HostTensor::i64({3}, {-1, 0, -4}), -1);
  EXPECT_EQ(out[0].f32(), (std::vector<float>{3, 0, 0, 7, 4, 4}));
}

TEST(GatherTest, ScalarIndexDropsTheAxis) {
  Dims dims;
  auto out = runGather(HostTensor::i32({3, 2}, {1, 2, 3, 4, 5, 6}), HostTensor::i64({}, {1}), 0, &dims);
  EXPECT_EQ(dims, (Dims{2}));
  EXPECT_EQ(out[0].dims, (Dims{2}));
  EXPECT_EQ(out[0].as<int32_t>(), (std::vector<int32_t>{3, 4}));
}

TEST(GatherTest, OutOfRangeIndexFailsTheStep) {
  auto net = makeNetwork();
  Tensor* d = net->addInput("data", DataType::kFLOAT, Dims{3});
  Tensor* i = net->addInput("indices", DataType::kINT32, Dims{2});
  auto* gather = net->addGather(*d, *i, 0);
  gather->setName("lookup");
  net->markOutput(*gather->getOutput(0));
  BuilderConfig config;
  auto engine = buildEngine(*net, config);
  auto context = engine->createExecutionContext();
  EXPECT_EQ(runContext(*context, {HostTensor::f32({3}, {7, 8, 9}), HostTensor::i32({2}, {2, -3})})[0].f32(),
            (std::vector<float>{9, 7}));
  for (int32_t bad : {3, -4}) {
    try {
      runContext(*context, {HostTensor::f32({3}, {7, 8, 9}), HostTensor::i32({2}, {0, bad})});
      FAIL() << "index " << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.object(), "lookup");
      EXPECT_NE(e.message().find(std::to_string(bad)), std::string::npos) << e.what();
    }
  }
}

TEST(GatherTest, ConstantIndicesAreRangeCheckedWhenAdded) {
  auto net = makeNetwork();
  Tensor* d = net->addInput("data", DataType::kFLOAT, Dims{2, 3});
  std::string autoName = "Gather_" + std::to_string(net->getNbLayers() + 1);  // after the constant
  try {
    net->addGather(*d, *int64Constant(*net, {0, 3}), 1);
    FAIL() << "index 3 on an axis of 3 was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.object(), autoName);
  }
  EXPECT_THROW(net->addGather(*d, *int64Constant(*net, {-3}, Dims{}), 0), Error);
  EXPECT_THROW(net->addGather(*d, *d, 0), Error);                                 // float indices
  EXPECT_THROW(net->addGather(*d, *int64Constant(*net, {0}, Dims{}), 2), Error);  // axis out of range
}

TEST(GatherTest, GatherOfAShapeFoldsToValues) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1, 3, -1});
  Tensor* shape = net->addShape(*x)->getOutput(0);
  Tensor* dims = net->addGather(*shape, *int64Constant(*net, {-1, 0}), 0)->getOutput(0);
  Tensor* last = net->addGather(*shape, *int64Constant(*net, {2}, Dims{}), 0)->getOutput(0);
  EXPECT_TRUE(dims->isShapeTensor());
  EXPECT_TRUE(last->isShapeTensor());
  EXPECT_EQ(last->getDimensions().nbDims, 0);
  // Use the folded values as a reshape target: [x.2, x.0 * 3].
  Tensor* parts[] = {net->addGather(*dims, *int64Constant(*net, {0}, Dims{1}), 0)->getOutput(0),
                     int64Constant(*net, {-1}, Dims{1})};
  Tensor* target = net->addConcatenation(parts, 2)->getOutput(0);
  auto* reshape = net->addShuffle(*x);
  reshape->setInput(1, *target);
  EXPECT_EQ(reshape->getOutput(0)->getDimensionExpression(0), "x.2");
  net->markOutput(*dims);
  net->markOutput(*last);
  net->markOutput(*reshape->getOutput(0));
  auto out = buildAndRun(*net, {HostTensor::f32({2, 3, 5}, iota(30))});
  EXPECT_EQ(out[0].as<int64_t>(), (std::vector<int64_t>{5, 2}));
  EXPECT_EQ(out[1].dims.nbDims, 0);
  EXPECT_EQ(out[1].as<int64_t>(), (std::vector<int64_t>{5}));
  EXPECT_EQ(out[2].dims, (Dims{5, 6}));
  EXPECT_EQ(out[2].f32(), iota(30));
}

TEST(GatherTest, DynamicIndicesCount) {
  // Embedding lookup: a fixed table, a dynamic number of int64 ids.
  auto net = makeNetwork();
  Tensor* t = floatConstant(*net, Dims{4, 3}, iota(12));
  Tensor* ids = net->addInput("ids", DataType::kINT64, Dims{1, -1});
  auto* gather = net->addGather(*t, *ids, 0);
  EXPECT_EQ(gather->getOutput(0)->getDimensions(), (Dims{1, -1, 3}));
  net->markOutput(*gather->getOutput(0));
  auto engine = buildDynamic(*net, {{"ids", Dims{1, 1}, Dims{1, 8}}});
  auto context = engine->createExecutionContext();
  auto out = runContext(*context, {HostTensor::i64({1, 3}, {3, 0, 3})});
  EXPECT_EQ(out[0].dims, (Dims{1, 3, 3}));
  EXPECT_EQ(out[0].f32(), (std::vector<float>{9, 10, 11, 0, 1, 2, 9, 10, 11}));
  out = runContext(*context, {HostTensor::i64({1, 1}, {1})});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{3, 4, 5}));
}

// ---- GatherElements and GatherND ----------------------------------------------------------------------------------

std::vector<HostTensor> runGatherMode(const HostTensor& data, const HostTensor& indices, GatherMode mode,
                                      int32_t axisOrBatchDims, Dims* outDims = nullptr) {
  auto net = makeNetwork();
  Tensor* d = net->addInput("data", data.type, data.dims);
  Tensor* i = net->addInput("indices", indices.type, indices.dims);
  auto* gather = net->addGatherV2(*d, *i, mode);
  EXPECT_EQ(gather->getMode(), mode);
  if (mode == GatherMode::kND)
    gather->setNbElementWiseDims(axisOrBatchDims);
  else
    gather->setGatherAxis(axisOrBatchDims);
  if (outDims) *outDims = gather->getOutput(0)->getDimensions();
  net->markOutput(*gather->getOutput(0));
  return buildAndRun(*net, {data, indices});
}

TEST(GatherElementsTest, OnnxExamples) {
  // The two examples of the ONNX GatherElements specification.
  Dims dims;
  auto out = runGatherMode(HostTensor::f32({2, 2}, {1, 2, 3, 4}), HostTensor::i64({2, 2}, {0, 0, 1, 0}),
                           GatherMode::kELEMENT, 1, &dims);
  EXPECT_EQ(dims, (Dims{2, 2}));
  EXPECT_EQ(out[0].f32(), (std::vector<float>{1, 1, 4, 3}));
  out = runGatherMode(HostTensor::f32({3, 3}, iota(9, 1)), HostTensor::i32({2, 3}, {1, 2, 0, 2, 0, 0}),
                      GatherMode::kELEMENT, 0, &dims);
  EXPECT_EQ(dims, (Dims{2, 3}));
  EXPECT_EQ(out[0].f32(), (std::vector<float>{4, 8, 3, 7, 2, 3}));
}

TEST(GatherElementsTest, NegativeIndicesAndSmallerIndices) {
  // Indices of shape 2x2 into 3x3 data along axis 1: out[i][j] = data[i][indices[i][j]], -1 is the last column.
  auto out = runGatherMode(HostTensor::f32({3, 3}, iota(9)), HostTensor::i64({2, 2}, {-1, 0, 1, -3}),
                           GatherMode::kELEMENT, -1);
  EXPECT_EQ(out[0].f32(), (std::vector<float>{2, 0, 4, 3}));
}

TEST(GatherElementsTest, ShapesAreChecked) {
  auto net = makeNetwork();
  Tensor* d = net->addInput("data", DataType::kFLOAT, Dims{2, 3});
  Tensor* flat = net->addInput("flat", DataType::kINT64, Dims{4});
  Tensor* wide = net->addInput("wide", DataType::kINT64, Dims{2, 4});
  Tensor* ok = net->addInput("ok", DataType::kINT64, Dims{2, 2});
  EXPECT_THROW(net->addGatherV2(*d, *flat, GatherMode::kELEMENT), Error);  // rank differs
  auto* gather = net->addGatherV2(*d, *ok, GatherMode::kELEMENT);
  // Along axis 1 the indices may be longer than data (4 picks from 3 columns)...
  gather->setGatherAxis(1);
  gather->setInput(1, *wide);
  EXPECT_EQ(gather->getOutput(0)->getDimensions(), (Dims{2, 4}));
  // ...but not on an axis they share with data.
  expectRejected(
      gather, [&] { gather->setGatherAxis(0); }, "indices wider than data off the gather axis",
      "larger than data on axis 1");
  EXPECT_EQ(gather->getGatherAxis(), 1);
}

TEST(GatherElementsTest, OutOfRangeIndexFailsTheStep) {
  auto net = makeNetwork();
  Tensor* d = net->addInput("data", DataType::kFLOAT, Dims{2, 2});
  Tensor* i = net->addInput("indices", DataType::kINT32, Dims{2, 2});
  auto* gather = net->addGatherV2(*d, *i, GatherMode::kELEMENT);
  gather->setName("pick");
  net->markOutput(*gather->getOutput(0));
  BuilderConfig config;
  auto engine = buildEngine(*net, config);
  auto context = engine->createExecutionContext();
  Error e = errorOf([&] {
    runContext(*context, {HostTensor::f32({2, 2}, iota(4)), HostTensor::i32({2, 2}, {0, 1, 2, 0})});
  });
  EXPECT_EQ(e.object(), "pick");
  EXPECT_NE(e.message().find("index 2"), std::string::npos) << e.what();
}

TEST(GatherNDTest, OnnxExamples) {
  // Examples 1-5 of the ONNX GatherND specification.
  Dims dims;
  auto out = runGatherMode(HostTensor::i32({2, 2}, {0, 1, 2, 3}), HostTensor::i64({2, 2}, {0, 0, 1, 1}),
                           GatherMode::kND, 0, &dims);
  EXPECT_EQ(dims, (Dims{2}));
  EXPECT_EQ(out[0].as<int32_t>(), (std::vector<int32_t>{0, 3}));
  out =
      runGatherMode(HostTensor::i32({2, 2}, {0, 1, 2, 3}), HostTensor::i64({2, 1}, {1, 0}), GatherMode::kND, 0, &dims);
  EXPECT_EQ(dims, (Dims{2, 2}));
  EXPECT_EQ(out[0].as<int32_t>(), (std::vector<int32_t>{2, 3, 0, 1}));
  HostTensor cube = HostTensor::i32({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  out = runGatherMode(cube, HostTensor::i64({2, 2}, {0, 1, 1, 0}), GatherMode::kND, 0, &dims);
  EXPECT_EQ(dims, (Dims{2, 2}));
  EXPECT_EQ(out[0].as<int32_t>(), (std::vector<int32_t>{2, 3, 4, 5}));
  out = runGatherMode(cube, HostTensor::i64({2, 1, 2}, {0, 1, 1, 0}), GatherMode::kND, 0, &dims);
  EXPECT_EQ(dims, (Dims{2, 1, 2}));
  EXPECT_EQ(out[0].as<int32_t>(), (std::vector<int32_t>{2, 3, 4, 5}));
  out = runGatherMode(cube, HostTensor::i64({2, 1}, {1, 0}), GatherMode::kND, 1, &dims);
  EXPECT_EQ(dims, (Dims{2, 2}));
  EXPECT_EQ(out[0].as<int32_t>(), (std::vector<int32_t>{2, 3, 4, 5}));
}

TEST(GatherNDTest, BatchDimsWithNegativeIndicesMatchTheReference) {
  // data 2x3x4, batch_dims 1, tuples of length 1 picking rows of each batch: out[b][t] = data[b][indices[b][t]].
  std::vector<float> data = iota(24);
  std::vector<int64_t> idx = {2, -3, -1, 1};  // batch 0: rows 2, 0; batch 1: rows 2, 1
  Dims dims;
  auto out =
      runGatherMode(HostTensor::f32({2, 3, 4}, data), HostTensor::i64({2, 2, 1}, idx), GatherMode::kND, 1, &dims);
  EXPECT_EQ(dims, (Dims{2, 2, 4}));
  std::vector<float> expected;
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t t = 0; t < 2; ++t) {
      int64_t row = (idx[b * 2 + t] + 3) % 3;
      for (int64_t c = 0; c < 4; ++c) expected.push_back(data[(b * 3 + row) * 4 + c]);
    }
  EXPECT_EQ(out[0].f32(), expected);
}

TEST(GatherNDTest, ShapesAreChecked) {
  auto net = makeNetwork();
  Tensor* d = net->addInput("data", DataType::kFLOAT, Dims{2, 3});
  Tensor* tooLong = net->addInput("long", DataType::kINT64, Dims{4, 3});
  Tensor* dynamicTuple = net->addInput("dyn", DataType::kINT64, Dims{4, -1});
  Tensor* otherBatch = net->addInput("batch", DataType::kINT64, Dims{3, 1});
  Tensor* ok = net->addInput("ok", DataType::kINT64, Dims{2, 1});
  EXPECT_THROW(net->addGatherV2(*d, *tooLong, GatherMode::kND), Error);       // tuples of 3 into rank 2
  EXPECT_THROW(net->addGatherV2(*d, *dynamicTuple, GatherMode::kND), Error);  // tuple length unknown
  auto* gather = net->addGatherV2(*d, *ok, GatherMode::kND);
  gather->setNbElementWiseDims(1);
  EXPECT_EQ(gather->getOutput(0)->getDimensions(), (Dims{2}));
  expectRejected(
      gather, [&] { gather->setInput(1, *otherBatch); }, "batch sizes differ", "batch dimension 0");
  expectRejected(
      gather, [&] { gather->setNbElementWiseDims(2); }, "as many batch dims as the rank", nullptr);
  auto* plain = net->addGather(*d, *ok, 0);
  expectRejected(
      plain, [&] { plain->setNbElementWiseDims(1); }, "batch dims on a default gather", "kND");
}

TEST(GatherNDTest, OutOfRangeIndexFailsTheStep) {
  auto net = makeNetwork();
  Tensor* d = net->addInput("data", DataType::kFLOAT, Dims{2, 3});
  Tensor* i = net->addInput("indices", DataType::kINT64, Dims{1, 2});
  net->markOutput(*net->addGatherV2(*d, *i, GatherMode::kND)->getOutput(0));
  BuilderConfig config;
  auto engine = buildEngine(*net, config);
  auto context = engine->createExecutionContext();
  EXPECT_EQ(runContext(*context, {HostTensor::f32({2, 3}, iota(6)), HostTensor::i64({1, 2}, {1, -1})})[0].f32(),
            (std::vector<float>{5}));
  Error e = errorOf([&] { runContext(*context, {HostTensor::f32({2, 3}, iota(6)), HostTensor::i64({1, 2}, {1, 3})}); });
  EXPECT_NE(e.message().find("index 3"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace kiln::test
