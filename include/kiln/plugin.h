// Plugins: layers whose shape rule and kernel come from user code (TensorRT's IPluginV3 and its registry).
//
// A plugin is created by its creator from a field collection (PluginField: typed named values); the plan records the
// plugin's name, version, namespace and the fields getFieldsToSerialize returns, and a runtime that loads the plan
// recreates it through the creator registered under the same name, version and namespace. Output shapes are
// symbolic expressions of the input shapes (DimExpr), so plugins take part in dynamic shapes and profiles. See
// docs/plugins.md.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "kiln/types.h"

namespace kiln {

// The type of a plugin field's value.
enum class PluginFieldType : int32_t {
  kINT64 = 0,         // one int64_t
  kFLOAT64 = 1,       // one double
  kSTRING = 2,        // text
  kINT64_LIST = 3,    // int64_t values
  kFLOAT64_LIST = 4,  // double values
  kBYTES = 5,         // opaque bytes (held in `text`)
};

// One named, typed value of a plugin's configuration. Scalars are held in the list members as one element.
struct PluginField {
  std::string name;                                // what the creator and ONNX attributes call it
  PluginFieldType type = PluginFieldType::kINT64;  // which of the members below hold the value
  std::vector<int64_t> ints;                       // kINT64 (one value), kINT64_LIST
  std::vector<double> floats;                      // kFLOAT64 (one value), kFLOAT64_LIST
  std::string text;                                // kSTRING, kBYTES
  // Same name, type and value.
  bool operator==(const PluginField&) const = default;

  // A field holding one integer.
  static PluginField int64(std::string name, int64_t value);
  // A field holding one double.
  static PluginField float64(std::string name, double value);
  // A field holding text.
  static PluginField string(std::string name, std::string value);
  // A field holding integers.
  static PluginField int64List(std::string name, std::vector<int64_t> values);
  // A field holding doubles.
  static PluginField float64List(std::string name, std::vector<double> values);
  // A field holding opaque bytes.
  static PluginField bytes(std::string name, std::string value);
};

// The fields a plugin is created from and serialized as.
class PluginFieldCollection {
 public:
  // An empty collection.
  PluginFieldCollection() = default;
  // The given fields, in order.
  PluginFieldCollection(std::vector<PluginField> fields) : fields_(std::move(fields)) {}  // NOLINT: implicit
  // Adds (or replaces) a field.
  void set(PluginField field);
  // The field named `name`, null when absent.
  const PluginField* find(const std::string& name) const;
  // The integer of the kINT64 field `name`, `fallback` when absent; throws kiln::Error (kINVALID_ARGUMENT) when it
  // holds another type.
  int64_t getInt64(const std::string& name, int64_t fallback) const;
  // The double of the kFLOAT64 field `name` (a kINT64 field converts), `fallback` when absent; throws as getInt64.
  double getFloat64(const std::string& name, double fallback) const;
  // The fields, in the order they were set.
  const std::vector<PluginField>& fields() const { return fields_; }
  // Same fields in the same order.
  bool operator==(const PluginFieldCollection&) const = default;

 private:
  std::vector<PluginField> fields_;
};

// The name and type of a field a creator takes (what ONNX attributes and `kiln inspect` are matched against).
struct PluginFieldSpec {
  std::string name;                                // the field's name
  PluginFieldType type = PluginFieldType::kINT64;  // the type the creator reads it as
};

class DimExprBuilder;

// A symbolic dimension: a constant, an input's dimension, or arithmetic on them. Built by a DimExprBuilder (handed to
// IPluginV3::getOutputShapes) and only valid during that call.
class DimExpr {
 public:
  // An invalid expression (a placeholder to assign to).
  DimExpr() = default;
  // Whether the expression is a constant (known at build time whatever the input shapes).
  bool isConstant() const;
  // The constant's value; throws kiln::Error (kINVALID_ARGUMENT) when the expression is not constant.
  int64_t getConstantValue() const;
  // Sum, product, difference of two expressions of the same builder (an integer converts to a constant).
  friend DimExpr operator+(DimExpr a, DimExpr b);
  // Product of two expressions.
  friend DimExpr operator*(DimExpr a, DimExpr b);
  // Difference of two expressions.
  friend DimExpr operator-(DimExpr a, DimExpr b);
  // Sum with a constant.
  friend DimExpr operator+(DimExpr a, int64_t b);
  // Product with a constant.
  friend DimExpr operator*(DimExpr a, int64_t b);
  // The larger of two expressions.
  friend DimExpr max(DimExpr a, DimExpr b);
  // The smaller of two expressions.
  friend DimExpr min(DimExpr a, DimExpr b);
  // a / b rounded up (b must be positive at run time).
  friend DimExpr ceilDiv(DimExpr a, DimExpr b);
  // a / b rounded down.
  friend DimExpr floorDiv(DimExpr a, DimExpr b);

