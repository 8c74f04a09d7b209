// The verbs of the `kiln` command.
#pragma once

#include <CLI/CLI.hpp>

namespace kiln::cli {

// `kiln inspect PLAN`: IO tensors, profiles, layers and memory of a plan.
void addInspectCommand(CLI::App& app);

}  // namespace kiln::cli
