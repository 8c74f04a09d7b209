"""Type stubs of the kiln Python module (kiln._kiln re-exported by kiln). docs/python.md shows the API beside the
C++ calls."""

from __future__ import annotations

import builtins
import enum
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import tools as tools

Shape = Tuple[int, ...]
ShapeLike = Sequence[int]
Buffer = Union[bytes, bytearray, memoryview]

__version__: str
HAS_CUDA: builtins.bool
"""True when this kiln was built with the CUDA backend (a GPU may still be missing: see available_backends())."""


class Error(RuntimeError):
    """What kiln raises. str(e) reads "<code> in '<object>': <message>"."""

    code: ErrorCode
    """The kind of failure."""
    message: str
    """The message without the code and object prefix."""
    object: str
    """The tensor, layer, input, profile or plan section at fault; '' when none applies."""


class ErrorCode(enum.IntEnum):
    """What kind of failure a kiln.Error reports."""

    INVALID_ARGUMENT = 1
    INVALID_GRAPH = 2
    UNSUPPORTED = 3
    SHAPE_OUT_OF_RANGE = 4
    INVALID_PROFILE = 5
    INVALID_PLAN = 6
    INVALID_STATE = 7
    RUNTIME = 8
    IO = 9


class DataType(enum.IntEnum):
    """The type of a tensor's elements; nptype() gives the numpy type."""

    FLOAT = 0
    HALF = 1
    BF16 = 2
    INT8 = 3
    UINT8 = 4
    INT32 = 5
    INT64 = 6
    BOOL = 7
    DOUBLE = 8
    INT16 = 9
    UINT16 = 10
    UINT32 = 11
    UINT64 = 12

    @property
    def itemsize(self) -> int:
        """Bytes per element."""


float32: DataType
float16: DataType
bfloat16: DataType
int8: DataType
uint8: DataType
int16: DataType
uint16: DataType
int32: DataType
uint32: DataType
int64: DataType
uint64: DataType
float64: DataType
bool: DataType
"""kiln.bool (as trt.bool); the stubs say builtins.bool for Python's."""


def nptype(dtype: DataType) -> type:
    """The numpy scalar type of a DataType; raises kiln.Error for BF16, which numpy lacks."""


def from_numpy_dtype(dtype: Any) -> DataType:
    """The DataType of a numpy dtype (or anything numpy.dtype() takes)."""


def volume(shape: ShapeLike) -> int:
    """The number of elements of a shape (1 for ())."""


def available_backends() -> List[str]:
    """Backends this build has that can run here: 'cpu', and 'cuda' where a GPU is present."""


def supported_onnx_ops(opset: int = 21) -> List[str]:
    """The ONNX op types kiln imports at an opset."""


class OptProfileSelector(enum.IntEnum):
    MIN = 0
    OPT = 1
    MAX = 2


class TensorIOMode(enum.IntEnum):
    NONE = 0
    INPUT = 1
    OUTPUT = 2


class Logger:
    """Receives kiln's messages. The default writes those at or above min_severity to stderr; a subclass overrides
    log() and calls Logger.__init__ first. log() runs on the thread that logs, with the GIL held; an exception it
    raises is reported as unraisable and otherwise ignored."""

    class Severity(enum.IntEnum):
        INTERNAL_ERROR = 0
        ERROR = 1
        WARNING = 2
        INFO = 3
        VERBOSE = 4

    INTERNAL_ERROR: Logger.Severity
    ERROR: Logger.Severity
    WARNING: Logger.Severity
    INFO: Logger.Severity
    VERBOSE: Logger.Severity
    min_severity: Logger.Severity

    def __init__(self, min_severity: Logger.Severity = ...) -> None: ...
    def log(self, severity: Logger.Severity, msg: str) -> None:
        """Receives one message."""


ILogger = Logger


# ---- network definition -------------------------------------------------------------------------------------------

class LayerType(enum.IntEnum):
    CONSTANT = 0
    CONVOLUTION = 1
    MATRIX_MULTIPLY = 2
    ELEMENTWISE = 3
    ACTIVATION = 4
    UNARY = 5
    POOLING = 6
    SOFTMAX = 7
    RESIZE = 8
    SHUFFLE = 9
    CONCATENATION = 10
    SLICE = 11
    GATHER = 12
    REDUCE = 13
    TOPK = 14
    SHAPE = 15
    CAST = 16
    IDENTITY = 17
    SELECT = 19
    FILL = 20
    SCATTER = 21
    DECONVOLUTION = 22
    NORMALIZATION = 23
    CUMULATIVE = 24
    ONE_HOT = 25
    EINSUM = 26
    LRN = 27
    RECURRENCE = 28
    GRID_SAMPLE = 29
    DETERMINANT = 30
    PLUGIN = 31


