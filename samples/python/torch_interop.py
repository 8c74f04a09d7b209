#!/usr/bin/python3
"""torch tensors on the GPU through a kiln engine without a host copy, by DLPack.

Builds the SimpleMLP for the CUDA backend, feeds it a torch CUDA tensor (read in place: the context is bound to the
tensor's own memory) and takes the output back as a torch tensor with torch.from_dlpack, which shares the
kiln.DeviceArray's memory. The answer is checked against torch computing the same layers on the GPU. Where torch,
a GPU or kiln's CUDA backend is missing it says so and exits 0."""

import argparse
import sys

import kiln
from kiln.tools import CreateConfig, Profile, engine_from_network, network_from_onnx_path
from sample_common import MODELS, finish

NAME = "kiln.sample_python_torch_interop"


def missing_requirement():
    """Why the sample cannot run here, or None."""
    try:
        import torch
    except ImportError:
        return "torch is not installed"
    if not torch.cuda.is_available():
        return "torch finds no CUDA device"
    if "cuda" not in kiln.available_backends():
        return ("kiln has the CUDA backend but finds no GPU" if kiln.HAS_CUDA else "kiln was built without CUDA")
    return None


def cuda_engine(model):
    profile = Profile().add("input", min=(1, 784), opt=(32, 784), max=(64, 784))
    return engine_from_network(network_from_onnx_path(model), config=CreateConfig(profiles=[profile], backend="cuda"))


def main(argv):
    import torch
    from onnx import load, numpy_helper

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(MODELS / "simple_mlp.onnx"))
    args = parser.parse_args(argv)

    engine = cuda_engine(args.model)
    context = engine.create_execution_context()
    x = torch.rand(16, 784, device="cuda")
    output = context.infer({"input": x})["output"]
    bound_in_place = context.get_tensor_address("input") == x.data_ptr()
    y = torch.from_dlpack(output)
    shares_memory = y.is_cuda and y.data_ptr() == output.ptr
    print(f"[I] input read in place: {bound_in_place}; output shared with torch: {shares_memory} ({y.device})")

    weights = {init.name: torch.from_numpy(numpy_helper.to_array(init)).cuda()
               for init in load(args.model).graph.initializer}
    hidden = torch.relu(torch.nn.functional.linear(x, weights["fc1.weight"], weights["fc1.bias"]))
    expected = torch.nn.functional.linear(hidden, weights["fc2.weight"], weights["fc2.bias"])
    difference = (y - expected).abs().max().item()
    print(f"[I] output {tuple(y.shape)} within {difference:.2e} of torch on the GPU")
    return bound_in_place and shares_memory and difference < 1e-3


if __name__ == "__main__":
    reason = missing_requirement()
    if reason is not None:
        print(f"[W] SKIPPED: {reason}; this sample needs torch with a CUDA device and kiln's CUDA backend")
        sys.exit(0)
    try:
        passed = main(sys.argv[1:])
    except Exception as error:  # noqa: BLE001 - reported as the verdict
        print(f"[E] {type(error).__name__}: {error}")
        passed = False
    sys.exit(finish(NAME, passed))
