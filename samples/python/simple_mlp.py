#!/usr/bin/python3
"""SimpleMLP with dynamic batch: the "SimpleMLP with TensorRT" walkthrough written with kiln's TensorRT-style calls.

Parses the 784-32-10 MLP (exported with a dynamic batch axis), builds it with a profile of batch 1 / 32 / 64 in fp16
(both backends have fp16 kernels) through a timing cache kept in a file, then runs held-out MNIST digits in batches
of 1, 32 and 64 the walkthrough's way: set the input shape, ask the context for the resolved output shape, size
the buffers from it, bind their addresses and run. Counts correct answers and checks them against an fp32 engine."""

import argparse
import os
import tempfile

import numpy as np

import kiln
from sample_common import MODELS, load_mnist, run

NAME = "kiln.sample_python_simple_mlp"
BATCHES = (1, 32, 64)


def build_engine(model, fp16, timing_cache_path, backend, logger):
    builder = kiln.Builder(logger)
    network = builder.create_network(1 << int(kiln.NetworkDefinitionCreationFlag.EXPLICIT_BATCH))
    parser = kiln.OnnxParser(network, logger)
    if not parser.parse_from_file(model):
        raise RuntimeError("; ".join(parser.get_error(i).desc() for i in range(parser.num_errors)))

    config = builder.create_builder_config()
    config.backend = backend
    if fp16:
        config.set_flag(kiln.BuilderFlag.FP16)
    profile = builder.create_optimization_profile()
    profile.set_shape("input", (BATCHES[0], 784), (BATCHES[1], 784), (BATCHES[2], 784))
    config.add_optimization_profile(profile)

    # The timing cache: read where a previous build left it, written back after this one.
    saved = b""
    if os.path.exists(timing_cache_path):
        with open(timing_cache_path, "rb") as f:
            saved = f.read()
    cache = config.create_timing_cache(saved)
    config.set_timing_cache(cache, False)
    plan = builder.build_serialized_network(network, config)
    with open(timing_cache_path, "wb") as f:
        f.write(config.get_timing_cache().serialize())
    engine = kiln.Runtime(logger).deserialize_cuda_engine(plan)
    # The builder lowers a step to fp16 only where the backend has an fp16 kernel for it (the CPU backend keeps
    # matrix multiplies in fp32); the layer information tells which.
    steps = [engine.get_layer_information(i) for i in range(engine.num_layers)]
    in_fp16 = sum(kiln.DataType.HALF in step.output_types for step in steps)
    print(f"[I] built {'fp16' if fp16 else 'fp32'} on {backend}: {in_fp16} of {len(steps)} steps in fp16; timing "
          f"cache {len(cache)} entries ({cache.hits} hits, {cache.misses} timed)")
    return engine


class Buffer:
    """An IO tensor's memory sized from a shape: a numpy array on the CPU backend, plus a kiln.DeviceArray on CUDA
    (the walkthrough's HostDeviceMem). An input buffer is made from its data, copied to the device at once."""

    def __init__(self, shape, dtype, on_device, data=None):
        self.host = np.empty(shape, dtype=kiln.nptype(dtype))
        if data is not None:
            np.copyto(self.host, data)
        self.device = None
        if on_device:
            self.device = kiln.DeviceArray.from_numpy(self.host) if data is not None else kiln.DeviceArray(shape, dtype)

    @property
    def address(self):
        return self.device.ptr if self.device is not None else self.host.ctypes.data

    def to_host(self):
        return self.device.numpy() if self.device is not None else self.host


def infer(engine, context, batch):
    """One run the walkthrough's way; answers the output, shaped as the context resolved it ((batch, 10))."""
    context.set_input_shape("input", batch.shape)
    output_shape = context.get_tensor_shape("output")  # resolved by the context, not the engine: (N, 10)
    on_device = engine.is_device_memory
    inputs = Buffer(batch.shape, engine.get_tensor_dtype("input"), on_device, data=batch)
    outputs = Buffer(output_shape, engine.get_tensor_dtype("output"), on_device)
    context.set_tensor_address("input", inputs.address)
    context.set_tensor_address("output", outputs.address)
    context.execute_async_v3(0)
    return outputs.to_host().reshape(output_shape)


def classify(engine, digits, batch_size):
    """Logits of every digit, run in batches of batch_size (the last one smaller)."""
    context = engine.create_execution_context()
    return np.concatenate([infer(engine, context, digits[i:i + batch_size])
                           for i in range(0, len(digits), batch_size)])


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(MODELS / "simple_mlp.onnx"))
    parser.add_argument("--backend", choices=["cpu", "cuda"],
                        default="cuda" if "cuda" in kiln.available_backends() else "cpu")
    parser.add_argument("--timing-cache", default=None,
                        help="timing cache file (default: one in a temporary directory, used by both builds)")
    parser.add_argument("--min-accuracy", type=float, default=0.90)
    args = parser.parse_args(argv)

    logger = kiln.Logger(kiln.Logger.WARNING)
    images, labels = load_mnist()
    digits = images.reshape(-1, 784)
    with tempfile.TemporaryDirectory() as scratch:
        cache_path = args.timing_cache or os.path.join(scratch, "simple_mlp.timing_cache")
        fp16 = build_engine(args.model, True, cache_path, args.backend, logger)
        fp32 = build_engine(args.model, False, cache_path, args.backend, logger)

    reference = classify(fp32, digits, BATCHES[-1]).argmax(1)
    passed = True
    for batch_size in BATCHES:
        predictions = classify(fp16, digits, batch_size).argmax(1)
        accuracy = float((predictions == labels).mean())
        agreement = float((predictions == reference).mean())
        print(f"[I] fp16, batch {batch_size:2d}: accuracy {accuracy:.4f} on {len(labels)} held-out digits, "
              f"{agreement:.4f} of answers as fp32")
        passed &= accuracy >= args.min_accuracy and agreement >= 0.99
    fp32_accuracy = float((reference == labels).mean())
    print(f"[I] fp32: accuracy {fp32_accuracy:.4f}")
    try:
        fp16.create_execution_context().set_input_shape("input", (BATCHES[-1] + 1, 784))
        print("[E] a batch above the profile's max was accepted")
        passed = False
    except kiln.Error as error:
        print(f"[I] batch {BATCHES[-1] + 1} refused: {error}")
    return passed and fp32_accuracy >= args.min_accuracy


if __name__ == "__main__":
    run(NAME, main)
