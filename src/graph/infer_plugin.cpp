// Shape rule of the plugin family: the registered plugin's types and shape expressions, inside the network's
// symbolic shapes.
#include <string>
#include <vector>

#include "graph/infer.h"
#include "ops/plugin.h"

namespace kiln::graph {

namespace {

std::string typesText(const std::vector<DataType>& types) {
  std::string text = "(";
  for (size_t i = 0; i < types.size(); ++i) {
    if (i) text += ", ";
    text += dataTypeName(types[i]);
  }
  return text + ")";
}

// The plugin's types: the inputs must match one of its type combinations (the first that matches is the one its
// kernel runs), and its output types follow from them.
std::vector<DataType> outputTypes(InferContext& ctx, const IPluginV3& plugin, const std::string& label) {
  std::vector<DataType> inputTypes;
  for (int32_t i = 0; i < ctx.nbInputs(); ++i) inputTypes.push_back(ctx.input(i).type);
  std::vector<std::vector<DataType>> combinations = plugin.getSupportedTypeCombinations();
  bool supported = combinations.empty();
  for (const auto& combination : combinations) supported = supported || combination == inputTypes;
  if (!supported) {
    std::string offered;
    for (const auto& combination : combinations) {
      offered += ' ';  // appended in parts: GCC 12 misreads `" " + text` as an overlapping copy (-Wrestrict)
      offered += typesText(combination);
    }
    ctx.fail(label + " does not take inputs of types " + typesText(inputTypes) + "; it takes" + offered);
  }
  std::vector<DataType> types = plugin.getOutputDataTypes(inputTypes);
  if (static_cast<int32_t>(types.size()) != plugin.getNbOutputs())
    ctx.fail(label + " gives " + std::to_string(types.size()) + " output types for " +
             std::to_string(plugin.getNbOutputs()) + " outputs");
  return types;
}

void inferPlugin(InferContext& ctx) {
  std::unique_ptr<IPluginV3> plugin = ops::createRecordedPlugin(ctx.attrs());
  std::string label = ops::pluginLabel(ctx.attrs());
  int32_t nbOutputs = static_cast<int32_t>(ctx.layer().outputs.size());
  try {
    if (plugin->getNbOutputs() != nbOutputs)
      ctx.fail(label + " has " + std::to_string(plugin->getNbOutputs()) + " outputs, the layer " +
               std::to_string(nbOutputs));
    std::vector<DataType> types = outputTypes(ctx, *plugin, label);
    DimExprBuilder builder(&ctx.exprs());
    std::vector<ShapeExpr> inputShapes;
    for (int32_t i = 0; i < ctx.nbInputs(); ++i) {
      ShapeExpr shape;
      for (ExprId d : ctx.input(i).dims) shape.push_back(builder.wrap(d));
      inputShapes.push_back(std::move(shape));
    }
    std::vector<ShapeExpr> shapes = plugin->getOutputShapes(inputShapes, builder);
    if (static_cast<int32_t>(shapes.size()) != nbOutputs)
      ctx.fail(label + " gives " + std::to_string(shapes.size()) + " output shapes for " + std::to_string(nbOutputs) +
               " outputs");
    for (int32_t o = 0; o < nbOutputs; ++o) {
      std::vector<ExprId> dims;
      for (const DimExpr& d : shapes[o]) {
        dims.push_back(builder.idOf(d));
        ctx.requireGreaterEqual(dims.back(), ctx.constant(0), label + " gives a negative output dimension");
      }
      ctx.setOutput(o, types[o], std::move(dims));
    }
  } catch (const Error& e) {
    if (!e.object().empty()) throw;
    ctx.fail(label + ": " + e.message());
  } catch (const std::exception& e) {
    ctx.fail(label + " failed: " + e.what());
  }
}

}  // namespace

void registerPluginOps(OpTable& table) { table.add({LayerType::kPLUGIN, inferPlugin}); }

}  // namespace kiln::graph
