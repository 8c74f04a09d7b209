// Size arithmetic on hostile inputs: element counts, byte sizes, arena offsets and shape values that do not fit in 64
// bits are refused with an error naming what overflowed, integer division has a defined result everywhere, and the
// memory a profile or a context needs is checked before anything relies on it.
#include <gtest/gtest.h>
#include <malloc.h>

#include <limits>
#include <string>

#include "core/checked_math.h"
#include "core/symbolic.h"
#include "cpu_backend_wrapper.h"
#include "onnx_model_builder.h"

namespace kiln::test {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

// EXPECT that `error` has `code`, names `object` and says `fragment`.
void expectError(const Error& error, ErrorCode code, const std::string& object, const std::string& fragment) {
  EXPECT_EQ(error.code(), code) << error.what();
  EXPECT_EQ(error.object(), object) << error.what();
  EXPECT_NE(std::string(error.message()).find(fragment), std::string::npos) << error.what();
  EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos) << "not one line: " << error.what();
}

// ---- The helpers ----------------------------------------------------------------------------------------------------

TEST(CheckedSizes, CheckedMathThrowsNamingTheQuantityAndTheObject) {
  core::SizeContext context{ErrorCode::kINVALID_PROFILE, "the byte size", "t"};
  EXPECT_EQ(core::checkedMul<int64_t>(int64_t{1} << 31, int64_t{1} << 31, context), int64_t{1} << 62);
  expectError(errorOf([&] { core::checkedMul<int64_t>(int64_t{1} << 32, int64_t{1} << 31, context); }),
              ErrorCode::kINVALID_PROFILE, "t", "the byte size overflows 64-bit integers (4294967296 * 2147483648)");
  expectError(errorOf([&] { core::checkedAdd<int64_t>(kInt64Max, 1, context); }), ErrorCode::kINVALID_PROFILE, "t",
              "overflows 64-bit integers (9223372036854775807 + 1)");
  EXPECT_EQ(core::checkedRoundUp(257, 256, context), 512u);
  errorOf([&] { core::checkedRoundUp(std::numeric_limits<uint64_t>::max() - 10, 256, context); });
  EXPECT_EQ(core::checkedBytes(int64_t{1} << 40, 8, context), uint64_t{1} << 43);
  errorOf([&] { core::checkedBytes(int64_t{1} << 62, 8, context); });
  EXPECT_FALSE(core::tryMul(kInt64Min, int64_t{-1}));
  EXPECT_EQ(core::trySub<int64_t>(0, kInt64Max), -kInt64Max);
}

TEST(CheckedSizes, VolumeOfDimsThatOverflowThrowsInsteadOfWrapping) {
  Dims huge{int64_t{1} << 40, int64_t{1} << 40};
  expectError(errorOf([&] { (void)huge.volume(); }), ErrorCode::kINVALID_ARGUMENT, "1099511627776x1099511627776",
              "the element count overflows 64-bit integers");
  // An empty axis anywhere makes the count 0, however large the other axes are.
  EXPECT_EQ((Dims{int64_t{1} << 40, int64_t{1} << 40, 0}.volume()), 0);
  EXPECT_EQ((Dims{int64_t{1} << 31, int64_t{1} << 31}.volume()), int64_t{1} << 62);
  EXPECT_FALSE(core::tryVolume(Dims{kInt64Max, 2}));
  expectError(errorOf([&] {
                core::checkedVolume(huge, {ErrorCode::kINVALID_GRAPH, "its size", "w"});
              }),
              ErrorCode::kINVALID_GRAPH, "w", "its size overflows 64-bit integers (dimensions 1099511627776x");
}

// ---- Symbolic shape arithmetic ----------------------------------------------------------------------------------

