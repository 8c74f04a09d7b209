"""CUDA engines from Python: numpy in, kiln.DeviceArray out; device arrays in through __cuda_array_interface__ and
DLPack (torch where it is installed). Skipped with a message where this kiln has no CUDA backend or no GPU."""

import numpy as np
import pytest

import kiln
from conftest import MODELS, build_engine, mlp_reference, onnx_initializers, parse_onnx

pytestmark = pytest.mark.skipif(
    "cuda" not in kiln.available_backends(),
    reason="no CUDA device: kiln " + ("has the CUDA backend but finds no GPU" if kiln.HAS_CUDA
                                      else "was built without CUDA"))

PROFILE = [{"input": ((1, 784), (32, 784), (64, 784))}]


@pytest.fixture(scope="module")
def engines():
    built = {}
    for backend in ("cpu", "cuda"):
        builder, network = parse_onnx(MODELS / "simple_mlp.onnx")
        config = builder.create_builder_config()
        config.backend = backend
        built[backend] = build_engine(builder, network, PROFILE, config)
    return built


def test_numpy_in_device_array_out(engines):
    engine = engines["cuda"]
    assert engine.is_device_memory and engine.backend == "cuda"
    x = np.random.default_rng(0).standard_normal((9, 784)).astype(np.float32)
    output = engine.create_execution_context().infer({"input": x})["output"]
    assert isinstance(output, kiln.DeviceArray)
    assert output.shape == (9, 10) and output.dtype == kiln.float32 and output.nbytes == 9 * 10 * 4
    reference = mlp_reference(onnx_initializers(MODELS / "simple_mlp.onnx"), x)
    np.testing.assert_allclose(output.numpy(), reference, rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(np.asarray(output), reference, rtol=1e-3, atol=1e-3)
    cpu = engines["cpu"].create_execution_context().infer({"input": x})["output"]
    np.testing.assert_allclose(output.numpy(), cpu, rtol=1e-3, atol=1e-3)


def test_device_array_round_trip_and_interfaces():
    host = np.arange(12, dtype=np.float32).reshape(3, 4)
    device = kiln.DeviceArray.from_numpy(host)
    np.testing.assert_array_equal(device.numpy(), host)
    interface = device.__cuda_array_interface__
    assert interface["shape"] == (3, 4) and interface["typestr"] == "<f4" and interface["data"][0] == device.ptr
    assert device.__dlpack_device__()[0] == 2  # kDLCUDA
    capsule = device.__dlpack__()
    assert type(capsule).__name__ == "PyCapsule"


def test_device_arrays_feed_a_cuda_engine_without_a_host_copy(engines):
    engine = engines["cuda"]
    context = engine.create_execution_context()
    x = np.random.default_rng(1).standard_normal((5, 784)).astype(np.float32)
    expected = context.infer({"input": x})["output"].numpy()
    # A kiln.DeviceArray (read through __cuda_array_interface__).
    chained = context.infer({"input": kiln.DeviceArray.from_numpy(x)})["output"]
    np.testing.assert_array_equal(chained.numpy(), expected)
    with pytest.raises(kiln.Error, match="float64.*float32"):
        context.infer({"input": kiln.DeviceArray.from_numpy(x.astype(np.float64))})


def test_torch_cuda_tensors_through_dlpack(engines):
    torch = pytest.importorskip("torch", reason="torch is not installed")
    if not torch.cuda.is_available():
        pytest.skip("torch has no CUDA device")
    engine = engines["cuda"]
    context = engine.create_execution_context()
    x = torch.randn(7, 784, device="cuda")
    output = context.infer({"input": x})["output"]
    result = torch.from_dlpack(output)
    assert result.device.type == "cuda" and tuple(result.shape) == (7, 10)
    expected = engines["cpu"].create_execution_context().infer({"input": x.cpu().numpy()})["output"]
    np.testing.assert_allclose(result.cpu().numpy(), expected, rtol=1e-3, atol=1e-3)
    with pytest.raises(kiln.Error, match="contiguous"):
        context.infer({"input": torch.randn(784, 7, device="cuda").t()})
