#!/usr/bin/env python3
"""The kiln half of kiln's benchmark: reads what bench/pytorch_side.py wrote to DIR and measures kiln on it.

For each model in DIR/pytorch.json it builds one engine with `kiln build` (one profile: min and max the smallest and
largest measured dimensions, opt the middle shape; --fp16 for the models PyTorch ran in fp16), records the build
time, runs every measured shape with `kiln run --loadInputs ... --saveOutputs ... --exportTimes ...` (the same
--runs and --warmup as the PyTorch side), checks kiln's output against PyTorch's saved one, and prints one table.
Writes DIR/benchmark.json with everything, and with --markdown a page for docs/benchmark.md.

A model kiln cannot build or run (an unsupported op, a missing CUDA kernel) gets rows carrying kiln's error text;
the other models go on. Exits with 1 when a row's outputs disagree.

Outputs agree when max |kiln - PyTorch| <= tolerance * (1 + max |PyTorch|), tolerance 1e-4 for fp32 models and
1e-2 for fp16 ones (PyTorch's fp16 output is itself rounded, and both sides accumulate fp16 products differently).

Usage: python3 bench/kiln_side.py --dir DIR [--kiln build/tools/kiln/kiln] [--backend cuda|cpu] [--markdown FILE]
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TOLERANCE = {"float32": 1e-4, "float16": 1e-2}
# kiln's type names (kiln inspect) as numpy dtypes, for converting PyTorch's inputs to the engine's input types.
NUMPY_TYPES = {"fp32": np.float32, "fp16": np.float16, "fp64": np.float64, "int8": np.int8, "uint8": np.uint8,
               "int32": np.int32, "int64": np.int64, "bool": np.bool_}


def kiln(binary, args, timeout):
    """Runs the kiln command; returns (ok, output, seconds). A timeout is a failure with its own message."""
    t0 = time.time()
    try:
        done = subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, f"kiln {args[0]} did not finish in {timeout} s", time.time() - t0
    return done.returncode == 0, done.stdout + done.stderr, time.time() - t0


def error_text(output):
    """kiln's one-line error (after `kiln: `), or the last line of a crash's output."""
    lines = [line for line in output.splitlines() if line.strip()]
    errors = [line.removeprefix("kiln: ") for line in lines if line.startswith("kiln:")]
    return (errors or lines or ["no output"])[-1]


def input_shapes(folder, names):
    return {name: np.load(os.path.join(folder, f"{name}.npy"), mmap_mode="r").shape for name in names}


def shapes_arg(shapes):
    return ",".join(f"{name}:{'x'.join(str(d) for d in dims)}" for name, dims in shapes.items())


def profile(per_shape):
    """min/opt/max for one profile over the measured shapes ({input: dims} each): min and max dimension by dimension,
    opt the middle shape by size."""
    names = per_shape[0].keys()
    by_size = sorted(per_shape, key=lambda s: sum(int(np.prod(d)) for d in s.values()))
    return {"min": {n: tuple(min(s[n][i] for s in per_shape) for i in range(len(per_shape[0][n]))) for n in names},
            "opt": by_size[len(by_size) // 2],
            "max": {n: tuple(max(s[n][i] for s in per_shape) for i in range(len(per_shape[0][n]))) for n in names}}


def engine_input_types(binary, engine):
    """{input name: numpy dtype} from `kiln inspect` (an fp16 build may keep fp32 IO, as TensorRT does)."""
    ok, output, _ = kiln(binary, ["inspect", engine, "--no-layers"], 120)
    if not ok:
        raise RuntimeError(error_text(output))
    types = {}
    for name, kind in re.findall(r"^  input  (\S+)  (\S+)  ", output, re.M):
        if kind not in NUMPY_TYPES:
            raise RuntimeError(f"input '{name}' is {kind}, which this script cannot feed")
        types[name] = NUMPY_TYPES[kind]
    return types


def compare(kiln_out, reference, dtype):
    """(max |diff|, the allowed difference, agree) with the rule in the module's docstring."""
    if kiln_out.shape != reference.shape:
        raise RuntimeError(f"kiln's output is {kiln_out.shape}, PyTorch's {reference.shape}")
    ref = reference.astype(np.float64)
    err = float(np.max(np.abs(kiln_out.astype(np.float64) - ref))) if ref.size else 0.0
    allowed = TOLERANCE[dtype] * (1.0 + float(np.max(np.abs(ref)) if ref.size else 0.0))
    return err, allowed, bool(err <= allowed)  # a NaN anywhere makes err NaN, which does not agree


