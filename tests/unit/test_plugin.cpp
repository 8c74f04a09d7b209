// Plugins: the registry, the library loader, plugin layers in API-built networks with dynamic shapes, plans that
// record them, ONNX nodes that become them, and the errors a plugin's failures become.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "core/symbolic.h"
#include "onnx_model_builder.h"
#include "test_util.h"

namespace kiln::test {
namespace {

// The library of tests/plugins (ScaledSwish, OuterSum), loaded once; loading it again is a no-op.
void loadTestPlugins() { loadPluginLibrary(KILN_TEST_PLUGIN_LIBRARY); }

// A plugin defined here and registered at static initialization: it copies input 0 to output 0, keeps whatever
// fields it is given, and throws where its field "throw_in" says ("enqueue", "shapes").
class Probe : public IPluginV3 {
 public:
  explicit Probe(PluginFieldCollection fields) : fields_(std::move(fields)) {}
  std::string getPluginName() const override { return "Probe"; }
  std::string getPluginVersion() const override { return "1"; }
  std::string getPluginNamespace() const override { return "kiln_test"; }
  PluginFieldCollection getFieldsToSerialize() const override { return fields_; }
  int32_t getNbOutputs() const override { return 1; }
  std::vector<DataType> getOutputDataTypes(std::span<const DataType> inputTypes) const override {
    return {inputTypes[0]};
  }
  std::vector<ShapeExpr> getOutputShapes(std::span<const ShapeExpr> inputs, DimExprBuilder&) const override {
    if (throwsIn("shapes")) throw std::runtime_error("probe refuses to shape");
    return {inputs[0]};
  }
  void enqueue(std::span<const PluginTensor> inputs, std::span<const PluginTensor> outputs, void*,
               void*) const override {
    if (throwsIn("enqueue")) throw std::runtime_error("probe failed on purpose");
    std::memcpy(outputs[0].data, inputs[0].data, inputs[0].volume() * dataTypeSize(inputs[0].type));
  }
  std::unique_ptr<IPluginV3> clone() const override { return std::make_unique<Probe>(fields_); }

 private:
  bool throwsIn(const char* where) const {
    const PluginField* f = fields_.find("throw_in");
    return f && f->text == where;
  }
  PluginFieldCollection fields_;
};

class ProbeCreator : public IPluginCreatorV3 {
 public:
  std::string getPluginName() const override { return "Probe"; }
  std::string getPluginVersion() const override { return "1"; }
  std::string getPluginNamespace() const override { return "kiln_test"; }
  std::vector<PluginFieldSpec> getFieldNames() const override { return {{"throw_in", PluginFieldType::kSTRING}}; }
  std::unique_ptr<IPluginV3> createPlugin(const PluginFieldCollection& fields) const override {
    lastFields = fields;
    return std::make_unique<Probe>(fields);
  }
  static inline PluginFieldCollection lastFields;
};

KILN_REGISTER_PLUGIN(ProbeCreator);

std::unique_ptr<IPluginV3> createPlugin(const char* name, const PluginFieldCollection& fields = {}) {
  IPluginCreatorV3* creator = getPluginRegistry().getCreator(name, "1");
  if (!creator) throw std::logic_error(std::string("no creator for ") + name);
  return creator->createPlugin(fields);
}

float scaledSwish(float x, float alpha) { return x / (1.0f + std::exp(-alpha * x)); }

TEST(Plugin, ScaledSwishAndOuterSumFollowDynamicShapesAcrossAProfile) {
  loadTestPlugins();
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1});
  Tensor* y = net->addInput("y", DataType::kFLOAT, Dims{-1});
  auto swish = createPlugin("ScaledSwish", {{PluginField::float64("alpha", 1.5)}});
  auto outer = createPlugin("OuterSum");
  PluginV3Layer* swishLayer = net->addPluginV3({x}, *swish);
  PluginV3Layer* outerLayer = net->addPluginV3({swishLayer->getOutput(0), y}, *outer);
  EXPECT_EQ(swishLayer->getType(), LayerType::kPLUGIN);
  EXPECT_EQ(swishLayer->getPluginName(), "ScaledSwish");
  EXPECT_EQ(swishLayer->getPluginFields().getFloat64("alpha", 0.0), 1.5);
  ASSERT_EQ(outerLayer->getNbOutputs(), 2);
  outerLayer->getOutput(0)->setName("sum");
  outerLayer->getOutput(1)->setName("padded");
  net->markOutput(*outerLayer->getOutput(0));
  net->markOutput(*outerLayer->getOutput(1));

  BuilderConfig config;
  OptimizationProfile profile;
  setRange(profile, "x", Dims{1}, Dims{3}, Dims{8});
  setRange(profile, "y", Dims{1}, Dims{2}, Dims{8});
  config.addOptimizationProfile(profile);
  std::vector<uint8_t> plan = Builder().buildSerializedNetwork(*net, config);

