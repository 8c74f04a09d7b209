// Plugin fields, dimension expressions over the symbolic shapes, and the process's plugin registry.
#include "kiln/plugin.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include "core/symbolic.h"
#include "kiln/error.h"

namespace kiln {

namespace {

PluginField makeField(std::string name, PluginFieldType type) {
  PluginField f;
  f.name = std::move(name);
  f.type = type;
  return f;
}

}  // namespace

PluginField PluginField::int64(std::string name, int64_t value) {
  PluginField f = makeField(std::move(name), PluginFieldType::kINT64);
  f.ints = {value};
  return f;
}
PluginField PluginField::float64(std::string name, double value) {
  PluginField f = makeField(std::move(name), PluginFieldType::kFLOAT64);
  f.floats = {value};
  return f;
}
PluginField PluginField::string(std::string name, std::string value) {
  PluginField f = makeField(std::move(name), PluginFieldType::kSTRING);
  f.text = std::move(value);
  return f;
}
PluginField PluginField::int64List(std::string name, std::vector<int64_t> values) {
  PluginField f = makeField(std::move(name), PluginFieldType::kINT64_LIST);
  f.ints = std::move(values);
  return f;
}
PluginField PluginField::float64List(std::string name, std::vector<double> values) {
  PluginField f = makeField(std::move(name), PluginFieldType::kFLOAT64_LIST);
  f.floats = std::move(values);
  return f;
}
PluginField PluginField::bytes(std::string name, std::string value) {
  PluginField f = makeField(std::move(name), PluginFieldType::kBYTES);
  f.text = std::move(value);
  return f;
}

void PluginFieldCollection::set(PluginField field) {
  for (PluginField& f : fields_)
    if (f.name == field.name) {
      f = std::move(field);
      return;
    }
  fields_.push_back(std::move(field));
}

const PluginField* PluginFieldCollection::find(const std::string& name) const {
  for (const PluginField& f : fields_)
    if (f.name == name) return &f;
  return nullptr;
}

int64_t PluginFieldCollection::getInt64(const std::string& name, int64_t fallback) const {
  const PluginField* f = find(name);
  if (!f) return fallback;
  if (f->type != PluginFieldType::kINT64 || f->ints.size() != 1)
    throw Error(ErrorCode::kINVALID_ARGUMENT, "plugin field '" + name + "' is not one int64");
  return f->ints[0];
}

double PluginFieldCollection::getFloat64(const std::string& name, double fallback) const {
  const PluginField* f = find(name);
  if (!f) return fallback;
  if (f->type == PluginFieldType::kINT64 && f->ints.size() == 1) return static_cast<double>(f->ints[0]);
  if (f->type != PluginFieldType::kFLOAT64 || f->floats.size() != 1)
    throw Error(ErrorCode::kINVALID_ARGUMENT, "plugin field '" + name + "' is not one float64");
  return f->floats[0];
}

// Dimension expressions: handles to ExprPool nodes of the network being shaped.

namespace {

core::ExprPool& poolOf(const DimExprBuilder& builder) { return *static_cast<core::ExprPool*>(builder.pool()); }

}  // namespace

DimExpr DimExprBuilder::constant(int64_t value) { return DimExpr(this, poolOf(*this).constant(value)); }

int32_t DimExprBuilder::idOf(const DimExpr& e) const {
  if (e.builder_ != this || e.id_ < 0)
    throw Error(ErrorCode::kINVALID_ARGUMENT, "a dimension expression from another call or builder");
  return e.id_;
}

bool DimExpr::isConstant() const { return builder_ && poolOf(*builder_).isConstant(id_); }

int64_t DimExpr::getConstantValue() const {
  if (!isConstant()) throw Error(ErrorCode::kINVALID_ARGUMENT, "the dimension expression is not a constant");
  return *poolOf(*builder_).constantValue(id_);
}

namespace {

DimExpr combine(core::ExprOp op, const DimExpr& a, const DimExpr& b, DimExprBuilder* builder) {
  if (!builder) throw Error(ErrorCode::kINVALID_ARGUMENT, "an invalid (default-constructed) dimension expression");
  return builder->wrap(poolOf(*builder).make(op, builder->idOf(a), builder->idOf(b)));
}

}  // namespace

DimExpr operator+(DimExpr a, DimExpr b) { return combine(core::ExprOp::kADD, a, b, a.builder_); }
DimExpr operator*(DimExpr a, DimExpr b) { return combine(core::ExprOp::kMUL, a, b, a.builder_); }
DimExpr operator-(DimExpr a, DimExpr b) { return combine(core::ExprOp::kSUB, a, b, a.builder_); }
DimExpr operator+(DimExpr a, int64_t b) {
  if (!a.builder_) throw Error(ErrorCode::kINVALID_ARGUMENT, "an invalid (default-constructed) dimension expression");
  return a + a.builder_->constant(b);
}
DimExpr operator*(DimExpr a, int64_t b) {
  if (!a.builder_) throw Error(ErrorCode::kINVALID_ARGUMENT, "an invalid (default-constructed) dimension expression");
  return a * a.builder_->constant(b);
}
DimExpr max(DimExpr a, DimExpr b) { return combine(core::ExprOp::kMAX, a, b, a.builder_); }
DimExpr min(DimExpr a, DimExpr b) { return combine(core::ExprOp::kMIN, a, b, a.builder_); }
DimExpr ceilDiv(DimExpr a, DimExpr b) { return combine(core::ExprOp::kCEIL_DIV, a, b, a.builder_); }
DimExpr floorDiv(DimExpr a, DimExpr b) { return combine(core::ExprOp::kFLOOR_DIV, a, b, a.builder_); }

// The registry.

namespace {

using CreatorKey = std::tuple<std::string, std::string, std::string>;  // name, version, namespace

struct RegistryState {
  std::mutex mutex;
  std::map<CreatorKey, std::shared_ptr<IPluginCreatorV3>> creators;
  std::set<std::string> loadedLibraries;
  // While a library loads: the registrations its initializers refused.
  bool loading = false;
  std::vector<std::string> refused;
};

RegistryState& state() {
  static RegistryState s;
  return s;
}

std::string pluginText(const std::string& name, const std::string& version, const std::string& ns) {
  return "plugin '" + (ns.empty() ? name : ns + "::" + name) + "' version '" + version + "'";
}

}  // namespace

void PluginRegistry::registerCreator(std::shared_ptr<IPluginCreatorV3> creator) {
  if (!creator) throw Error(ErrorCode::kINVALID_ARGUMENT, "the plugin creator is null");
  CreatorKey key{creator->getPluginName(), creator->getPluginVersion(), creator->getPluginNamespace()};
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (s.creators.contains(key))
    throw Error(ErrorCode::kINVALID_ARGUMENT, pluginText(std::get<0>(key), std::get<1>(key), std::get<2>(key)) +
                                                  " is registered already; a duplicate registration is refused");
  s.creators.emplace(std::move(key), std::move(creator));
}

bool PluginRegistry::deregisterCreator(const std::string& name, const std::string& version,
                                       const std::string& pluginNamespace) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  return s.creators.erase({name, version, pluginNamespace}) != 0;
}

