"""Polygraphy-style tools: lazy loaders that parse, configure, build, save and load engines, and a Runner.

A loader is a callable object: making it records what to do, calling it does it. Loaders take other loaders (or
the values they make) as arguments, so a pipeline reads like Polygraphy's::

    build = EngineFromNetwork(NetworkFromOnnxPath("model.onnx"), config=CreateConfig(profiles=[...]))
    with Runner(build) as runner:
        outputs = runner.infer({"input": batch})

Each loader also has an immediately evaluated twin in snake case (``engine_from_network(...)`` is
``EngineFromNetwork(...)()``), as Polygraphy's functional API. See docs/python.md.
"""

import collections
import os
import time

import numpy as np

from . import _kiln

__all__ = [
    "Profile", "CreateConfig", "NetworkFromOnnxPath", "NetworkFromOnnxBytes", "EngineBytesFromNetwork",
    "EngineFromNetwork", "EngineFromBytes", "BytesFromPath", "SaveEngine", "Runner", "TensorMetadata",
    "create_config", "network_from_onnx_path", "network_from_onnx_bytes", "engine_bytes_from_network",
    "engine_from_network", "engine_from_bytes", "bytes_from_path", "save_engine",
]

_CODE_TEXT = {
    _kiln.ErrorCode.INVALID_ARGUMENT: "invalid argument",
    _kiln.ErrorCode.INVALID_GRAPH: "invalid graph",
    _kiln.ErrorCode.UNSUPPORTED: "unsupported",
    _kiln.ErrorCode.INVALID_STATE: "invalid state",
    _kiln.ErrorCode.IO: "i/o error",
}


def _error(code, obj, message):
    """A kiln.Error shaped like the ones the module raises: "<code> in '<object>': <message>"."""
    error = _kiln.Error(f"{_CODE_TEXT[code]} in '{obj}': {message}")
    error.code, error.object, error.message = code, obj, message
    return error


def _resolve(value):
    """The value a loader argument stands for: a loader (any callable) is called, anything else taken as it is."""
    return value() if callable(value) else value


class Profile(collections.OrderedDict):
    """min/opt/max shapes per input, as Polygraphy's Profile: ``Profile().add("x", min=..., opt=..., max=...)``."""

    ShapeTuple = collections.namedtuple("ShapeTuple", ["min", "opt", "max"])

    def add(self, name, min, opt, max):  # noqa: A002 - Polygraphy's keyword names
        self[name] = Profile.ShapeTuple(tuple(min), tuple(opt), tuple(max))
        return self

    def fill_defaults(self, network, default_batch=1):
        """Gives each dynamic input the profile lacks one shape: its dimensions with -1 replaced by default_batch."""
        for index in range(network.num_inputs):
            tensor = network.get_input(index)
            if tensor.name in self or -1 not in tensor.shape:
                continue
            shape = tuple(default_batch if dim == -1 else dim for dim in tensor.shape)
            self.add(tensor.name, shape, shape, shape)
        return self

    def to_kiln(self, builder, network=None):
        """A kiln.OptimizationProfile with these shapes (defaults filled from network when given)."""
        if network is not None:
            self.fill_defaults(network)
        profile = builder.create_optimization_profile()
        for name, shapes in self.items():
            profile.set_shape(name, shapes.min, shapes.opt, shapes.max)
        return profile

    def __repr__(self):
        return "Profile(" + ", ".join(f"{name}: {tuple(shapes)}" for name, shapes in self.items()) + ")"


class CreateConfig:
    """A loader of a kiln.BuilderConfig, called with (builder, network) by the engine loaders.

    timing_cache: a file the build reads its tactic timings from where it exists, and writes them back to.
    backend: "cpu" or "cuda" (None: kiln's default)."""

    def __init__(self, fp16=False, int8=False, profiles=None, timing_cache=None, backend=None,
                 memory_pool_limits=None):
        self.fp16, self.int8 = fp16, int8
        self.profiles = list(profiles or [])
        self.timing_cache = os.fspath(timing_cache) if timing_cache is not None else None
        self.backend = backend
        self.memory_pool_limits = dict(memory_pool_limits or {})

    def __call__(self, builder, network):
        config = builder.create_builder_config()
        if self.fp16:
            config.set_flag(_kiln.BuilderFlag.FP16)
        if self.int8:
            config.set_flag(_kiln.BuilderFlag.INT8)
        if self.backend is not None:
            config.backend = self.backend
        for pool, size in self.memory_pool_limits.items():
            config.set_memory_pool_limit(pool, size)
        # A network with dynamic inputs needs a profile: as Polygraphy, one with batch 1 is made when none is given.
        # Each profile is copied, so filling its defaults leaves the caller's as it was.
        dynamic = any(-1 in network.get_input(i).shape for i in range(network.num_inputs))
        for profile in self.profiles or ([Profile()] if dynamic else []):
            config.add_optimization_profile(Profile(profile).to_kiln(builder, network))
        if self.timing_cache is not None:
            saved = b""
            if os.path.exists(self.timing_cache):
                with open(self.timing_cache, "rb") as f:
                    saved = f.read()
            config.set_timing_cache(config.create_timing_cache(saved), False)
        return config


