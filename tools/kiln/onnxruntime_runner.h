// ONNX Runtime as a backend of `kiln compare`. The command cannot link ONNX Runtime, so it runs the model through
// Python: onnxruntime_runner.py (shipped next to the kiln executable) reads the inputs from .npy files in a temporary
// folder and writes the outputs there for the command to read back.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "npy.h"

namespace kiln::cli {

using NamedArrays = std::vector<std::pair<std::string, NpyArray>>;

struct OnnxRuntimeResult {
  bool ran = false;
  std::string skipped;  // why it did not run (onnxruntime cannot be imported, ...) when !ran
  NamedArrays outputs;  // the session's outputs, in its order
};

struct OnnxRuntimeRequest {
  std::string modelPath;
  NamedArrays inputs;
  bool markAllOutputs = false;  // every tensor a node makes is an output too
  std::string python;           // the interpreter (see pythonInterpreter)
  bool pythonGiven = false;     // named by the user: an interpreter that cannot start is an error, not a skip
};

// The interpreter to run the script with: `option` (--python) when given, else $KILN_PYTHON, else /usr/bin/python3
// where it exists (the system's, whose packages the OS installs), else python3 from PATH. `given` is set when the
// user named it.
std::string pythonInterpreter(const std::string& option, bool* given);

// The runner script: $KILN_ONNXRUNTIME_RUNNER when set, else onnxruntime_runner.py next to the executable (the build
// tree) or in ../share/kiln/ from it (an installed tree). Throws kiln::Error (kIO) when none exists.
std::string onnxRuntimeRunnerScript();

// Runs the model once on `inputs`. The backend is skipped (ran false, `skipped` says why) where Python cannot import
// numpy or onnxruntime (or, for markAllOutputs, onnx), or where the default interpreter does not start. Throws
// kiln::Error (kRUNTIME, object "onnxruntime") when the script fails otherwise, quoting its last line.
OnnxRuntimeResult runOnnxRuntime(const OnnxRuntimeRequest& request);

}  // namespace kiln::cli
