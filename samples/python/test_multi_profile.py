"""multi_profile.py: each batch runs on the runner of the profile that holds it and equals the one-profile engine
and numpy's MLP."""

import numpy as np
import pytest

import kiln
import multi_profile
from sample_common import MODELS, load_mnist
from sample_test_support import assert_passed, run_sample


def test_the_sample_passes_from_another_directory(tmp_path):
    engine_path = tmp_path / "three_profiles.kiln"
    status, output = run_sample("multi_profile.py", "--engine", engine_path, cwd=tmp_path)
    assert_passed(status, output, multi_profile.NAME)
    assert "batch 128 -> profile 2" in output and "batch   7 -> profile 1" in output
    engine = kiln.Runtime().deserialize_cuda_engine(engine_path.read_bytes())
    assert engine.num_optimization_profiles == 3
    assert engine.get_tensor_profile_shape("input", 1) == [(1, 784), (4, 784), (32, 784)]


def test_routed_results_equal_numpy():
    onnx = pytest.importorskip("onnx")
    from onnx import numpy_helper

    weights = {i.name: numpy_helper.to_array(i).astype(np.float64)
               for i in onnx.load(str(MODELS / "simple_mlp.onnx")).graph.initializer}
    engine, reference = multi_profile.build_engines(str(MODELS / "simple_mlp.onnx"))
    images, _ = load_mnist(count=128)
    digits = images.reshape(-1, 784)
    results = multi_profile.serve(engine, reference, [digits[:1], digits[:9], digits[:128]])
    assert {batch: profile for batch, (_, _, profile) in results.items()} == {1: 0, 9: 1, 128: 2}
    for batch, (output, expected, _) in results.items():
        x = digits[:batch].astype(np.float64)
        numpy_mlp = np.maximum(x @ weights["fc1.weight"].T + weights["fc1.bias"], 0) @ weights["fc2.weight"].T
        np.testing.assert_allclose(output, numpy_mlp + weights["fc2.bias"], rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(output, expected, rtol=1e-5, atol=1e-5)


def test_a_batch_no_profile_holds_is_refused():
    engine, _ = multi_profile.build_engines(str(MODELS / "simple_mlp.onnx"))
    runners = [kiln.tools.Runner(engine.create_execution_context(), optimization_profile=i) for i in range(3)]
    for runner in runners:
        runner.activate()
    with pytest.raises(ValueError, match="no profile serves batch 64"):
        multi_profile.route(runners, 64)
