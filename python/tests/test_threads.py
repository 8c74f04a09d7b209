"""Several contexts of one engine run from Python threads at once and give the results one thread gives; the GIL is
released while a context runs (a thread counting meanwhile shows it)."""

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


def test_the_gil_is_released_while_a_context_runs(engine):
    # With a switch interval of minutes, Python hands the GIL to another thread only when the holder releases it
    # itself. A counting thread therefore advances during infer() only if infer() releases the GIL while it runs.
    import sys
    import time

    images, _ = load_mnist(0, 64)
    context = engine.create_execution_context()
    context.infer({"input": images})  # warm up
    counter = [0]
    stop = threading.Event()
    started = threading.Event()

    def count():
        started.set()
        while not stop.is_set():
            counter[0] += 1
            time.sleep(0.0002)  # sleeps without the GIL, so the inferring thread gets it back whenever it asks

    interval = sys.getswitchinterval()
    counter_thread = threading.Thread(target=count)
    try:
        counter_thread.start()
        started.wait(10)
        sys.setswitchinterval(100.0)
        before = counter[0]
        for _ in range(5):
            context.infer({"input": images})
        during = counter[0] - before
    finally:
        sys.setswitchinterval(interval)
        stop.set()
        counter_thread.join(10)
    assert during > 0, "no other Python thread ran while infer() was running: the GIL was held"
