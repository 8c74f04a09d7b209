// Tactic selection: the builder times each candidate at every profile's opt shapes, records the fastest per profile
// in the plan, and the engine runs each profile with its own choice; the timing cache makes a rebuild skip timing.
// A backend of the test's own wraps the CPU backend and gives the matrix multiply two tactics whose (simulated) cost
// depends on the number of rows, so which one wins is known for each profile.
#include <gtest/gtest.h>

#include "cpu_backend_wrapper.h"
#include "test_util.h"

namespace kiln {
namespace {

using test::HostTensor;

struct Observed {
  std::string lastTactic;  // the tactic of the kernel that ran last
  int64_t lastRows = 0;
  int32_t timings = 0;  // medianLaunchTime calls
};
Observed observed;

class TacticKernel : public backend::Kernel {
 public:
  TacticKernel(std::unique_ptr<backend::Kernel> inner, std::string tactic)
      : inner_(std::move(inner)), tactic_(std::move(tactic)) {}
  Status run(const backend::KernelArgs& args) const override {
    observed.lastTactic = tactic_;
    observed.lastRows = args.out(0).shape.d[0];
    return inner_->run(args);
  }
  std::vector<plan::Tactic> candidateTactics(const backend::KernelArgs&) const override {
    return {{"few rows", "S"}, {"many rows", "L"}};
  }

