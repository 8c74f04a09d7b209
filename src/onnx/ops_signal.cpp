// Importers of the importer-only signal family (no kiln layer of its own: each op composes layers of other
// families): the generalized cosine windows of ONNX's signal ops (HannWindow, HammingWindow, BlackmanWindow).
#include <numbers>

#include "onnx/import_context.h"
#include "onnx/tensor_proto.h"

namespace kiln::onnx {

namespace {

// "a0 - a1 * cos(2 pi n / N) + a2 * cos(4 pi n / N)" for n in [0, size), with N = size when periodic, else size - 1.
struct CosineWindow {
  double a0, a1, a2;
};

OpImporter importWindow(CosineWindow w) {
  return [w](ImportContext& ctx, const Node& node) {
    NetworkDefinition& net = ctx.network();
    Tensor& size = ctx.requiredInput(node, 0);
    if (size.getType() != DataType::kINT32 && size.getType() != DataType::kINT64)
      ctx.invalid(node, "size must be int32 or int64");
    if (size.getDimensions().nbDims != 0) ctx.invalid(node, "size must be a scalar");
    if (!ctx.asShapeTensor(size))
      ctx.unsupported(node,
                      "input '" + std::string(size.getName()) +
                          "' sets the output length, so its value must be known at build time or be a shape input");
    DataType type = fromOnnxType(static_cast<int32_t>(ctx.getInt(node, "output_datatype", 1)), nodeLabel(node));
    bool periodic = ctx.getInt(node, "periodic", 1) != 0;

    // n = 0, 1, ..., size - 1 in fp32 (a layer's inputs must exist before it).
    Tensor* length = ctx.reshape(*ctx.cast(size, DataType::kINT64), Dims{1});
    Tensor* first = ctx.constantScalar(0.0f, DataType::kFLOAT, 0);
    Tensor* increment = ctx.constantScalar(1.0f, DataType::kFLOAT, 1);
    FillLayer* indices = net.addFill(Dims{}, FillOperation::kLINSPACE, DataType::kFLOAT);
    indices->setInput(0, *length);
    indices->setInput(1, *first);
    indices->setInput(2, *increment);
    Tensor* n = indices->getOutput(0);

    auto binary = [&](Tensor& a, Tensor& b, ElementWiseOperation op) {
      return net.addElementWise(a, b, op)->getOutput(0);
    };
    auto scalar = [&](double v) { return ctx.constantScalar(static_cast<float>(v), DataType::kFLOAT, 1); };
    Tensor* period = ctx.reshape(*ctx.cast(size, DataType::kFLOAT), Dims{1});
    if (!periodic) period = binary(*period, *scalar(1.0), ElementWiseOperation::kSUB);
    Tensor* step = binary(*scalar(2.0 * std::numbers::pi), *period, ElementWiseOperation::kDIV);
    Tensor* angle = binary(*n, *step, ElementWiseOperation::kPROD);
    auto cosineTerm = [&](double coefficient, double multiple) {
      Tensor* a = multiple == 1.0 ? angle : binary(*angle, *scalar(multiple), ElementWiseOperation::kPROD);
      Tensor* c = net.addUnary(*a, UnaryOperation::kCOS)->getOutput(0);
      return binary(*c, *scalar(coefficient), ElementWiseOperation::kPROD);
    };
    Tensor* y = binary(*scalar(w.a0), *cosineTerm(w.a1, 1.0), ElementWiseOperation::kSUB);
    if (w.a2 != 0.0) y = binary(*y, *cosineTerm(w.a2, 2.0), ElementWiseOperation::kSUM);
    ctx.setOutput(node, 0, ctx.cast(*y, type));
  };
}

}  // namespace

void registerSignalImporters(OpRegistry& r) {
  r.add("HannWindow", 17, importWindow({0.5, 0.5, 0.0}));
  r.add("HammingWindow", 17, importWindow({25.0 / 46.0, 21.0 / 46.0, 0.0}));
  r.add("BlackmanWindow", 17, importWindow({0.42, 0.5, 0.08}));
}

}  // namespace kiln::onnx
