// The verbs of the `kiln` command.
#pragma once

#include <CLI/CLI.hpp>

namespace kiln::cli {

// `kiln inspect PLAN|MODEL.onnx`: a plan's IO tensors, profiles, layers and memory; a model's inputs, opset, ops.
void addInspectCommand(CLI::App& app);
// `kiln build --onnx M.onnx --minShapes ... --saveEngine M.kiln`
void addBuildCommand(CLI::App& app);
// `kiln run --loadEngine M.kiln | --onnx M.onnx --shapes ...`
void addRunCommand(CLI::App& app);
// `kiln refit --loadEngine old.kiln --onnx new_weights.onnx --saveEngine new.kiln`
void addRefitCommand(CLI::App& app);
// `kiln compare M.onnx --backends cpu,cuda,onnxruntime ...`: sets `exitCode` to 2 when a backend's outputs differ.
void addCompareCommand(CLI::App& app, int& exitCode);

}  // namespace kiln::cli
