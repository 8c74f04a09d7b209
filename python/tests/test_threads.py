"""Several contexts of one engine run from Python threads at once (the GIL is released while they run) and give
the results one thread gives."""

import threading

import numpy as np
import pytest

import kiln
from conftest import MODELS, load_mnist, onnx_engine

THREADS = 4
ROUNDS = 12


@pytest.fixture(scope="module")
def engine():
    return onnx_engine(MODELS / "mnist.onnx", [{"input": ((1, 1, 28, 28), (16, 1, 28, 28), (64, 1, 28, 28))}])


def batches():
    images, _ = load_mnist(0, 64)
    # Each round a different batch size and different digits, so a context's shapes change between runs.
    return [images[(r * 5) % 32:(r * 5) % 32 + 1 + (r * 7) % 32] for r in range(ROUNDS)]


def test_contexts_in_threads_match_one_thread(engine):
    inputs = batches()
    reference_context = engine.create_execution_context()
    expected = [reference_context.infer({"input": x})["logits"] for x in inputs]

    results = [[None] * ROUNDS for _ in range(THREADS)]
    errors = []
    start = threading.Barrier(THREADS)

    def work(thread):
        try:
            context = engine.create_execution_context()
            start.wait()
            # Each thread walks the rounds in its own order, so different shapes run side by side.
            for step in range(ROUNDS):
                r = (step + thread * 3) % ROUNDS
                results[thread][r] = context.infer({"input": inputs[r]})["logits"]
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for thread in range(THREADS):
        for r in range(ROUNDS):
            np.testing.assert_array_equal(results[thread][r], expected[r])


def test_a_context_used_by_two_threads_at_once_fails_cleanly_or_runs(engine):
    # One context is for one thread at a time; a call made while another thread is inside one fails with
    # INVALID_STATE instead of corrupting the run. Whatever interleaving happens, every result that comes back is
    # right.
    context = engine.create_execution_context()
    images, _ = load_mnist(0, 64)
    expected = engine.create_execution_context().infer({"input": images})["logits"]
    outcomes = []

    def work():
        for _ in range(5):
            try:
                outcomes.append(context.infer({"input": images})["logits"])
            except kiln.Error as error:
                outcomes.append(error)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 10
    for outcome in outcomes:
        if isinstance(outcome, kiln.Error):
            assert outcome.code == kiln.ErrorCode.INVALID_STATE, outcome
        else:
            np.testing.assert_array_equal(outcome, expected)