 private:
  friend class DimExprBuilder;
  DimExpr(DimExprBuilder* builder, int32_t id) : builder_(builder), id_(id) {}
  DimExprBuilder* builder_ = nullptr;
  int32_t id_ = -1;
};

// A tensor's shape as expressions, one per axis.
using ShapeExpr = std::vector<DimExpr>;

// Makes dimension expressions inside the network's symbolic shapes; handed to IPluginV3::getOutputShapes.
class DimExprBuilder {
 public:
  // The constant `value`.
  DimExpr constant(int64_t value);
  // The library's expression pool (opaque); not for plugin code.
  explicit DimExprBuilder(void* pool) : pool_(pool) {}
  // The id of `e` in the library's pool; throws kiln::Error (kINVALID_ARGUMENT) for an expression of another builder.
  int32_t idOf(const DimExpr& e) const;
  // An expression for the library's id `id`.
  DimExpr wrap(int32_t id) { return DimExpr(this, id); }
  // The pool the expressions live in.
  void* pool() const { return pool_; }

 private:
  void* pool_;
};

// Where a plugin's kernels run.
enum class PluginBackend : int32_t { kCPU = 0, kCUDA = 1 };

// A tensor as enqueue sees it: its data (host memory on the CPU, device memory on CUDA), type and concrete shape.
struct PluginTensor {
  void* data = nullptr;              // the elements, row-major
  DataType type = DataType::kFLOAT;  // the element type
  Dims dims;                         // the concrete shape
  // The number of elements.
  int64_t volume() const { return dims.volume(); }
};

// A plugin instance: one layer's configuration, shape rule and kernels. Exceptions thrown by any method surface as
// kiln::Error naming the plugin and the layer.
class IPluginV3 {
 public:
  // Frees the plugin.
  virtual ~IPluginV3() = default;
  // The name the creator is registered under (and ONNX op types match).
  virtual std::string getPluginName() const = 0;
  // The version string of the plugin ("1").
  virtual std::string getPluginVersion() const = 0;
  // The namespace of the plugin ("" for none).
  virtual std::string getPluginNamespace() const { return ""; }
  // The fields that recreate this plugin through its creator (recorded in plans).
  virtual PluginFieldCollection getFieldsToSerialize() const = 0;
  // The number of outputs.
  virtual int32_t getNbOutputs() const = 0;
  // The input type combinations the kernels take, each one type per input, most preferred first; the builder picks
  // the first the inputs match. Empty: any types (the plugin checks them in getOutputDataTypes).
  virtual std::vector<std::vector<DataType>> getSupportedTypeCombinations() const { return {}; }
  // The output types for the chosen input types.
  virtual std::vector<DataType> getOutputDataTypes(std::span<const DataType> inputTypes) const = 0;
  // The output shapes as expressions of the input shapes (inputs[i][axis]), built with `builder`.
  virtual std::vector<ShapeExpr> getOutputShapes(std::span<const ShapeExpr> inputs, DimExprBuilder& builder) const = 0;
  // The backends whose enqueue the plugin implements.
  virtual std::vector<PluginBackend> getSupportedBackends() const { return {PluginBackend::kCPU}; }
  // Bytes of scratch memory enqueue needs for these shapes (data pointers null); called with the largest shapes.
  virtual size_t getWorkspaceSize(std::span<const PluginTensor> /*inputs*/,
                                  std::span<const PluginTensor> /*outputs*/) const {
    return 0;
  }
  // Runs the layer on the CPU (`stream` is null there). May be called by several execution contexts at once.
  virtual void enqueue(std::span<const PluginTensor> inputs, std::span<const PluginTensor> outputs, void* workspace,
                       void* stream) const = 0;
  // Runs the layer on CUDA: `stream` is a cudaStream_t. Only called when getSupportedBackends lists kCUDA.
  virtual void enqueueCuda(std::span<const PluginTensor> /*inputs*/, std::span<const PluginTensor> /*outputs*/,
                           void* /*workspace*/, void* /*stream*/) const {}
  // An independent copy with the same configuration.
  virtual std::unique_ptr<IPluginV3> clone() const = 0;
};

// Creates plugins of one name, version and namespace from fields.
class IPluginCreatorV3 {
 public:
  // Frees the creator.
  virtual ~IPluginCreatorV3() = default;
  // The name of the plugins it creates.
  virtual std::string getPluginName() const = 0;
  // Their version.
  virtual std::string getPluginVersion() const = 0;
  // Their namespace ("" for none).
  virtual std::string getPluginNamespace() const { return ""; }
  // The fields createPlugin takes.
  virtual std::vector<PluginFieldSpec> getFieldNames() const = 0;
  // A plugin configured by `fields` (absent fields take the plugin's defaults); throws for fields it refuses.
  virtual std::unique_ptr<IPluginV3> createPlugin(const PluginFieldCollection& fields) const = 0;
};

// The process-wide table of plugin creators, by (name, version, namespace).
class PluginRegistry {
 public:
  // Adds `creator`. Throws kiln::Error (kINVALID_ARGUMENT) naming the plugin when a creator of the same name,
  // version and namespace is registered already.
  void registerCreator(std::shared_ptr<IPluginCreatorV3> creator);
  // Removes the creator of that name, version and namespace; false when none is registered.
  bool deregisterCreator(const std::string& name, const std::string& version, const std::string& pluginNamespace = "");
  // The creator registered under that name, version and namespace; null when none is.
  IPluginCreatorV3* getCreator(const std::string& name, const std::string& version,
                               const std::string& pluginNamespace = "") const;
  // The creator of the highest version registered under `name` in any namespace (what ONNX op types match); null
  // when none is.
  IPluginCreatorV3* findCreatorByName(const std::string& name) const;
  // Every registered creator.
  std::vector<IPluginCreatorV3*> getAllCreators() const;