class ElementWiseOperation(enum.IntEnum):
    SUM = 0
    PROD = 1
    MAX = 2
    MIN = 3
    SUB = 4
    DIV = 5
    POW = 6
    FLOOR_DIV = 7
    AND = 8
    OR = 9
    XOR = 10
    EQUAL = 11
    GREATER = 12
    LESS = 13
    MOD = 14
    FMOD = 15
    SHIFT_LEFT = 16
    SHIFT_RIGHT = 17


class ActivationType(enum.IntEnum):
    RELU = 0
    SIGMOID = 1
    TANH = 2
    LEAKY_RELU = 3
    ELU = 4
    SELU = 5
    SOFTSIGN = 6
    SOFTPLUS = 7
    CLIP = 8
    HARD_SIGMOID = 9
    SCALED_TANH = 10
    THRESHOLDED_RELU = 11
    GELU_ERF = 12
    GELU_TANH = 13


class UnaryOperation(enum.IntEnum):
    EXP = 0
    LOG = 1
    SQRT = 2
    RECIP = 3
    ABS = 4
    NEG = 5
    SIN = 6
    COS = 7
    TAN = 8
    SINH = 9
    COSH = 10
    ASIN = 11
    ACOS = 12
    ATAN = 13
    ASINH = 14
    ACOSH = 15
    ATANH = 16
    CEIL = 17
    FLOOR = 18
    ERF = 19
    NOT = 20
    SIGN = 21
    ROUND = 22
    ISINF = 23
    ISNAN = 24


class PoolingType(enum.IntEnum):
    MAX = 0
    AVERAGE = 1


class PaddingMode(enum.IntEnum):
    EXPLICIT = 0
    SAME_UPPER = 1
    SAME_LOWER = 2


class ReduceOperation(enum.IntEnum):
    SUM = 0
    PROD = 1
    MAX = 2
    MIN = 3
    AVG = 4


class TopKOperation(enum.IntEnum):
    MAX = 0
    MIN = 1


class MatrixOperation(enum.IntEnum):
    NONE = 0
    TRANSPOSE = 1


class InterpolationMode(enum.IntEnum):
    NEAREST = 0
    LINEAR = 1
    CUBIC = 2


ResizeMode = InterpolationMode


class ResizeCoordinateTransformation(enum.IntEnum):
    HALF_PIXEL = 0
    ASYMMETRIC = 1
    ALIGN_CORNERS = 2
    PYTORCH_HALF_PIXEL = 3
    TF_HALF_PIXEL_FOR_NN = 4
    TF_CROP_AND_RESIZE = 5
    HALF_PIXEL_SYMMETRIC = 6


class ResizeRoundMode(enum.IntEnum):
    HALF_DOWN = 0
    HALF_UP = 1
    FLOOR = 2
    CEIL = 3


class SampleMode(enum.IntEnum):
    STRICT_BOUNDS = 0
    WRAP = 1
    CLAMP = 2
    FILL = 3
    REFLECT = 4


class GatherMode(enum.IntEnum):
    DEFAULT = 0
    ELEMENT = 1
    ND = 2


class ScatterMode(enum.IntEnum):
    ELEMENT = 0
    ND = 1


class ScatterReduction(enum.IntEnum):
    NONE = 0
    ADD = 1
    MUL = 2
    MAX = 3
    MIN = 4


class FillOperation(enum.IntEnum):
    CONSTANT = 0
    LINSPACE = 1


class CumulativeOperation(enum.IntEnum):
    SUM = 0


class RecurrenceCell(enum.IntEnum):
    RNN = 0
    GRU = 1
    LSTM = 2


class RecurrenceDirection(enum.IntEnum):
    FORWARD = 0
    REVERSE = 1
    BIDIRECTIONAL = 2


class GridSamplePadding(enum.IntEnum):
    ZEROS = 0
    BORDER = 1
    REFLECTION = 2