TEST(CheckedSizes, ShapeExpressionsFailInsteadOfOverflowing) {
  bool ok = true;
  EXPECT_EQ(core::applyExprOp(core::ExprOp::kADD, kInt64Max, 1, ok), 0);
  EXPECT_FALSE(ok);
  ok = true;
  core::applyExprOp(core::ExprOp::kMUL, int64_t{1} << 32, int64_t{1} << 32, ok);
  EXPECT_FALSE(ok);
  ok = true;
  core::applyExprOp(core::ExprOp::kFLOOR_DIV, kInt64Min, -1, ok);
  EXPECT_FALSE(ok);
  ok = true;
  core::applyExprOp(core::ExprOp::kCEIL_DIV, kInt64Min, 1, ok);
  EXPECT_FALSE(ok);
  // The modulo stays exact where floor(a / b) * b would not fit.
  ok = true;
  EXPECT_EQ(core::applyExprOp(core::ExprOp::kMOD, kInt64Min, -1, ok), 0);
  EXPECT_EQ(core::applyExprOp(core::ExprOp::kMOD, kInt64Min, 3, ok), 1);  // -2^63 = -3074457345618258603 * 3 + 1
  EXPECT_EQ(core::applyExprOp(core::ExprOp::kMOD, kInt64Max, -2, ok), -1);
  EXPECT_TRUE(ok);

  // Evaluating at run time: a product of two input dimensions beyond int64 is a failed evaluation.
  core::ExprPool pool;
  pool.mul(pool.inputDim(0, 0), pool.inputDim(0, 1));
  std::vector<int64_t> values(pool.size());
  EXPECT_TRUE(core::evaluateExprs(
      pool.nodes(), [](int32_t, int32_t) { return int64_t{1} << 31; }, values));
  EXPECT_EQ(values.back(), int64_t{1} << 62);
  EXPECT_FALSE(core::evaluateExprs(
      pool.nodes(), [](int32_t, int32_t) { return int64_t{1} << 32; }, values));
}

TEST(CheckedSizes, FoldingTwoConstantsThatOverflowIsRefused) {
  core::ExprPool pool;
  core::ExprId big = pool.constant(kInt64Max);
  expectError(errorOf([&] { pool.add(big, pool.constant(1)); }), ErrorCode::kINVALID_GRAPH, "",
              "shape arithmetic overflows 64-bit integers (9223372036854775807 + 1)");
  errorOf([&] { pool.mul(big, pool.constant(2)); });
  errorOf([&] { pool.floorDiv(pool.constant(kInt64Min), pool.constant(-1)); });
  // A zero divisor stays an expression: it is refused where it is evaluated.
  EXPECT_FALSE(pool.isConstant(pool.floorDiv(big, pool.constant(0))));
  // Simplifications whose constants would overflow are skipped, not wrapped.
  core::ExprId x = pool.inputDim(0, 0);
  core::ExprId sum = pool.add(pool.add(x, big), big);
  std::vector<int64_t> values(pool.size());
  EXPECT_FALSE(core::evaluateExprs(
      pool.nodes(), [](int32_t, int32_t) { return int64_t{0}; }, values));
  EXPECT_NE(pool.toString(sum).find("9223372036854775807"), std::string::npos) << pool.toString(sum);
  core::ExprId product = pool.mul(pool.mul(x, pool.constant(int64_t{1} << 40)), pool.constant(int64_t{1} << 40));
  EXPECT_FALSE(pool.isConstant(product));
  pool.sub(x, pool.constant(kInt64Min));
}

TEST(CheckedSizes, IntervalsOfExtremeShapeValuesStayOrdered) {
  core::ExprPool pool;
  core::ExprId v = pool.inputValue(0, 0);
  core::ExprId negated = pool.sub(pool.constant(0), v);
  core::ExprId modulo = pool.mod(pool.inputDim(0, 0), v);
  core::ExprId quotient = pool.floorDiv(v, pool.constant(-1));
  std::vector<core::Interval> bounds(pool.size());
  core::evaluateIntervals(
      pool.nodes(),
      [](int32_t, int32_t) {
        return core::Interval{0, kInt64Max};
      },
      bounds,
      [](int32_t, int32_t) {
        return core::Interval{kInt64Min, kInt64Max};
      });
  for (core::ExprId id : {v, negated, modulo, quotient}) {
    SCOPED_TRACE(pool.toString(id));
    EXPECT_LE(bounds[id].lo, bounds[id].hi);
    EXPECT_LE(bounds[id].lo, -(int64_t{1} << 62));
    EXPECT_GE(bounds[id].hi, int64_t{1} << 62);
  }
}

// ---- Network definitions ------------------------------------------------------------------------------------------

TEST(CheckedSizes, StaticInputDimsBeyondInt64AreRefusedNamingTheInput) {
  auto network = makeNetwork();
  expectError(errorOf([&] {
                network->addInput("x", DataType::kFLOAT, Dims{int64_t{1} << 40, int64_t{1} << 40});
              }),
              ErrorCode::kINVALID_ARGUMENT, "x", "hold more elements than 64-bit integers count");
  // Dynamic axes do not count, an empty axis makes any size fine.
  EXPECT_NE(network->addInput("y", DataType::kFLOAT, Dims{-1, int64_t{1} << 40, -1}), nullptr);
  EXPECT_NE(network->addInput("z", DataType::kFLOAT, Dims{int64_t{1} << 40, int64_t{1} << 40, 0}), nullptr);
}

