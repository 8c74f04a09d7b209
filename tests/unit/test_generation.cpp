// Select, Fill, Scatter, Cumulative and OneHot: shape rules and CPU kernels against naive loops.
#include <gtest/gtest.h>

#include "onnx_model_builder.h"

namespace kiln::test {
namespace {

std::vector<int64_t> extentOf(const Dims& d) { return std::vector<int64_t>(d.d, d.d + d.nbDims); }

// The flat index of the element of `in` that output coordinate `index` reads under numpy broadcasting.
int64_t broadcastSource(const std::vector<int64_t>& index, const Dims& in) {
  size_t offset = index.size() - static_cast<size_t>(in.nbDims);
  std::vector<int64_t> coord, extent = extentOf(in);
  for (int32_t i = 0; i < in.nbDims; ++i) coord.push_back(in.d[i] == 1 ? 0 : index[offset + i]);
  return flatIndex(coord, extent);
}

// Runs once and returns the status of executeV2 (for run-time errors).
Status runStatus(NetworkDefinition& net, const std::vector<HostTensor>& inputs, const std::vector<const char*>& names,
                 DataType outputType) {
  BuilderConfig config;
  auto engine = buildEngine(net, config);
  auto context = engine->createExecutionContext();
  HostTensor out = bindInputsAndOutput(*context, inputs, names, net.getOutput(0)->getName(), outputType);
  return context->executeV2();
}

// ---- Select ---------------------------------------------------------------------------------------------------------

TEST(SelectTest, BroadcastsAllThreeInputs) {
  Dims cd{3, 1}, xd{1, 4}, yd{2, 1, 1};
  std::vector<uint8_t> c = {1, 0, 1};
  auto x = randomFloats(4, 1), y = randomFloats(2, 2);
  auto net = makeNetwork();
  Tensor* ct = net->addInput("c", DataType::kBOOL, cd);
  Tensor* xt = net->addInput("x", DataType::kFLOAT, xd);
  Tensor* yt = net->addInput("y", DataType::kFLOAT, yd);
  auto* layer = net->addSelect(*ct, *xt, *yt);
  EXPECT_EQ(layer->getOutput(0)->getDimensions(), (Dims{2, 3, 4}));
  net->markOutput(*layer->getOutput(0));
  auto out = buildAndRun(*net, {boolTensor(cd, c), HostTensor::f32(xd, x), HostTensor::f32(yd, y)});
  std::vector<float> expected;
  std::vector<int64_t> index(3, 0), extent = {2, 3, 4};
  do {
    expected.push_back(c[broadcastSource(index, cd)] ? x[broadcastSource(index, xd)] : y[broadcastSource(index, yd)]);
  } while (nextIndex(index, extent));
  EXPECT_EQ(out[0].f32(), expected);
}

TEST(SelectTest, MovesAnyTypeAndChecksItsInputs) {
  auto net = makeNetwork();
  Tensor* c = net->addInput("c", DataType::kBOOL, Dims{4});
  Tensor* x = net->addInput("x", DataType::kINT64, Dims{4});
  Tensor* y = int64Constant(*net, {-7}, Dims{1});
  net->markOutput(*net->addSelect(*c, *x, *y)->getOutput(0));
  auto out = buildAndRun(*net, {boolTensor(Dims{4}, {0, 1, 1, 0}), HostTensor::i64({4}, {1, 2, 3, 4})});
  EXPECT_EQ(out[0].as<int64_t>(), (std::vector<int64_t>{-7, 2, 3, -7}));

  Tensor* f = floatConstant(*net, Dims{1}, {0});
  Tensor* three = int64Constant(*net, {1, 2, 3});
  std::string next = "Select_" + std::to_string(net->getNbLayers());
  expectRejected(
      next, [&] { net->addSelect(*x, *x, *y); }, "integer condition", "bool");
  expectRejected(
      next, [&] { net->addSelect(*c, *x, *f); }, "mixed types", "different types");
  expectRejected(
      next, [&] { net->addSelect(*c, *x, *three); }, "4 vs 3", "broadcast");
}

// ---- Fill -----------------------------------------------------------------------------------------------------------

TEST(FillTest, ConstantAndLinspaceFromAttributes) {
  auto net = makeNetwork();
  auto* constant = net->addFill(Dims{2, 3}, FillOperation::kCONSTANT, DataType::kFLOAT);
  constant->setAlpha(2.5);
  auto* ramp = net->addFill(Dims{2, 3}, FillOperation::kLINSPACE, DataType::kINT32);
  ramp->setAlpha(-4);
  ramp->setBeta(3);  // every axis
  net->markOutput(*constant->getOutput(0));
  net->markOutput(*ramp->getOutput(0));
  auto out = buildAndRun(*net, {});
  EXPECT_EQ(out[0].f32(), std::vector<float>(6, 2.5f));
  // -4 + 3 i + 3 j
  EXPECT_EQ(out[1].as<int32_t>(), (std::vector<int32_t>{-4, -1, 2, -1, 2, 5}));
}

TEST(FillTest, DimensionsFromAShapeTensorFollowTheInput) {
  // out[i][j] = 0.5 - 2 i + 0.25 j, shaped like x (dynamic); alpha and beta are tensors.
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1, -1});
  Tensor* shape = net->addShape(*x)->getOutput(0);
  Tensor* alpha = floatConstant(*net, Dims{}, {0.5f});
  Tensor* beta = floatConstant(*net, Dims{2}, {-2.0f, 0.25f});
  auto* fill = net->addFill(Dims{}, FillOperation::kLINSPACE, DataType::kFLOAT);
  fill->setInput(0, *shape);
  fill->setInput(1, *alpha);
  fill->setInput(2, *beta);
  EXPECT_EQ(fill->getOutput(0)->getDimensions(), (Dims{-1, -1}));
  net->markOutput(*fill->getOutput(0));
  std::vector<Dims> shapes = {Dims{2, 3}, Dims{4, 1}, Dims{1, 5}};
  std::vector<std::vector<HostTensor>> runs;
  for (const Dims& d : shapes) runs.push_back({HostTensor::f32(d, std::vector<float>(d.volume()))});
  auto outs = runAtShapes(*net, runs, Dims{1, 1}, Dims{4, 5});
  for (size_t r = 0; r < shapes.size(); ++r) {
    std::vector<float> expected;
    for (int64_t i = 0; i < shapes[r].d[0]; ++i)
      for (int64_t j = 0; j < shapes[r].d[1]; ++j) expected.push_back(0.5f - 2.0f * i + 0.25f * j);
    EXPECT_EQ(outs[r][0].dims, shapes[r]);
    EXPECT_EQ(outs[r][0].f32(), expected);
  }
}

