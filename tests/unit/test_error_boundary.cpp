// The API's error boundary: a call that returns a Status never throws, whatever the code behind it throws, and the
// Status names the object at fault. A backend of the test's own wraps the CPU backend and throws a chosen kind of
// exception from a kernel's run, from allocation or from synchronization.
#include <gtest/gtest.h>

#include <new>
#include <stdexcept>

#include "core/api_boundary.h"
#include "cpu_backend_wrapper.h"
#include "test_util.h"

namespace kiln {
namespace {

enum class Throw { kNOTHING, kKILN_ERROR, kBAD_ALLOC, kSTD_EXCEPTION, kFOREIGN };
enum class Where { kRUN, kALLOCATE, kSYNCHRONIZE };

struct Injection {
  Throw what = Throw::kNOTHING;
  Where where = Where::kRUN;
};
Injection injection;

// What a CUDA library's wrapper or a third-party kernel might throw: not derived from std::exception.
struct ForeignFailure {
  int code = 700;
};

void maybeThrow(Where where) {
  if (injection.where != where) return;
  switch (injection.what) {
    case Throw::kNOTHING: return;
    case Throw::kKILN_ERROR: throw Error(ErrorCode::kRUNTIME, "injected", "injected object");
    case Throw::kBAD_ALLOC: throw std::bad_alloc();
    case Throw::kSTD_EXCEPTION: throw std::out_of_range("injected out_of_range");
    case Throw::kFOREIGN: throw ForeignFailure{};
  }
}

class ThrowingKernel : public backend::Kernel {
 public:
  explicit ThrowingKernel(std::unique_ptr<backend::Kernel> inner) : inner_(std::move(inner)) {}
  Status run(const backend::KernelArgs& args) const override {
    maybeThrow(Where::kRUN);
    return inner_->run(args);
  }