TEST(CheckedSizes, ShapeArithmeticOverflowNamesTheLayer) {
  auto network = makeNetwork();
  Tensor* x = network->addInput("x", DataType::kFLOAT, Dims{int64_t{1} << 62});
  Tensor* both[] = {x, x};
  Error error = errorOf([&] { network->addConcatenation(both, 2)->setName("concat"); });
  EXPECT_EQ(error.code(), ErrorCode::kINVALID_GRAPH) << error.what();
  EXPECT_NE(std::string(error.message())
                .find("Concatenation layer: shape arithmetic overflows 64-bit integers "
                      "(4611686018427387904 + 4611686018427387904)"),
            std::string::npos)
      << error.what();
  EXPECT_FALSE(error.object().empty());
}

// ---- Profiles and memory --------------------------------------------------------------------------------------------

// y = relu(relu(x)) with x of [-1, 4]: the first relu's output is an activation the arena holds.
std::unique_ptr<NetworkDefinition> twoRelus() {
  auto network = makeNetwork();
  Tensor* x = network->addInput("x", DataType::kFLOAT, Dims{-1, 4});
  auto* first = network->addActivation(*x, ActivationType::kRELU);
  first->getOutput(0)->setName("hidden");
  auto* second = network->addActivation(*first->getOutput(0), ActivationType::kRELU);
  second->getOutput(0)->setName("y");
  network->markOutput(*second->getOutput(0));
  return network;
}

Error buildErrorForMaxBatch(int64_t maxBatch) {
  auto network = twoRelus();
  return errorOf([&] { buildWithProfile(*network, profileFor("x", Dims{1, 4}, Dims{1, 4}, Dims{maxBatch, 4})); });
}

TEST(CheckedSizes, ProfileMaxWhoseByteSizeOverflowsIsRefusedNamingTheTensor) {
  // 2^60 x 4 elements saturate the bound, whose bytes wrapped to an arena of 0 bytes.
  expectError(buildErrorForMaxBatch(int64_t{1} << 60), ErrorCode::kINVALID_PROFILE, "x",
              "its size at the profile's largest shapes overflows 64-bit integers");
  expectError(buildErrorForMaxBatch(kInt64Max), ErrorCode::kINVALID_PROFILE, "x",
              "its size at the profile's largest shapes overflows 64-bit integers");
  // 2^59 x 4 x 4 bytes fits in 64 bits but in no machine: the input is the first tensor that does not.
  expectError(buildErrorForMaxBatch(int64_t{1} << 59), ErrorCode::kINVALID_PROFILE, "x",
              "needs up to 9223372036854775808 bytes at the max shapes of profile 0, more than the");
  expectError(buildErrorForMaxBatch(int64_t{1} << 57), ErrorCode::kINVALID_PROFILE, "x",
              "bytes of the cpu backend's memory");
}

TEST(CheckedSizes, ActivationsBeyondMemoryAreRefusedNamingTheLargest) {
  // y = sum over j of x[i] * x[j]: inputs and outputs of n floats, an n x n activation between them.
  auto network = makeNetwork();
  Tensor* x = network->addInput("x", DataType::kFLOAT, Dims{-1, 1});
  ShuffleLayer* row = network->addShuffle(*x);
  row->setFirstTranspose({1, 0});
  auto* outer = network->addElementWise(*x, *row->getOutput(0), ElementWiseOperation::kPROD);
  outer->getOutput(0)->setName("outer");
  auto* sum = network->addReduce(*outer->getOutput(0), ReduceOperation::kSUM, 2, false);
  network->markOutput(*sum->getOutput(0));
  Error error = errorOf([&] {
    buildWithProfile(*network, profileFor("x", Dims{1, 1}, Dims{1, 1}, Dims{int64_t{1} << 20, 1}));
  });
  expectError(error, ErrorCode::kINVALID_PROFILE, "outer",
              "largest tensor 'outer' (up to 4398046511104 bytes) exceeds the");
}

TEST(CheckedSizes, ShapeInputValuesOutsideTheInputsIntegerTypeAreRefused) {
  auto network = reshapeByShapeInput(DataType::kINT32);
  OptimizationProfile profile;
  setShapeValueRange(profile, "target", {1, 1, 1}, {2, 3, 4}, {24, int64_t{1} << 32, 24});
  expectError(errorOf([&] { buildWithProfile(*network, profile); }), ErrorCode::kINVALID_PROFILE, "target",
              "value 1 of 'target' in profile 0 has max 4294967296, outside the range of int32");
}