class Tensor:
    """A tensor of a network definition; owned by its network (the handle keeps the network alive)."""

    name: str
    """Unique in the network; '<layer>_output_<i>' until set."""

    @property
    def dtype(self) -> DataType: ...
    @property
    def shape(self) -> Shape:
        """Dimensions, -1 where known only at run time."""
    @property
    def is_network_input(self) -> builtins.bool: ...
    @property
    def is_network_output(self) -> builtins.bool: ...
    @property
    def is_shape_tensor(self) -> builtins.bool: ...
    @property
    def is_shape_input(self) -> builtins.bool: ...
    def get_dimension_expression(self, axis: int) -> str:
        """The dimension as an expression of the inputs, e.g. 'floor((in.2+2-3)/2)+1'."""


class Layer:
    """Base of every layer; get_layer() answers the layer's own class."""

    name: str

    @property
    def type(self) -> Any:
        """The LayerType (ActivationLayer and PoolingLayer answer their own type here, as TensorRT does)."""
    @property
    def layer_type(self) -> LayerType:
        """The LayerType, never shadowed."""
    @property
    def num_inputs(self) -> int: ...
    @property
    def num_outputs(self) -> int: ...
    def get_input(self, index: int) -> Optional[Tensor]: ...
    def get_output(self, index: int) -> Optional[Tensor]: ...
    def set_input(self, index: int, tensor: Tensor) -> None:
        """Replaces (or adds) input index, e.g. a shape tensor as input 1 of a shuffle or resize."""


class ConstantLayer(Layer): ...
class IdentityLayer(Layer): ...
class ShapeLayer(Layer): ...
class SelectLayer(Layer): ...
class DeterminantLayer(Layer): ...

class PluginV3Layer(Layer):
    @property
    def plugin_name(self) -> str: ...
    @property
    def plugin_version(self) -> str: ...
    @property
    def plugin_namespace(self) -> str: ...


class ConvolutionLayer(Layer):
    stride_nd: Shape
    pre_padding: Shape
    post_padding: Shape
    padding_nd: Shape
    dilation_nd: Shape
    num_groups: int
    padding_mode: PaddingMode


class DeconvolutionLayer(Layer):
    stride_nd: Shape
    pre_padding: Shape
    post_padding: Shape
    padding_nd: Shape
    dilation_nd: Shape
    num_groups: int
    output_padding: Shape


class MatrixMultiplyLayer(Layer):
    op0: MatrixOperation
    op1: MatrixOperation


class ElementWiseLayer(Layer):
    op: ElementWiseOperation


class ActivationLayer(Layer):
    type: ActivationType  # type: ignore[assignment]
    alpha: float
    beta: float


class UnaryLayer(Layer):
    op: UnaryOperation


class PoolingLayer(Layer):
    type: PoolingType  # type: ignore[assignment]
    window_size_nd: Shape
    stride_nd: Shape
    pre_padding: Shape
    post_padding: Shape
    padding_nd: Shape
    dilation_nd: Shape
    average_count_excludes_padding: builtins.bool
    ceil_mode: builtins.bool
    padding_mode: PaddingMode
    global_pooling: builtins.bool
    indices_column_major: builtins.bool


class SoftMaxLayer(Layer):
    axes: int
    """One bit set: the axis (default the last)."""
    log: builtins.bool


class NormalizationLayer(Layer):
    epsilon: float
    axes: int
    num_groups: int


class LRNLayer(Layer):
    window_size: int
    alpha: float
    beta: float
    k: float


class CastLayer(Layer):
    to_type: DataType


class EinsumLayer(Layer):
    equation: str


class RecurrenceLayer(Layer):
    direction: RecurrenceDirection
    batch_first: builtins.bool
    clip: float
    linear_before_reset: builtins.bool
    input_forget: builtins.bool

    def set_activations(self, types: Sequence[ActivationType], alphas: Sequence[float],
                        betas: Sequence[float]) -> None: ...
    @property
    def activations(self) -> List[ActivationType]: ...
    @property
    def activation_alphas(self) -> List[float]: ...
    @property
    def activation_betas(self) -> List[float]: ...


class GridSampleLayer(Layer):
    interpolation_mode: InterpolationMode
    padding_mode: GridSamplePadding
    align_corners: builtins.bool


class ResizeLayer(Layer):
    shape: Shape
    scales: List[float]
    resize_mode: InterpolationMode
    coordinate_transformation: ResizeCoordinateTransformation
    nearest_rounding: ResizeRoundMode
    cubic_coeff: float
    exclude_outside: builtins.bool
    antialias: builtins.bool
    region_of_interest: List[float]
    extrapolation_value: float
    coordinate_scales: List[float]