TEST(FillTest, ConstantAlphaTensorIsConvertedToTheOutputType) {
  auto net = makeNetwork();
  Tensor* alpha = net->addInput("alpha", DataType::kFLOAT, Dims{1});
  auto* fill = net->addFill(Dims{3}, FillOperation::kCONSTANT, DataType::kINT64);
  fill->setInput(1, *alpha);
  net->markOutput(*fill->getOutput(0));
  auto out = buildAndRun(*net, {HostTensor::f32({1}, {-3.75f})});
  EXPECT_EQ(out[0].as<int64_t>(), (std::vector<int64_t>(3, -3)));  // truncated toward zero
}

TEST(FillTest, SmallIntegerFillsCarryTheirValues) {
  auto net = makeNetwork();
  auto* ramp = net->addFill(Dims{3}, FillOperation::kLINSPACE, DataType::kINT64);
  ramp->setAlpha(10);
  ramp->setBeta(5);
  EXPECT_TRUE(ramp->getOutput(0)->isShapeTensor());  // 10, 15, 20
  EXPECT_FALSE(net->addFill(Dims{65}, FillOperation::kCONSTANT, DataType::kINT64)->getOutput(0)->isShapeTensor());
  EXPECT_FALSE(net->addFill(Dims{2}, FillOperation::kCONSTANT, DataType::kFLOAT)->getOutput(0)->isShapeTensor());
  // A reshape target built from a fill (as ONNX ConstantOfShape feeds Concat): x [N, 6] -> [-1, 3] = [2N, 3].
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1, 6});
  auto* minusOne = net->addFill(Dims{1}, FillOperation::kCONSTANT, DataType::kINT64);
  minusOne->setAlpha(-1);
  Tensor* parts[] = {minusOne->getOutput(0), int64Constant(*net, {3})};
  Tensor* target = net->addConcatenation(parts, 2)->getOutput(0);
  auto* reshape = net->addShuffle(*x);
  reshape->setInput(1, *target);
  EXPECT_EQ(reshape->getOutput(0)->getDimensions(), (Dims{-1, 3}));
  net->markOutput(*ramp->getOutput(0));
  net->markOutput(*reshape->getOutput(0));
  auto out = buildAndRun(*net, {HostTensor::f32({2, 6}, iota(12))});
  EXPECT_EQ(out[0].as<int64_t>(), (std::vector<int64_t>{10, 15, 20}));
  EXPECT_EQ(out[1].dims, (Dims{4, 3}));
  EXPECT_EQ(out[1].f32(), iota(12));
}

