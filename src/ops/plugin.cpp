#include "ops/plugin.h"

#include <cstring>

namespace kiln::ops {

namespace {

void putU64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }
void putText(std::string& out, const std::string& text) {
  putU64(out, text.size());
  out += text;
}

// Reads the encoding back, every size checked against what is left.
class FieldReader {
 public:
  FieldReader(const std::string& bytes, const OpRef& op) : bytes_(bytes), op_(op) {}
  uint64_t u64() {
    need(sizeof(uint64_t));
    uint64_t v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  std::string text() {
    uint64_t n = u64();
    need(n);
    std::string t = bytes_.substr(pos_, n);
    pos_ += n;
    return t;
  }
  template <typename T>
  std::vector<T> values() {
    uint64_t n = u64();
    if (n > (bytes_.size() - pos_) / sizeof(T)) fail();
    std::vector<T> v(n);
    if (n) std::memcpy(v.data(), bytes_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
    return v;
  }
  bool done() const { return pos_ == bytes_.size(); }
  [[noreturn]] void fail() const {
    throw Error(op_.code, "the plugin fields are truncated or corrupted", std::string(op_.name));
  }

 private:
  void need(uint64_t n) const {
    if (n > bytes_.size() - pos_) fail();
  }
  const std::string& bytes_;
  const OpRef& op_;
  size_t pos_ = 0;
};

template <typename T>
void putValues(std::string& out, const std::vector<T>& values) {
  putU64(out, values.size());
  out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

}  // namespace

// Per field: name, type (u64), then its integers, doubles and text, each length-prefixed.
std::string encodeFields(const PluginFieldCollection& fields) {
  std::string out;
  putU64(out, fields.fields().size());
  for (const PluginField& f : fields.fields()) {
    putText(out, f.name);
    putU64(out, static_cast<uint64_t>(f.type));
    putValues(out, f.ints);
    putValues(out, f.floats);
    putText(out, f.text);
  }
  return out;
}

PluginFieldCollection decodeFields(const std::string& bytes, const OpRef& op) {
  FieldReader r(bytes, op);
  PluginFieldCollection fields;
  if (bytes.empty()) return fields;
  uint64_t n = r.u64();
  if (n > bytes.size()) r.fail();
  for (uint64_t i = 0; i < n; ++i) {
    PluginField f;
    f.name = r.text();
    uint64_t type = r.u64();
    if (type > static_cast<uint64_t>(PluginFieldType::kBYTES)) r.fail();
    f.type = static_cast<PluginFieldType>(type);
    f.ints = r.values<int64_t>();
    f.floats = r.values<double>();
    f.text = r.text();
    fields.set(std::move(f));
  }
  if (!r.done()) r.fail();
  return fields;
}

std::string pluginLabel(const OpAttrs& attrs) {
  std::string ns = attrs.get(Plugin::kNamespace);
  std::string name = attrs.get(Plugin::kName);
  return "plugin '" + (ns.empty() ? name : ns + "::" + name) + "' version '" + attrs.get(Plugin::kVersion) + "'";
}

std::unique_ptr<IPluginV3> createRecordedPlugin(const OpAttrs& attrs) {
  const OpRef& op = attrs.op();
  std::string label = pluginLabel(attrs);
  IPluginCreatorV3* creator = getPluginRegistry().getCreator(attrs.get(Plugin::kName), attrs.get(Plugin::kVersion),
                                                             attrs.get(Plugin::kNamespace));
  if (!creator)
    throw Error(op.code,
                label + " is not registered: load its library (loadPluginLibrary, --plugins) or link its creator",
                std::string(op.name));
  PluginFieldCollection fields = decodeFields(attrs.get(Plugin::kFields), op);
  std::unique_ptr<IPluginV3> plugin;
  try {
    plugin = creator->createPlugin(fields);
  } catch (const std::exception& e) {
    throw Error(op.code, label + " refused its fields: " + e.what(), std::string(op.name));
  }
  if (!plugin) throw Error(op.code, label + "'s creator returned no plugin", std::string(op.name));
  return plugin;
}

}  // namespace kiln::ops