class ShuffleLayer(Layer):
    first_transpose: List[int]
    reshape_dims: Shape
    """0 copies the input dimension, one -1 is inferred."""
    second_transpose: List[int]
    zero_is_placeholder: builtins.bool


class ConcatenationLayer(Layer):
    axis: int


class SliceLayer(Layer):
    mode: SampleMode
    start: Shape
    shape: Shape
    stride: Shape


class GatherLayer(Layer):
    mode: GatherMode
    num_elementwise_dims: int
    axis: int


class ReduceLayer(Layer):
    op: ReduceOperation
    axes: int
    """Bit i reduces axis i."""
    keep_dims: builtins.bool


class TopKLayer(Layer):
    op: TopKOperation
    k: int
    axes: int


class FillLayer(Layer):
    shape: Shape
    operation: FillOperation
    alpha: float
    beta: float
    to_type: DataType


class ScatterLayer(Layer):
    mode: ScatterMode
    axis: int
    reduction: ScatterReduction


class CumulativeLayer(Layer):
    axis: int
    exclusive: builtins.bool
    reverse: builtins.bool


class OneHotLayer(Layer):
    axis: int


WeightsLike = Union[np.ndarray, Sequence[float], None]
"""Weights: a numpy array keeps its dtype; other values become float32. The network copies them."""


class NetworkDefinition:
    """A network defined layer by layer; -1 marks a dimension known only at run time. add_* calls whose inputs do
    not fit raise kiln.Error naming the layer and add nothing."""

    def __init__(self, logger: Optional[Logger] = None) -> None: ...
    def add_input(self, name: str, dtype: DataType, shape: ShapeLike) -> Tensor: ...
    def mark_output(self, tensor: Tensor) -> None: ...
    def unmark_output(self, tensor: Tensor) -> None: ...
    def mark_shape_input(self, tensor: Tensor) -> None: ...
    @property
    def num_inputs(self) -> int: ...
    @property
    def num_outputs(self) -> int: ...
    @property
    def num_layers(self) -> int: ...
    def get_input(self, index: int) -> Optional[Tensor]: ...
    def get_output(self, index: int) -> Optional[Tensor]: ...
    def get_layer(self, index: int) -> Optional[Layer]: ...
    def get_tensor(self, name: str) -> Optional[Tensor]: ...
    def __len__(self) -> int: ...

    def add_constant(self, shape: ShapeLike, weights: WeightsLike) -> ConstantLayer: ...
    def add_identity(self, input: Tensor) -> IdentityLayer: ...
    def add_convolution_nd(self, input: Tensor, num_output_maps: int, kernel_shape: ShapeLike, kernel: WeightsLike,
                           bias: WeightsLike = None) -> ConvolutionLayer:
        """Kernel weights K x C/groups x kernel_shape, bias K values or None."""
    def add_convolution(self, input: Tensor, kernel: Tensor, bias: Optional[Tensor] = None) -> ConvolutionLayer: ...
    def add_deconvolution(self, input: Tensor, kernel: Tensor,
                          bias: Optional[Tensor] = None) -> DeconvolutionLayer: ...
    def add_matrix_multiply(self, input0: Tensor, op0: MatrixOperation, input1: Tensor,
                            op1: MatrixOperation) -> MatrixMultiplyLayer: ...
    def add_elementwise(self, input1: Tensor, input2: Tensor, op: ElementWiseOperation) -> ElementWiseLayer: ...
    def add_activation(self, input: Tensor, type: ActivationType) -> ActivationLayer: ...
    def add_unary(self, input: Tensor, op: UnaryOperation) -> UnaryLayer: ...
    def add_pooling_nd(self, input: Tensor, type: PoolingType, window_size: ShapeLike) -> PoolingLayer: ...
    def add_max_pooling_with_indices(self, input: Tensor, window_size: ShapeLike) -> PoolingLayer: ...
    def add_softmax(self, input: Tensor) -> SoftMaxLayer: ...
    def add_resize(self, input: Tensor) -> ResizeLayer: ...
    def add_shuffle(self, input: Tensor) -> ShuffleLayer: ...
    def add_concatenation(self, inputs: Sequence[Tensor], axis: int = 0) -> ConcatenationLayer: ...
    def add_slice(self, input: Tensor, start: ShapeLike, shape: ShapeLike, stride: ShapeLike) -> SliceLayer: ...
    def add_gather(self, input: Tensor, indices: Tensor, axis: int) -> GatherLayer: ...
    def add_gather_v2(self, input: Tensor, indices: Tensor, mode: GatherMode) -> GatherLayer: ...
    def add_reduce(self, input: Tensor, op: ReduceOperation, axes: int, keep_dims: builtins.bool) -> ReduceLayer: ...
    def add_topk(self, input: Tensor, op: TopKOperation, k: int, axes: int) -> TopKLayer: ...
    def add_shape(self, input: Tensor) -> ShapeLayer: ...
    def add_cast(self, input: Tensor, to_type: DataType) -> CastLayer: ...
    def add_select(self, condition: Tensor, then_input: Tensor, else_input: Tensor) -> SelectLayer: ...
    def add_fill(self, shape: ShapeLike, op: FillOperation, dtype: DataType) -> FillLayer: ...
    def add_scatter(self, data: Tensor, indices: Tensor, updates: Tensor, mode: ScatterMode,
                    axis: int = 0) -> ScatterLayer: ...
    def add_normalization(self, input: Tensor, scale: Tensor, bias: Tensor, axes: int) -> NormalizationLayer: ...
    def add_cumulative(self, input: Tensor, axis: int, op: CumulativeOperation, exclusive: builtins.bool,
                       reverse: builtins.bool) -> CumulativeLayer: ...
    def add_one_hot(self, indices: Tensor, values: Tensor, depth: Tensor, axis: int) -> OneHotLayer: ...
    def add_einsum(self, inputs: Sequence[Tensor], equation: str) -> EinsumLayer: ...
    def add_lrn(self, input: Tensor, window: int, alpha: float, beta: float, k: float) -> LRNLayer: ...
    def add_recurrence(self, input: Tensor, weights: Tensor, recurrent_weights: Tensor, cell: RecurrenceCell,
                       direction: RecurrenceDirection) -> RecurrenceLayer: ...
    def add_grid_sample(self, input: Tensor, grid: Tensor) -> GridSampleLayer: ...
    def add_determinant(self, input: Tensor) -> DeterminantLayer: ...


