"""Engines built from ONNX models: outputs checked against saved PyTorch outputs, numpy references and labels."""

import numpy as np
import pytest

import kiln
from conftest import MODELS, TEST_DATA, build_engine, load_mnist, mlp_engine_and_weights, mlp_reference, onnx_engine


def test_pytorch_model_matches_saved_outputs_at_three_shapes():
    # Batch, height and width all change: one profile covers the three saved cases.
    engine = onnx_engine(TEST_DATA / "pytorch_dynamic" / "model.onnx",
                         [{"input": ((1, 3, 16, 16), (3, 3, 32, 24), (4, 3, 48, 64))}])
    assert engine.get_tensor_shape("input") == (-1, 3, -1, -1)
    assert engine.get_tensor_mode("input") == kiln.TensorIOMode.INPUT
    assert engine.get_tensor_mode("probabilities") == kiln.TensorIOMode.OUTPUT
    context = engine.create_execution_context()
    for case in range(3):
        x = np.load(TEST_DATA / "pytorch_dynamic" / f"input_{case}.npy")
        expected = np.load(TEST_DATA / "pytorch_dynamic" / f"output_{case}.npy")
        outputs = context.infer({"input": x})
        assert set(outputs) == {"probabilities"}
        assert outputs["probabilities"].shape == expected.shape
        assert context.get_tensor_shape("probabilities") == expected.shape
        np.testing.assert_allclose(outputs["probabilities"], expected, rtol=1e-4, atol=1e-5)


def test_mnist_model_classifies_held_out_digits():
    engine = onnx_engine(MODELS / "mnist.onnx", [{"input": ((1, 1, 28, 28), (64, 1, 28, 28), (256, 1, 28, 28))}])
    images, labels = load_mnist(8000, 512)
    context = engine.create_execution_context()
    predictions = np.concatenate(
        [context.infer({"input": images[i:i + 256]})["logits"].argmax(axis=1) for i in (0, 256)])
    accuracy = float((predictions == labels).mean())
    # The model's held-out accuracy is 0.987 (samples/models/mnist_accuracy.txt).
    assert accuracy >= 0.97, accuracy


@pytest.mark.parametrize("batch", [1, 32, 64])
def test_simple_mlp_matches_numpy_at_each_batch(batch):
    engine, weights = mlp_engine_and_weights()
    context = engine.create_execution_context()
    x = np.random.default_rng(batch).standard_normal((batch, 784)).astype(np.float32)
    context.set_input_shape("input", x.shape)
    assert context.get_tensor_shape("output") == (batch, 10)
    output = context.infer({"input": x})["output"]
    np.testing.assert_allclose(output, mlp_reference(weights, x), rtol=1e-4, atol=1e-4)


def test_fp16_flag_and_timing_cache_file(tmp_path):
    # Seed 004's build: fp16 where the backend has it (the CPU backend computes in fp32), a timing cache saved to a
    # file and reused; the engine still answers the reference values.
    from conftest import onnx_initializers, parse_onnx

    builder, network = parse_onnx(MODELS / "simple_mlp.onnx")
    config = builder.create_builder_config()
    config.set_flag(kiln.BuilderFlag.FP16)
    assert config.get_flag(kiln.BuilderFlag.FP16) and not config.get_flag(kiln.BuilderFlag.BF16)
    cache = config.create_timing_cache(b"")
    config.set_timing_cache(cache, ignore_mismatch=False)
    config.set_memory_pool_limit(kiln.MemoryPoolType.WORKSPACE, 1 << 28)
    assert config.get_memory_pool_limit(kiln.MemoryPoolType.WORKSPACE) == 1 << 28
    engine = build_engine(builder, network, [{"input": ((1, 784), (32, 784), (64, 784))}], config)
    cache_file = tmp_path / "mlp.timing_cache"
    cache_file.write_bytes(cache.serialize())
    reloaded = config.create_timing_cache(cache_file.read_bytes())
    assert len(reloaded) == len(cache)
    x = np.random.default_rng(7).standard_normal((5, 784)).astype(np.float32)
    output = engine.create_execution_context().infer({"input": x})["output"]
    tolerance = 2e-2 if engine.backend == "cuda" else 1e-4
    np.testing.assert_allclose(output, mlp_reference(onnx_initializers(MODELS / "simple_mlp.onnx"), x),
                               rtol=tolerance, atol=tolerance)


