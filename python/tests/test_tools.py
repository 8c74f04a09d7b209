"""kiln.tools, the Polygraphy-style loaders and runner: profiles, the config loader, lazy and immediate loaders,
saving and loading plans, and the Runner (activation, profiles, metadata, timing); seed 001's example as written
there."""

import ast
import pathlib

import numpy as np
import pytest

import kiln
from conftest import MODELS, mlp_reference, onnx_initializers
from kiln.tools import (BytesFromPath, CreateConfig, EngineBytesFromNetwork, EngineFromBytes, EngineFromNetwork,
                        NetworkFromOnnxBytes, NetworkFromOnnxPath, Profile, Runner, SaveEngine, TensorMetadata,
                        engine_from_network, network_from_onnx_path, save_engine)

MLP = MODELS / "simple_mlp.onnx"


def test_profile_chains_and_fills_dynamic_inputs():
    profile = Profile().add("input", min=(1, 784), opt=(4, 784), max=(32, 784))
    assert profile["input"] == ((1, 784), (4, 784), (32, 784))
    assert profile["input"].opt == (4, 784)
    _, network, _ = network_from_onnx_path(MLP)
    assert Profile().fill_defaults(network)["input"] == ((1, 784),) * 3
    assert Profile().fill_defaults(network, default_batch=8)["input"].max == (8, 784)
    assert profile.fill_defaults(network)["input"].max == (32, 784)  # given shapes are kept


def test_seed_001_example_with_kiln_names(tmp_path):
    """Polygraphy's dynamic-shapes example, with Runner for TrtRunner and the SimpleMLP for its identity model."""
    profiles = [
        Profile().add("input", min=(1, 784), opt=(1, 784), max=(1, 784)),
        Profile().add("input", min=(1, 784), opt=(4, 784), max=(32, 784)),
        Profile().add("input", min=(128, 784), opt=(128, 784), max=(128, 784)),
    ]
    engine = engine_from_network(network_from_onnx_path(MLP), config=CreateConfig(profiles=profiles))
    save_engine(engine, tmp_path / "dynamic_mlp.kiln")
    low_latency = Runner(engine.create_execution_context())
    dynamic_batching = Runner(engine.create_execution_context(), optimization_profile=1)
    offline = Runner(engine.create_execution_context(), optimization_profile=2)

    weights = onnx_initializers(MLP)
    input_img = np.ones((1, 784), dtype=np.float32)
    with low_latency:
        outputs = low_latency.infer({"input": input_img})
        np.testing.assert_allclose(outputs["output"], mlp_reference(weights, input_img), rtol=1e-4, atol=1e-4)
        with dynamic_batching:
            input_batch = np.ones((4, 784), dtype=np.float32)
            outputs = dynamic_batching.infer({"input": input_batch})
            np.testing.assert_allclose(outputs["output"], mlp_reference(weights, input_batch), rtol=1e-4, atol=1e-4)
    with offline:
        input_batch = np.ones((128, 784), dtype=np.float32)
        outputs = offline.infer({"input": input_batch})
        np.testing.assert_allclose(outputs["output"], mlp_reference(weights, input_batch), rtol=1e-4, atol=1e-4)
        with pytest.raises(kiln.Error, match=r"min 128x784"):
            offline.infer({"input": input_img})
    saved = kiln.Runtime().deserialize_cuda_engine((tmp_path / "dynamic_mlp.kiln").read_bytes())
    assert saved.get_tensor_profile_shape("input", 1) == [(1, 784), (4, 784), (32, 784)]


def test_lazy_loaders_run_only_when_called(tmp_path):
    plan_path = tmp_path / "mlp.kiln"
    build = EngineBytesFromNetwork(NetworkFromOnnxPath(MLP), config=CreateConfig(profiles=[
        Profile().add("input", min=(1, 784), opt=(8, 784), max=(16, 784))]))
    save = SaveEngine(build, plan_path)
    assert not plan_path.exists()
    plan = save()
    assert isinstance(plan, bytes) and plan_path.read_bytes() == plan
    engine = EngineFromBytes(BytesFromPath(plan_path))()
    assert engine.get_tensor_profile_shape("input", 0) == [(1, 784), (8, 784), (16, 784)]
    x = np.random.default_rng(0).random((16, 784), dtype=np.float32)
    with Runner(EngineFromBytes(plan)) as runner:
        np.testing.assert_allclose(runner.infer({"input": x})["output"],
                                   mlp_reference(onnx_initializers(MLP), x), rtol=1e-4, atol=1e-4)


