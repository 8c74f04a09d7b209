// The ONNX project's protobuf classes.
#pragma once

#include <onnx/onnx_pb.h>
