"""Optimization profiles: several per engine (seed 001's three), a context per profile, and shapes outside them."""

import numpy as np
import pytest

import kiln
from conftest import MODELS, build_engine, mlp_reference, onnx_initializers, parse_onnx

# Seed 001's profiles: low latency (batch 1), dynamic batching (1..32, opt 4), offline (128).
SEED_001_PROFILES = [
    {"input": ((1, 784), (1, 784), (1, 784))},
    {"input": ((1, 784), (4, 784), (32, 784))},
    {"input": ((128, 784), (128, 784), (128, 784))},
]


@pytest.fixture(scope="module")
def three_profile_engine():
    builder, network = parse_onnx(MODELS / "simple_mlp.onnx")
    return build_engine(builder, network, SEED_001_PROFILES)


def test_engine_reports_each_profile(three_profile_engine):
    engine = three_profile_engine
    assert engine.num_optimization_profiles == 3
    assert engine.get_tensor_profile_shape("input", 1) == [(1, 784), (4, 784), (32, 784)]
    assert engine.get_tensor_profile_shape("input", 2) == [(128, 784)] * 3
    assert engine.get_tensor_profile_shape("nonexistent", 0) == [None, None, None]


def test_a_context_per_profile_gives_the_single_profile_results(three_profile_engine):
    weights = onnx_initializers(MODELS / "simple_mlp.onnx")
    contexts = []
    for index in range(3):
        context = three_profile_engine.create_execution_context()
        context.set_optimization_profile_async(index, 0)
        assert context.active_optimization_profile == index
        contexts.append(context)
    rng = np.random.default_rng(1)
    for batch, index in [(1, 0), (7, 1), (32, 1), (128, 2)]:
        x = rng.standard_normal((batch, 784)).astype(np.float32)
        output = contexts[index].infer({"input": x})["output"]
        np.testing.assert_allclose(output, mlp_reference(weights, x), rtol=1e-4, atol=1e-4)


def test_shape_outside_the_profile_names_the_input_and_range(three_profile_engine):
    context = three_profile_engine.create_execution_context()
    context.active_optimization_profile = 1
    with pytest.raises(kiln.Error) as caught:
        context.set_input_shape("input", (33, 784))
    error = caught.value
    assert isinstance(error, RuntimeError)
    assert error.code == kiln.ErrorCode.SHAPE_OUT_OF_RANGE
    assert error.object == "input"
    assert "'input'" in str(error)
    assert "min 1x784" in str(error) and "max 32x784" in str(error)
    # infer sets the shape from the array: the same error.
    with pytest.raises(kiln.Error, match=r"max 32x784"):
        context.infer({"input": np.zeros((64, 784), np.float32)})
    # Within the range again, the context works.
    assert context.set_input_shape("input", (32, 784)) is True
    assert context.get_tensor_shape("output") == (32, 10)


def test_wrong_rank_and_unknown_input():
    builder, network = parse_onnx(MODELS / "simple_mlp.onnx")
    engine = build_engine(builder, network, [SEED_001_PROFILES[1]])
    context = engine.create_execution_context()
    with pytest.raises(kiln.Error, match="input") as caught:
        context.set_input_shape("input", (4, 784, 1))
    assert caught.value.code == kiln.ErrorCode.INVALID_ARGUMENT
    with pytest.raises(kiln.Error):
        context.set_input_shape("not_an_input", (1, 784))
    with pytest.raises(kiln.Error):
        context.active_optimization_profile = 5


def test_dynamic_input_without_a_profile_fails_the_build_naming_it():
    builder, network = parse_onnx(MODELS / "simple_mlp.onnx")
    with pytest.raises(kiln.Error) as caught:
        builder.build_serialized_network(network, builder.create_builder_config())
    assert caught.value.code == kiln.ErrorCode.INVALID_PROFILE
    assert "input" in str(caught.value)


def test_profile_values_read_back_and_bad_dims_refused():
    profile = kiln.OptimizationProfile()
    # Any sequence of ints is a shape: tuples, lists, numpy shapes.
    profile.set_shape("x", (1, 3), [2, 3], np.zeros((4, 3)).shape)
    assert profile.get_shape("x") == [(1, 3), (2, 3), (4, 3)]
    assert profile.get_shape("y") == [None, None, None]
    assert profile.inputs == ["x"]
    with pytest.raises(kiln.Error) as caught:
        profile.set_shape("x", (-1, 3), (2, 3), (4, 3))
    assert caught.value.code == kiln.ErrorCode.INVALID_PROFILE


def test_shape_input_values_size_the_output():
    # A reshape whose target is a shape input: its values, read on the host, decide the output shape per run.
    builder = kiln.Builder()
    network = builder.create_network()
    x = network.add_input("x", kiln.float32, (2, 3, 4))
    target = network.add_input("target", kiln.int64, (3,))
    network.mark_shape_input(target)
    assert target.is_shape_input and target.is_shape_tensor
    reshape = network.add_shuffle(x)
    reshape.set_input(1, target)
    reshape.get_output(0).name = "y"
    network.mark_output(reshape.get_output(0))
    assert network.get_output(0).shape == (-1, -1, -1)
    profile = builder.create_optimization_profile()
    profile.set_shape("x", (2, 3, 4), (2, 3, 4), (2, 3, 4))
    profile.set_shape("target", (3,), (3,), (3,))
    profile.set_shape_input("target", [-1, -1, -1], [4, 3, 2], [24, 24, 24])
    assert profile.get_shape_input("target") == [[-1, -1, -1], [4, 3, 2], [24, 24, 24]]
    engine = build_engine(builder, network, config=_config_with(builder, profile))
    assert engine.is_shape_inference_io("target") and not engine.is_shape_inference_io("x")
    assert engine.get_tensor_profile_values(0, "target") == [[-1, -1, -1], [4, 3, 2], [24, 24, 24]]
    context = engine.create_execution_context()
    values = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    for shape in ([4, 3, 2], [2, 12, 1], [0, -1, 2]):
        y = context.infer({"x": values, "target": np.array(shape, np.int64)})["y"]
        np.testing.assert_array_equal(y, values.reshape([2 if s == 0 else s for s in shape]))
    with pytest.raises(kiln.Error, match="target"):
        context.infer({"x": values, "target": np.array([48, 1, 1], np.int64)})  # above the profile's max


def _config_with(builder, profile):
    config = builder.create_builder_config()
    config.add_optimization_profile(profile)
    return config
