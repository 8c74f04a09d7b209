"""Networks built layer by layer, each checked against the same computation in numpy."""

import numpy as np
import pytest

import kiln
from conftest import build_engine

RNG = np.random.default_rng(2024)


def conv2d(x, w, b, stride=1, pad=0):
    """A plain numpy convolution (N, C, H, W) * (K, C, kh, kw) + b."""
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c, h, wd = x.shape
    k, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, k, oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = x[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3]))
    return out + b.reshape(1, -1, 1, 1)


def max_pool_2x2(x):
    n, c, h, w = x.shape
    return x[:, :, :h // 2 * 2, :w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def small_cnn(weights):
    """conv 3x3 (4 maps, pad 1) -> relu -> max pool 2x2 -> flatten -> fc 10 -> softmax, on -1x2x8x8 inputs."""
    builder = kiln.Builder()
    network = builder.create_network()
    x = network.add_input("x", kiln.float32, (-1, 2, 8, 8))
    # The network copies weights: the arrays handed over are overwritten right after each call.
    handed = {name: value.copy() for name, value in weights.items()}
    conv = network.add_convolution_nd(x, 4, (3, 3), handed["conv_w"], handed["conv_b"])
    conv.padding_nd = (1, 1)
    assert isinstance(conv, kiln.ConvolutionLayer) and conv.padding_nd == (1, 1)
    relu = network.add_activation(conv.get_output(0), kiln.ActivationType.RELU)
    pool = network.add_pooling_nd(relu.get_output(0), kiln.PoolingType.MAX, (2, 2))
    pool.stride_nd = (2, 2)
    flatten = network.add_shuffle(pool.get_output(0))
    flatten.reshape_dims = (0, -1)
    fc_w = network.add_constant(handed["fc_w"].shape, handed["fc_w"])
    fc = network.add_matrix_multiply(flatten.get_output(0), kiln.MatrixOperation.NONE, fc_w.get_output(0),
                                     kiln.MatrixOperation.NONE)
    fc_b = network.add_constant((1, 10), handed["fc_b"])
    biased = network.add_elementwise(fc.get_output(0), fc_b.get_output(0), kiln.ElementWiseOperation.SUM)
    probabilities = network.add_softmax(biased.get_output(0))
    probabilities.get_output(0).name = "probabilities"
    network.mark_output(probabilities.get_output(0))
    for value in handed.values():
        value[...] = 0
    return builder, network


def test_cnn_built_layer_by_layer_matches_numpy():
    weights = {
        "conv_w": RNG.standard_normal((4, 2, 3, 3)).astype(np.float32),
        "conv_b": RNG.standard_normal(4).astype(np.float32),
        "fc_w": RNG.standard_normal((4 * 4 * 4, 10)).astype(np.float32) * 0.1,
        "fc_b": RNG.standard_normal((1, 10)).astype(np.float32),
    }
    builder, network = small_cnn(weights)
    assert network.get_output(0).shape == (-1, 10)
    assert isinstance(network.get_layer(0), (kiln.ConvolutionLayer, kiln.ConstantLayer))
    engine = build_engine(builder, network, [{"x": ((1, 2, 8, 8), (4, 2, 8, 8), (16, 2, 8, 8))}])
    context = engine.create_execution_context()
    x = RNG.standard_normal((5, 2, 8, 8)).astype(np.float32)
    output = context.infer({"x": x})["probabilities"]
    hidden = max_pool_2x2(np.maximum(conv2d(x, weights["conv_w"], weights["conv_b"], pad=1), 0))
    expected = softmax(hidden.reshape(5, -1) @ weights["fc_w"] + weights["fc_b"])
    assert output.shape == (5, 10)
    np.testing.assert_allclose(output, expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(output.sum(axis=1), np.ones(5), rtol=1e-5)


def test_elementwise_broadcast_unary_reduce_and_concat():
    builder = kiln.Builder()
    network = builder.create_network()
    a = network.add_input("a", kiln.float32, (-1, 3))
    b = network.add_input("b", kiln.float32, (1, 3))
    prod = network.add_elementwise(a, b, kiln.ElementWiseOperation.PROD)
    exp = network.add_unary(prod.get_output(0), kiln.UnaryOperation.EXP)
    reduce = network.add_reduce(exp.get_output(0), kiln.ReduceOperation.SUM, 1 << 1, True)
    assert reduce.axes == 2 and reduce.keep_dims
    joined = network.add_concatenation([prod.get_output(0), reduce.get_output(0)], axis=1)
    assert joined.get_output(0).shape == (-1, 4)
    transposed = network.add_shuffle(joined.get_output(0))
    transposed.first_transpose = [1, 0]
    transposed.get_output(0).name = "out"
    network.mark_output(transposed.get_output(0))
    engine = build_engine(builder, network, [{"a": ((1, 3), (2, 3), (6, 3))}])
    x = RNG.standard_normal((4, 3)).astype(np.float32)
    y = RNG.standard_normal((1, 3)).astype(np.float32)
    out = engine.create_execution_context().infer({"a": x, "b": y})["out"]
    product = x * y
    expected = np.concatenate([product, np.exp(product).sum(axis=1, keepdims=True)], axis=1).T
    assert out.shape == (4, 4)
    np.testing.assert_allclose(out, expected, rtol=1e-5)


def test_integer_network_and_cast():
    builder = kiln.Builder()
    network = builder.create_network()
    ids = network.add_input("ids", kiln.int32, (-1,))
    table = np.arange(20, dtype=np.float32).reshape(10, 2) * 1.5
    constant = network.add_constant(table.shape, table)
    gathered = network.add_gather(constant.get_output(0), ids, 0)
    cast = network.add_cast(gathered.get_output(0), kiln.int64)
    cast.get_output(0).name = "rows"
    network.mark_output(cast.get_output(0))
    engine = build_engine(builder, network, [{"ids": ((1,), (4,), (8,))}])
    assert engine.get_tensor_dtype("rows") == kiln.DataType.INT64
    indices = np.array([3, 0, 9], dtype=np.int32)
    rows = engine.create_execution_context().infer({"ids": indices})["rows"]
    assert rows.dtype == np.int64
    np.testing.assert_array_equal(rows, table[indices].astype(np.int64))


def test_layer_settings_read_back_and_names():
    network = kiln.Builder().create_network()
    x = network.add_input("x", kiln.float32, (1, 1, -1, -1))
    assert x.shape == (1, 1, -1, -1) and x.dtype == kiln.DataType.FLOAT and x.is_network_input
    pool = network.add_pooling_nd(x, kiln.PoolingType.AVERAGE, (3, 3))
    pool.stride_nd = (2, 2)
    pool.padding_nd = (1, 1)
    pool.name = "downsample"
    assert (pool.type, pool.window_size_nd, pool.stride_nd, pool.padding_nd) == (
        kiln.PoolingType.AVERAGE, (3, 3), (2, 2), (1, 1))
    assert pool.name == "downsample"
    assert pool.get_output(0).get_dimension_expression(2)
    activation = network.add_activation(pool.get_output(0), kiln.ActivationType.LEAKY_RELU)
    activation.alpha = 0.25
    assert activation.alpha == 0.25 and activation.type == kiln.ActivationType.LEAKY_RELU
    assert network.get_layer(1).name == activation.name == "Activation_1"
    assert isinstance(network.get_layer(1), kiln.ActivationLayer)
    assert network.get_tensor("x") is x and network.get_tensor("nope") is None


def test_layer_that_does_not_fit_raises_naming_the_layer():
    network = kiln.Builder().create_network()
    a = network.add_input("a", kiln.float32, (2, 3))
    b = network.add_input("b", kiln.float32, (4, 5))
    with pytest.raises(kiln.Error) as caught:
        network.add_matrix_multiply(a, kiln.MatrixOperation.NONE, b, kiln.MatrixOperation.NONE)
    assert caught.value.code in (kiln.ErrorCode.INVALID_ARGUMENT, kiln.ErrorCode.INVALID_GRAPH)
    assert "MatrixMultiply" in str(caught.value)
    assert network.num_layers == 0  # nothing was added
    with pytest.raises(kiln.Error, match="name"):
        network.add_input("a", kiln.float32, (1,))