 private:
  friend PluginRegistry& getPluginRegistry();
  PluginRegistry() = default;
};

// The process's plugin registry.
PluginRegistry& getPluginRegistry();

// Opens the shared library at `path` (dlopen), whose static initializers register its creators with
// KILN_REGISTER_PLUGIN. Throws kiln::Error (kIO) naming the library when it cannot be loaded, or (kINVALID_ARGUMENT)
// naming it and the plugin when it registers a plugin that is registered already. Loading a library twice is a no-op.
void loadPluginLibrary(const std::string& path);

namespace detail {
// Registers a creator from a static initializer; a failure (a duplicate) is kept for loadPluginLibrary to report, and
// logged to stderr when no library load is in progress.
void registerCreatorAtStartup(std::shared_ptr<IPluginCreatorV3> creator) noexcept;
// Registers a default-constructed C (what KILN_REGISTER_PLUGIN expands to); true.
template <typename C>
bool registerAtStartup() {
  registerCreatorAtStartup(std::make_shared<C>());
  return true;
}
}  // namespace detail

}  // namespace kiln

// Token pasting after expansion, for a name unique per line.
#define KILN_PLUGIN_CONCAT_INNER(a, b) a##b
#define KILN_PLUGIN_CONCAT(a, b) KILN_PLUGIN_CONCAT_INNER(a, b)
// Registers a default-constructed C (a creator class) with getPluginRegistry() when the program or library starts.
#define KILN_REGISTER_PLUGIN(C) \
  static const bool KILN_PLUGIN_CONCAT(kilnPlugin_, __LINE__) = ::kiln::detail::registerAtStartup<C>()
