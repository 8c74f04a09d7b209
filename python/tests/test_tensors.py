"""numpy IO: infer() with strided, read-only and wrong inputs; the low-level address API; dtype mapping."""

import numpy as np
import pytest

import kiln
from conftest import MODELS, build_engine, mlp_engine_and_weights, mlp_reference


@pytest.fixture(scope="module")
def mlp():
    return mlp_engine_and_weights()


def test_non_contiguous_inputs_are_copied_and_give_the_same_result(mlp):
    engine, weights = mlp
    context = engine.create_execution_context()
    base = np.random.default_rng(3).standard_normal((784, 12)).astype(np.float32)
    transposed = base.T  # 12 x 784, column-major view
    every_other = np.random.default_rng(4).standard_normal((10, 784 * 2)).astype(np.float32)[:, ::2]
    for view in (transposed, every_other):
        assert not view.flags.c_contiguous
        output = context.infer({"input": view})["output"]
        np.testing.assert_allclose(output, mlp_reference(weights, np.ascontiguousarray(view)), rtol=1e-4, atol=1e-4)
        np.testing.assert_array_equal(output, context.infer({"input": np.ascontiguousarray(view)})["output"])


def test_contiguous_inputs_are_bound_in_place_and_strided_ones_copied(mlp):
    engine, _ = mlp
    context = engine.create_execution_context()
    x = np.random.default_rng(8).standard_normal((6, 784)).astype(np.float32)
    outputs = context.infer({"input": x})
    assert context.get_tensor_address("input") == x.ctypes.data  # no copy
    assert context.get_tensor_address("output") == outputs["output"].ctypes.data
    strided = np.random.default_rng(9).standard_normal((6, 784 * 2)).astype(np.float32)[:, ::2]
    context.infer({"input": strided})
    assert context.get_tensor_address("input") != strided.ctypes.data  # a contiguous copy


def test_read_only_input_is_read_in_place(mlp):
    engine, weights = mlp
    x = np.random.default_rng(5).standard_normal((3, 784)).astype(np.float32)
    x.flags.writeable = False
    output = engine.create_execution_context().infer({"input": x})["output"]
    np.testing.assert_allclose(output, mlp_reference(weights, x), rtol=1e-4, atol=1e-4)


def test_wrong_dtype_is_refused_naming_the_input_and_both_dtypes(mlp):
    engine, _ = mlp
    context = engine.create_execution_context()
    with pytest.raises(kiln.Error) as caught:
        context.infer({"input": np.zeros((2, 784), np.float64)})
    message = str(caught.value)
    assert caught.value.code == kiln.ErrorCode.INVALID_ARGUMENT and caught.value.object == "input"
    assert "'input'" in message and "float64" in message and "float32" in message
    with pytest.raises(kiln.Error, match="int32.*float32"):
        context.infer({"input": np.zeros((2, 784), np.int32)})
    with pytest.raises(kiln.Error, match="complex"):
        context.infer({"input": np.zeros((2, 784), np.complex64)})


def test_missing_and_unknown_inputs_are_named(mlp):
    engine, _ = mlp
    context = engine.create_execution_context()
    with pytest.raises(kiln.Error, match="'input'.*no value"):
        context.infer({})
    with pytest.raises(kiln.Error) as caught:
        context.infer({"input": np.zeros((1, 784), np.float32), "extra": np.zeros(1, np.float32)})
    assert caught.value.object == "extra" and "'input'" in str(caught.value)


def test_device_arrays_are_refused_by_a_cpu_engine(mlp):
    engine, _ = mlp

    class FakeCudaArray:
        __cuda_array_interface__ = {"shape": (1, 784), "typestr": "<f4", "data": (1 << 20, False), "version": 3}

    with pytest.raises(kiln.Error, match="host memory"):
        engine.create_execution_context().infer({"input": FakeCudaArray()})