# ---- ONNX ---------------------------------------------------------------------------------------------------------

class ParserError:
    """One problem of a failed parse."""

    def code(self) -> ErrorCode: ...
    def desc(self) -> str: ...
    def node_name(self) -> str:
        """The node at fault; '' when the error is not about one node."""
    def node_operator(self) -> str: ...


class OnnxModelInfo:
    ir_version: int
    opset: int
    producer_name: str
    producer_version: str
    domain: str
    model_version: int
    doc_string: str


class OnnxParser:
    """Imports ONNX models into a network. parse() and parse_from_file() answer False on failure; num_errors and
    get_error(i) list why (one error per unsupported node)."""

    def __init__(self, network: NetworkDefinition, logger: Optional[Logger] = None) -> None: ...
    def parse(self, model: Buffer, path: str = "") -> builtins.bool:
        """Parses a serialized model; external data is read beside `path` when given."""
    def parse_from_file(self, model: str) -> builtins.bool: ...
    @property
    def num_errors(self) -> int: ...
    def get_error(self, index: int) -> ParserError: ...
    def clear_errors(self) -> None: ...
    @property
    def model_info(self) -> OnnxModelInfo: ...


# ---- building -----------------------------------------------------------------------------------------------------

class OptimizationProfile:
    """min/opt/max shapes per dynamic input."""

    def __init__(self) -> None: ...
    def set_shape(self, input: str, min: ShapeLike, opt: ShapeLike, max: ShapeLike) -> None: ...
    def get_shape(self, input: str) -> List[Optional[Shape]]:
        """[min, opt, max]; None for each while not set."""
    def set_shape_input(self, input: str, min: Sequence[int], opt: Sequence[int], max: Sequence[int]) -> None:
        """min/opt/max values of a shape input."""
    def get_shape_input(self, input: str) -> List[List[int]]: ...
    @property
    def inputs(self) -> List[str]: ...


class TimingCache:
    """Tactic timings the builder reuses; save serialize() to a file."""

    def __init__(self) -> None: ...
    @staticmethod
    def deserialize(data: Buffer) -> TimingCache: ...
    def serialize(self) -> bytes: ...
    def combine(self, input_cache: TimingCache, ignore_mismatch: builtins.bool = False) -> builtins.bool: ...
    def __len__(self) -> int: ...
    @property
    def hits(self) -> int: ...
    @property
    def misses(self) -> int: ...