def build(args, name, entry):
    """Builds the model's engine; returns the build record (with "error" when kiln could not build it)."""
    folders = [os.path.join(args.dir, row["folder"]) for row in entry["shapes"].values()]
    ranges = profile([input_shapes(folder, entry["inputs"]) for folder in folders])
    engine = os.path.join(args.dir, f"{name}.kiln")
    command = ["build", "--onnx", os.path.join(args.dir, entry["onnx"]), "--backend", args.backend,
               "--minShapes", shapes_arg(ranges["min"]), "--optShapes", shapes_arg(ranges["opt"]),
               "--maxShapes", shapes_arg(ranges["max"]), "--saveEngine", engine]
    fp16 = entry["dtype"] == "float16"
    if fp16:
        command.append("--fp16")
    ok, output, wall = kiln(args.kiln, command, args.timeout)
    with open(os.path.join(args.dir, f"{name}_build.log"), "w") as f:  # the tactic each layer got, for diagnosis
        f.write(output)
    record = {"engine": os.path.basename(engine), "fp16": fp16, "wall_s": round(wall, 2),
              "profile": {k: shapes_arg(v) for k, v in ranges.items()}}
    built = re.search(r"Built a \S+ plan .* in ([0-9.e+-]+) s", output)
    if ok and built:
        record["build_s"] = round(float(built.group(1)), 3)
    else:
        record["error"] = error_text(output)
    return record, engine


def run_shape(args, entry, engine, types, key, row):
    """Runs one measured shape; returns kiln's part of the row."""
    folder = os.path.join(args.dir, row["folder"])
    inputs_dir = os.path.join(folder, "kiln_inputs")
    os.makedirs(inputs_dir, exist_ok=True)
    files = []
    for name in entry["inputs"]:
        path = os.path.join(inputs_dir, f"{name}.npy")
        np.save(path, np.load(os.path.join(folder, f"{name}.npy")).astype(types[name]))
        files.append(f"{name}:{path}")
    outputs = os.path.join(folder, "kiln_outputs")
    times = os.path.join(folder, "kiln_times.json")
    ok, output, _ = kiln(args.kiln, ["run", "--loadEngine", engine, "--loadInputs", ",".join(files),
                                     "--saveOutputs", outputs, "--exportTimes", times,
                                     "--iterations", str(args.runs), "--warmUp", str(args.warmup)], args.timeout)
    if not ok:
        return {"error": "run failed: " + error_text(output)}
    with open(times) as f:
        measured = json.load(f)
    result = {"kiln_ms": measured["latencyMs"]["median"], "kiln_latency_ms": measured["latencyMs"]}
    err, allowed, agree = compare(np.load(os.path.join(outputs, "output.npy")),
                                  np.load(os.path.join(folder, "output.npy")), entry["dtype"])
    result.update(max_abs_err=err, allowed_err=allowed, agree=agree)
    if row.get("best_ms"):
        result["kiln_over_best_pytorch"] = result["kiln_ms"] / row["best_ms"]
    if args.profile:  # after the timed runs: profiling times every step and keeps graphs out
        profile = os.path.join(folder, "kiln_profile.json")
        ok, output, _ = kiln(args.kiln, ["run", "--loadEngine", engine, "--loadInputs", ",".join(files),
                                         "--iterations", str(args.runs), "--exportProfile", profile], args.timeout)
        if ok:
            with open(profile) as f:
                steps = json.load(f)["steps"]
            by_type = {}
            for step in steps:
                by_type[step["type"]] = by_type.get(step["type"], 0.0) + step["medianMs"]
            result["kiln_profile_ms_by_step_type"] = dict(sorted(by_type.items(), key=lambda kv: -kv[1]))
        else:
            result["kiln_profile_error"] = error_text(output)
    return result


def measure(args, pytorch):
    models = {}
    for name, entry in pytorch["models"].items():
        print(f"kiln: building {name}", flush=True)
        record, engine = build(args, name, entry)
        rows = {}
        types = None
        if "error" not in record:
            try:
                types = engine_input_types(args.kiln, engine)
            except RuntimeError as e:
                record["error"] = str(e)
        for key, row in entry["shapes"].items():
            result = dict(row)
            if "error" in record:
                result["error"] = "build failed: " + record["error"]
            else:
                try:
                    result.update(run_shape(args, entry, engine, types, key, row))
                except (RuntimeError, OSError, KeyError, ValueError) as e:  # a missing or malformed file
                    result["error"] = f"{type(e).__name__}: {e}"
            rows[key] = result
        models[name] = {"dtype": entry["dtype"], "build": record, "shapes": rows}
    return models


def fmt(value, digits=4):
    return "-" if value is None else f"{value:.{digits}f}"


