"""What the kiln Python tests share: paths to the repository's models and a few build shortcuts."""

import gzip
import os
import pathlib

import numpy as np
import pytest

import kiln

SOURCE_DIR = pathlib.Path(os.environ.get("KILN_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
TEST_DATA = SOURCE_DIR / "tests" / "data"
MODELS = SOURCE_DIR / "samples" / "models"
MNIST_DIR = SOURCE_DIR / "samples" / "data" / "mnist"


def parse_onnx(path, logger=None):
    """A network parsed from an ONNX file, with the builder that made it."""
    builder = kiln.Builder(logger)
    network = builder.create_network()
    parser = kiln.OnnxParser(network, logger)
    assert parser.parse_from_file(str(path)), [parser.get_error(i).desc() for i in range(parser.num_errors)]
    return builder, network


def build_engine(builder, network, profiles=(), config=None):
    """Builds and loads a plan; profiles are dicts {input: (min, opt, max)}."""
    config = config or builder.create_builder_config()
    for shapes in profiles:
        profile = builder.create_optimization_profile()
        for name, (lo, opt, hi) in shapes.items():
            profile.set_shape(name, lo, opt, hi)
        config.add_optimization_profile(profile)
    plan = builder.build_serialized_network(network, config)
    return kiln.Runtime().deserialize_cuda_engine(plan)


def onnx_engine(path, profiles=()):
    builder, network = parse_onnx(path)
    return build_engine(builder, network, profiles)


def load_mnist(first, count):
    """count test digits from index first: images (count x 1 x 28 x 28 in [0, 1]) and labels."""
    with gzip.open(MNIST_DIR / "t10k-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(MNIST_DIR / "t10k-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return images[first:first + count].astype(np.float32) / 255.0, labels[first:first + count]


def onnx_initializers(path):
    """The initializers of an ONNX model as numpy arrays (needs the onnx module)."""
    onnx = pytest.importorskip("onnx", reason="the onnx Python module (python3-onnx) reads the model's weights")
    from onnx import numpy_helper

    model = onnx.load(str(path))
    return {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}


def mlp_engine_and_weights():
    """The bundled SimpleMLP (784-32-10, dynamic batch 1..64) and its weights for a numpy reference."""
    path = MODELS / "simple_mlp.onnx"
    engine = onnx_engine(path, [{"input": ((1, 784), (32, 784), (64, 784))}])
    return engine, onnx_initializers(path)


def mlp_reference(weights, x):
    """What the MLP computes (Gemm with transB=1, ReLU, Gemm), in float64."""
    w = {name: value.astype(np.float64) for name, value in weights.items()}
    hidden = np.maximum(x.astype(np.float64) @ w["fc1.weight"].T + w["fc1.bias"], 0)
    return hidden @ w["fc2.weight"].T + w["fc2.bias"]