class BuilderFlag(enum.IntEnum):
    FP16 = 0
    BF16 = 1
    INT8 = 2
    TF32 = 3
    REFIT = 4


class MemoryPoolType(enum.IntEnum):
    WORKSPACE = 0


class NetworkDefinitionCreationFlag(enum.IntEnum):
    """TensorRT's flags for create_network; kiln networks are always explicit-batch."""

    EXPLICIT_BATCH = 0


def init_libnvinfer_plugins(logger: Optional[Logger] = None, namespace: str = "") -> builtins.bool:
    """Accepted for TensorRT scripts: kiln has no plugin library to load (answers True)."""


class BuilderConfig:
    """Profiles, precision flags, backend, memory limit and tactic timing of a build."""

    flags: int
    max_workspace_size: int
    backend: str
    """'cpu' (default) or 'cuda'."""
    avg_timing_iterations: int

    def __init__(self) -> None: ...
    def add_optimization_profile(self, profile: OptimizationProfile) -> int: ...
    @property
    def num_optimization_profiles(self) -> int: ...
    def set_flag(self, flag: BuilderFlag) -> None: ...
    def clear_flag(self, flag: BuilderFlag) -> None: ...
    def get_flag(self, flag: BuilderFlag) -> builtins.bool: ...
    def set_memory_pool_limit(self, pool: MemoryPoolType, pool_size: int) -> None: ...
    def get_memory_pool_limit(self, pool: MemoryPoolType) -> int: ...
    def create_timing_cache(self, serialized_timing_cache: Buffer = b"") -> TimingCache: ...
    def set_timing_cache(self, cache: Optional[TimingCache], ignore_mismatch: builtins.bool = False) -> builtins.bool: ...
    def get_timing_cache(self) -> Optional[TimingCache]: ...


class Builder:
    """Makes networks, configurations and profiles, and builds plans (the GIL is released while building)."""

    def __init__(self, logger: Optional[Logger] = None) -> None: ...
    def create_network(self, flags: int = 0) -> NetworkDefinition: ...
    def create_builder_config(self) -> BuilderConfig: ...
    def create_optimization_profile(self) -> OptimizationProfile: ...
    def build_serialized_network(self, network: NetworkDefinition, config: BuilderConfig) -> bytes:
        """The plan; raises kiln.Error naming the input, profile or layer at fault."""
    @property
    def platform_has_fast_fp16(self) -> builtins.bool: ...


# ---- running ------------------------------------------------------------------------------------------------------

class LayerInfo:
    name: str
    type: str
    inputs: List[str]
    outputs: List[str]
    output_types: List[DataType]
    attributes: str
    tactics: List[str]


class Runtime:
    def __init__(self, logger: Optional[Logger] = None) -> None: ...
    def deserialize_cuda_engine(self, serialized_engine: Buffer) -> Engine:
        """Loads a plan on the backend it was built for (TensorRT's name; CPU plans load too)."""
    def deserialize_engine(self, serialized_engine: Buffer) -> Engine: ...


class Engine:
    """A loaded plan, shared by its execution contexts. Queries for a name that is not an IO tensor answer NONE,
    None or ''."""

    @property
    def num_io_tensors(self) -> int: ...
    def get_tensor_name(self, index: int) -> str: ...
    def get_tensor_mode(self, name: str) -> TensorIOMode: ...
    def get_tensor_dtype(self, name: str) -> DataType: ...
    def get_tensor_shape(self, name: str) -> Optional[Shape]: ...
    @property
    def num_optimization_profiles(self) -> int: ...
    def get_tensor_profile_shape(self, name: str, profile_index: int) -> List[Optional[Shape]]:
        """[min, opt, max] of an input in a profile."""
    def get_tensor_profile_values(self, profile_index: int, name: str) -> List[List[int]]: ...
    def is_shape_inference_io(self, name: str) -> builtins.bool: ...
    def get_device_memory_size(self, profile_index: int = 0) -> int: ...
    @property
    def num_layers(self) -> int: ...
    def get_layer_information(self, index: int) -> LayerInfo: ...
    @property
    def backend(self) -> str: ...
    @property
    def is_device_memory(self) -> builtins.bool:
        """True when IO addresses are device pointers (CUDA); infer() then answers DeviceArray outputs."""
    @property
    def kiln_version(self) -> str: ...
    @property
    def weights_size(self) -> int: ...
    def serialize(self) -> bytes: ...
    def create_execution_context(self) -> ExecutionContext: ...


