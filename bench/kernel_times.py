#!/usr/bin/env python3
"""Per-kernel GPU times of one kiln run or one PyTorch forward pass, for finding where a model's time goes.

kiln: runs `ncu` (Nsight Compute, --clock-control none so the clocks stay as they are) over
`kiln run --loadEngine ENGINE --loadInputs ...` on the inputs kiln_side.py saved for a measured shape, reading only
each kernel's duration, and sums the durations by kernel name over the timed iterations.
PyTorch: times the benchmark's model (bench/pytorch_side.py's, eager, optionally channels-last) under
torch.profiler and sums its CUDA kernel times the same way.

Usage: python3 bench/kernel_times.py kiln --dir BENCH_DIR --model bert --shape 32x128 [--kiln build/tools/kiln/kiln]
       python3 bench/kernel_times.py torch --model resnet50 --shape 128 [--channels-last]
Prints the kernels by total time (ms per forward pass, launches per pass) and the sum.
"""
import argparse
import collections
import csv
import io
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def short(name, width=110):
    return name if len(name) <= width else name[:width - 3] + "..."


def report(totals, counts, passes, title):
    print(f"## {title}: {sum(totals.values()) / passes:.4f} ms of kernels per pass")
    for name, ms in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"{ms / passes:9.4f} ms  x{counts[name] // passes:<4d} {short(name)}")


def kiln_kernels(args):
    folder = os.path.join(args.dir, f"{args.model}_{args.shape}", "kiln_inputs")
    files = sorted(f for f in os.listdir(folder) if f.endswith(".npy"))
    inputs = ",".join(f"{f[:-4]}:{os.path.join(folder, f)}" for f in files)
    engine = os.path.join(args.dir, f"{args.model}.kiln")
    # Warm-up runs replay the same CUDA graph as the timed ones; ncu profiles each launch (graph kernels included).
    command = ["ncu", "--clock-control", "none", "--metrics", "gpu__time_duration.sum", "--csv", "--print-units",
               "base", args.kiln, "run", "--loadEngine", engine, "--loadInputs", inputs, "--iterations",
               str(args.passes), "--warmUp", "0"]
    done = subprocess.run(command, capture_output=True, text=True)
    rows = [line for line in done.stdout.splitlines() if line.startswith('"')]
    if not rows:
        sys.exit("ncu gave no rows:\n" + done.stdout[-3000:] + done.stderr[-3000:])
    totals, counts = collections.defaultdict(float), collections.Counter()
    for row in csv.DictReader(io.StringIO("\n".join(rows))):
        if row.get("Metric Name") != "gpu__time_duration.sum":
            continue
        ns = float(row["Metric Value"].replace(",", ""))
        totals[row["Kernel Name"]] += ns / 1e6
        counts[row["Kernel Name"]] += 1
    report(totals, counts, args.passes, f"kiln {args.model} {args.shape}")


def torch_kernels(args):
    import torch
    sys.path.insert(0, HERE)
    import pytorch_side
    module, dtype, _, _, _, make = pytorch_side.model_spec(args.model)
    shape = tuple(int(s) for s in args.shape.split("x"))
    inputs = pytorch_side.to_device(make(*shape, torch.Generator().manual_seed(0)), dtype, "cuda")
    module = module.to("cuda").to(dtype).eval()
    if args.channels_last:
        module = module.to(memory_format=torch.channels_last)
        inputs = [x.to(memory_format=torch.channels_last) if x.dim() == 4 else x for x in inputs]
    torch.backends.cudnn.benchmark = True
    with torch.no_grad():
        for _ in range(5):
            module(*inputs)
        torch.cuda.synchronize()
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CUDA]) as prof:
            for _ in range(args.passes):
                module(*inputs)
            torch.cuda.synchronize()
    totals, counts = collections.defaultdict(float), collections.Counter()
    for event in prof.events():
        if event.device_type == torch.autograd.DeviceType.CUDA:
            totals[event.name] += event.device_time / 1e3
            counts[event.name] += 1
    report(totals, counts, args.passes, f"PyTorch {args.model} {args.shape}{' channels-last' if args.channels_last else ''}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("side", choices=["kiln", "torch"])
    parser.add_argument("--dir", help="the benchmark folder (kiln_side.py's engines and inputs)")
    parser.add_argument("--model", required=True)
    parser.add_argument("--shape", required=True, help="as in the benchmark: 128, 32x128")
    parser.add_argument("--kiln", default=os.path.join(HERE, "..", "build", "tools", "kiln", "kiln"))
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--channels-last", action="store_true")
    args = parser.parse_args()
    kiln_kernels(args) if args.side == "kiln" else torch_kernels(args)


if __name__ == "__main__":
    main()