IPluginCreatorV3* PluginRegistry::getCreator(const std::string& name, const std::string& version,
                                             const std::string& pluginNamespace) const {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  auto it = s.creators.find({name, version, pluginNamespace});
  return it == s.creators.end() ? nullptr : it->second.get();
}

IPluginCreatorV3* PluginRegistry::findCreatorByName(const std::string& name) const {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  IPluginCreatorV3* found = nullptr;
  std::string foundVersion;
  for (const auto& [key, creator] : s.creators)
    if (std::get<0>(key) == name && (!found || std::get<1>(key) > foundVersion)) {
      found = creator.get();
      foundVersion = std::get<1>(key);
    }
  return found;
}

std::vector<IPluginCreatorV3*> PluginRegistry::getAllCreators() const {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  std::vector<IPluginCreatorV3*> all;
  for (const auto& entry : s.creators) all.push_back(entry.second.get());
  return all;
}

PluginRegistry& getPluginRegistry() {
  static PluginRegistry registry;
  return registry;
}

namespace detail {

void registerCreatorAtStartup(std::shared_ptr<IPluginCreatorV3> creator) noexcept {
  try {
    getPluginRegistry().registerCreator(std::move(creator));
  } catch (const std::exception& e) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    if (s.loading)
      s.refused.push_back(e.what());
    else
      std::fprintf(stderr, "kiln: %s\n", e.what());
  }
}

}  // namespace detail

// One library at a time: its initializers' refusals are collected while it loads.
void loadPluginLibrary(const std::string& path) {
  static std::mutex loadMutex;
  std::lock_guard loadLock(loadMutex);
  auto& s = state();
  {
    std::lock_guard lock(s.mutex);
    if (s.loadedLibraries.contains(path)) return;
    s.loading = true;
    s.refused.clear();
  }
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  std::vector<std::string> refused;
  {
    std::lock_guard lock(s.mutex);
    s.loading = false;
    refused.swap(s.refused);
    if (handle) s.loadedLibraries.insert(path);
  }
  if (!handle) {
    const char* why = dlerror();
    throw Error(ErrorCode::kIO, std::string("cannot load the plugin library: ") + (why ? why : "unknown reason"), path);
  }
  if (!refused.empty())
    throw Error(ErrorCode::kINVALID_ARGUMENT, "the plugin library registers a duplicate: " + refused.front(), path);
}

}  // namespace kiln