class DeviceArray:
    """Device memory with a shape and a DataType (what infer() answers on CUDA engines). Shares its memory through
    __dlpack__ (torch.from_dlpack, cupy.from_dlpack) and __cuda_array_interface__; numpy() copies to the host."""

    def __init__(self, shape: ShapeLike, dtype: DataType) -> None: ...
    @staticmethod
    def from_numpy(array: np.ndarray) -> DeviceArray: ...
    @property
    def shape(self) -> Shape: ...
    @property
    def dtype(self) -> DataType: ...
    @property
    def nbytes(self) -> int: ...
    @property
    def ptr(self) -> int: ...
    def numpy(self) -> np.ndarray: ...
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """A host copy (numpy 2 passes copy=; the data is always copied)."""
    @property
    def __cuda_array_interface__(self) -> Dict[str, Any]: ...
    def __dlpack__(self, stream: Any = None, max_version: Any = None, dl_device: Any = None, copy: Any = None) -> Any: ...
    def __dlpack_device__(self) -> Tuple[int, int]: ...


class IProfiler:
    """Override report_layer_time (calling IProfiler.__init__ first); called after each profiled run, per step."""

    def __init__(self) -> None: ...
    def report_layer_time(self, layer_name: str, ms: float) -> None: ...


class ExecutionContext:
    """Shapes, addresses and runs of one engine. One thread at a time per context; several contexts of an engine
    may run at once (the GIL is released while they run). Failures raise kiln.Error."""

    active_optimization_profile: int
    profiler: Optional[IProfiler]
    graph_replay: builtins.bool

    @property
    def engine(self) -> Engine: ...
    def set_input_shape(self, name: str, shape: ShapeLike) -> builtins.bool:
        """Raises kiln.Error naming the input and the profile's range for a shape outside it."""
    def get_tensor_shape(self, name: str) -> Optional[Shape]: ...
    @property
    def all_input_dimensions_specified(self) -> builtins.bool: ...
    def infer_shapes(self) -> List[str]: ...
    def set_tensor_address(self, name: str, memory: int) -> builtins.bool: ...
    def get_tensor_address(self, name: str) -> int: ...
    def execute_v2(self, bindings: Optional[Sequence[int]] = None) -> builtins.bool: ...
    def execute_async_v2(self, bindings: Sequence[int], stream_handle: int) -> builtins.bool:
        """TensorRT 8's call: binds the addresses (IO tensor order) and queues the run."""
    def execute_async_v3(self, stream_handle: int) -> builtins.bool: ...
    def set_binding_shape(self, binding: int, shape: ShapeLike) -> builtins.bool:
        """TensorRT 8's set_input_shape by IO tensor index."""
    def get_binding_shape(self, binding: int) -> Optional[Shape]: ...
    def set_optimization_profile_async(self, profile_index: int, stream_handle: int = 0) -> builtins.bool: ...
    def infer(self, feeds: Mapping[str, Any]) -> Dict[str, Any]:
        """Runs with {input name: array} and answers {output name: array}.

        Each input's shape comes from its array; a dtype other than the engine's is refused naming the input and
        both dtypes. Contiguous numpy arrays are read in place (CPU backend); non-contiguous ones are copied into a
        contiguous array first. Outputs are sized from the resolved shapes: numpy arrays on the CPU backend,
        DeviceArray on CUDA engines, which also take device arrays (__cuda_array_interface__ or __dlpack__, e.g.
        torch CUDA tensors) in place."""


ITensor = Tensor
ILayer = Layer
INetworkDefinition = NetworkDefinition
IBuilderConfig = BuilderConfig
IOptimizationProfile = OptimizationProfile
ITimingCache = TimingCache
ICudaEngine = Engine
IExecutionContext = ExecutionContext
IParserError = ParserError
IConvolutionLayer = ConvolutionLayer
IActivationLayer = ActivationLayer
IPoolingLayer = PoolingLayer
IElementWiseLayer = ElementWiseLayer
IMatrixMultiplyLayer = MatrixMultiplyLayer
IShuffleLayer = ShuffleLayer
ISoftMaxLayer = SoftMaxLayer
IConstantLayer = ConstantLayer
