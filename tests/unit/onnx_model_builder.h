// ONNX models built in memory for the importer tests: graph inputs (-1 for a dynamic dimension), initializers,
// nodes with their attributes, graph outputs, and the import into a kiln network.
#pragma once

#include <onnx/onnx_pb.h>

#include <memory>
#include <string>
#include <vector>

#include "kiln/kiln.h"
#include "test_util.h"

namespace kiln::test {

using NodeProto = ::onnx::NodeProto;
using AttributeProto = ::onnx::AttributeProto;
using TensorProto = ::onnx::TensorProto;

// ---- Tensors, for initializers and tensor attributes ----------------------------------------------------------------

// A tensor's name, element type and shape, with no values yet.
TensorProto tensorOfShape(const std::string& name, const std::vector<int64_t>& dims, int32_t elemType);

// A float tensor of shape `dims` (values in float_data).
TensorProto floatTensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values);

// An int64 tensor (values in int64_data): a vector of values.size(), or of shape `dims`.
TensorProto int64Tensor(const std::string& name, const std::vector<int64_t>& values);
TensorProto int64Tensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& values);

// A tensor of any element type `elemType` from the raw bytes of `values`.
template <typename T>
TensorProto rawTensor(const std::string& name, const std::vector<int64_t>& dims, int32_t elemType,
                      const std::vector<T>& values) {
  TensorProto t = tensorOfShape(name, dims, elemType);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)));
  return t;
}

// ---- Node attributes: each setter adds one attribute and returns the node, so that setters nest ---------------------

// A new attribute with no value yet (for the kinds the setters below do not cover).
AttributeProto& addAttribute(NodeProto& node, const std::string& name, AttributeProto::AttributeType type);

NodeProto& setInt(NodeProto& node, const std::string& name, int64_t value);
NodeProto& setInts(NodeProto& node, const std::string& name, const std::vector<int64_t>& values);
NodeProto& setFloat(NodeProto& node, const std::string& name, float value);
NodeProto& setFloats(NodeProto& node, const std::string& name, const std::vector<float>& values);
NodeProto& setString(NodeProto& node, const std::string& name, const std::string& value);
NodeProto& setTensor(NodeProto& node, const std::string& name, const TensorProto& value);

// ---- Models ---------------------------------------------------------------------------------------------------------

// A one-graph model in the default domain at `opset`.
class OnnxModel {
 public:
  explicit OnnxModel(int64_t opset);

  // A graph input; -1 in `dims` is a dynamic dimension, no dims a scalar.
  OnnxModel& input(const std::string& name, const std::vector<int64_t>& dims, int32_t elemType = TensorProto::FLOAT);

  OnnxModel& initializer(const TensorProto& tensor);
  // Initializers made by the tensor makers above.
  OnnxModel& floats(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values);
  OnnxModel& ints(const std::string& name, const std::vector<int64_t>& values);
  OnnxModel& ints(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& values);
  template <typename T>
  OnnxModel& constant(const std::string& name, const std::vector<int64_t>& dims, int32_t elemType,
                      const std::vector<T>& values) {
    return initializer(rawTensor(name, dims, elemType, values));
  }

  // A node; an empty name skips an optional input or output.
  NodeProto& node(const std::string& op, const std::vector<std::string>& inputs,
                  const std::vector<std::string>& outputs = {"y"});
  // A node whose (non-empty) outputs are also graph outputs, in order.
  NodeProto& outputNode(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs = {"y"});
  // The node added last.
  NodeProto& lastNode();

  OnnxModel& output(const std::string& name = "y");

  // Imports into a fresh network; errors propagate.
  std::unique_ptr<NetworkDefinition> import() const;
  // The model as an ONNX file's bytes.
  std::string serialized() const { return model_.SerializeAsString(); }
  // The model, for changes the methods above do not make.
  ::onnx::ModelProto& proto() { return model_; }
  // Imports, builds for exactly the inputs' shapes (graph input order) and runs once.
  std::vector<HostTensor> run(const std::vector<HostTensor>& inputs) const;
  // The error the import raises (a test failure when it succeeds).
  Error importError() const;

 private:
  ::onnx::ModelProto model_;
};

// EXPECT that importing `model` fails with `code` and a message holding `fragment`.
void expectImportError(const OnnxModel& model, ErrorCode code, const char* fragment);

// ---- Helpers several importer tests share --------------------------------------------------------------------------

// ONNX auto_pad SAME: the padding before (pre) and after (post) an input of `in` for a window spanning `span`.
void samePads(int64_t in, int64_t span, int64_t stride, bool upper, int64_t& pre, int64_t& post);

// y = op(x) for one float input of `dims`.
OnnxModel unaryModel(int64_t opset, const std::string& op, const std::vector<int64_t>& dims,
                     NodeProto** node = nullptr);

// A 1-D fp32 tensor of `v`.
HostTensor f32(std::vector<float> v);

// One op node "y = op(x, extra...)" over input x.
OnnxModel unary(int64_t opset, const std::string& op, const std::vector<int64_t>& xDims,
                const std::vector<std::string>& extra = {});

// y = ConstantOfShape(shape) + x, x of one float and `shape` an initializer (opset 17).
OnnxModel constantOfShapePlusInput(const std::vector<int64_t>& shape);

// Imports and runs at every input in `runs` with one engine whose profile spans them (a single input "x").
std::vector<HostTensor> runDynamic(const OnnxModel& m, const Dims& min, const Dims& max,
                                   const std::vector<HostTensor>& runs);

}  // namespace kiln::test