def test_external_data_model_parsed_from_file():
    engine = onnx_engine(TEST_DATA / "external_data" / "model.onnx", [{"x": ((1, 4), (2, 4), (8, 4))}])
    x = np.load(TEST_DATA / "external_data" / "input.npy")
    expected = np.load(TEST_DATA / "external_data" / "output.npy")
    np.testing.assert_allclose(engine.create_execution_context().infer({"x": x})["y"], expected, rtol=1e-5,
                               atol=1e-6)


def test_external_data_read_beside_the_path_given_to_parse():
    path = TEST_DATA / "external_data" / "model.onnx"
    network = kiln.Builder().create_network()
    parser = kiln.OnnxParser(network)
    assert parser.parse(path.read_bytes(), str(path)), parser.get_error(0).desc()
    # Without the path the weights file is looked for in the working directory, and is not there.
    elsewhere = kiln.OnnxParser(kiln.Builder().create_network())
    assert not elsewhere.parse(path.read_bytes())
    assert "weights.bin" in elsewhere.get_error(0).desc()


def test_parse_from_bytes_matches_parse_from_file():
    data = (MODELS / "simple_mlp.onnx").read_bytes()
    assert kiln.init_libnvinfer_plugins(None, "")  # TensorRT scripts call it; kiln has no plugins to load
    builder = kiln.Builder()
    network = builder.create_network(1 << int(kiln.NetworkDefinitionCreationFlag.EXPLICIT_BATCH))
    parser = kiln.OnnxParser(network)
    assert parser.parse(data)
    assert parser.num_errors == 0
    assert parser.model_info.opset > 0
    assert network.num_inputs == 1 and network.get_input(0).name == "input"
    assert network.get_input(0).shape == (-1, 784)
    assert network.num_outputs == 1 and network.get_output(0).shape == (-1, 10)
    # Layer.type is shadowed by the activation's own type (as in TensorRT); layer_type is always the LayerType.
    types = [network.get_layer(i).layer_type for i in range(network.num_layers)]
    assert kiln.LayerType.ACTIVATION in types and kiln.LayerType.MATRIX_MULTIPLY in types
    activations = [layer for layer in map(network.get_layer, range(network.num_layers))
                   if isinstance(layer, kiln.ActivationLayer)]
    assert [layer.type for layer in activations] == [kiln.ActivationType.RELU]


def test_malformed_model_lists_errors():
    network = kiln.Builder().create_network()
    parser = kiln.OnnxParser(network)
    assert parser.parse(b"\x08\x07 this is not an onnx model \xff\xff") is False
    assert parser.num_errors == 1
    error = parser.get_error(0)
    assert error.code() == kiln.ErrorCode.INVALID_GRAPH
    assert error.desc()
    with pytest.raises(IndexError):
        parser.get_error(1)


def test_missing_file_is_an_io_error():
    parser = kiln.OnnxParser(kiln.Builder().create_network())
    assert not parser.parse_from_file("/nonexistent/model.onnx")
    assert parser.get_error(0).code() == kiln.ErrorCode.IO
    assert "/nonexistent/model.onnx" in parser.get_error(0).desc()


def test_unsupported_nodes_are_listed_one_error_each():
    onnx = pytest.importorskip("onnx", reason="the onnx Python module (python3-onnx) writes the test model")
    from onnx import TensorProto, helper

    nodes = [helper.make_node("Relu", ["x"], ["a"], name="fine"),
             helper.make_node("NoSuchOp", ["a"], ["b"], name="first_bad"),
             helper.make_node("AlsoMissing", ["b"], ["y"], name="second_bad")]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    parser = kiln.OnnxParser(kiln.Builder().create_network())
    assert not parser.parse(model.SerializeToString())
    errors = [parser.get_error(i) for i in range(parser.num_errors)]
    assert sorted(e.node_name() for e in errors) == ["first_bad", "second_bad"]
    assert sorted(e.node_operator() for e in errors) == ["AlsoMissing", "NoSuchOp"]
    assert all(e.code() == kiln.ErrorCode.UNSUPPORTED for e in errors)