TEST(FillTest, RejectsBadSettings) {
  auto net = makeNetwork();
  Tensor* threeBetas = floatConstant(*net, Dims{3}, {1, 2, 3});
  Tensor* negative = int64Constant(*net, {2, -1});
  Tensor* runtimeDims = net->addInput("d", DataType::kINT64, Dims{2});
  Tensor* oneBeta = floatConstant(*net, Dims{1}, {1});
  std::string next = "Fill_" + std::to_string(net->getNbLayers());
  expectRejected(
      next, [&] { net->addFill(Dims{2}, FillOperation::kLINSPACE, DataType::kBOOL); }, "bool ramp", "bool");
  auto* fill = net->addFill(Dims{2, 2}, FillOperation::kLINSPACE, DataType::kFLOAT);
  expectRejected(
      fill, [&] { fill->setInput(2, *threeBetas); }, "beta per axis", "beta");
  expectRejected(
      fill, [&] { fill->setInput(0, *negative); }, "negative", "negative");
  expectRejected(
      fill, [&] { fill->setInput(0, *runtimeDims); }, "run-time dims", "shape tensor");
  auto* constant = net->addFill(Dims{2}, FillOperation::kCONSTANT, DataType::kFLOAT);
  expectRejected(
      constant, [&] { constant->setInput(2, *oneBeta); }, "beta on constant", "kLINSPACE");
}

// ---- Scatter --------------------------------------------------------------------------------------------------------

// ONNX ScatterElements by its definition: output[c with c[axis] = indices[c]] (op)= updates[c].
std::vector<float> referenceScatterElements(std::vector<float> data, const Dims& dataDims,
                                            const std::vector<int64_t>& indices, const Dims& indexDims,
                                            const std::vector<float>& updates, int32_t axis, ScatterReduction r) {
  std::vector<int64_t> index(indexDims.nbDims, 0), extent = extentOf(indexDims), dataExtent = extentOf(dataDims);
  int64_t j = 0;
  do {
    std::vector<int64_t> target = index;
    int64_t k = indices[j];
    target[axis] = k < 0 ? k + dataDims.d[axis] : k;
    float& v = data[flatIndex(target, dataExtent)];
    float u = updates[j++];
    switch (r) {
      case ScatterReduction::kNONE: v = u; break;
      case ScatterReduction::kADD: v += u; break;
      case ScatterReduction::kMUL: v *= u; break;
      case ScatterReduction::kMAX: v = std::max(v, u); break;
      case ScatterReduction::kMIN: v = std::min(v, u); break;
    }
  } while (nextIndex(index, extent));
  return data;
}

// Network inputs "data" and "updates" (fp32) and "indices", in that order.
std::vector<Tensor*> scatterInputs(NetworkDefinition& net, const Dims& data, const Dims& indices, const Dims& updates,
                                   DataType indexType) {
  Tensor* d = net.addInput("data", DataType::kFLOAT, data);
  Tensor* i = net.addInput("indices", indexType, indices);
  return {d, i, net.addInput("updates", DataType::kFLOAT, updates)};
}

TEST(ScatterTest, ElementsMatchTheReferenceForEveryReduction) {
  Dims dataDims{3, 4}, indexDims{3, 6};
  auto data = randomFloats(12, 3);
  auto updates = randomFloats(18, 4);
  // Indices longer than data on the scatter axis (axis 1), with duplicates and negative entries.
  std::vector<int64_t> indices = {0, 1, 1, -1, 3, 0, 2, 2, 2, 2, -4, 1, 3, 0, -2, 2, 1, 1};
  for (auto r : {ScatterReduction::kADD, ScatterReduction::kMUL, ScatterReduction::kMAX, ScatterReduction::kMIN}) {
    SCOPED_TRACE(static_cast<int>(r));
    auto net = makeNetwork();
    auto ins = scatterInputs(*net, dataDims, indexDims, indexDims, DataType::kINT64);
    auto* layer = net->addScatter(*ins[0], *ins[1], *ins[2], ScatterMode::kELEMENT, 1);
    layer->setReduction(r);
    net->markOutput(*layer->getOutput(0));
    auto out = buildAndRun(*net, {HostTensor::f32(dataDims, data), HostTensor::i64(indexDims, indices),
                                  HostTensor::f32(indexDims, updates)});
    expectNear(out[0].f32(), referenceScatterElements(data, dataDims, indices, indexDims, updates, 1, r));
  }
}

