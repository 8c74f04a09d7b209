#!/usr/bin/env python3
"""Runs an ONNX model with ONNX Runtime's CPU provider for `kiln compare`, which cannot link ONNX Runtime itself.

Usage: onnxruntime_runner.py MODEL.onnx FOLDER [--mark-all]

Reads the inputs from FOLDER/inputs (names.txt, one tensor name a line, and 0.npy, 1.npy, ... in that order) and
writes every output of the session the same way to FOLDER/outputs. With --mark-all every tensor a node makes is an
output too (the `onnx` module adds them to the graph), as `polygraphy run --onnx-outputs mark all` does.

Exit status: 0 when the outputs are written; 3 when numpy or onnxruntime cannot be imported and 4 when --mark-all
needs the onnx module and it cannot be imported (the first line on stderr says why; kiln skips the backend); 1 for
anything else (the last line on stderr says what).
"""
import os
import sys

CANNOT_IMPORT_RUNTIME = 3
CANNOT_IMPORT_ONNX = 4


def read_names(folder):
    with open(os.path.join(folder, "names.txt"), encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def model_with_every_tensor_an_output(path):
    """The model's bytes with every node output (in graph order) appended to the graph's outputs."""
    import onnx

    model = onnx.load(path)  # external data is read relative to the file, as kiln's importer reads it
    try:
        typed = onnx.shape_inference.infer_shapes(model)
        known = {info.name: info for info in typed.graph.value_info}
    except Exception:  # shapes the checker cannot infer: ONNX Runtime infers the outputs' types itself
        known = {}
    outputs = {output.name for output in model.graph.output}
    for node in model.graph.node:
        for name in node.output:
            if name and name not in outputs:
                outputs.add(name)
                # An output without a type is allowed: ONNX Runtime takes the type its node makes.
                model.graph.output.append(known.get(name) or onnx.ValueInfoProto(name=name))
    return model.SerializeToString()


def main(argv):
    if len(argv) not in (3, 4) or (len(argv) == 4 and argv[3] != "--mark-all"):
        print("usage: onnxruntime_runner.py MODEL.onnx FOLDER [--mark-all]", file=sys.stderr)
        return 1
    model_path, folder, mark_all = argv[1], argv[2], len(argv) == 4
    try:
        import numpy as np
        import onnxruntime
    except ImportError as e:
        print(f"cannot import {e.name or 'onnxruntime'}: {e}", file=sys.stderr)
        return CANNOT_IMPORT_RUNTIME
    model = model_path
    if mark_all:
        try:
            import onnx  # noqa: F401
        except ImportError as e:
            print(f"--markOutputs all needs the onnx module to add the outputs: {e}", file=sys.stderr)
            return CANNOT_IMPORT_ONNX
        model = model_with_every_tensor_an_output(model_path)
    inputs = os.path.join(folder, "inputs")
    feeds = {name: np.load(os.path.join(inputs, f"{i}.npy")) for i, name in enumerate(read_names(inputs))}
    session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    results = session.run(names, feeds)
    outputs = os.path.join(folder, "outputs")
    os.makedirs(outputs, exist_ok=True)
    for i, value in enumerate(results):
        np.save(os.path.join(outputs, f"{i}.npy"), np.ascontiguousarray(value))
    with open(os.path.join(outputs, "names.txt"), "w", encoding="utf-8") as f:
        f.writelines(name + "\n" for name in names)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as e:  # one line for kiln to quote
        print(f"{type(e).__name__}: {' '.join(str(e).split())}", file=sys.stderr)
        sys.exit(1)
