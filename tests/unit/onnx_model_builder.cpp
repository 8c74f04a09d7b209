#include "onnx_model_builder.h"

#include <gtest/gtest.h>

#include "kiln/onnx.h"

namespace kiln::test {

TensorProto tensorOfShape(const std::string& name, const std::vector<int64_t>& dims, int32_t elemType) {
  TensorProto t;
  t.set_name(name);
  t.set_data_type(elemType);
  for (int64_t d : dims) t.add_dims(d);
  return t;
}

TensorProto floatTensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values) {
  TensorProto t = tensorOfShape(name, dims, TensorProto::FLOAT);
  for (float v : values) t.add_float_data(v);
  return t;
}

TensorProto int64Tensor(const std::string& name, const std::vector<int64_t>& values) {
  return int64Tensor(name, {static_cast<int64_t>(values.size())}, values);
}

TensorProto int64Tensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& values) {
  TensorProto t = tensorOfShape(name, dims, TensorProto::INT64);
  for (int64_t v : values) t.add_int64_data(v);
  return t;
}

AttributeProto& addAttribute(NodeProto& node, const std::string& name, AttributeProto::AttributeType type) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(type);
  return *a;
}

NodeProto& setInt(NodeProto& node, const std::string& name, int64_t value) {
  addAttribute(node, name, AttributeProto::INT).set_i(value);
  return node;
}

NodeProto& setInts(NodeProto& node, const std::string& name, const std::vector<int64_t>& values) {
  auto& a = addAttribute(node, name, AttributeProto::INTS);
  for (int64_t v : values) a.add_ints(v);
  return node;
}

NodeProto& setString(NodeProto& node, const std::string& name, const std::string& value) {
  addAttribute(node, name, AttributeProto::STRING).set_s(value);
  return node;
}

NodeProto& setFloat(NodeProto& node, const std::string& name, float value) {
  addAttribute(node, name, AttributeProto::FLOAT).set_f(value);
  return node;
}

NodeProto& setTensor(NodeProto& node, const std::string& name, const TensorProto& value) {
  *addAttribute(node, name, AttributeProto::TENSOR).mutable_t() = value;
  return node;
}

NodeProto& setFloats(NodeProto& node, const std::string& name, const std::vector<float>& values) {
  auto& a = addAttribute(node, name, AttributeProto::FLOATS);
  for (float v : values) a.add_floats(v);
  return node;
}

OnnxModel::OnnxModel(int64_t opset) {
  model_.set_ir_version(8);
  auto* o = model_.add_opset_import();
  o->set_domain("");
  o->set_version(opset);
}

OnnxModel& OnnxModel::input(const std::string& name, const std::vector<int64_t>& dims, int32_t elemType) {
  auto* value = model_.mutable_graph()->add_input();
  value->set_name(name);
  auto* tensor = value->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(elemType);
  auto* shape = tensor->mutable_shape();  // a known rank, also for a scalar
  for (size_t i = 0; i < dims.size(); ++i) {
    auto* d = shape->add_dim();
    if (dims[i] < 0)
      d->set_dim_param(name + "_" + std::to_string(i));
    else
      d->set_dim_value(dims[i]);
  }
  return *this;
}

OnnxModel& OnnxModel::initializer(const TensorProto& tensor) {
  *model_.mutable_graph()->add_initializer() = tensor;
  return *this;
}

OnnxModel& OnnxModel::floats(const std::string& name, const std::vector<int64_t>& dims,
                             const std::vector<float>& values) {
  return initializer(floatTensor(name, dims, values));
}

OnnxModel& OnnxModel::ints(const std::string& name, const std::vector<int64_t>& values) {
  return initializer(int64Tensor(name, values));
}

OnnxModel& OnnxModel::ints(const std::string& name, const std::vector<int64_t>& dims,
                           const std::vector<int64_t>& values) {
  return initializer(int64Tensor(name, dims, values));
}

