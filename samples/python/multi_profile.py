#!/usr/bin/python3
"""Several optimization profiles, a context (Runner) per profile: the "dynamic shapes" example of Polygraphy
written with kiln.tools.

One engine of the SimpleMLP (dynamic batch) holds three profiles: low latency (batch 1), dynamic batching (1..32,
opt 4) and offline (128). Each profile gets its own runner, and so its own execution context, so no request pays
for switching profiles; each batch goes to the runner whose profile holds it. Every answer is checked against an
engine with one profile covering all batch sizes."""

import argparse
import os
import tempfile

import numpy as np

from kiln.tools import CreateConfig, Profile, Runner, engine_from_network, network_from_onnx_path, save_engine
from sample_common import MODELS, load_mnist, run

NAME = "kiln.sample_python_multi_profile"


def build_engines(model, backend=None):
    """The three-profile engine and a one-profile reference (batch 1..128)."""
    profiles = [
        # The low-latency case. For best performance, min == opt == max.
        Profile().add("input", min=(1, 784), opt=(1, 784), max=(1, 784)),
        # The dynamic batching case: batches up to 32, most often 4.
        Profile().add("input", min=(1, 784), opt=(4, 784), max=(32, 784)),
        # The offline case: batch 128 only.
        Profile().add("input", min=(128, 784), opt=(128, 784), max=(128, 784)),
    ]
    engine = engine_from_network(network_from_onnx_path(model), config=CreateConfig(profiles=profiles, backend=backend))
    reference = engine_from_network(
        network_from_onnx_path(model),
        config=CreateConfig(profiles=[Profile().add("input", min=(1, 784), opt=(32, 784), max=(128, 784))],
                            backend=backend))
    return engine, reference


def route(runners, batch):
    """The first runner whose profile holds batch (profile shapes come from the engine)."""
    for runner in runners:
        low, _, high = runner.engine.get_tensor_profile_shape("input", runner.optimization_profile)
        if low[0] <= batch <= high[0]:
            return runner
    raise ValueError(f"no profile serves batch {batch}")


def serve(engine, reference, requests):
    """Runs each request (a batch of flattened digits) on its profile's runner; answers {batch: (output, expected,
    profile index)}."""
    # A runner given a context uses it and never frees it; given the engine, it would make (and free) its own.
    low_latency = Runner(engine.create_execution_context())
    dynamic_batching = Runner(engine.create_execution_context(), optimization_profile=1)
    offline = Runner(engine.create_execution_context(), optimization_profile=2)
    results = {}
    with low_latency, dynamic_batching, offline, Runner(reference) as single_profile:
        runners = [low_latency, dynamic_batching, offline]
        for batch in requests:
            runner = route(runners, len(batch))
            output = runner.infer({"input": batch})["output"]
            expected = single_profile.infer({"input": batch})["output"]
            results[len(batch)] = (output, expected, runner.optimization_profile)
            print(f"[I] batch {len(batch):3d} -> profile {runner.optimization_profile} "
                  f"({runner.last_inference_time() * 1e3:.3f} ms), output {output.shape}")
    return results


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(MODELS / "simple_mlp.onnx"))
    parser.add_argument("--backend", choices=["cpu", "cuda"], default=None, help="kiln's default when left out")
    parser.add_argument("--engine", default=None, help="where to save the engine (default: a temporary file)")
    args = parser.parse_args(argv)

    engine, reference = build_engines(args.model, args.backend)
    with tempfile.TemporaryDirectory() as scratch:
        # Saved so that `kiln inspect` can show how the profiles are laid out.
        path = args.engine or os.path.join(scratch, "multi_profile.kiln")
        save_engine(engine, path)
        size = os.path.getsize(path)
        print(f"[I] {engine.num_optimization_profiles} profiles; engine saved to {path} ({size} bytes)")

    images, _ = load_mnist(count=128)
    digits = images.reshape(-1, 784)
    results = serve(engine, reference, [digits[:1], digits[:4], digits[:7], digits[:32], digits[:128]])
    wanted_profiles = {1: 0, 4: 1, 7: 1, 32: 1, 128: 2}
    passed = True
    for batch, (output, expected, profile) in results.items():
        if profile != wanted_profiles[batch] or output.shape != (batch, 10):
            print(f"[E] batch {batch} ran on profile {profile} with output {output.shape}")
            passed = False
        elif not np.allclose(output, expected, rtol=1e-5, atol=1e-5):
            print(f"[E] batch {batch}: max difference {np.abs(output - expected).max()} from the one-profile engine")
            passed = False
    if passed:
        print("[I] every batch matches the one-profile engine")
    return passed


if __name__ == "__main__":
    run(NAME, main)
