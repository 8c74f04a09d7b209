"""network_api_mnist.py: the network built layer by layer predicts what the parsed ONNX model does, from the
ONNX initializers or a .npz of them."""

import numpy as np
import pytest

import network_api_mnist
from sample_common import MODELS, load_mnist
from sample_test_support import assert_passed, run_sample

pytest.importorskip("onnx", reason="the onnx Python module (python3-onnx) reads the model's weights")


def test_the_sample_passes(tmp_path):
    status, output = run_sample("network_api_mnist.py", cwd=tmp_path)
    assert_passed(status, output, network_api_mnist.NAME)
    assert "500/500 predictions as the ONNX engine's" in output


def test_weights_from_a_npz_give_the_onnx_engines_answers(tmp_path):
    weights = network_api_mnist.load_weights(MODELS / "mnist.onnx")
    npz = tmp_path / "mnist_weights.npz"
    np.savez(npz, **{name: weights[name] for name in network_api_mnist.WEIGHT_NAMES})
    api = network_api_mnist.api_engine(network_api_mnist.load_weights(npz), 64)
    parsed = network_api_mnist.onnx_engine(MODELS / "mnist.onnx", 64)
    images, labels = load_mnist(count=64)
    probabilities = api.create_execution_context().infer({"input": images})["probabilities"]
    logits = parsed.create_execution_context().infer({"input": images})["logits"]
    np.testing.assert_array_equal(probabilities.argmax(1), logits.argmax(1))
    np.testing.assert_allclose(probabilities.sum(1), 1, rtol=1e-5)
    assert (probabilities.argmax(1) == labels).mean() >= 0.95


def test_missing_weights_are_named(tmp_path):
    npz = tmp_path / "partial.npz"
    weights = network_api_mnist.load_weights(MODELS / "mnist.onnx")
    np.savez(npz, **{name: weights[name] for name in network_api_mnist.WEIGHT_NAMES if name != "fc2.bias"})
    status, output = run_sample("network_api_mnist.py", "--weights", npz, cwd=tmp_path)
    assert status == 1 and "fc2.bias" in output and output.strip().endswith("&&&& FAILED " + network_api_mnist.NAME)
