// Importer of the plugin family: a node whose op type (in any domain) names a registered plugin becomes that plugin,
// its attributes as the plugin's fields. Checked before kiln's own importers, as onnx-tensorrt's fallback does.
#include "kiln/plugin.h"
#include "onnx/import_context.h"

namespace kiln::onnx {

namespace {

// The type the creator declares for the field, when it declares one.
std::optional<PluginFieldType> declaredType(const IPluginCreatorV3& creator, const std::string& name) {
  for (const PluginFieldSpec& spec : creator.getFieldNames())
    if (spec.name == name) return spec.type;
  return std::nullopt;
}

PluginField fieldOf(ImportContext& ctx, const Node& node, const ::onnx::AttributeProto& a,
                    const IPluginCreatorV3& creator) {
  using A = ::onnx::AttributeProto;
  switch (a.type()) {
    case A::INT: {
      // A creator that declares a float field gets the integer as a float (alpha=2 written as an int).
      if (declaredType(creator, a.name()) == PluginFieldType::kFLOAT64)
        return PluginField::float64(a.name(), static_cast<double>(a.i()));
      return PluginField::int64(a.name(), a.i());
    }
    case A::FLOAT: return PluginField::float64(a.name(), a.f());
    case A::STRING:
      if (declaredType(creator, a.name()) == PluginFieldType::kBYTES) return PluginField::bytes(a.name(), a.s());
      return PluginField::string(a.name(), a.s());
    case A::INTS: return PluginField::int64List(a.name(), {a.ints().begin(), a.ints().end()});
    case A::FLOATS: return PluginField::float64List(a.name(), {a.floats().begin(), a.floats().end()});
    default:
      ctx.unsupported(node, "attribute '" + a.name() + "' is of a type plugin fields cannot hold (" +
                                A::AttributeType_Name(a.type()) + ")");
  }
}

}  // namespace

IPluginCreatorV3* pluginCreatorFor(const Node& node) { return getPluginRegistry().findCreatorByName(node.op_type()); }

void importPlugin(ImportContext& ctx, const Node& node, const IPluginCreatorV3& creator) {
  PluginFieldCollection fields;
  for (const auto& a : node.attribute()) fields.set(fieldOf(ctx, node, a, creator));
  std::unique_ptr<IPluginV3> plugin;
  try {
    plugin = creator.createPlugin(fields);
  } catch (const std::exception& e) {
    ctx.invalid(node, "plugin '" + creator.getPluginName() + "' refused the node's attributes: " + e.what());
  }
  if (!plugin) ctx.invalid(node, "plugin '" + creator.getPluginName() + "'s creator returned no plugin");
  std::vector<Tensor*> inputs;
  for (int32_t i = 0; i < ctx.nbInputs(node); ++i) inputs.push_back(&ctx.requiredInput(node, i));
  PluginV3Layer* layer = ctx.network().addPluginV3(inputs, *plugin);
  if (!node.name().empty()) layer->setName(node.name().c_str());
  for (int32_t i = 0; i < node.output_size() && i < layer->getNbOutputs(); ++i)
    ctx.setOutput(node, i, layer->getOutput(i));
}

}  // namespace kiln::onnx