// ---- Integer division ---------------------------------------------------------------------------------------------

// a op b for two int64 constants, built and run.
std::vector<int64_t> foldedDivision(int64_t a, int64_t b, ElementWiseOperation op) {
  auto network = makeNetwork();
  auto* layer = network->addElementWise(*int64Constant(*network, {a}), *int64Constant(*network, {b}), op);
  layer->setName("division");
  network->markOutput(*layer->getOutput(0));
  return buildAndRun(*network, {})[0].as<int64_t>();
}

TEST(CheckedSizes, MostNegativeDividedByMinusOneWrapsAsNumpy) {
  EXPECT_EQ(foldedDivision(kInt64Min, -1, ElementWiseOperation::kDIV), std::vector<int64_t>{kInt64Min});
  EXPECT_EQ(foldedDivision(kInt64Min, -1, ElementWiseOperation::kFLOOR_DIV), std::vector<int64_t>{kInt64Min});
  EXPECT_EQ(foldedDivision(kInt64Min, -1, ElementWiseOperation::kMOD), std::vector<int64_t>{0});
  EXPECT_EQ(foldedDivision(kInt64Min, -1, ElementWiseOperation::kFMOD), std::vector<int64_t>{0});
  EXPECT_EQ(foldedDivision(kInt64Max, kInt64Max, ElementWiseOperation::kSUM), std::vector<int64_t>{-2});
  EXPECT_EQ(foldedDivision(kInt64Min, 3, ElementWiseOperation::kMOD), std::vector<int64_t>{1});
}

// The run-time kernels give a zero divisor a value (test_elementwise.cpp); between constants it is a mistake the build
// can see.
TEST(CheckedSizes, ConstantIntegerDivisionByZeroIsRefusedNamingTheLayer) {
  for (auto op : {ElementWiseOperation::kDIV, ElementWiseOperation::kFLOOR_DIV, ElementWiseOperation::kMOD,
                  ElementWiseOperation::kFMOD}) {
    SCOPED_TRACE(static_cast<int>(op));
    expectError(errorOf([&] { foldedDivision(7, 0, op); }), ErrorCode::kINVALID_GRAPH, "division",
                "integer division by zero");
  }
}

// ---- ONNX files -----------------------------------------------------------------------------------------------------

// y = x + w, with the initializer w damaged by the caller.
OnnxModel modelWithInitializer(const TensorProto& w) {
  OnnxModel model(17);
  model.input("x", {2, 3});
  model.initializer(w);
  model.outputNode("Add", {"x", "w"});
  return model;
}

TEST(CheckedSizes, InitializerDimsThatOverflowAreRefusedNamingIt) {
  TensorProto w = tensorOfShape("w", {int64_t{1} << 40, int64_t{1} << 40}, TensorProto::FLOAT);
  expectError(modelWithInitializer(w).importError(), ErrorCode::kINVALID_GRAPH, "w",
              "its size overflows 64-bit integers (dimensions 1099511627776x1099511627776)");
  TensorProto large = tensorOfShape("w", {int64_t{1} << 21, int64_t{1} << 21}, TensorProto::FLOAT);
  expectError(modelWithInitializer(large).importError(), ErrorCode::kINVALID_GRAPH, "w",
              "more than the 1099511627776 an initializer may have");
}

TEST(CheckedSizes, InitializerLargerThanItsDataIsRefusedBeforeAllocating) {
  // 2^36 floats (256 GiB) that the file does not hold: refused without allocating them first.
  TensorProto raw = tensorOfShape("w", {int64_t{1} << 18, int64_t{1} << 18}, TensorProto::FLOAT);
  raw.set_raw_data(std::string(8, '\0'));
  expectError(modelWithInitializer(raw).importError(), ErrorCode::kINVALID_GRAPH, "w",
              "raw data holds 8 bytes, shape and type need 274877906944");
  TensorProto typed = tensorOfShape("w", {int64_t{1} << 18, int64_t{1} << 18}, TensorProto::FLOAT);
  typed.add_float_data(1.0f);
  expectError(modelWithInitializer(typed).importError(), ErrorCode::kINVALID_GRAPH, "w",
              "holds 1 values, shape needs 68719476736");
}

Error constantOfShapeBuildError(const std::vector<int64_t>& shape) {
  return errorOf([&] {
    auto network = constantOfShapePlusInput(shape).import();
    buildEngine(*network, BuilderConfig());
  });
}

