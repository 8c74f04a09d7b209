#!/usr/bin/env python3
"""The PyTorch half of kiln's benchmark, run on the GPU machine.

For each model it exports an ONNX file with dynamic axes, saves a seeded random input and PyTorch's output per
measured shape (.npy, for checking kiln's outputs against), and times PyTorch three ways with CUDA events (median of
--runs runs after --warmup): eager, a captured CUDA graph replayed, and torch.compile in "reduce-overhead" mode
(Inductor kernels replayed through CUDA graphs). Writes DIR/pytorch.json and prints a table.

Models and shapes (the benchmark's fixed set):
  mlp       the seed's SimpleMLP 784-32-10, fp32, batch 1/32/64
  cnn       the samples' MNIST CNN, fp32, batch 1/64
  resnet50  torchvision ResNet-50, fp16, random weights, batch 1/8/32/128 at 224x224
  bert      transformers BERT-base encoder, fp16, random weights, (batch, sequence) (1,128) (8,128) (32,128) (8,384)

Usage: python3 bench/pytorch_side.py --out DIR [--models mlp,cnn,resnet50,bert] [--runs 50] [--warmup 20]
                                     [--no-compile]
"""
import argparse
import importlib.util
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS_DIR = os.path.join(HERE, "..", "samples", "models")


def load_class(script, name):
    """A model class from the samples' training scripts, so the benchmark measures the very same architectures."""
    if MODELS_DIR not in sys.path:
        sys.path.insert(0, MODELS_DIR)  # the scripts import each other
    spec = importlib.util.spec_from_file_location(name, os.path.join(MODELS_DIR, script))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


class BertEncoder(torch.nn.Module):
    """BERT-base's encoder output (last hidden state) for token ids and an attention mask."""

    def __init__(self):
        super().__init__()
        import transformers
        config = transformers.BertConfig(attn_implementation="eager")
        self.bert = transformers.BertModel(config, add_pooling_layer=False)

    def forward(self, input_ids, attention_mask):
        # The additive mask, made here from tensor arithmetic: transformers' own helper creates tensors from host
        # scalars, which a CUDA graph cannot capture. A 4-D mask is used as given.
        dtype = self.bert.embeddings.word_embeddings.weight.dtype
        additive = (1.0 - attention_mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min
        return self.bert(input_ids=input_ids, attention_mask=additive).last_hidden_state


def model_spec(name):
    """(module, dtype, input names, dynamic axes, shapes, a function making the inputs of one shape)."""
    if name == "mlp":
        module = load_class("train_simple_mlp.py", "SimpleMLP")()
        make = lambda b, g: [torch.rand(b, 784, generator=g)]
        return module, torch.float32, ["input"], {"input": {0: "batch"}}, [(1,), (32,), (64,)], make
    if name == "cnn":
        module = load_class("train_mnist.py", "MnistNet")()
        make = lambda b, g: [torch.rand(b, 1, 28, 28, generator=g)]
        return module, torch.float32, ["input"], {"input": {0: "batch"}}, [(1,), (64,)], make
    if name == "resnet50":
        import torchvision
        module = torchvision.models.resnet50(weights=None)
        make = lambda b, g: [torch.randn(b, 3, 224, 224, generator=g)]
        axes = {"input": {0: "batch"}}
        return module, torch.float16, ["input"], axes, [(1,), (8,), (32,), (128,)], make
    if name == "bert":
        module = BertEncoder()

        def make(b, s, g):
            ids = torch.randint(0, 30522, (b, s), generator=g)
            mask = torch.ones(b, s, dtype=torch.int64)
            mask[:, s - s // 8:] = 0  # padding at the end of every sequence, as a real batch has
            return [ids, mask]

        axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"}}
        return module, torch.float16, ["input_ids", "attention_mask"], axes, [(1, 128), (8, 128), (32, 128), (8, 384)], make
    raise SystemExit(f"unknown model '{name}'")


def to_device(inputs, dtype):
    return [x.cuda().to(dtype) if x.is_floating_point() else x.cuda() for x in inputs]


def time_ms(fn, runs, warmup):
    """Median of `runs` timings of fn() with CUDA events, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def graph_runner(module, inputs):
    """A CUDA graph of one forward pass on static input buffers; replaying it reruns the model."""
    static = [x.clone() for x in inputs]
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(3):
            module(*static)
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        module(*static)
    return graph.replay


def export(module, example, names, axes, path):
    torch.onnx.export(module, tuple(example), path, input_names=names, output_names=["output"],
                      dynamic_axes={**axes, "output": {0: "batch"}}, opset_version=17, dynamo=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--models", default="mlp,cnn,resnet50,bert")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--no-compile", action="store_true", help="skip torch.compile (it takes minutes per shape)")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        sys.exit("pytorch_side.py: no CUDA device; the benchmark runs on the GPU machine")
    os.makedirs(args.out, exist_ok=True)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    report = {"device": torch.cuda.get_device_name(), "torch": torch.__version__, "runs": args.runs,
              "warmup": args.warmup, "models": {}}
    for name in args.models.split(","):
        torch.manual_seed(0)
        module, dtype, names, axes, shapes, make = model_spec(name)
        module.eval()
        generator = torch.Generator().manual_seed(1)
        onnx_path = os.path.join(args.out, f"{name}.onnx")
        t0 = time.time()
        # Exported in fp32 on the CPU: an fp16 engine is built from it with --fp16, as with trtexec.
        example = make(*shapes[-1], generator) if name == "bert" else make(shapes[-1][0], generator)
        with torch.no_grad():
            export(module.float().cpu(), example, names, axes, onnx_path)
        entry = {"onnx": os.path.basename(onnx_path), "dtype": str(dtype).replace("torch.", ""), "inputs": names,
                 "export_s": round(time.time() - t0, 2), "shapes": {}}
        module = module.to(dtype).cuda()
        compiled = None if args.no_compile else torch.compile(module, mode="reduce-overhead", dynamic=False)
        for shape in shapes:
            key = "x".join(str(s) for s in shape)
            generator = torch.Generator().manual_seed(1000 + sum(shape) * 7 + len(shape))
            inputs = to_device(make(*shape, generator) if name == "bert" else make(shape[0], generator), dtype)
            folder = os.path.join(args.out, f"{name}_{key}")
            os.makedirs(folder, exist_ok=True)
            with torch.no_grad():
                out = module(*inputs)
                for input_name, x in zip(names, inputs):
                    np.save(os.path.join(folder, f"{input_name}.npy"), x.cpu().numpy())
                np.save(os.path.join(folder, "output.npy"), out.float().cpu().numpy())
                row = {"eager_ms": time_ms(lambda: module(*inputs), args.runs, args.warmup)}
                row["cuda_graph_ms"] = time_ms(graph_runner(module, inputs), args.runs, args.warmup)
                if compiled is not None:
                    t0 = time.time()
                    compiled(*inputs)
                    row["compile_s"] = round(time.time() - t0, 1)
                    row["compile_graph_ms"] = time_ms(lambda: compiled(*inputs), args.runs, args.warmup)
            row["best_ms"] = min(v for k, v in row.items() if k.endswith("_ms"))
            entry["shapes"][key] = row
            print(f"{name:9s} {key:8s} " + "  ".join(f"{k} {v:.4f}" for k, v in row.items() if k.endswith("_ms")),
                  flush=True)
        report["models"][name] = entry
        with open(os.path.join(args.out, "pytorch.json"), "w") as f:  # after every model: a crash keeps the rest
            json.dump(report, f, indent=1)
        del module, compiled
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