TEST(ScatterTest, ElementsWithoutReductionOnAxisZeroAndInt32Indices) {
  // The ONNX ScatterElements example 1.
  auto net = makeNetwork();
  auto ins = scatterInputs(*net, Dims{3, 3}, Dims{2, 3}, Dims{2, 3}, DataType::kINT32);
  auto* layer = net->addScatter(*ins[0], *ins[1], *ins[2], ScatterMode::kELEMENT);
  net->markOutput(*layer->getOutput(0));
  auto out =
      buildAndRun(*net, {HostTensor::f32({3, 3}, std::vector<float>(9, 0)), HostTensor::i32({2, 3}, {1, 0, 2, 0, 2, 1}),
                         HostTensor::f32({2, 3}, {1.0f, 1.1f, 1.2f, 2.0f, 2.1f, 2.2f})});
  EXPECT_EQ(out[0].f32(), (std::vector<float>{2.0f, 1.1f, 0, 1.0f, 0, 2.2f, 0, 2.1f, 1.2f}));
}

TEST(ScatterTest, NDWritesSlicesAndReduces) {
  // data [4, 2, 3]; index pairs pick [2, 3] rows... no: pairs (i, j) pick data[i, j, :], a slice of 3.
  Dims dataDims{4, 2, 3}, indexDims{2, 2, 2}, updateDims{2, 2, 3};
  auto data = iota(24);
  std::vector<int64_t> indices = {0, 1, 3, 0, -1, 0, 2, 1};  // (0,1) (3,0) (3,0) (2,1): (3,0) twice
  auto updates = iota(12, 100);
  auto net = makeNetwork();
  auto ins = scatterInputs(*net, dataDims, indexDims, updateDims, DataType::kINT64);
  auto* layer = net->addScatter(*ins[0], *ins[1], *ins[2], ScatterMode::kND);
  layer->setReduction(ScatterReduction::kADD);
  net->markOutput(*layer->getOutput(0));
  auto out = buildAndRun(*net, {HostTensor::f32(dataDims, data), HostTensor::i64(indexDims, indices),
                                HostTensor::f32(updateDims, updates)});
  std::vector<float> expected = data;
  for (int64_t t = 0; t < 4; ++t) {
    int64_t i = indices[2 * t] < 0 ? indices[2 * t] + 4 : indices[2 * t], j = indices[2 * t + 1];
    for (int64_t s = 0; s < 3; ++s) expected[(i * 2 + j) * 3 + s] += updates[t * 3 + s];
  }
  EXPECT_EQ(out[0].f32(), expected);
}

TEST(ScatterTest, ShapesAreChecked) {
  auto net = makeNetwork();
  Tensor* data = net->addInput("data", DataType::kFLOAT, Dims{3, 4});
  Tensor* i23 = net->addInput("i23", DataType::kINT64, Dims{2, 3});
  Tensor* u23 = net->addInput("u23", DataType::kFLOAT, Dims{2, 3});
  Tensor* u22 = net->addInput("u22", DataType::kFLOAT, Dims{2, 2});
  Tensor* i26 = net->addInput("i26", DataType::kINT64, Dims{2, 6});
  Tensor* u26 = net->addInput("u26", DataType::kFLOAT, Dims{2, 6});
  std::string next = "Scatter_" + std::to_string(net->getNbLayers());
  expectRejected(
      next, [&] { net->addScatter(*data, *i23, *u22, ScatterMode::kELEMENT); }, "updates shape", "differ");
  expectRejected(
      next, [&] { net->addScatter(*data, *i26, *u26, ScatterMode::kELEMENT, 0); }, "indices too long",
      "larger than data");
  expectRejected(
      next, [&] { net->addScatter(*data, *u23, *u23, ScatterMode::kELEMENT); }, "float indices", "int");
  // ScatterND: indices [2, 3] name 3-tuples, too long for rank-2 data.
  expectRejected(
      next, [&] { net->addScatter(*data, *i23, *u23, ScatterMode::kND); }, "tuple length", "tuples");
  auto* ok = net->addScatter(*data, *i26, *u26, ScatterMode::kELEMENT, 1);
  expectRejected(
      ok, [&] { ok->setAxis(0); }, "axis 0 is too short for the indices", "larger than data");
}