def test_set_tensor_address_and_execute_v2_write_in_place(mlp):
    engine, weights = mlp
    context = engine.create_execution_context()
    x = np.random.default_rng(6).standard_normal((4, 784)).astype(np.float32)
    y = np.full((4, 10), np.nan, np.float32)
    assert context.set_input_shape("input", x.shape)
    assert context.all_input_dimensions_specified
    context.set_tensor_address("input", x.ctypes.data)
    context.set_tensor_address("output", y.ctypes.data)
    assert context.get_tensor_address("output") == y.ctypes.data
    assert context.execute_v2() is True
    np.testing.assert_allclose(y, mlp_reference(weights, x), rtol=1e-4, atol=1e-4)
    # TensorRT's bindings list (addresses in IO order), then execute_async_v3 on the CPU backend (runs inline).
    z = np.zeros_like(y)
    context.execute_v2([x.ctypes.data, z.ctypes.data])
    np.testing.assert_array_equal(z, y)
    w = np.zeros_like(y)
    context.set_tensor_address("output", w.ctypes.data)
    context.execute_async_v3(0)
    np.testing.assert_array_equal(w, y)
    # TensorRT 8's names: shapes by binding index, execute_async_v2 with bindings and a stream.
    v = np.zeros((2, 10), np.float32)
    assert context.set_binding_shape(0, (2, 784)) and context.get_binding_shape(1) == (2, 10)
    context.execute_async_v2([x.ctypes.data, v.ctypes.data], 0)
    np.testing.assert_allclose(v, y[:2], rtol=1e-5, atol=1e-5)  # another batch may block the GEMM otherwise
    with pytest.raises(kiln.Error, match="no IO tensor 7"):
        context.set_binding_shape(7, (1, 784))


def test_run_without_addresses_raises_invalid_state(mlp):
    engine, _ = mlp
    context = engine.create_execution_context()
    context.set_input_shape("input", (1, 784))
    with pytest.raises(kiln.Error) as caught:
        context.execute_v2()
    assert caught.value.code == kiln.ErrorCode.INVALID_STATE
    with pytest.raises(kiln.Error):
        context.set_tensor_address("input", 0)  # null


def test_dtype_mapping():
    assert kiln.nptype(kiln.float32) is np.float32
    assert kiln.nptype(kiln.DataType.HALF) is np.float16
    assert kiln.nptype(kiln.int64) is np.int64
    assert kiln.nptype(kiln.DataType.BOOL) is np.bool_
    assert kiln.from_numpy_dtype(np.uint16) == kiln.DataType.UINT16
    assert kiln.from_numpy_dtype("float64") == kiln.DataType.DOUBLE
    assert kiln.DataType.HALF.itemsize == 2 and kiln.int8.itemsize == 1
    assert kiln.volume((2, 3, 4)) == 24 and kiln.volume(()) == 1
    with pytest.raises(kiln.Error):
        kiln.nptype(kiln.DataType.BF16)


def test_fp16_and_bool_io():
    builder = kiln.Builder()
    network = builder.create_network()
    x = network.add_input("x", kiln.float16, (2, 3))
    zero = network.add_constant((1, 1), np.zeros((1, 1), np.float16))
    greater = network.add_elementwise(x, zero.get_output(0), kiln.ElementWiseOperation.GREATER)
    greater.get_output(0).name = "positive"
    network.mark_output(greater.get_output(0))
    engine = build_engine(builder, network)
    values = np.array([[-1.5, 0.0, 2.25], [3.0, -0.5, 1e-3]], np.float16)
    positive = engine.create_execution_context().infer({"x": values})["positive"]
    assert positive.dtype == np.bool_
    np.testing.assert_array_equal(positive, values > 0)


@pytest.mark.skipif(kiln.HAS_CUDA, reason="this kiln has CUDA: tests/test_cuda.py covers device arrays")
def test_device_array_needs_cuda():
    with pytest.raises(kiln.Error) as caught:
        kiln.DeviceArray((2, 2), kiln.float32)
    assert caught.value.code == kiln.ErrorCode.UNSUPPORTED and "CUDA" in str(caught.value)

