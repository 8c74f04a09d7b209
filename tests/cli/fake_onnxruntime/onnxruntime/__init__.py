"""A stand-in for ONNX Runtime's Python API, for testing `kiln compare`'s onnxruntime backend where ONNX Runtime is
not installed: InferenceSession evaluates the few ops of the test models (MatMul, Add, Relu, Gemm, Reshape) with
numpy, every node's outputs available, as the real session makes them when they are graph outputs."""
import numpy as np
import onnx
from onnx import numpy_helper


class _Output:
    def __init__(self, name):
        self.name = name


def _gemm(node, a, b, c=None):
    attrs = {attr.name: onnx.helper.get_attribute_value(attr) for attr in node.attribute}
    a = a.T if attrs.get("transA", 0) else a
    b = b.T if attrs.get("transB", 0) else b
    y = attrs.get("alpha", 1.0) * (a @ b)
    return y + attrs.get("beta", 1.0) * c if c is not None else y


_OPS = {
    "MatMul": lambda node, a, b: a @ b,
    "Add": lambda node, a, b: a + b,
    "Relu": lambda node, x: np.maximum(x, 0),
    "Gemm": _gemm,
    "Reshape": lambda node, x, shape: x.reshape([x.shape[i] if d == 0 else d for i, d in enumerate(shape)]),
}


class InferenceSession:
    def __init__(self, model, providers=None):
        self._model = onnx.load_from_string(model) if isinstance(model, bytes) else onnx.load(model)

    def get_outputs(self):
        return [_Output(output.name) for output in self._model.graph.output]

    def run(self, names, feeds):
        values = {init.name: numpy_helper.to_array(init) for init in self._model.graph.initializer}
        values.update(feeds)
        for node in self._model.graph.node:
            result = _OPS[node.op_type](node, *[values[name] for name in node.input])
            values[node.output[0]] = np.asarray(result, dtype=values[node.input[0]].dtype)
        return [values[name] for name in names]