NodeProto& OnnxModel::node(const std::string& op, const std::vector<std::string>& inputs,
                           const std::vector<std::string>& outputs) {
  auto* n = model_.mutable_graph()->add_node();
  n->set_op_type(op);
  for (const auto& i : inputs) n->add_input(i);
  for (const auto& o : outputs) n->add_output(o);
  return *n;
}

NodeProto& OnnxModel::outputNode(const std::string& op, const std::vector<std::string>& inputs,
                                 const std::vector<std::string>& outputs) {
  NodeProto& n = node(op, inputs, outputs);
  for (const auto& o : outputs)
    if (!o.empty()) output(o);
  return n;
}

NodeProto& OnnxModel::lastNode() { return *model_.mutable_graph()->mutable_node()->rbegin(); }

OnnxModel& OnnxModel::output(const std::string& name) {
  model_.mutable_graph()->add_output()->set_name(name);
  return *this;
}

std::unique_ptr<NetworkDefinition> OnnxModel::import() const {
  auto network = makeNetwork();
  std::string bytes = model_.SerializeAsString();
  onnx::Parser(*network).parse(bytes.data(), bytes.size());
  return network;
}

std::vector<HostTensor> OnnxModel::run(const std::vector<HostTensor>& inputs) const {
  auto network = import();
  return buildAndRun(*network, inputs);
}

Error OnnxModel::importError() const {
  return errorOf([&] { import(); }, "the import succeeded");
}

void expectImportError(const OnnxModel& model, ErrorCode code, const char* fragment) {
  Error e = model.importError();
  EXPECT_EQ(e.code(), code) << e.what();
  EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
}

// ONNX auto_pad SAME: total = max(0, (ceil(in / stride) - 1) * stride + span - in), the odd one at the end (upper).
void samePads(int64_t in, int64_t span, int64_t stride, bool upper, int64_t& pre, int64_t& post) {
  int64_t out = (in + stride - 1) / stride;
  int64_t total = std::max<int64_t>(0, (out - 1) * stride + span - in);
  pre = upper ? total / 2 : total - total / 2;
  post = total - pre;
}

// One op node "y = op(x, extra...)" over input x.
OnnxModel constantOfShapePlusInput(const std::vector<int64_t>& shape) {
  OnnxModel model(17);
  model.input("x", {1});
  model.ints("shape", shape);
  model.node("ConstantOfShape", {"shape"}, {"c"});
  model.outputNode("Add", {"c", "x"});
  return model;
}

OnnxModel unary(int64_t opset, const std::string& op, const std::vector<int64_t>& xDims,
                const std::vector<std::string>& extra) {
  OnnxModel m(opset);
  m.input("x", xDims);
  std::vector<std::string> inputs = {"x"};
  inputs.insert(inputs.end(), extra.begin(), extra.end());
  m.node(op, inputs, {"y"});
  m.output("y");
  return m;
}

// Imports and runs at every input in `runs` with one engine whose profile spans them (a single input "x").
std::vector<HostTensor> runDynamic(const OnnxModel& m, const Dims& min, const Dims& max,
                                   const std::vector<HostTensor>& runs) {
  auto net = m.import();
  auto engine = buildWithProfile(*net, profileFor("x", min, max, max));
  auto context = engine->createExecutionContext();
  std::vector<HostTensor> outs;
  for (const HostTensor& x : runs) outs.push_back(runContext(*context, {x})[0]);
  return outs;
}

// y = op(x) for one float input of `dims`.
OnnxModel unaryModel(int64_t opset, const std::string& op, const std::vector<int64_t>& dims, NodeProto** node) {
  OnnxModel m(opset);
  m.input("x", dims);
  NodeProto& n = m.node(op, {"x"});
  if (node) *node = &n;
  m.output();
  return m;
}

HostTensor f32(std::vector<float> v) { return HostTensor::f32({static_cast<int64_t>(v.size())}, v); }

}  // namespace kiln::test