 private:
  std::unique_ptr<backend::Kernel> inner_;
  std::string tactic_;
};

class TimedCpuBackend : public test::CpuBackendWrapper {
 public:
  TimedCpuBackend() : CpuBackendWrapper("timed-cpu") {}
  std::unique_ptr<backend::Kernel> createKernel(const backend::KernelSpec& spec) const override {
    auto inner = cpu().createKernel(spec);
    if (spec.step.type != LayerType::kMATRIX_MULTIPLY) return inner;
    return std::make_unique<TacticKernel>(std::move(inner), spec.hasTactic() ? spec.tactic->name : "default");
  }
  // "few rows" costs 1 up to 4 rows and 10 beyond; "many rows" always 5.
  double medianLaunchTime(const std::function<void(void*)>& launch, int32_t) const override {
    ++observed.timings;
    launch(nullptr);
    if (observed.lastTactic == "few rows") return observed.lastRows <= 4 ? 1.0 : 10.0;
    return 5.0;
  }
};

const bool registered = [] {
  backend::registerBackend(std::make_unique<TimedCpuBackend>());
  return true;
}();

// y = x W for x of shape [batch, 3], two profiles: batch 1..4 (opt 2) and 16..64 (opt 32).
struct Model {
  std::unique_ptr<NetworkDefinition> network = test::makeNetwork();
  std::vector<float> weights{1, 2, 3, 4, 5, 6};  // 3 x 2
  Model() {
    Tensor* x = network->addInput("x", DataType::kFLOAT, Dims{-1, 3});
    Tensor* w = test::floatConstant(*network, Dims{3, 2}, weights);
    auto* mm = network->addMatrixMultiply(*x, MatrixOperation::kNONE, *w, MatrixOperation::kNONE);
    mm->setName("product");
    network->markOutput(*mm->getOutput(0));
    mm->getOutput(0)->setName("y");
  }
  std::vector<uint8_t> build(TimingCache* cache, int32_t iterations = 10) {
    BuilderConfig config;
    config.setBackend("timed-cpu");
    config.setTimingCache(cache);
    config.setTimingIterations(iterations);
    config.addOptimizationProfile(test::profileFor("x", Dims{1, 3}, Dims{2, 3}, Dims{4, 3}));
    config.addOptimizationProfile(test::profileFor("x", Dims{16, 3}, Dims{32, 3}, Dims{64, 3}));
    return Builder().buildSerializedNetwork(*network, config);
  }
};

int32_t productLayer(const Engine& engine) {
  for (int32_t l = 0; l < engine.getNbLayers(); ++l)
    if (engine.getLayerInformation(l).name == "product") return l;
  return -1;
}

TEST(TacticSelection, EachProfileRecordsTheTacticFastestAtItsOptShapes) {
  ASSERT_TRUE(registered);
  Model m;
  auto engine = Runtime().deserialize(m.build(nullptr));
  int32_t layer = productLayer(*engine);
  ASSERT_GE(layer, 0);
  EXPECT_EQ(engine->getLayerInformation(layer).tactics, (std::vector<std::string>{"few rows", "many rows"}));

  // Each profile runs its own choice, and computes the product right (hand-computed: row r of x is [r, 1, 0]).
  for (int32_t profile : {0, 1}) {
    int64_t batch = profile == 0 ? 3 : 20;
    std::vector<float> x;
    for (int64_t r = 0; r < batch; ++r) x.insert(x.end(), {static_cast<float>(r), 1, 0});
    auto out = test::runEngine(*engine, {HostTensor::f32(Dims{batch, 3}, x)}, profile);
    EXPECT_EQ(observed.lastTactic, profile == 0 ? "few rows" : "many rows");
    std::vector<float> expected;
    for (int64_t r = 0; r < batch; ++r) expected.insert(expected.end(), {r * 1.0f + 3, r * 2.0f + 4});
    test::expectNear(out[0].f32(), expected);
  }
}

TEST(TacticSelection, ARebuildWithTheTimingCacheTimesNothing) {
  Model m;
  TimingCache cache;
  observed.timings = 0;
  auto first = m.build(&cache);
  EXPECT_EQ(cache.misses(), 2);
  EXPECT_EQ(cache.hits(), 0);
  EXPECT_EQ(cache.size(), 2u);
  // Two candidates in each of two profiles: each run once, then timed in 10 interleaved rounds (the default timing
  // iterations).
  EXPECT_EQ(observed.timings, 2 * (2 + 2 * 10));

  // Through the file form, as `kiln build --timingCacheFile` keeps it.
  auto bytes = cache.serialize();
  TimingCache reloaded = TimingCache::deserialize(bytes.data(), bytes.size());
  EXPECT_EQ(reloaded.size(), 2u);
  observed.timings = 0;
  auto second = m.build(&reloaded);
  EXPECT_EQ(reloaded.hits(), 2);
  EXPECT_EQ(reloaded.misses(), 0);
  EXPECT_EQ(observed.timings, 0);
  auto engine = Runtime().deserialize(second);
  EXPECT_EQ(engine->getLayerInformation(productLayer(*engine)).tactics,
            (std::vector<std::string>{"few rows", "many rows"}));
}

TEST(TacticSelection, ZeroTimingIterationsLeavesEveryStepOnItsDefault) {
  Model m;
  observed.timings = 0;
  auto engine = Runtime().deserialize(m.build(nullptr, 0));
  EXPECT_EQ(observed.timings, 0);
  EXPECT_EQ(engine->getLayerInformation(productLayer(*engine)).tactics, (std::vector<std::string>{"", ""}));
  test::runEngine(*engine, {HostTensor::f32(Dims{2, 3}, std::vector<float>(6, 1.0f))}, 0);
  EXPECT_EQ(observed.lastTactic, "default");
}

TEST(TimingCache, SerializesCombinesAndRejectsWhatIsNotACache) {
  TimingCache a;
  a.insert("layer one\twith a tab", {"algo 1", std::string("\x00\xff\x10", 3), 0.25});
  TimingCache b;
  b.insert("layer two", {"algo 2", "", 1.5});
  b.insert("layer one with a tab", {"other", "x", 9.0});  // a has this key already: combine keeps a's
  a.combine(b);
  ASSERT_EQ(a.size(), 2u);
  auto bytes = a.serialize();
  TimingCache back = TimingCache::deserialize(bytes.data(), bytes.size());
  ASSERT_NE(back.find("layer one with a tab"), nullptr);
  EXPECT_EQ(*back.find("layer one with a tab"), (TimingCache::Entry{"algo 1", std::string("\x00\xff\x10", 3), 0.25}));
  EXPECT_EQ(*back.find("layer two"), (TimingCache::Entry{"algo 2", "", 1.5}));

  auto rejects = [](const std::string& text, const std::string& why) {
    Error e = test::errorOf([&] { TimingCache::deserialize(text.data(), text.size()); });
    EXPECT_EQ(e.code(), ErrorCode::kINVALID_ARGUMENT) << text;
    EXPECT_EQ(e.object(), "timing cache") << text;
    EXPECT_NE(e.message().find(why), std::string::npos) << e.message();
  };
  rejects("KILNPLAN....", "line 1: not a kiln timing cache");
  rejects("kiln timing cache 1\nkey\tname\t0g\t1\n", "line 2: the tactic bytes are not lowercase hex");
  rejects("kiln timing cache 1\nkey\tname\t00\n", "line 2: expected 4 tab-separated fields, found 3");
  rejects("kiln timing cache 1\n\nkey\tname\t0\t1\n", "line 3: the tactic bytes have an odd number");
  rejects("kiln timing cache 1\nkey\tname\t00\tfast\n", "line 2: 'fast' is not a time");
}

}  // namespace
}  // namespace kiln
