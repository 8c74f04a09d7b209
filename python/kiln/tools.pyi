"""Polygraphy-style tools: lazy loaders (callables) that parse, configure, build, save and load engines, and a
Runner with numpy feeds. Each loader has an immediately evaluated snake-case twin."""

from __future__ import annotations

import collections
import os
from typing import Any, Callable, Dict, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np

from . import Builder, BuilderConfig, Engine, ExecutionContext, MemoryPoolType, NetworkDefinition, OnnxParser, \
    OptimizationProfile, Logger

_Shape = Sequence[int]
_Path = Union[str, os.PathLike]
_Plan = Union[bytes, bytearray, memoryview]
_NetworkParts = Tuple[Builder, NetworkDefinition, OnnxParser]
_NetworkLike = Union[Callable[[], Tuple[Any, ...]], Tuple[Any, ...]]
_PlanLike = Union[_Plan, Callable[[], _Plan]]
_EngineLike = Union[Engine, Callable[[], Engine]]


class Profile(collections.OrderedDict):
    """min/opt/max shapes per input (an OrderedDict of name -> ShapeTuple)."""

    class ShapeTuple(NamedTuple):
        min: Tuple[int, ...]
        opt: Tuple[int, ...]
        max: Tuple[int, ...]

    def add(self, name: str, min: _Shape, opt: _Shape, max: _Shape) -> Profile:
        """Sets an input's shapes and answers the profile, so calls chain."""
    def fill_defaults(self, network: NetworkDefinition, default_batch: int = 1) -> Profile:
        """Gives each dynamic input the profile lacks its shape with -1 replaced by default_batch."""
    def to_kiln(self, builder: Builder, network: Optional[NetworkDefinition] = None) -> OptimizationProfile: ...


class CreateConfig:
    """A loader of a BuilderConfig, called with (builder, network). timing_cache: a file read where it exists and
    written back after the build. backend: 'cpu' or 'cuda' (None: kiln's default)."""

    fp16: bool
    int8: bool
    profiles: list
    timing_cache: Optional[str]
    backend: Optional[str]
    memory_pool_limits: Dict[MemoryPoolType, int]

    def __init__(self, fp16: bool = False, int8: bool = False, profiles: Optional[Sequence[Profile]] = None,
                 timing_cache: Optional[_Path] = None, backend: Optional[str] = None,
                 memory_pool_limits: Optional[Mapping[MemoryPoolType, int]] = None) -> None: ...
    def __call__(self, builder: Builder, network: NetworkDefinition) -> BuilderConfig: ...


class NetworkFromOnnxBytes:
    """A loader of (builder, network, parser) from a serialized ONNX model; external data is read beside path."""

    def __init__(self, model_bytes: _PlanLike, path: str = "", logger: Optional[Logger] = None) -> None: ...
    def __call__(self) -> _NetworkParts:
        """Raises kiln.Error (INVALID_GRAPH) listing every error of a failed parse."""


class NetworkFromOnnxPath(NetworkFromOnnxBytes):
    """A loader of (builder, network, parser) from an ONNX file."""

    def __init__(self, path: _Path, logger: Optional[Logger] = None) -> None: ...


class EngineBytesFromNetwork:
    """A loader of a plan built from a network loader (or the (builder, network[, parser]) it made)."""

    def __init__(self, network: _NetworkLike,
                 config: Optional[Callable[[Builder, NetworkDefinition], BuilderConfig]] = None) -> None: ...
    def __call__(self) -> bytes: ...


class EngineFromNetwork(EngineBytesFromNetwork):
    """A loader of an Engine built from a network loader."""

    def __call__(self) -> Engine: ...  # type: ignore[override]


class EngineFromBytes:
    """A loader of an Engine from a plan or a loader of one (BytesFromPath)."""

    def __init__(self, serialized_engine: _PlanLike, logger: Optional[Logger] = None) -> None: ...
    def __call__(self) -> Engine: ...


class BytesFromPath:
    """A loader of a file's bytes."""

    def __init__(self, path: _Path) -> None: ...
    def __call__(self) -> bytes: ...


class SaveEngine:
    """A loader that writes the plan of an engine (or of plan bytes, or a loader of either) to path and answers
    what it was given."""

    def __init__(self, engine: Union[_EngineLike, _PlanLike], path: _Path) -> None: ...
    def __call__(self) -> Any: ...


def network_from_onnx_path(path: _Path, logger: Optional[Logger] = None) -> _NetworkParts: ...
def network_from_onnx_bytes(model_bytes: _PlanLike, path: str = "",
                            logger: Optional[Logger] = None) -> _NetworkParts: ...
def engine_bytes_from_network(network: _NetworkLike,
                              config: Optional[Callable[..., BuilderConfig]] = None) -> bytes: ...
def engine_from_network(network: _NetworkLike, config: Optional[Callable[..., BuilderConfig]] = None) -> Engine: ...
def engine_from_bytes(serialized_engine: _PlanLike, logger: Optional[Logger] = None) -> Engine: ...
def bytes_from_path(path: _Path) -> bytes: ...
def save_engine(engine: Union[_EngineLike, _PlanLike], path: _Path) -> Any: ...
def create_config(builder: Builder, network: NetworkDefinition, **options: Any) -> BuilderConfig: ...


class TensorMetadata(NamedTuple):
    """An input's numpy dtype and shape (-1 where the profile leaves the dimension open)."""

    dtype: np.dtype
    shape: Tuple[int, ...]


class Runner:
    """Runs an engine with numpy feeds, as Polygraphy's TrtRunner; a context manager (activate/deactivate).
    Takes an ExecutionContext (used, never freed), an Engine (the runner makes its context) or a loader of either."""

    name: str
    context: Optional[ExecutionContext]
    engine: Optional[Engine]

    def __init__(self, engine_or_context: Union[_EngineLike, ExecutionContext, Callable[[], ExecutionContext]],
                 optimization_profile: Optional[int] = None, name: Optional[str] = None) -> None: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def optimization_profile(self) -> Optional[int]: ...
    def activate(self) -> Runner: ...
    def deactivate(self) -> None: ...
    def __enter__(self) -> Runner: ...
    def __exit__(self, *exc: Any) -> None: ...
    def set_profile(self, index: int) -> None: ...
    def get_input_metadata(self) -> Dict[str, TensorMetadata]: ...
    def infer(self, feed_dict: Mapping[str, Any], copy_outputs_to_host: bool = True) -> Dict[str, np.ndarray]: ...
    def last_inference_time(self) -> Optional[float]:
        """Seconds the last infer() took (None before the first)."""
