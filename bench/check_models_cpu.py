#!/usr/bin/env python3
"""Checks the benchmark's big models through kiln in fp32: on the CPU backend, on a machine without a GPU.

For ResNet-50 (torchvision, random weights) and a BERT encoder (bench/bert_reference.py's re-implementation of
transformers' BertModel, BERT-base's sizes but fewer layers, for speed) it exports the ONNX file exactly as
bench/pytorch_side.py does (its export function, model wrapper, input names, dynamic axes and inputs), then
`kiln inspect`s it, `kiln build`s a plan (`--backend cpu` unless told otherwise) for a profile covering the shapes
checked (the benchmark's, scaled down), runs every shape with `kiln run --loadInputs --saveOutputs` and compares the output with PyTorch's fp32 one:
max |kiln - PyTorch| <= 1e-4 x (1 + max |PyTorch|), bench/kiln_side.py's rule. It prints each plan's step count and
the step types in it (what the CUDA backend will need), and exits with 1 when any model fails to import, build or
run, or disagrees. With --backend cuda the same check runs the CUDA backend's fp32 plans against PyTorch's fp32 CPU
outputs (TF32 stays off: kiln uses it only when the build allows it).

Usage: python3 bench/check_models_cpu.py [--out DIR] [--models resnet50,bert] [--bert-layers 2]
                                         [--kiln build/tools/kiln/kiln] [--backend cpu|cuda]
"""
import argparse
import collections
import os
import re
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bert_reference  # noqa: E402
import kiln_side  # noqa: E402
import pytorch_side  # noqa: E402

# (batch,) or (batch, sequence) per checked shape; the profile spans them, opt the first.
SHAPES = {"resnet50": [(1,), (2,)], "bert": [(1, 8), (2, 64), (2, 37), (1, 16)]}


def model(name, bert_layers):
    """(module, input names, dynamic axes, input maker) as the benchmark makes them, in fp32."""
    if name == "resnet50":
        module, _, names, axes, _, make = pytorch_side.model_spec("resnet50")
        return module, names, axes, lambda shape, g: make(shape[0], g)
    if name == "bert":
        config = bert_reference.BertConfig(num_hidden_layers=bert_layers)
        module = pytorch_side.BertEncoder(bert_reference.BertModel(config))
        return module, pytorch_side.BERT_NAMES, pytorch_side.BERT_AXES, lambda shape, g: pytorch_side.bert_inputs(
            *shape, g)
    raise SystemExit(f"unknown model '{name}'")


def profile_args(names, dims):
    """kiln build's --minShapes/--optShapes/--maxShapes for the checked shapes ({input: dims} each)."""
    ranges = {"min": {n: tuple(min(d[n][i] for d in dims) for i in range(len(dims[0][n]))) for n in names},
              "opt": dims[0],
              "max": {n: tuple(max(d[n][i] for d in dims) for i in range(len(dims[0][n]))) for n in names}}
    return [arg for key, shapes in ranges.items() for arg in (f"--{key}Shapes", kiln_side.shapes_arg(shapes))]


def plan_summary(binary, engine):
    """(step count, {step type: count}) from `kiln inspect` of the plan."""
    ok, output, _ = kiln_side.kiln(binary, ["inspect", engine], 120)
    if not ok:
        raise RuntimeError("inspect failed: " + kiln_side.error_text(output))
    steps = re.search(r"^Layers: (\d+)", output, re.M)
    types = collections.Counter(re.findall(r"^  \[\d+\] (\w+) ", output, re.M))
    return int(steps.group(1)) if steps else -1, types