  // Two loads of the same bytes (a reload), each run at two sets of shapes within the profile.
  for (int load = 0; load < 2; ++load) {
    auto engine = Runtime().deserialize(plan);
    auto context = engine->createExecutionContext();
    for (auto [n, m] : {std::pair<int64_t, int64_t>{3, 2}, {2, 5}}) {
      SCOPED_TRACE("load " + std::to_string(load) + ", N=" + std::to_string(n) + ", M=" + std::to_string(m));
      std::vector<float> xs = randomFloats(n, 7), ys = randomFloats(m, 8);
      auto out = runContext(*context, {HostTensor::f32(Dims{n}, xs), HostTensor::f32(Dims{m}, ys)});
      ASSERT_EQ(out.size(), 2u);
      EXPECT_EQ(out[0].dims, (Dims{n, m}));
      EXPECT_EQ(out[1].dims, (Dims{std::max(n, m)}));
      std::vector<float> sum, padded;
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < m; ++j) sum.push_back(scaledSwish(xs[i], 1.5f) + ys[j]);
      for (int64_t i = 0; i < std::max(n, m); ++i)
        padded.push_back((i < n ? scaledSwish(xs[i], 1.5f) : 0.0f) + (i < m ? ys[i] : 0.0f));
      expectNear(out[0].f32(), sum, 1e-6f);
      expectNear(out[1].f32(), padded, 1e-6f);
    }
  }
}

TEST(Plugin, ShapeOutsideWhatThePluginTakesIsRefusedAtAdd) {
  loadTestPlugins();
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{2, 3});
  Tensor* y = net->addInput("y", DataType::kFLOAT, Dims{4});
  Tensor* i = net->addInput("i", DataType::kINT32, Dims{4});
  auto outer = createPlugin("OuterSum");
  Error e = errorOf([&] { net->addPluginV3({x, y}, *outer); });
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
  EXPECT_NE(e.message().find("plugin 'OuterSum' version '1' failed: both inputs must be vectors"), std::string::npos)
      << e.what();
  auto swish = createPlugin("ScaledSwish");
  e = errorOf([&] { net->addPluginV3({i}, *swish); });
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
  EXPECT_NE(e.message().find("does not take inputs of types"), std::string::npos) << e.what();
}

TEST(Plugin, FieldsOfEveryTypeAreRecordedInThePlan) {
  PluginFieldCollection fields({PluginField::int64("count", -3), PluginField::float64("scale", 0.25),
                                PluginField::string("mode", "fast"), PluginField::int64List("axes", {0, 2, 5}),
                                PluginField::float64List("weights", {1.5, -2.0}),
                                PluginField::bytes("blob", std::string("\0\x01\xff", 3))});
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{2, 2});
  PluginV3Layer* layer = net->addPluginV3({x}, Probe(fields));
  EXPECT_EQ(layer->getPluginNamespace(), "kiln_test");
  EXPECT_EQ(layer->getPluginFields(), fields);
  net->markOutput(*layer->getOutput(0));
  ProbeCreator::lastFields = {};
  auto out = buildAndRun(*net, {HostTensor::f32(Dims{2, 2}, {1, 2, 3, 4})});
  EXPECT_EQ(ProbeCreator::lastFields, fields);  // recreated from the plan's record
  expectNear(out[0].f32(), {1, 2, 3, 4});
}

TEST(Plugin, PlanWhosePluginIsNotRegisteredIsRefusedNamingIt) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{3});
  net->markOutput(*net->addPluginV3({x}, Probe({}))->getOutput(0));
  BuilderConfig config;
  std::vector<uint8_t> plan = Builder().buildSerializedNetwork(*net, config);
  ASSERT_TRUE(getPluginRegistry().deregisterCreator("Probe", "1", "kiln_test"));
  Error e = errorOf([&] { Runtime().deserialize(plan); });
  getPluginRegistry().registerCreator(std::make_shared<ProbeCreator>());
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_PLAN);
  EXPECT_NE(e.message().find("plugin 'kiln_test::Probe' version '1' is not registered"), std::string::npos) << e.what();
  // Registered again, the same plan loads and runs.
  auto out = runEngine(*Runtime().deserialize(plan), {HostTensor::f32(Dims{3}, {5, 6, 7})});
  expectNear(out[0].f32(), {5, 6, 7});
}

TEST(Plugin, UnregisteredPluginIsRefusedByAddPluginV3) {
  ASSERT_TRUE(getPluginRegistry().deregisterCreator("Probe", "1", "kiln_test"));
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{3});
  Error e = errorOf([&] { net->addPluginV3({x}, Probe({})); });
  getPluginRegistry().registerCreator(std::make_shared<ProbeCreator>());
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_ARGUMENT);
  EXPECT_NE(e.message().find("has no registered creator"), std::string::npos) << e.what();
}

