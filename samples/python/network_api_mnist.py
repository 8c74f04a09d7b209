#!/usr/bin/python3
"""The MNIST classifier built layer by layer with kiln's network API: TensorRT's network_api_pytorch_mnist.

The trained model's weights are read from the bundled ONNX model's initializers (with the onnx package) or from a
.npz of the same names, and the network is written out as the PyTorch model defines it: two blocks of 5x5
convolution (padding 2), ReLU and 2x2 max pooling, a flatten, two fully connected layers and a SoftMax. Its
predictions on held-out digits must equal the engine parsed from the ONNX model."""

import argparse

import numpy as np

import kiln
from kiln.tools import network_from_onnx_path
from sample_common import MODELS, load_mnist, run

NAME = "kiln.sample_python_network_api_mnist"
WEIGHT_NAMES = [f"{layer}.{kind}" for layer in ("conv1", "conv2", "fc1", "fc2") for kind in ("weight", "bias")]


def load_weights(path):
    """{name: numpy array} of the trained weights, from an ONNX model's initializers or a .npz."""
    if str(path).endswith(".npz"):
        with np.load(path) as archive:
            return {name: archive[name] for name in archive.files}
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    return {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}


def conv_block(network, x, weight, bias):
    """conv 5x5 (padding 2) -> ReLU -> max pool 2x2 (stride 2)."""
    conv = network.add_convolution_nd(x, weight.shape[0], (5, 5), weight, bias)
    conv.padding_nd = (2, 2)
    relu = network.add_activation(conv.get_output(0), kiln.ActivationType.RELU)
    pool = network.add_pooling_nd(relu.get_output(0), kiln.PoolingType.MAX, (2, 2))
    pool.stride_nd = (2, 2)
    return pool.get_output(0)


def fully_connected(network, x, weight, bias):
    """x [N, in] times weight [out, in] transposed, plus bias [out] (PyTorch's nn.Linear)."""
    w = network.add_constant(weight.shape, weight).get_output(0)
    y = network.add_matrix_multiply(x, kiln.MatrixOperation.NONE, w, kiln.MatrixOperation.TRANSPOSE)
    b = network.add_constant((1, bias.shape[0]), bias.reshape(1, -1)).get_output(0)
    return network.add_elementwise(y.get_output(0), b, kiln.ElementWiseOperation.SUM).get_output(0)


def populate_network(network, weights):
    x = network.add_input("input", kiln.float32, (-1, 1, 28, 28))
    x = conv_block(network, x, weights["conv1.weight"], weights["conv1.bias"])
    x = conv_block(network, x, weights["conv2.weight"], weights["conv2.bias"])
    flatten = network.add_shuffle(x)
    flatten.reshape_dims = (0, -1)
    x = fully_connected(network, flatten.get_output(0), weights["fc1.weight"], weights["fc1.bias"])
    x = network.add_activation(x, kiln.ActivationType.RELU).get_output(0)
    x = fully_connected(network, x, weights["fc2.weight"], weights["fc2.bias"])
    softmax = network.add_softmax(x)
    softmax.axes = 1 << 1
    softmax.get_output(0).name = "probabilities"
    network.mark_output(softmax.get_output(0))


def build(network, builder, max_batch):
    profile = builder.create_optimization_profile()
    profile.set_shape("input", (1, 1, 28, 28), (max_batch, 1, 28, 28), (max_batch, 1, 28, 28))
    config = builder.create_builder_config()
    config.add_optimization_profile(profile)
    return kiln.Runtime().deserialize_cuda_engine(builder.build_serialized_network(network, config))


def api_engine(weights, max_batch):
    builder = kiln.Builder()
    network = builder.create_network()
    populate_network(network, weights)
    print(f"[I] built {network.num_layers} layers; output {network.get_output(0).shape}")
    return build(network, builder, max_batch)


def onnx_engine(model, max_batch):
    builder, network, _ = network_from_onnx_path(model)  # a failed parse raises kiln.Error listing the errors
    return build(network, builder, max_batch)


def host(array):
    return array if isinstance(array, np.ndarray) else array.numpy()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(MODELS / "mnist.onnx"), help="the ONNX model to compare with")
    parser.add_argument("--weights", default=None, help="the weights (.onnx or .npz; default: --model's)")
    parser.add_argument("--digits", type=int, default=500, help="held-out digits to classify")
    parser.add_argument("--min-accuracy", type=float, default=0.97)
    args = parser.parse_args(argv)

    weights = load_weights(args.weights or args.model)
    missing = [name for name in WEIGHT_NAMES if name not in weights]
    if missing:
        raise KeyError(f"the weights lack {missing}")
    batch = 100
    api, parsed = api_engine(weights, batch), onnx_engine(args.model, batch)
    images, labels = load_mnist(count=args.digits)
    api_context, onnx_context = api.create_execution_context(), parsed.create_execution_context()
    probabilities, logits = [], []
    for i in range(0, len(images), batch):
        probabilities.append(host(api_context.infer({"input": images[i:i + batch]})["probabilities"]))
        logits.append(host(onnx_context.infer({"input": images[i:i + batch]})["logits"]))
    probabilities, logits = np.concatenate(probabilities), np.concatenate(logits)

    predictions, onnx_predictions = probabilities.argmax(1), logits.argmax(1)
    softmax = np.exp(logits - logits.max(1, keepdims=True))
    softmax /= softmax.sum(1, keepdims=True)
    accuracy = float((predictions == labels).mean())
    same = int((predictions == onnx_predictions).sum())
    difference = float(np.abs(probabilities - softmax).max())
    print(f"[I] accuracy {accuracy:.4f} on {len(labels)} held-out digits; {same}/{len(labels)} predictions as the "
          f"ONNX engine's; probabilities within {difference:.2e} of its softmax")
    print(f"[I] first digit: label {labels[0]}, predicted {predictions[0]} (p = {probabilities[0].max():.3f})")
    return same == len(labels) and difference < 1e-4 and accuracy >= args.min_accuracy


if __name__ == "__main__":
    run(NAME, main)
