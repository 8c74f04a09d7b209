// A plugin library, built as its own shared library and loaded at run time (loadPluginLibrary, --plugins): the
// example of docs/plugins.md.
//   ScaledSwish: y = x * sigmoid(alpha * x), fp32, one float field "alpha" (default 1).
//   OuterSum: x [N], y [M] -> sum [N, M] with sum[i][j] = x[i] + y[j], and padded [max(N, M)] with
//   padded[i] = x[i] + y[i], a missing element counting 0; fp32.
#include <cmath>
#include <span>

#include "kiln/plugin.h"

namespace {

using kiln::DataType;
using kiln::DimExprBuilder;
using kiln::IPluginV3;
using kiln::PluginFieldCollection;
using kiln::PluginTensor;
using kiln::ShapeExpr;

class ScaledSwish : public IPluginV3 {
 public:
  explicit ScaledSwish(double alpha) : alpha_(alpha) {}
  std::string getPluginName() const override { return "ScaledSwish"; }
  std::string getPluginVersion() const override { return "1"; }
  PluginFieldCollection getFieldsToSerialize() const override {
    return {{kiln::PluginField::float64("alpha", alpha_)}};
  }
  int32_t getNbOutputs() const override { return 1; }
  std::vector<std::vector<DataType>> getSupportedTypeCombinations() const override { return {{DataType::kFLOAT}}; }
  std::vector<DataType> getOutputDataTypes(std::span<const DataType> inputTypes) const override {
    return {inputTypes[0]};
  }
  std::vector<ShapeExpr> getOutputShapes(std::span<const ShapeExpr> inputs, DimExprBuilder&) const override {
    return {inputs[0]};
  }
  void enqueue(std::span<const PluginTensor> inputs, std::span<const PluginTensor> outputs, void*,
               void*) const override {
    const auto* x = static_cast<const float*>(inputs[0].data);
    auto* y = static_cast<float*>(outputs[0].data);
    auto alpha = static_cast<float>(alpha_);
    for (int64_t i = 0; i < inputs[0].volume(); ++i) y[i] = x[i] / (1.0f + std::exp(-alpha * x[i]));
  }
  std::unique_ptr<IPluginV3> clone() const override { return std::make_unique<ScaledSwish>(alpha_); }

 private:
  double alpha_;
};

class ScaledSwishCreator : public kiln::IPluginCreatorV3 {
 public:
  std::string getPluginName() const override { return "ScaledSwish"; }
  std::string getPluginVersion() const override { return "1"; }
  std::vector<kiln::PluginFieldSpec> getFieldNames() const override {
    return {{"alpha", kiln::PluginFieldType::kFLOAT64}};
  }
  std::unique_ptr<IPluginV3> createPlugin(const PluginFieldCollection& fields) const override {
    return std::make_unique<ScaledSwish>(fields.getFloat64("alpha", 1.0));
  }
};

class OuterSum : public IPluginV3 {
 public:
  std::string getPluginName() const override { return "OuterSum"; }
  std::string getPluginVersion() const override { return "1"; }
  PluginFieldCollection getFieldsToSerialize() const override { return {}; }
  int32_t getNbOutputs() const override { return 2; }
  std::vector<std::vector<DataType>> getSupportedTypeCombinations() const override {
    return {{DataType::kFLOAT, DataType::kFLOAT}};
  }
  std::vector<DataType> getOutputDataTypes(std::span<const DataType>) const override {
    return {DataType::kFLOAT, DataType::kFLOAT};
  }
  std::vector<ShapeExpr> getOutputShapes(std::span<const ShapeExpr> inputs, DimExprBuilder&) const override {
    if (inputs[0].size() != 1 || inputs[1].size() != 1) throw std::invalid_argument("both inputs must be vectors");
    return {{inputs[0][0], inputs[1][0]}, {max(inputs[0][0], inputs[1][0])}};
  }
  void enqueue(std::span<const PluginTensor> inputs, std::span<const PluginTensor> outputs, void*,
               void*) const override {
    const auto* x = static_cast<const float*>(inputs[0].data);
    const auto* y = static_cast<const float*>(inputs[1].data);
    int64_t n = inputs[0].dims.d[0], m = inputs[1].dims.d[0];
    auto* sum = static_cast<float*>(outputs[0].data);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < m; ++j) sum[i * m + j] = x[i] + y[j];
    auto* padded = static_cast<float*>(outputs[1].data);
    for (int64_t i = 0; i < std::max(n, m); ++i) padded[i] = (i < n ? x[i] : 0.0f) + (i < m ? y[i] : 0.0f);
  }
  std::unique_ptr<IPluginV3> clone() const override { return std::make_unique<OuterSum>(); }
};

class OuterSumCreator : public kiln::IPluginCreatorV3 {
 public:
  std::string getPluginName() const override { return "OuterSum"; }
  std::string getPluginVersion() const override { return "1"; }
  std::vector<kiln::PluginFieldSpec> getFieldNames() const override { return {}; }
  std::unique_ptr<IPluginV3> createPlugin(const PluginFieldCollection&) const override {
    return std::make_unique<OuterSum>();
  }
};

}  // namespace

KILN_REGISTER_PLUGIN(ScaledSwishCreator);
KILN_REGISTER_PLUGIN(OuterSumCreator);
