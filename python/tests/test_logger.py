"""Logger subclasses receive kiln's messages; profilers receive every step's time."""

import numpy as np
import pytest

import kiln
from conftest import MODELS, build_engine, parse_onnx


class Recorder(kiln.Logger):
    def __init__(self):
        kiln.Logger.__init__(self, kiln.Logger.VERBOSE)
        self.messages = []

    def log(self, severity, msg):
        self.messages.append((severity, msg))


def test_logger_subclass_receives_build_messages():
    logger = Recorder()
    builder, network = parse_onnx(MODELS / "simple_mlp.onnx", logger)
    config = builder.create_builder_config()
    config.set_flag(kiln.BuilderFlag.INT8)  # accepted but not implemented: the build warns
    build_engine(builder, network, [{"input": ((1, 784), (8, 784), (64, 784))}], config)
    assert logger.messages, "no message reached the Python logger"
    assert all(isinstance(severity, kiln.Logger.Severity) for severity, _ in logger.messages)
    assert all(isinstance(msg, str) and msg for _, msg in logger.messages)
    warnings = [msg for severity, msg in logger.messages if severity == kiln.Logger.WARNING]
    assert any("int8" in msg.lower() for msg in warnings), warnings


def test_default_logger_writes_warnings_to_stderr(capfd):
    logger = kiln.Logger(kiln.Logger.WARNING)
    assert logger.min_severity == kiln.Logger.Severity.WARNING
    logger.log(kiln.Logger.WARNING, "shown")
    logger.log(kiln.Logger.INFO, "hidden")
    err = capfd.readouterr().err
    assert "shown" in err and "hidden" not in err


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_exception_in_log_does_not_break_the_build():
    class Broken(kiln.Logger):
        def __init__(self):
            super().__init__(kiln.Logger.VERBOSE)
            self.calls = 0

        def log(self, severity, msg):
            self.calls += 1
            raise ValueError("logger bug")

    logger = Broken()
    builder, network = parse_onnx(MODELS / "simple_mlp.onnx", logger)
    engine = build_engine(builder, network, [{"input": ((1, 784), (8, 784), (64, 784))}])
    assert logger.calls > 0 and engine.num_io_tensors == 2


class StepTimes(kiln.IProfiler):
    def __init__(self):
        kiln.IProfiler.__init__(self)
        self.times = []

    def report_layer_time(self, layer_name, ms):
        self.times.append((layer_name, ms))


def test_profiler_receives_every_step_of_each_run():
    builder, network = parse_onnx(MODELS / "simple_mlp.onnx")
    engine = build_engine(builder, network, [{"input": ((1, 784), (8, 784), (64, 784))}])
    context = engine.create_execution_context()
    profiler = StepTimes()
    context.profiler = profiler
    assert context.profiler is profiler
    context.infer({"input": np.ones((8, 784), np.float32)})
    step_names = [engine.get_layer_information(i).name for i in range(engine.num_layers)]
    assert [name for name, _ in profiler.times] == step_names
    assert all(ms >= 0.0 for _, ms in profiler.times)
    context.infer({"input": np.ones((2, 784), np.float32)})
    assert len(profiler.times) == 2 * engine.num_layers
    context.profiler = None
    context.infer({"input": np.ones((2, 784), np.float32)})
    assert len(profiler.times) == 2 * engine.num_layers