TEST(CheckedSizes, ConstantOfShapeBeyondMemoryIsRefusedBeforeAllocating) {
  expectError(constantOfShapeBuildError({int64_t{1} << 40}), ErrorCode::kINVALID_PROFILE, "y",
              "needs up to 4398046511104 bytes at the max shapes of profile 0, more than the");
  Error overflow = constantOfShapeBuildError({int64_t{1} << 40, int64_t{1} << 40});
  EXPECT_EQ(overflow.code(), ErrorCode::kINVALID_GRAPH) << overflow.what();
  EXPECT_NE(overflow.message().find("Fill layer: output 0 has dimensions 1099511627776x1099511627776, more elements "
                                    "than 64-bit integers count"),
            std::string::npos)
      << overflow.what();
}

// ---- Contexts and their memory ------------------------------------------------------------------------------------

constexpr size_t kNoLimit = std::numeric_limits<size_t>::max();

// The CPU backend with a limit on allocations that the tests below change.
LimitedMemoryBackend& limitedMemory() {
  static LimitedMemoryBackend* registered = [] {
    auto backend = std::make_unique<LimitedMemoryBackend>("limited-memory-cpu", kNoLimit);
    LimitedMemoryBackend* raw = backend.get();
    backend::registerBackend(std::move(backend));
    return raw;
  }();
  return *registered;
}

// twoRelus for the limited backend with profile 0 of batch 1..8 and profile 1 of batch 1..2^20 (16 MiB of arena).
std::unique_ptr<Engine> buildForLimitedMemory() {
  limitedMemory().limit = kNoLimit;
  auto network = twoRelus();
  BuilderConfig config;
  config.setBackend("limited-memory-cpu");
  config.addOptimizationProfile(profileFor("x", Dims{1, 4}, Dims{1, 4}, Dims{8, 4}));
  config.addOptimizationProfile(profileFor("x", Dims{1, 4}, Dims{1, 4}, Dims{int64_t{1} << 20, 4}));
  return buildEngine(*network, config);
}

std::vector<float> runOnce(ExecutionContext& context) {
  return runContext(context, {HostTensor::f32({2, 4}, {-1, 2, -3, 4, 5, -6, 7, -8})})[0].f32();
}

TEST(CheckedSizes, ContextWithoutItsArenaFailsClearlyAndLeavesTheEngineUsable) {
  auto engine = buildForLimitedMemory();
  ASSERT_EQ(engine->getDeviceMemorySize(0), 256u);
  limitedMemory().limit = 64;
  expectError(errorOf([&] { engine->createExecutionContext(); }), ErrorCode::kRUNTIME, "execution context",
              "cannot allocate the 256 bytes of activation memory of profile 0 (out of host memory allocating 256 "
              "bytes)");
  EXPECT_EQ(engine->getNbIOTensors(), 2);
  limitedMemory().limit = 1024;
  auto context = engine->createExecutionContext();
  EXPECT_EQ(runOnce(*context), (std::vector<float>{0, 2, 0, 4, 5, 0, 7, 0}));
  // A profile whose arena cannot be had leaves the context on its previous profile, still running.
  Status status = context->setOptimizationProfile(1);
  ASSERT_FALSE(status.isOk());
  expectError(status.error(), ErrorCode::kRUNTIME, "execution context",
              "cannot allocate the 16777216 bytes of activation memory of profile 1");
  EXPECT_EQ(context->getOptimizationProfile(), 0);
  EXPECT_EQ(runOnce(*context), (std::vector<float>{0, 2, 0, 4, 5, 0, 7, 0}));
  limitedMemory().limit = kNoLimit;
}

TEST(CheckedSizes, TenThousandContextsLeakNothing) {
  auto engine = buildForLimitedMemory();
  auto cycle = [&](int32_t count, size_t limit) {
    for (int32_t i = 0; i < count; ++i) {
      limitedMemory().limit = limit;
      try {
        auto context = engine->createExecutionContext();
        if (i % 1000 == 0) runOnce(*context);
      } catch (const Error&) {
      }
    }
    limitedMemory().limit = kNoLimit;
  };
  cycle(100, kNoLimit);  // first-use allocations (the kernels' caches) happen here
  size_t before = mallinfo2().uordblks;
  cycle(5000, kNoLimit);
  cycle(5000, 64);  // every creation fails for its arena
  size_t after = mallinfo2().uordblks;
  // A leak of even a few bytes per cycle would pass 64 KiB; sanitizer builds (whose mallinfo reads 0) find it
  // through LeakSanitizer instead.
  EXPECT_LT(after, before + (64u << 10)) << "before " << before << ", after " << after;
}

}  // namespace
}  // namespace kiln::test
