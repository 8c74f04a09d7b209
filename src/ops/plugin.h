// Schema of the plugin family: a layer whose shape rule and kernel come from a registered plugin
// (include/kiln/plugin.h; shape rule in src/graph/infer_plugin.cpp).
#pragma once

#include <memory>
#include <string>

#include "kiln/plugin.h"
#include "ops/attrs.h"
#include "ops/op_schema.h"

namespace kiln::ops {

// What recreates the plugin through the registry: its name, version, namespace and fields (encodeFields' bytes).
struct Plugin {
  static constexpr StringAttr kName{"plugin_name"};
  static constexpr StringAttr kVersion{"plugin_version"};
  static constexpr StringAttr kNamespace{"plugin_namespace", kOptional};
  static constexpr StringAttr kFields{"plugin_fields", kOptional};
  static constexpr OpSchema kSchema{.type = LayerType::kPLUGIN, .name = "Plugin"};
};

// A field collection as bytes (for the kFields attribute), and back. decodeFields throws kiln::Error (code `code`,
// naming `op`) for bytes that are no field collection.
std::string encodeFields(const PluginFieldCollection& fields);
PluginFieldCollection decodeFields(const std::string& bytes, const OpRef& op);

// "ns::name" version "v", as errors name a plugin.
std::string pluginLabel(const OpAttrs& attrs);

// The plugin a layer or step records, created through its registered creator. Throws kiln::Error (the op's code,
// naming the op) naming the plugin when no creator is registered under its name, version and namespace, or when the
// creator refuses the fields.
std::unique_ptr<IPluginV3> createRecordedPlugin(const OpAttrs& attrs);

}  // namespace kiln::ops