class NetworkFromOnnxBytes:
    """A loader of (builder, network, parser) from a serialized ONNX model (bytes or a loader of them)."""

    def __init__(self, model_bytes, path="", logger=None):
        self._model_bytes, self._path, self._logger = model_bytes, path, logger

    def _parse(self, parse, source):
        builder = _kiln.Builder(self._logger)
        network = builder.create_network()
        parser = _kiln.OnnxParser(network, self._logger)
        if not parse(parser):
            raise _parse_error(parser, source)
        return builder, network, parser

    def __call__(self):
        return self._parse(lambda parser: parser.parse(_resolve(self._model_bytes), self._path),
                           self._path or "<bytes>")


class NetworkFromOnnxPath(NetworkFromOnnxBytes):
    """A loader of (builder, network, parser) from an ONNX file; a failed parse raises kiln.Error listing every
    error the parser reported."""

    def __init__(self, path, logger=None):
        super().__init__(None, os.fspath(path), logger)

    def __call__(self):
        return self._parse(lambda parser: parser.parse_from_file(self._path), self._path)


def _parse_error(parser, source):
    problems = []
    for index in range(parser.num_errors):
        error = parser.get_error(index)
        node = f" (node '{error.node_name()}', {error.node_operator()})" if error.node_name() else ""
        problems.append(f"  {error.desc()}{node}")
    return _error(_kiln.ErrorCode.INVALID_GRAPH, source,
                  f"the ONNX parser failed with {len(problems)} error(s):\n" + "\n".join(problems))


def _network_parts(network):
    """(builder, network) from a network loader or the tuple it made: (builder, network[, parser])."""
    parts = _resolve(network)
    if not isinstance(parts, tuple) or len(parts) < 2:
        raise _error(_kiln.ErrorCode.INVALID_ARGUMENT, "network",
                     "expected (builder, network[, parser]) or a loader that makes it")
    return parts[0], parts[1]


class EngineBytesFromNetwork:
    """A loader of a plan (bytes) built from a network loader with config (a CreateConfig or a loader of a
    kiln.BuilderConfig called with (builder, network); default CreateConfig())."""

    def __init__(self, network, config=None):
        self._network, self._config = network, config

    def __call__(self):
        builder, network = _network_parts(self._network)
        create = self._config or CreateConfig()
        config = create(builder, network)
        plan = builder.build_serialized_network(network, config)
        if getattr(create, "timing_cache", None) is not None:
            with open(create.timing_cache, "wb") as f:
                f.write(config.get_timing_cache().serialize())
        return plan


class EngineFromBytes:
    """A loader of a kiln.Engine from a plan (bytes, or a loader of them such as BytesFromPath)."""

    def __init__(self, serialized_engine, logger=None):
        self._serialized_engine, self._logger = serialized_engine, logger

    def __call__(self):
        return _kiln.Runtime(self._logger).deserialize_cuda_engine(_resolve(self._serialized_engine))


class EngineFromNetwork(EngineBytesFromNetwork):
    """A loader of a kiln.Engine built from a network loader (EngineBytesFromNetwork, then loaded)."""

    def __call__(self):
        return EngineFromBytes(super().__call__())()


class BytesFromPath:
    """A loader of a file's bytes."""

    def __init__(self, path):
        self._path = os.fspath(path)

    def __call__(self):
        with open(self._path, "rb") as f:
            return f.read()


class SaveEngine:
    """A loader that writes an engine's plan (from an engine, plan bytes or a loader of either) to path and
    answers the engine (or bytes) it was given."""

    def __init__(self, engine, path):
        self._engine, self._path = engine, os.fspath(path)

    def __call__(self):
        engine = _resolve(self._engine)
        with open(self._path, "wb") as f:
            f.write(engine.serialize() if isinstance(engine, _kiln.Engine) else bytes(engine))
        return engine


