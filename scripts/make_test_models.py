#!/usr/bin/python3
"""Generates the ONNX models and reference data the tests use (run with Debian's python3, which has torch and onnx).

- tests/data/pytorch_dynamic/: a small CNN exported by PyTorch with dynamic batch, height and width
  (torch.onnx.export with dynamic_axes), inputs at three shapes, and PyTorch's outputs for them.
- tests/data/external_data/: a model whose weights live in an external file next to it.
- tests/data/external_escape/: the same model, but its external location points outside its folder.
- tests/data/shape_input/: a Reshape whose target shape is a graph input (imported as a shape input).

Usage: make_test_models.py [generator ...]   (default: all; e.g. `shape_input` needs no torch)
"""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")


def pytorch_dynamic():
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.manual_seed(0)

    class SmallNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
            self.bn = nn.BatchNorm2d(8)
            self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
            self.conv3 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
            self.fc = nn.Linear(16, 10)

        def forward(self, x):
            y = F.relu(self.bn(self.conv1(x)))
            y = y + F.relu(self.conv2(y))  # residual
            y = F.max_pool2d(y, 2)
            y = F.interpolate(y, scale_factor=2.0, mode="nearest")
            y = F.relu(self.conv3(y))
            y = F.adaptive_avg_pool2d(y, 1)
            y = y.reshape(x.shape[0], -1)  # shape arithmetic on the batch size
            return F.softmax(self.fc(y), dim=1)

    model = SmallNet().eval()
    # Non-trivial batch-norm statistics, so the import of BatchNormalization is really checked.
    with torch.no_grad():
        model.bn.running_mean.uniform_(-0.5, 0.5)
        model.bn.running_var.uniform_(0.5, 1.5)
    out = os.path.join(ROOT, "pytorch_dynamic")
    os.makedirs(out, exist_ok=True)
    torch.onnx.export(model, torch.randn(2, 3, 32, 32), os.path.join(out, "model.onnx"), input_names=["input"],
                      output_names=["probabilities"], opset_version=13,
                      dynamic_axes={"input": {0: "batch", 2: "height", 3: "width"},
                                    "probabilities": {0: "batch"}})
    for i, shape in enumerate([(1, 3, 16, 16), (3, 3, 32, 24), (4, 3, 48, 64)]):
        x = torch.randn(*shape)
        with torch.no_grad():
            y = model(x)
        np.save(os.path.join(out, f"input_{i}.npy"), x.numpy())
        np.save(os.path.join(out, f"output_{i}.npy"), y.numpy())


def external_model(folder, location, with_data):
    """y = x @ W + b with W and b stored outside the model file (in weights.bin when `with_data`)."""
    rng = np.random.default_rng(1)
    w = rng.standard_normal((4, 3)).astype(np.float32)
    b = rng.standard_normal((3,)).astype(np.float32)
    out = os.path.join(ROOT, folder)
    os.makedirs(out, exist_ok=True)
    if with_data:
        with open(os.path.join(out, "weights.bin"), "wb") as f:
            f.write(w.tobytes() + b.tobytes())

    def external(name, array, offset):
        t = TensorProto()
        t.name = name
        t.data_type = TensorProto.FLOAT
        t.dims.extend(array.shape)
        t.data_location = TensorProto.EXTERNAL
        for key, value in (("location", location), ("offset", str(offset)), ("length", str(array.nbytes))):
            entry = t.external_data.add()
            entry.key, entry.value = key, value
        return t

    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["xw"]), helper.make_node("Add", ["xw", "b"], ["y"])],
        "external_weights",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])],
        initializer=[external("W", w, 0), external("b", b, w.nbytes)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    with open(os.path.join(out, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    if with_data:
        x = rng.standard_normal((2, 4)).astype(np.float32)
        np.save(os.path.join(out, "input.npy"), x)
        np.save(os.path.join(out, "output.npy"), x @ w + b)


def shape_input():
    """y = Reshape(x, shape) with x float 6x4 and `shape` an int64[2] graph input."""
    graph = helper.make_graph(
        [helper.make_node("Reshape", ["x", "shape"], ["y"])], "shape_input",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [6, 4]),
         helper.make_tensor_value_info("shape", TensorProto.INT64, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    out = os.path.join(ROOT, "shape_input")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())


GENERATORS = {
    "pytorch_dynamic": pytorch_dynamic,
    "external_data": lambda: external_model("external_data", "weights.bin", True),
    "external_escape": lambda: external_model("external_escape", "../external_data/weights.bin", False),
    "shape_input": shape_input,
}

if __name__ == "__main__":
    for name in sys.argv[1:] or GENERATORS:
        GENERATORS[name]()
    print("wrote", ROOT, file=sys.stderr)
