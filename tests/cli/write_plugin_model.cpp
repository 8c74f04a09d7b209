// Writes the ONNX model of the `kiln build/run --plugins` test: y = ScaledSwish(x, alpha=2), a node of the custom
// domain "com.example", with x of shape [N, 4], N dynamic.
#include <onnx/onnx_pb.h>

#include <fstream>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: write_plugin_model OUT.onnx\n";
    return 2;
  }
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(17);
  auto* custom = model.add_opset_import();
  custom->set_domain("com.example");
  custom->set_version(1);
  auto* graph = model.mutable_graph();
  graph->set_name("plugin_model");
  for (const char* name : {"x", "y"}) {
    auto* value = name[0] == 'x' ? graph->add_input() : graph->add_output();
    value->set_name(name);
    auto* tensor = value->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(::onnx::TensorProto::FLOAT);
    tensor->mutable_shape()->add_dim()->set_dim_param("N");
    tensor->mutable_shape()->add_dim()->set_dim_value(4);
  }
  auto* node = graph->add_node();
  node->set_op_type("ScaledSwish");
  node->set_domain("com.example");
  node->set_name("swish");
  node->add_input("x");
  node->add_output("y");
  auto* alpha = node->add_attribute();
  alpha->set_name("alpha");
  alpha->set_type(::onnx::AttributeProto::FLOAT);
  alpha->set_f(2.0f);
  std::ofstream out(argv[1], std::ios::binary);
  if (!model.SerializeToOstream(&out)) return 1;
  return 0;
}
