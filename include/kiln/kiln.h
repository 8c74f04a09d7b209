// Everything a kiln user needs: the public API, modelled on TensorRT's NvInfer.h (docs/api.md describes it).
//
// ABI. Classes with behaviour keep their state behind a private implementation (a forward-declared `Impl` held by
// pointer), so their layout does not depend on the standard library or on kiln's internals; only trivially copyable
// members (pointers, numbers, flags) stay in the class. The API does use standard-library types in function
// signatures (std::string, std::vector, std::unique_ptr) and in plain value structs handed back to the caller
// (LayerInfo, onnx::ModelSummary, TimingCache::Entry, Error and Status): a deliberate choice, unlike TensorRT's,
// for an API that is easier to use from C++ and that the Python bindings mirror directly. An application must
// therefore use the same standard library (and C++ ABI) as the libkiln it links.
#pragma once

#include "kiln/builder.h"
#include "kiln/error.h"
#include "kiln/layers.h"
#include "kiln/logger.h"
#include "kiln/network.h"
#include "kiln/plugin.h"
#include "kiln/refitter.h"
#include "kiln/runtime.h"
#include "kiln/types.h"
#include "kiln/version.h"