 private:
  std::unique_ptr<backend::Kernel> inner_;
};

class ThrowingCpuBackend : public test::CpuBackendWrapper {
 public:
  ThrowingCpuBackend() : CpuBackendWrapper("throwing-cpu") {}
  std::unique_ptr<backend::Kernel> createKernel(const backend::KernelSpec& spec) const override {
    return std::make_unique<ThrowingKernel>(cpu().createKernel(spec));
  }
  void* allocate(size_t bytes) const override {
    maybeThrow(Where::kALLOCATE);
    return cpu().allocate(bytes);
  }
  void synchronize(void*) const override { maybeThrow(Where::kSYNCHRONIZE); }
  // A non-null stream, so that executeV2 synchronizes through this backend.
  void* createStream() const override { return const_cast<ThrowingCpuBackend*>(this); }
  void destroyStream(void*) const override {}
};

const bool registered = [] {
  backend::registerBackend(std::make_unique<ThrowingCpuBackend>());
  return true;
}();

// y = relu(relu(x)) on [-1, 4] with batch 1..8, built for the throwing backend.
std::unique_ptr<Engine> buildEngine() {
  injection = {};
  auto network = test::makeNetwork();
  Tensor* x = network->addInput("x", DataType::kFLOAT, Dims{-1, 4});
  auto* relu = network->addActivation(*x, ActivationType::kRELU);
  relu->setName("the relu");
  // A second layer, so that the first one's output is an activation and a context allocates memory for it.
  auto* again = network->addActivation(*relu->getOutput(0), ActivationType::kRELU);
  again->setName("the second relu");
  again->getOutput(0)->setName("y");
  network->markOutput(*again->getOutput(0));
  BuilderConfig config;
  config.setBackend("throwing-cpu");
  config.addOptimizationProfile(test::profileFor("x", Dims{1, 4}, Dims{2, 4}, Dims{8, 4}));
  auto plan = Builder().buildSerializedNetwork(*network, config);
  return Runtime().deserialize(plan);
}

struct Case {
  Throw what;
  const char* message;  // part of the Status's message
};

class ErrorBoundary : public ::testing::TestWithParam<Case> {};

TEST_P(ErrorBoundary, KernelExceptionsBecomeAStatusNamingTheStep) {
  auto engine = buildEngine();
  auto context = engine->createExecutionContext();
  std::vector<float> x{-1, 2, -3, 4}, y(4, 7.0f);
  ASSERT_TRUE(context->setInputShape("x", Dims{1, 4}));
  ASSERT_TRUE(context->setTensorAddress("x", x.data()));
  ASSERT_TRUE(context->setTensorAddress("y", y.data()));
  injection = {GetParam().what, Where::kRUN};
  Status status;
  EXPECT_NO_THROW(status = context->enqueueV3(nullptr));
  ASSERT_FALSE(status.isOk());
  EXPECT_NE(std::string(status.error().what()).find(GetParam().message), std::string::npos) << status.error().what();
  if (GetParam().what != Throw::kKILN_ERROR) {
    EXPECT_EQ(status.error().code(), ErrorCode::kRUNTIME);
    EXPECT_EQ(status.error().object(), "the relu");
  }
  // The context is still usable once the fault is gone.
  injection = {};
  ASSERT_TRUE(context->enqueueV3(nullptr));
  EXPECT_EQ(y, (std::vector<float>{0, 2, 0, 4}));
}

TEST_P(ErrorBoundary, SynchronizationExceptionsBecomeAStatus) {
  auto engine = buildEngine();
  auto context = engine->createExecutionContext();
  std::vector<float> x(4, 1.0f), y(4);
  ASSERT_TRUE(context->setInputShape("x", Dims{1, 4}));
  ASSERT_TRUE(context->setTensorAddress("x", x.data()));
  ASSERT_TRUE(context->setTensorAddress("y", y.data()));
  injection = {GetParam().what, Where::kSYNCHRONIZE};
  Status status;
  EXPECT_NO_THROW(status = context->executeV2());
  ASSERT_FALSE(status.isOk());
  EXPECT_NE(std::string(status.error().what()).find(GetParam().message), std::string::npos) << status.error().what();
  if (GetParam().what != Throw::kKILN_ERROR) {
    EXPECT_EQ(status.error().object(), "execution context");
  }
}

TEST_P(ErrorBoundary, AllocationExceptionsBecomeAStatusOrAKilnError) {
  auto engine = buildEngine();
  // Creating a context allocates its first profile's memory: documented to throw kiln::Error, and only that.
  injection = {GetParam().what, Where::kALLOCATE};
  try {
    engine->createExecutionContext();
    FAIL() << "creating a context did not fail";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(GetParam().message), std::string::npos) << e.what();
  } catch (...) {
    FAIL() << "an exception other than kiln::Error left createExecutionContext";
  }
}

INSTANTIATE_TEST_SUITE_P(EachKind, ErrorBoundary,
                         ::testing::Values(Case{Throw::kKILN_ERROR, "injected"},
                                           Case{Throw::kBAD_ALLOC, "out of host memory"},
                                           Case{Throw::kSTD_EXCEPTION, "injected out_of_range"},
                                           Case{Throw::kFOREIGN, "not std::exception"}),
                         [](const auto& info) {
                           switch (info.param.what) {
                             case Throw::kKILN_ERROR: return std::string("KilnError");
                             case Throw::kBAD_ALLOC: return std::string("BadAlloc");
                             case Throw::kSTD_EXCEPTION: return std::string("StdException");
                             default: return std::string("Foreign");
                           }
                         });

TEST(ErrorBoundary, ErrorBoundaryPassesKilnErrorsAndConvertsTheRest) {
  EXPECT_EQ(core::errorBoundary("thing", [] { return 3; }), 3);
  try {
    core::errorBoundary("thing", []() -> int { throw std::bad_alloc(); });
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.object(), "thing");
    EXPECT_EQ(e.code(), ErrorCode::kRUNTIME);
  }
  try {
    core::errorBoundary("thing", []() -> int { throw Error(ErrorCode::kIO, "disk", "file"); });
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.object(), "file");
    EXPECT_EQ(e.code(), ErrorCode::kIO);
  }
}

}  // namespace
}  // namespace kiln