def check(args, name):
    """Exports, imports, builds and runs one model; returns the list of its failures (empty when all agree)."""
    torch.manual_seed(0)
    module, names, axes, make = model(name, args.bert_layers)
    module.eval()
    shapes = SHAPES[name]
    folder = os.path.join(args.out, name)
    os.makedirs(folder, exist_ok=True)
    onnx_path = os.path.join(folder, f"{name}.onnx")
    with torch.no_grad():
        pytorch_side.export(module, make(shapes[-1], torch.Generator().manual_seed(1)), names, axes, onnx_path)
    ok, output, _ = kiln_side.kiln(args.kiln, ["inspect", onnx_path], 120)
    if not ok or "Every op has an importer." not in output:
        return [f"inspect: {kiln_side.error_text(output)}"]

    inputs = []
    for shape in shapes:
        generator = torch.Generator().manual_seed(1000 + sum(shape) * 7 + len(shape))
        inputs.append(make(shape, generator))
    dims = [{n: tuple(x.shape) for n, x in zip(names, xs)} for xs in inputs]
    engine = os.path.join(folder, f"{name}.kiln")
    ok, output, seconds = kiln_side.kiln(args.kiln, ["build", "--onnx", onnx_path, "--backend", args.backend,
                                                     *profile_args(names, dims), "--saveEngine", engine], 1800)
    if not ok:
        return [f"build: {kiln_side.error_text(output)}"]
    layers = re.search(r"\): (\d+) layers", output)
    steps, types = plan_summary(args.kiln, engine)
    print(f"{name}: {layers.group(1) if layers else '?'} imported layers -> {steps} plan steps, "
          f"built in {seconds:.1f} s", flush=True)
    print("  step types: " + ", ".join(f"{t} {n}" for t, n in sorted(types.items())), flush=True)

    failures = []
    for shape, xs in zip(shapes, inputs):
        key = "x".join(str(s) for s in shape)
        run_dir = os.path.join(folder, key)
        os.makedirs(run_dir, exist_ok=True)
        files = []
        for input_name, x in zip(names, xs):
            path = os.path.join(run_dir, f"{input_name}.npy")
            np.save(path, x.numpy())
            files.append(f"{input_name}:{path}")
        with torch.no_grad():
            reference = module(*xs).numpy()
        ok, output, seconds = kiln_side.kiln(args.kiln, ["run", "--loadEngine", engine, "--loadInputs", ",".join(files),
                                                         "--saveOutputs", run_dir, "--iterations", "1",
                                                         "--warmUp", "0"], 1800)
        if not ok:
            failures.append(f"{key}: run: {kiln_side.error_text(output)}")
            print(f"  {key}: run failed: {kiln_side.error_text(output)}", flush=True)
            continue
        err, allowed, agree = kiln_side.compare(np.load(os.path.join(run_dir, "output.npy")), reference, "float32")
        print(f"  {key}: max abs err {err:.3e} (allowed {allowed:.3e}) {'agrees' if agree else 'DISAGREES'}, "
              f"run {seconds:.1f} s", flush=True)
        if not agree:
            failures.append(f"{key}: max abs err {err:.3e} > {allowed:.3e}")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", help="folder for the ONNX files, plans and outputs (default: a temporary one)")
    parser.add_argument("--models", default="resnet50,bert")
    parser.add_argument("--bert-layers", type=int, default=2, help="encoder layers of the BERT model (BERT-base: 12)")
    parser.add_argument("--kiln", default=os.path.join(HERE, "..", "build", "tools", "kiln", "kiln"))
    parser.add_argument("--backend", choices=["cpu", "cuda"], default="cpu")
    args = parser.parse_args()
    if not os.access(args.kiln, os.X_OK):
        sys.exit(f"check_models_cpu.py: no kiln command at {args.kiln} (build kiln first, or give --kiln)")
    torch.set_grad_enabled(False)
    with tempfile.TemporaryDirectory() as scratch:
        args.out = args.out or scratch
        failures = {}
        for name in args.models.split(","):
            try:
                failures[name] = check(args, name)
            except ModuleNotFoundError as e:  # torchvision not installed
                print(f"{name}: skipped: {e.name} is not installed", flush=True)
        bad = {name: f for name, f in failures.items() if f}
        for name, f in bad.items():
            print(f"{name} FAILED: " + "; ".join(f), flush=True)
        if bad:
            sys.exit(1)
        print("All checked models agree with PyTorch.")


if __name__ == "__main__":
    main()