TEST(ScatterTest, OutOfRangeIndexIsARunTimeErrorNamingTheStep) {
  for (auto mode : {ScatterMode::kELEMENT, ScatterMode::kND}) {
    auto net = makeNetwork();
    Dims indexDims = mode == ScatterMode::kELEMENT ? Dims{2} : Dims{2, 1};
    auto ins = scatterInputs(*net, Dims{3}, indexDims, Dims{2}, DataType::kINT64);
    auto* layer = net->addScatter(*ins[0], *ins[1], *ins[2], mode);
    layer->setName("scatter");
    net->markOutput(*layer->getOutput(0));
    HostTensor data = HostTensor::f32({3}, {1, 2, 3}), updates = HostTensor::f32({2}, {4, 5});
    HostTensor indices = HostTensor::i64(indexDims, {1, 3});
    Status s = runStatus(*net, {data, indices, updates}, {"data", "indices", "updates"}, DataType::kFLOAT);
    ASSERT_FALSE(s.isOk());
    EXPECT_EQ(s.error().object(), "scatter");
    EXPECT_NE(s.error().message().find("index 3"), std::string::npos) << s.error().message();
  }
}

// ---- Cumulative -----------------------------------------------------------------------------------------------------

std::vector<double> referenceCumSum(const std::vector<double>& x, const Dims& dims, int32_t axis, bool exclusive,
                                    bool reverse) {
  std::vector<double> out(x.size());
  std::vector<int64_t> index(dims.nbDims, 0), extent = extentOf(dims);
  do {
    double sum = 0;
    std::vector<int64_t> other = index;
    for (int64_t k = 0; k < dims.d[axis]; ++k) {
      other[axis] = k;
      bool before = reverse ? k > index[axis] : k < index[axis];
      if (before || (!exclusive && k == index[axis])) sum += x[flatIndex(other, extent)];
    }
    out[flatIndex(index, extent)] = sum;
  } while (nextIndex(index, extent));
  return out;
}

TEST(CumulativeTest, EveryDirectionMatchesTheReference) {
  Dims dims{2, 4, 3};
  std::vector<double> x;
  for (float v : randomFloats(24, 5)) x.push_back(v);
  for (int32_t axis : {0, 1, -1}) {
    for (bool exclusive : {false, true}) {
      for (bool reverse : {false, true}) {
        SCOPED_TRACE(std::to_string(axis) + (exclusive ? " exclusive" : "") + (reverse ? " reverse" : ""));
        auto net = makeNetwork();
        auto* layer = net->addCumulative(*net->addInput("x", DataType::kDOUBLE, dims), axis, CumulativeOperation::kSUM,
                                         exclusive, reverse);
        net->markOutput(*layer->getOutput(0));
        auto out = buildAndRun(*net, {HostTensor::of(DataType::kDOUBLE, dims, x)});
        auto expected = referenceCumSum(x, dims, axis < 0 ? axis + 3 : axis, exclusive, reverse);
        auto got = out[0].as<double>();
        ASSERT_EQ(got.size(), expected.size());
        for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-12) << i;
      }
    }
  }
}

TEST(CumulativeTest, AxisTensorIsReadAtRunTime) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kINT32, Dims{2, 3});
  Tensor* axis = net->addInput("axis", DataType::kINT64, Dims{});
  Tensor* axisThree = int64Constant(*net, {3}, Dims{});
  auto* layer = net->addCumulative(*x, 0, CumulativeOperation::kSUM, false, false);
  layer->setInput(1, *axis);
  layer->setName("cumsum");
  net->markOutput(*layer->getOutput(0));
  HostTensor in = HostTensor::i32({2, 3}, {1, 2, 3, 4, 5, 6});
  auto engine = buildEngine(*net, BuilderConfig{});
  auto context = engine->createExecutionContext();
  EXPECT_EQ(runContext(*context, {in, HostTensor::i64({}, {0})})[0].as<int32_t>(),
            (std::vector<int32_t>{1, 2, 3, 5, 7, 9}));
  EXPECT_EQ(runContext(*context, {in, HostTensor::i64({}, {-1})})[0].as<int32_t>(),
            (std::vector<int32_t>{1, 3, 6, 4, 9, 15}));
  Status s = runStatus(*net, {in, HostTensor::i64({}, {2})}, {"x", "axis"}, DataType::kINT32);
  ASSERT_FALSE(s.isOk());
  EXPECT_EQ(s.error().object(), "cumsum");
  EXPECT_NE(s.error().message().find("axis 2"), std::string::npos) << s.error().message();
  // A constant axis tensor is checked when it is set.
  expectRejected(
      layer, [&] { layer->setInput(1, *axisThree); }, "axis 3", "out of range");
}