def test_network_from_bytes_and_a_built_tuple():
    parts = NetworkFromOnnxBytes(BytesFromPath(MLP))()
    builder, network, parser = parts
    assert isinstance(network, kiln.NetworkDefinition) and isinstance(parser, kiln.OnnxParser)
    engine = EngineFromNetwork(parts)()  # the loader's result is taken as well as the loader
    assert engine.get_tensor_profile_shape("input", 0) == [(1, 784)] * 3  # the default profile: batch 1


def test_parse_errors_are_raised_listing_each(tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("NoSuchOp", ["x"], ["y"], name="first_bad"),
         helper.make_node("AlsoMissing", ["y"], ["z"], name="second_bad")], "bad",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, [2])])
    path = tmp_path / "bad.onnx"
    onnx.save(helper.make_model(graph), str(path))
    with pytest.raises(kiln.Error) as caught:
        EngineFromNetwork(NetworkFromOnnxPath(path))()
    error = caught.value
    assert error.code == kiln.ErrorCode.INVALID_GRAPH and error.object == str(path)
    assert "2 error(s)" in str(error)
    assert "'first_bad', NoSuchOp" in str(error) and "'second_bad', AlsoMissing" in str(error)


def test_create_config_sets_flags_backend_and_timing_cache(tmp_path):
    builder, network, _ = network_from_onnx_path(MLP)
    cache = tmp_path / "timings.cache"
    create = CreateConfig(fp16=True, profiles=[Profile().add("input", (1, 784), (2, 784), (4, 784))],
                          timing_cache=cache, backend="cpu")
    config = create(builder, network)
    assert config.get_flag(kiln.BuilderFlag.FP16) and not config.get_flag(kiln.BuilderFlag.INT8)
    assert config.backend == "cpu" and config.num_optimization_profiles == 1
    assert config.get_timing_cache() is not None
    assert not cache.exists()
    EngineBytesFromNetwork((builder, network), config=create)()
    written = cache.read_bytes()
    assert kiln.TimingCache.deserialize(written) is not None
    # A second build reads the file and writes it back.
    EngineBytesFromNetwork(NetworkFromOnnxPath(MLP), config=create)()
    assert cache.read_bytes() == written
    assert CreateConfig(int8=True)(builder, network).get_flag(kiln.BuilderFlag.INT8)


def test_runner_activation_profiles_metadata_and_time():
    engine = engine_from_network(network_from_onnx_path(MLP), config=CreateConfig(profiles=[
        Profile().add("input", (1, 784), (1, 784), (2, 784)), Profile().add("input", (3, 784), (3, 784), (9, 784))]))
    runner = Runner(engine)
    with pytest.raises(kiln.Error, match="not active") as caught:
        runner.infer({"input": np.zeros((1, 784), np.float32)})
    assert caught.value.code == kiln.ErrorCode.INVALID_STATE
    assert runner.last_inference_time() is None
    with runner:
        assert runner.is_active and runner.engine is engine
        assert runner.get_input_metadata() == {"input": TensorMetadata(np.dtype(np.float32), (-1, 784))}
        with pytest.raises(kiln.Error, match="max 2x784"):
            runner.infer({"input": np.zeros((5, 784), np.float32)})
        runner.set_profile(1)
        assert runner.optimization_profile == 1
        outputs = runner.infer({"input": np.zeros((5, 784), np.float32)})
        assert outputs["output"].shape == (5, 10) and isinstance(outputs["output"], np.ndarray)
        assert runner.last_inference_time() > 0
        with pytest.raises(kiln.Error):
            runner.set_profile(2)
        with pytest.raises(kiln.Error, match="already active"):
            runner.activate()
    assert not runner.is_active and runner.context is None


def test_runner_uses_a_given_context_as_it_is():
    engine = engine_from_network(network_from_onnx_path(MLP))
    context = engine.create_execution_context()
    with Runner(context) as runner:
        assert runner.context is context
    with Runner(lambda: context) as runner:
        assert runner.context is context
    with pytest.raises(kiln.Error, match="expected an engine"):
        Runner(lambda: "not an engine").activate()


def stub_names(path):
    tree = ast.parse(pathlib.Path(path).read_text())
    return {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def test_the_stub_declares_every_helper_and_runner_member():
    stubs = stub_names(pathlib.Path(kiln.tools.__file__).with_name("tools.pyi"))
    assert sorted(set(kiln.tools.__all__) - set(stubs)) == []
    for name in ("Runner", "Profile", "CreateConfig"):
        members = {node.name for node in stubs[name].body if isinstance(node, ast.FunctionDef)}
        public = {m for m in vars(getattr(kiln.tools, name)) if not m.startswith("_") and m != "ShapeTuple"}
        assert sorted(public - members) == [], name