def _immediate(loader):
    def evaluate(*args, **kwargs):
        return loader(*args, **kwargs)()

    evaluate.__name__ = "".join("_" + c.lower() if c.isupper() else c for c in loader.__name__).lstrip("_")
    evaluate.__doc__ = f"{loader.__name__}(...)() in one call: {loader.__doc__}"
    return evaluate


network_from_onnx_path = _immediate(NetworkFromOnnxPath)
network_from_onnx_bytes = _immediate(NetworkFromOnnxBytes)
engine_bytes_from_network = _immediate(EngineBytesFromNetwork)
engine_from_network = _immediate(EngineFromNetwork)
engine_from_bytes = _immediate(EngineFromBytes)
bytes_from_path = _immediate(BytesFromPath)
save_engine = _immediate(SaveEngine)


def create_config(builder, network, **options):
    """CreateConfig(**options)(builder, network) in one call."""
    return CreateConfig(**options)(builder, network)


TensorMetadata = collections.namedtuple("TensorMetadata", ["dtype", "shape"])
TensorMetadata.__doc__ = "An input's numpy dtype and shape (-1 for a dimension the profile leaves open)."


class Runner:
    """Runs an engine with numpy feeds, as Polygraphy's TrtRunner.

    Takes an execution context (used as it is and never freed), an engine (the runner makes its own context) or a
    loader of either. activate() (or ``with runner:``) loads and makes the context; deactivate() lets go of what
    the runner made. optimization_profile selects a profile on activation (set_profile changes it later)."""

    def __init__(self, engine_or_context, optimization_profile=None, name=None):
        self._source = engine_or_context
        self._optimization_profile = optimization_profile
        self.name = name or f"kiln-runner-{id(self):x}"
        self.context = None
        self.engine = None
        self._owns_context = False
        self._inference_time = None

    @property
    def is_active(self):
        return self.context is not None

    def activate(self):
        if self.is_active:
            raise _error(_kiln.ErrorCode.INVALID_STATE, self.name, "the runner is already active")
        loaded = _resolve(self._source)
        if isinstance(loaded, _kiln.ExecutionContext):
            self.context, self.engine, self._owns_context = loaded, loaded.engine, False
        elif isinstance(loaded, _kiln.Engine):
            self.context, self.engine, self._owns_context = loaded.create_execution_context(), loaded, True
        else:
            raise _error(_kiln.ErrorCode.INVALID_ARGUMENT, self.name,
                         f"expected an engine, an execution context or a loader of one, got {type(loaded).__name__}")
        if self._optimization_profile is not None:
            self.set_profile(self._optimization_profile)
        return self

    def deactivate(self):
        self._require_active()
        self.context = None
        self.engine = None
        self._owns_context = False

    def __enter__(self):
        return self.activate()

    def __exit__(self, *exc):
        self.deactivate()

    def _require_active(self):
        if not self.is_active:
            raise _error(_kiln.ErrorCode.INVALID_STATE, self.name,
                         "the runner is not active: use it in a with statement or call activate() first")

    def set_profile(self, index):
        """Makes profile index the context's active one (kiln.Error when the engine has no such profile)."""
        self._require_active()
        self.context.set_optimization_profile_async(index, 0)
        self._optimization_profile = index

    @property
    def optimization_profile(self):
        return self.context.active_optimization_profile if self.is_active else self._optimization_profile

    def get_input_metadata(self):
        """{input name: TensorMetadata(numpy dtype, shape)} in IO order; shapes as the engine has them (-1 where
        dynamic)."""
        self._require_active()
        metadata = collections.OrderedDict()
        for index in range(self.engine.num_io_tensors):
            name = self.engine.get_tensor_name(index)
            if self.engine.get_tensor_mode(name) == _kiln.TensorIOMode.INPUT:
                dtype = np.dtype(_kiln.nptype(self.engine.get_tensor_dtype(name)))
                metadata[name] = TensorMetadata(dtype, self.engine.get_tensor_shape(name))
        return metadata

    def infer(self, feed_dict, copy_outputs_to_host=True):
        """{output name: numpy array} for {input name: array}; CUDA engines' outputs are copied to the host unless
        copy_outputs_to_host is False (they stay kiln.DeviceArray)."""
        self._require_active()
        start = time.perf_counter()
        outputs = self.context.infer(feed_dict)
        self._inference_time = time.perf_counter() - start
        if copy_outputs_to_host:
            outputs = {name: value if isinstance(value, np.ndarray) else value.numpy()
                       for name, value in outputs.items()}
        return outputs

    def last_inference_time(self):
        """Seconds the last infer() took in the context (None before the first)."""
        return self._inference_time
