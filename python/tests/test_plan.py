"""Plans: serialize, deserialize, the same outputs; corrupted plans refused; what an engine tells about itself."""

import numpy as np
import pytest

import kiln
from conftest import MODELS, TEST_DATA, build_engine, parse_onnx

PROFILE = {"input": ((1, 3, 16, 16), (3, 3, 32, 24), (4, 3, 48, 64))}


@pytest.fixture(scope="module")
def plan():
    builder, network = parse_onnx(TEST_DATA / "pytorch_dynamic" / "model.onnx")
    config = builder.create_builder_config()
    config.add_optimization_profile(_profile(builder))
    return builder.build_serialized_network(network, config)


def _profile(builder):
    profile = builder.create_optimization_profile()
    profile.set_shape("input", *PROFILE["input"])
    return profile


def test_round_trip_through_a_file_gives_the_same_outputs(plan, tmp_path):
    runtime = kiln.Runtime(kiln.Logger())
    first = runtime.deserialize_cuda_engine(plan)
    (tmp_path / "model.kiln").write_bytes(first.serialize())
    second = runtime.deserialize_engine((tmp_path / "model.kiln").read_bytes())
    assert second.serialize() == plan
    x = np.load(TEST_DATA / "pytorch_dynamic" / "input_1.npy")
    a = first.create_execution_context().infer({"input": x})["probabilities"]
    b = second.create_execution_context().infer({"input": x})["probabilities"]
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(b, np.load(TEST_DATA / "pytorch_dynamic" / "output_1.npy"), rtol=1e-4, atol=1e-5)
    # bytearray and memoryview load too.
    third = runtime.deserialize_cuda_engine(memoryview(bytearray(plan)))
    assert third.num_io_tensors == 2


def test_engine_describes_its_io_and_layers(plan):
    engine = kiln.Runtime().deserialize_cuda_engine(plan)
    names = [engine.get_tensor_name(i) for i in range(engine.num_io_tensors)]
    assert names == ["input", "probabilities"]
    assert engine.get_tensor_name(5) == ""
    assert engine.get_tensor_dtype("input") == kiln.DataType.FLOAT
    assert engine.get_tensor_shape("probabilities") == (-1, 10)
    assert engine.get_tensor_shape("nope") is None
    assert engine.get_tensor_mode("nope") == kiln.TensorIOMode.NONE
    assert engine.backend == "cpu" and not engine.is_device_memory
    assert engine.kiln_version == kiln.__version__
    assert engine.weights_size > 0 and engine.get_device_memory_size(0) > 0
    assert engine.num_layers > 0
    layers = [engine.get_layer_information(i) for i in range(engine.num_layers)]
    assert any(layer.type == "Convolution" for layer in layers)
    assert layers[-1].outputs == ["probabilities"]
    assert all(len(layer.tactics) == 1 for layer in layers)


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_damaged_plans_are_refused(plan, damage):
    data = bytearray(plan)
    if damage == "truncate":
        data = data[:len(data) // 2]
    elif damage == "flip":
        data[len(data) // 2] ^= 0xFF
    else:
        data = b""
    with pytest.raises(kiln.Error) as caught:
        kiln.Runtime().deserialize_cuda_engine(bytes(data))
    assert caught.value.code == kiln.ErrorCode.INVALID_PLAN


def test_timing_cache_round_trip():
    cache = kiln.TimingCache()
    again = kiln.TimingCache.deserialize(cache.serialize())
    assert len(again) == len(cache) == 0
    with pytest.raises(kiln.Error):
        kiln.TimingCache.deserialize(b"not a timing cache\n")


def test_unknown_backend_refused():
    builder, network = parse_onnx(MODELS / "simple_mlp.onnx")
    config = builder.create_builder_config()
    config.backend = "tpu"
    with pytest.raises(kiln.Error) as caught:
        build_engine(builder, network, [{"input": ((1, 784), (1, 784), (1, 784))}], config)
    assert caught.value.code == kiln.ErrorCode.UNSUPPORTED
    assert "tpu" in str(caught.value)