TEST(Plugin, DuplicateRegistrationIsRefused) {
  Error e = errorOf([] { getPluginRegistry().registerCreator(std::make_shared<ProbeCreator>()); });
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_ARGUMENT);
  EXPECT_NE(e.message().find("plugin 'kiln_test::Probe' version '1' is registered already"), std::string::npos)
      << e.what();
  loadTestPlugins();
  // A second library that registers the same plugins: refused, naming the library and the plugin.
  e = errorOf([] { loadPluginLibrary(KILN_TEST_PLUGIN_LIBRARY_AGAIN); });
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_ARGUMENT);
  EXPECT_EQ(e.object(), KILN_TEST_PLUGIN_LIBRARY_AGAIN);
  EXPECT_NE(e.message().find("plugin 'ScaledSwish' version '1' is registered already"), std::string::npos) << e.what();
}

TEST(Plugin, LibraryThatFailsToLoadIsNamed) {
  expectRefused(
      "/nonexistent/libkiln_missing_plugin.so",
      [] { Runtime().loadPluginLibrary("/nonexistent/libkiln_missing_plugin.so"); }, "cannot load the plugin library");
}

TEST(Plugin, ExceptionInEnqueueNamesThePluginAndTheLayer) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{3});
  PluginV3Layer* layer = net->addPluginV3({x}, Probe({{PluginField::string("throw_in", "enqueue")}}));
  layer->setName("probe_layer");
  net->markOutput(*layer->getOutput(0));
  BuilderConfig config;
  auto engine = buildEngine(*net, config);
  auto context = engine->createExecutionContext();
  Error e = errorOf([&] { runContext(*context, {HostTensor::f32(Dims{3}, {1, 2, 3})}); });
  EXPECT_EQ(e.object(), "probe_layer");
  EXPECT_NE(e.message().find("plugin 'kiln_test::Probe' version '1' failed in enqueue: probe failed on purpose"),
            std::string::npos)
      << e.what();
}

TEST(Plugin, ExceptionInOutputShapesNamesThePluginAndTheLayer) {
  auto net = makeNetwork();
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{3});
  Error e = errorOf([&] { net->addPluginV3({x}, Probe({{PluginField::string("throw_in", "shapes")}})); });
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
  EXPECT_FALSE(e.object().empty());
  EXPECT_NE(e.message().find("plugin 'kiln_test::Probe' version '1' failed: probe refuses to shape"), std::string::npos)
      << e.what();
}

TEST(Plugin, DimExprArithmeticFoldsConstantsAndKeepsSymbols) {
  core::ExprPool pool;
  DimExprBuilder builder(&pool);
  DimExpr seven = builder.constant(7), two = builder.constant(2);
  EXPECT_EQ(ceilDiv(seven, two).getConstantValue(), 4);
  EXPECT_EQ(floorDiv(seven, two).getConstantValue(), 3);
  EXPECT_EQ(max(seven, two).getConstantValue(), 7);
  EXPECT_EQ(min(seven, two).getConstantValue(), 2);
  EXPECT_EQ(((seven + 1) * 2).getConstantValue(), 16);
  EXPECT_EQ((seven - two).getConstantValue(), 5);
  DimExpr n = builder.wrap(pool.inputDim(0, 1));
  DimExpr sum = n * 2 + seven;
  EXPECT_FALSE(sum.isConstant());
  EXPECT_EQ(pool.toString(builder.idOf(sum)),
            pool.toString(pool.add(pool.mul(pool.inputDim(0, 1), pool.constant(2)), pool.constant(7))));
  DimExprBuilder other(&pool);
  EXPECT_EQ(errorOf([&] { other.idOf(sum); }).code(), ErrorCode::kINVALID_ARGUMENT);
  EXPECT_EQ(errorOf([&] { (void)(DimExpr() + seven); }).code(), ErrorCode::kINVALID_ARGUMENT);
}

TEST(Plugin, OnnxNodeOfACustomDomainBecomesTheRegisteredPlugin) {
  loadTestPlugins();
  OnnxModel m(17);
  m.proto().add_opset_import()->set_domain("com.example");
  m.input("x", {-1, 3});
  NodeProto& node = m.outputNode("ScaledSwish", {"x"}, {"y"});
  node.set_domain("com.example");
  setInt(node, "alpha", 2);  // an integer for a float field: converted, as the creator declares alpha a float64
  auto net = m.import();
  ASSERT_EQ(net->getNbLayers(), 1);
  auto* layer = static_cast<PluginV3Layer*>(net->getLayer(0));
  ASSERT_EQ(layer->getType(), LayerType::kPLUGIN);
  EXPECT_EQ(layer->getPluginFields().find("alpha")->type, PluginFieldType::kFLOAT64);
  std::vector<float> xs = randomFloats(6, 3, -4.0f, 4.0f);
  auto out = m.run({HostTensor::f32(Dims{2, 3}, xs)});
  std::vector<float> expected;
  for (float v : xs) expected.push_back(scaledSwish(v, 2.0f));
  EXPECT_EQ(out[0].dims, (Dims{2, 3}));
  expectNear(out[0].f32(), expected, 1e-6f);
}

}  // namespace
}  // namespace kiln::test
