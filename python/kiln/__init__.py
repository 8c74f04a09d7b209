"""kiln: build inference plans from ONNX models or the layer API and run them from Python.

The names follow TensorRT's Python API (``Builder``, ``OnnxParser``, ``Runtime.deserialize_cuda_engine``,
``ExecutionContext.execute_async_v3``, ...); ``ExecutionContext.infer`` runs with numpy arrays (or, on CUDA engines,
DLPack / ``__cuda_array_interface__`` tensors) in one call. See docs/python.md.
"""

from ._kiln import *  # noqa: F401,F403
from ._kiln import __version__, Error  # noqa: F401

from . import _kiln
from . import tools  # noqa: F401 - kiln.tools, the Polygraphy-style loaders and runner

# TensorRT's interface names (ILayer, ITensor, IConvolutionLayer, INetworkDefinition, ...) as aliases.
ITensor = _kiln.Tensor
ILayer = _kiln.Layer
INetworkDefinition = _kiln.NetworkDefinition
IBuilderConfig = _kiln.BuilderConfig
IOptimizationProfile = _kiln.OptimizationProfile
ITimingCache = _kiln.TimingCache
ICudaEngine = _kiln.Engine
IExecutionContext = _kiln.ExecutionContext
IParserError = _kiln.ParserError
for _name in dir(_kiln):
    if _name.endswith("Layer") and _name != "Layer":
        globals()["I" + _name] = getattr(_kiln, _name)
del _name

__all__ = [name for name in dir(_kiln) if not name.startswith("_")] + [
    "ITensor", "ILayer", "INetworkDefinition", "IBuilderConfig", "IOptimizationProfile", "ITimingCache",
    "ICudaEngine", "IExecutionContext", "IParserError",
] + ["I" + name for name in dir(_kiln) if name.endswith("Layer") and name != "Layer"]
