// The enums of layers.h with TensorRT's Python names (the C++ "k" prefix dropped: ActivationType.RELU, ...).
#include "bindings.h"
#include "kiln/layers.h"

namespace kiln::python {

void bindLayerEnums(py::module_& module) {
  using LT = LayerType;
  bindEnum<LT>(module, "LayerType", "The kind of a layer (Layer.type).",
               {{"CONSTANT", LT::kCONSTANT},
                {"CONVOLUTION", LT::kCONVOLUTION},
                {"MATRIX_MULTIPLY", LT::kMATRIX_MULTIPLY},
                {"ELEMENTWISE", LT::kELEMENTWISE},
                {"ACTIVATION", LT::kACTIVATION},
                {"UNARY", LT::kUNARY},
                {"POOLING", LT::kPOOLING},
                {"SOFTMAX", LT::kSOFTMAX},
                {"RESIZE", LT::kRESIZE},
                {"SHUFFLE", LT::kSHUFFLE},
                {"CONCATENATION", LT::kCONCATENATION},
                {"SLICE", LT::kSLICE},
                {"GATHER", LT::kGATHER},
                {"REDUCE", LT::kREDUCE},
                {"TOPK", LT::kTOPK},
                {"SHAPE", LT::kSHAPE},
                {"CAST", LT::kCAST},
                {"IDENTITY", LT::kIDENTITY},
                {"SELECT", LT::kSELECT},
                {"FILL", LT::kFILL},
                {"SCATTER", LT::kSCATTER},
                {"DECONVOLUTION", LT::kDECONVOLUTION},
                {"NORMALIZATION", LT::kNORMALIZATION},
                {"CUMULATIVE", LT::kCUMULATIVE},
                {"ONE_HOT", LT::kONE_HOT},
                {"EINSUM", LT::kEINSUM},
                {"LRN", LT::kLRN},
                {"RECURRENCE", LT::kRECURRENCE},
                {"GRID_SAMPLE", LT::kGRID_SAMPLE},
                {"DETERMINANT", LT::kDETERMINANT},
                {"PLUGIN", LT::kPLUGIN}});
  using EW = ElementWiseOperation;
  bindEnum<EW>(module, "ElementWiseOperation", "What an ElementWiseLayer computes from a and b.",
               {{"SUM", EW::kSUM},
                {"PROD", EW::kPROD},
                {"MAX", EW::kMAX},
                {"MIN", EW::kMIN},
                {"SUB", EW::kSUB},
                {"DIV", EW::kDIV},
                {"POW", EW::kPOW},
                {"FLOOR_DIV", EW::kFLOOR_DIV},
                {"AND", EW::kAND},
                {"OR", EW::kOR},
                {"XOR", EW::kXOR},
                {"EQUAL", EW::kEQUAL},
                {"GREATER", EW::kGREATER},
                {"LESS", EW::kLESS},
                {"MOD", EW::kMOD},
                {"FMOD", EW::kFMOD},
                {"SHIFT_LEFT", EW::kSHIFT_LEFT},
                {"SHIFT_RIGHT", EW::kSHIFT_RIGHT}});
  using AT = ActivationType;
  bindEnum<AT>(module, "ActivationType", "The function an ActivationLayer applies (alpha and beta parameterize some).",
               {{"RELU", AT::kRELU},
                {"SIGMOID", AT::kSIGMOID},
                {"TANH", AT::kTANH},
                {"LEAKY_RELU", AT::kLEAKY_RELU},
                {"ELU", AT::kELU},
                {"SELU", AT::kSELU},
                {"SOFTSIGN", AT::kSOFTSIGN},
                {"SOFTPLUS", AT::kSOFTPLUS},
                {"CLIP", AT::kCLIP},
                {"HARD_SIGMOID", AT::kHARD_SIGMOID},
                {"SCALED_TANH", AT::kSCALED_TANH},
                {"THRESHOLDED_RELU", AT::kTHRESHOLDED_RELU},
                {"GELU_ERF", AT::kGELU_ERF},
                {"GELU_TANH", AT::kGELU_TANH}});
  using UO = UnaryOperation;
  bindEnum<UO>(module, "UnaryOperation", "The function a UnaryLayer applies to each element.",
               {{"EXP", UO::kEXP},     {"LOG", UO::kLOG},   {"SQRT", UO::kSQRT},   {"RECIP", UO::kRECIP},
                {"ABS", UO::kABS},     {"NEG", UO::kNEG},   {"SIN", UO::kSIN},     {"COS", UO::kCOS},
                {"TAN", UO::kTAN},     {"SINH", UO::kSINH}, {"COSH", UO::kCOSH},   {"ASIN", UO::kASIN},
                {"ACOS", UO::kACOS},   {"ATAN", UO::kATAN}, {"ASINH", UO::kASINH}, {"ACOSH", UO::kACOSH},
                {"ATANH", UO::kATANH}, {"CEIL", UO::kCEIL}, {"FLOOR", UO::kFLOOR}, {"ERF", UO::kERF},
                {"NOT", UO::kNOT},     {"SIGN", UO::kSIGN}, {"ROUND", UO::kROUND}, {"ISINF", UO::kISINF},
                {"ISNAN", UO::kISNAN}});
  bindEnum<PoolingType>(module, "PoolingType", "The maximum or the average of each window.",
                        {{"MAX", PoolingType::kMAX}, {"AVERAGE", PoolingType::kAVERAGE}});
  bindEnum<PaddingMode>(module, "PaddingMode", "How convolution and pooling pad.",
                        {{"EXPLICIT", PaddingMode::kEXPLICIT},
                         {"SAME_UPPER", PaddingMode::kSAME_UPPER},
                         {"SAME_LOWER", PaddingMode::kSAME_LOWER}});
  using RO = ReduceOperation;
  bindEnum<RO>(module, "ReduceOperation", "How a ReduceLayer combines the reduced elements.",
               {{"SUM", RO::kSUM}, {"PROD", RO::kPROD}, {"MAX", RO::kMAX}, {"MIN", RO::kMIN}, {"AVG", RO::kAVG}});
  bindEnum<TopKOperation>(module, "TopKOperation", "Whether a TopKLayer keeps the largest or the smallest values.",
                          {{"MAX", TopKOperation::kMAX}, {"MIN", TopKOperation::kMIN}});
  bindEnum<MatrixOperation>(module, "MatrixOperation", "How a MatrixMultiplyLayer reads an operand.",
                            {{"NONE", MatrixOperation::kNONE}, {"TRANSPOSE", MatrixOperation::kTRANSPOSE}});
  bindEnum<ResizeMode>(
      module, "InterpolationMode", "Nearest, linear or cubic interpolation (kiln::ResizeMode).",
      {{"NEAREST", ResizeMode::kNEAREST}, {"LINEAR", ResizeMode::kLINEAR}, {"CUBIC", ResizeMode::kCUBIC}});
  module.attr("ResizeMode") = module.attr("InterpolationMode");
  using RC = ResizeCoordinateTransformation;
  bindEnum<RC>(module, "ResizeCoordinateTransformation", "How an output coordinate maps to an input coordinate.",
               {{"HALF_PIXEL", RC::kHALF_PIXEL},
                {"ASYMMETRIC", RC::kASYMMETRIC},
                {"ALIGN_CORNERS", RC::kALIGN_CORNERS},
                {"PYTORCH_HALF_PIXEL", RC::kPYTORCH_HALF_PIXEL},
                {"TF_HALF_PIXEL_FOR_NN", RC::kTF_HALF_PIXEL_FOR_NN},
                {"TF_CROP_AND_RESIZE", RC::kTF_CROP_AND_RESIZE},
                {"HALF_PIXEL_SYMMETRIC", RC::kHALF_PIXEL_SYMMETRIC}});
  bindEnum<ResizeRoundMode>(module, "ResizeRoundMode", "How nearest resizing rounds a fractional coordinate.",
                            {{"HALF_DOWN", ResizeRoundMode::kHALF_DOWN},
                             {"HALF_UP", ResizeRoundMode::kHALF_UP},
                             {"FLOOR", ResizeRoundMode::kFLOOR},
                             {"CEIL", ResizeRoundMode::kCEIL}});
  using SM = SampleMode;
  bindEnum<SM>(module, "SampleMode", "How a slice treats coordinates outside the input.",
               {{"STRICT_BOUNDS", SM::kSTRICT_BOUNDS},
                {"WRAP", SM::kWRAP},
                {"CLAMP", SM::kCLAMP},
                {"FILL", SM::kFILL},
                {"REFLECT", SM::kREFLECT}});
  bindEnum<GatherMode>(module, "GatherMode", "ONNX Gather (DEFAULT), GatherElements (ELEMENT) or GatherND (ND).",
                       {{"DEFAULT", GatherMode::kDEFAULT}, {"ELEMENT", GatherMode::kELEMENT}, {"ND", GatherMode::kND}});
  bindEnum<ScatterMode>(module, "ScatterMode", "ONNX ScatterElements (ELEMENT) or ScatterND (ND).",
                        {{"ELEMENT", ScatterMode::kELEMENT}, {"ND", ScatterMode::kND}});
  using SR = ScatterReduction;
  bindEnum<SR>(module, "ScatterReduction", "How a scattered update combines with the value there.",
               {{"NONE", SR::kNONE}, {"ADD", SR::kADD}, {"MUL", SR::kMUL}, {"MAX", SR::kMAX}, {"MIN", SR::kMIN}});
  bindEnum<FillOperation>(module, "FillOperation", "A constant or a linspace fill.",
                          {{"CONSTANT", FillOperation::kCONSTANT}, {"LINSPACE", FillOperation::kLINSPACE}});
  bindEnum<CumulativeOperation>(module, "CumulativeOperation", "What a CumulativeLayer accumulates.",
                                {{"SUM", CumulativeOperation::kSUM}});
  bindEnum<RecurrenceCell>(
      module, "RecurrenceCell", "ONNX RNN, GRU or LSTM cells.",
      {{"RNN", RecurrenceCell::kRNN}, {"GRU", RecurrenceCell::kGRU}, {"LSTM", RecurrenceCell::kLSTM}});
  bindEnum<RecurrenceDirection>(module, "RecurrenceDirection", "Forward, reverse or both.",
                                {{"FORWARD", RecurrenceDirection::kFORWARD},
                                 {"REVERSE", RecurrenceDirection::kREVERSE},
                                 {"BIDIRECTIONAL", RecurrenceDirection::kBIDIRECTIONAL}});
  bindEnum<GridSamplePadding>(module, "GridSamplePadding", "What grid samples outside the input read.",
                              {{"ZEROS", GridSamplePadding::kZEROS},
                               {"BORDER", GridSamplePadding::kBORDER},
                               {"REFLECTION", GridSamplePadding::kREFLECTION}});
}

}  // namespace kiln::python
