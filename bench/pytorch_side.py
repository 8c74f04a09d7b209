#!/usr/bin/env python3
"""The PyTorch half of kiln's benchmark, run on the GPU machine.

For each model it exports an ONNX file with dynamic axes, saves a seeded random input and PyTorch's output per
measured shape (.npy, for checking kiln's outputs against), and times PyTorch three ways with CUDA events (median of
--runs runs after --warmup): eager, a captured CUDA graph replayed, and torch.compile in "reduce-overhead" mode
(Inductor kernels replayed through CUDA graphs). Writes DIR/pytorch.json and prints a table. bench/kiln_side.py is
the other half.

With --device cpu the same files are made on the CPU (fp32 throughout, eager timed with the host clock, no CUDA graph
or torch.compile), so the whole pipeline can be checked on a machine without a GPU. A model whose package
(torchvision, transformers) is missing is skipped with a message and listed under "skipped" in pytorch.json.

Models and shapes (the benchmark's fixed set):
  mlp       the seed's SimpleMLP 784-32-10, fp32, batch 1/32/64
  cnn       the samples' MNIST CNN, fp32, batch 1/64
  resnet50  torchvision ResNet-50, fp16, random weights, batch 1/8/32/128 at 224x224
  bert      transformers BERT-base encoder, fp16, random weights, (batch, sequence) (1,128) (8,128) (32,128) (8,384)

Usage: python3 bench/pytorch_side.py --out DIR [--models mlp,cnn,resnet50,bert] [--runs 50] [--warmup 20]
                                     [--no-compile] [--device cuda|cpu]
"""
import argparse
import importlib.util
import inspect
import json
import os
import platform
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

    def __init__(self, bert=None):
        """bert: a BertModel-like module taking (input_ids, 4-D additive mask); transformers' BERT-base by default."""
        super().__init__()
        if bert is None:
            import transformers
            config = transformers.BertConfig(attn_implementation="eager")
            bert = transformers.BertModel(config, add_pooling_layer=False)
        self.bert = bert

    def forward(self, input_ids, attention_mask):
        # The additive mask, made here from tensor arithmetic: transformers' own helper creates tensors from host
        # scalars, which a CUDA graph cannot capture. A 4-D mask is used as given.
        dtype = self.bert.embeddings.word_embeddings.weight.dtype
        additive = (1.0 - attention_mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min
        return self.bert(input_ids=input_ids, attention_mask=additive).last_hidden_state


def bert_inputs(batch, sequence, generator):
    """Random token ids and a mask with padding at the end of every sequence, as a real batch has."""
    ids = torch.randint(0, 30522, (batch, sequence), generator=generator)
    mask = torch.ones(batch, sequence, dtype=torch.int64)
    mask[:, sequence - sequence // 8:] = 0
    return [ids, mask]


BERT_NAMES = ["input_ids", "attention_mask"]
BERT_AXES = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"}}


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
        return BertEncoder(), torch.float16, BERT_NAMES, BERT_AXES, [(1, 128), (8, 128), (32, 128), (8, 384)], bert_inputs
    raise SystemExit(f"unknown model '{name}'")


def to_device(inputs, dtype, device):
    return [x.to(device).to(dtype) if x.is_floating_point() else x.to(device) for x in inputs]


def time_ms(fn, runs, warmup, device):
    """Median of `runs` timings of fn() with CUDA events (the host clock on the CPU), after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    if device == "cpu":
        for _ in range(runs):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000.0)
        return statistics.median(times)
    torch.cuda.synchronize()
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
    # The TorchScript exporter, whose dynamic_axes these are; PyTorch 2.x defaults to the dynamo one, older
    # versions (Debian's 1.13) have only this one and no `dynamo` argument.
    choice = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    torch.onnx.export(module, tuple(example), path, input_names=names, output_names=["output"],
                      dynamic_axes={**axes, "output": {0: "batch"}}, opset_version=17, **choice)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--models", default="mlp,cnn,resnet50,bert")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--no-compile", action="store_true", help="skip torch.compile (it takes minutes per shape)")
    parser.add_argument("--compile-budget", type=float, default=0,
                        help="seconds of torch.compile compilation allowed in all; later shapes skip it (0: no limit)")
    parser.add_argument("--device", choices=["cuda", "cpu"], default="cuda",
                        help="cpu: check the pipeline without a GPU (fp32, eager only)")
    args = parser.parse_args()
    on_gpu = args.device == "cuda"
    if on_gpu and not torch.cuda.is_available():
        sys.exit("pytorch_side.py: no CUDA device (use --device cpu to check the pipeline on the CPU)")
    os.makedirs(args.out, exist_ok=True)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device_name = torch.cuda.get_device_name() if on_gpu else f"CPU ({platform.processor() or platform.machine()})"
    report = {"device": device_name, "torch": torch.__version__, "runs": args.runs, "warmup": args.warmup,
              "models": {}, "skipped": {}}

    def save():  # after every model: a crash keeps the rest
        with open(os.path.join(args.out, "pytorch.json"), "w") as f:
            json.dump(report, f, indent=1)

    compile_spent = 0.0
    for name in args.models.split(","):
        torch.manual_seed(0)
        try:
            module, dtype, names, axes, shapes, make = model_spec(name)
        except ModuleNotFoundError as e:  # torchvision or transformers not installed here
            report["skipped"][name] = f"{e.name} is not installed"
            print(f"{name:9s} skipped: {e.name} is not installed", flush=True)
            save()
            continue
        if not on_gpu:
            dtype = torch.float32  # PyTorch's CPU kernels for fp16 are missing or slow
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
        module = module.to(dtype).to(args.device)
        use_compile = on_gpu and not args.no_compile
        compiled = torch.compile(module, mode="reduce-overhead", dynamic=False) if use_compile else None
        for shape in shapes:
            key = "x".join(str(s) for s in shape)
            generator = torch.Generator().manual_seed(1000 + sum(shape) * 7 + len(shape))
            inputs = to_device(make(*shape, generator) if name == "bert" else make(shape[0], generator), dtype,
                               args.device)
            folder = os.path.join(args.out, f"{name}_{key}")
            os.makedirs(folder, exist_ok=True)
            with torch.no_grad():
                out = module(*inputs)
                for input_name, x in zip(names, inputs):
                    np.save(os.path.join(folder, f"{input_name}.npy"), x.cpu().numpy())
                np.save(os.path.join(folder, "output.npy"), out.float().cpu().numpy())
                row = {"folder": os.path.basename(folder),
                       "eager_ms": time_ms(lambda: module(*inputs), args.runs, args.warmup, args.device)}
                if on_gpu:
                    row["cuda_graph_ms"] = time_ms(graph_runner(module, inputs), args.runs, args.warmup, args.device)
                over_budget = args.compile_budget > 0 and compile_spent >= args.compile_budget
                if compiled is not None and over_budget:
                    row["compile_skipped"] = f"the {args.compile_budget:g} s compilation budget was spent"
                elif compiled is not None:
                    t0 = time.time()
                    compiled(*inputs)
                    row["compile_s"] = round(time.time() - t0, 1)
                    compile_spent += row["compile_s"]
                    row["compile_graph_ms"] = time_ms(lambda: compiled(*inputs), args.runs, args.warmup,
                                                      args.device)
            row["best_ms"] = min(v for k, v in row.items() if k.endswith("_ms"))
            entry["shapes"][key] = row
            print(f"{name:9s} {key:8s} " + "  ".join(f"{k} {v:.4f}" for k, v in row.items() if k.endswith("_ms")),
                  flush=True)
        report["models"][name] = entry
        save()
        del module, compiled
        if on_gpu:
            torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