// ---- OneHot ---------------------------------------------------------------------------------------------------------

TEST(OneHotTest, NewAxisAnywhereWithNegativeAndOutOfRangeIndices) {
  Dims indexDims{2, 3};
  std::vector<int64_t> indices = {0, 3, -1, -4, 4, 2};  // depth 4: -4 is 0, 4 is out of range (all off)
  for (int32_t axis : {0, 1, 2, -1}) {
    SCOPED_TRACE(axis);
    auto net = makeNetwork();
    Tensor* i = net->addInput("i", DataType::kINT64, indexDims);
    Tensor* depth = int64Constant(*net, {4}, Dims{});
    auto* layer = net->addOneHot(*i, *floatConstant(*net, Dims{2}, {-1.0f, 7.0f}), *depth, axis);
    int32_t a = axis < 0 ? axis + 3 : axis;
    std::vector<int64_t> outExtent = extentOf(indexDims);
    outExtent.insert(outExtent.begin() + a, 4);
    EXPECT_EQ(layer->getOutput(0)->getDimensions(), toDims(outExtent));
    net->markOutput(*layer->getOutput(0));
    auto out = buildAndRun(*net, {HostTensor::i64(indexDims, indices)});
    std::vector<float> expected;
    std::vector<int64_t> index(3, 0);
    do {
      std::vector<int64_t> source = index;
      int64_t d = source[a];
      source.erase(source.begin() + a);
      int64_t k = indices[flatIndex(source, extentOf(indexDims))];
      expected.push_back(k == d || k + 4 == d ? 7.0f : -1.0f);
    } while (nextIndex(index, outExtent));
    EXPECT_EQ(out[0].f32(), expected);
  }
}

TEST(OneHotTest, DepthFromInputShapesAndChecks) {
  // depth = x's second dimension (dynamic); float indices truncate.
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{1, -1});
  Tensor* depth = net->addSlice(*net->addShape(*x)->getOutput(0), Dims{1}, Dims{1}, Dims{1})->getOutput(0);
  Tensor* values = int64Constant(*net, {0, 1});
  auto* layer = net->addOneHot(*net->addInput("i", DataType::kFLOAT, Dims{2}), *values, *depth, -1);
  EXPECT_EQ(layer->getOutput(0)->getDimensions(), (Dims{2, -1}));
  net->markOutput(*layer->getOutput(0));
  auto outs = runAtShapes(*net,
                          {{HostTensor::f32({1, 3}, {0, 0, 0}), HostTensor::f32({2}, {2.7f, -1.0f})},
                           {HostTensor::f32({1, 2}, {0, 0}), HostTensor::f32({2}, {2.7f, 1.0f})}},
                          Dims{1, 1}, Dims{1, 4});
  EXPECT_EQ(outs[0][0].as<int64_t>(), (std::vector<int64_t>{0, 0, 1, 0, 0, 1}));
  EXPECT_EQ(outs[1][0].as<int64_t>(), (std::vector<int64_t>{0, 0, 0, 1}));

  Tensor* i = net->addInput("i2", DataType::kINT32, Dims{3});
  Tensor* three = int64Constant(*net, {0, 1, 2});
  std::string next = "OneHot_" + std::to_string(net->getNbLayers());
  expectRejected(
      next, [&] { net->addOneHot(*i, *three, *depth, 0); }, "three values", "two elements");
  expectRejected(
      next, [&] { net->addOneHot(*i, *values, *depth, 2); }, "axis 2 of rank 2", "out of range");
  expectRejected(
      next, [&] { net->addOneHot(*i, *values, *i, 0); }, "run-time depth", "shape tensor");
}

}  // namespace
}  // namespace kiln::test