def table(models, skipped):
    """The benchmark's table as markdown rows."""
    lines = ["| model | shape | PyTorch eager | CUDA graph | torch.compile | kiln | kiln / best PyTorch | outputs agree "
             "(max abs err) |", "|---|---|---|---|---|---|---|---|"]
    for name, model in models.items():
        for key, r in model["shapes"].items():
            if "error" in r:
                verdict = r["error"].replace("|", "\\|")
            else:
                verdict = f"{'yes' if r['agree'] else 'NO'} ({r['max_abs_err']:.2e})"
            ratio = r.get("kiln_over_best_pytorch")
            lines.append(f"| {name} {model['dtype']} | {key} | {fmt(r.get('eager_ms'))} | {fmt(r.get('cuda_graph_ms'))} "
                         f"| {fmt(r.get('compile_graph_ms'))} | {fmt(r.get('kiln_ms'))} | "
                         f"{'-' if ratio is None else f'{ratio:.2f}x'} | {verdict} |")
    for name, why in skipped.items():
        lines.append(f"| {name} | - | - | - | - | - | - | skipped: {why} |")
    untimed = [f"{name} {key}" for name, model in models.items() for key, r in model["shapes"].items()
               if "compile_skipped" in r]
    if untimed:
        reason = next(r["compile_skipped"] for model in models.values() for r in model["shapes"].values()
                      if "compile_skipped" in r)
        lines += ["", f"torch.compile not timed for {', '.join(untimed)}: {reason}."]
    return lines


def markdown(report):
    p = report["pytorch"]
    lines = ["# Benchmark: kiln against PyTorch", "",
             "Generated by `bench/pytorch_side.py` and `bench/kiln_side.py` (`KILN_BENCH=1 scripts/device-check`); "
             "do not edit by hand.", "",
             f"- Date: {report['date']}", f"- Commit: {report['commit']}", f"- Device: {p['device']}",
             f"- PyTorch {p['torch']}; kiln backend {report['backend']}",
             f"- Latency: median ms of {p['runs']} runs after {p['warmup']} warm-up runs, " +
             ("CUDA events (PyTorch: around the call; kiln: around `enqueueV3` on a stream of its own)"
              if report["backend"] == "cuda" else "host clock"),
             f"- Outputs agree when max abs difference <= tolerance x (1 + max abs PyTorch output), tolerance "
             f"{TOLERANCE['float32']:g} for fp32 and {TOLERANCE['float16']:g} for fp16", "",
             *table(report["models"], report["skipped"]), "", "## Engine builds", "",
             "| model | fp16 | profile (min / opt / max) | build s |", "|---|---|---|---|"]
    for name, model in report["models"].items():
        b = model["build"]
        built = fmt(b.get("build_s"), 2) if "error" not in b else "failed: " + b["error"].replace("|", "\\|")
        lines.append(f"| {name} | {'yes' if b['fp16'] else 'no'} | {b['profile']['min']} / {b['profile']['opt']} / "
                     f"{b['profile']['max']} | {built} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", required=True, help="the folder bench/pytorch_side.py wrote")
    parser.add_argument("--kiln", default=os.path.join(HERE, "..", "build", "tools", "kiln", "kiln"))
    parser.add_argument("--backend", choices=["cuda", "cpu"], default="cuda")
    parser.add_argument("--markdown", help="also write the results as a markdown page here")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed for one kiln build or run")
    parser.add_argument("--profile", action="store_true",
                        help="also profile every step (kiln run --exportProfile) and sum the times by step type")
    args = parser.parse_args()
    if not os.access(args.kiln, os.X_OK):
        sys.exit(f"kiln_side.py: no kiln command at {args.kiln} (build kiln first, or give --kiln)")
    with open(os.path.join(args.dir, "pytorch.json")) as f:
        pytorch = json.load(f)
    args.runs, args.warmup = pytorch["runs"], pytorch["warmup"]
    commit = os.environ.get("KILN_COMMIT") or subprocess.run(
        ["git", "-C", HERE, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    report = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"), "commit": commit or "unknown",
              "backend": args.backend, "tolerance": TOLERANCE,
              "pytorch": {k: pytorch[k] for k in ("device", "torch", "runs", "warmup")},
              "skipped": pytorch.get("skipped", {}), "models": measure(args, pytorch)}
    with open(os.path.join(args.dir, "benchmark.json"), "w") as f:
        json.dump(report, f, indent=1)
    print("\n".join(table(report["models"], report["skipped"])))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(markdown(report))
    # Rows kiln cannot build or run yet are results (the table says why); outputs that disagree are a defect.
    if any(r.get("agree") is False for m in report["models"].values() for r in m["shapes"].values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
