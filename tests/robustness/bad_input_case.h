// The bad-input table: each case feeds kiln one wrong thing (a file, an argument, an API call) and expects a clear
// one-line error that names the thing at fault. Cases live in cases_<category>.cpp, register themselves with
// KILN_BAD_INPUT_CASES, run as one ctest each, and `kiln_robustness_tests --report FILE` writes the table with the
// message each case observed (docs/robustness.md, copied there by scripts/update-docs).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kiln/kiln.h"

namespace kiln::robustness {

// What a case did: the error message kiln gave, or nullopt when it accepted the bad input (a failure).
using Refusal = std::optional<std::string>;

struct BadInputCase {
  std::string category;  // "ONNX file", "Plan", ".npy input", "CLI arguments", "API misuse", ...
  std::string name;      // what is wrong, as a user would say it
  std::string expected;  // an ECMAScript regex the message must contain (the thing at fault, the reason)
  std::function<Refusal()> trigger;
};

// Adds cases to the table; returns true so a file can register at static initialization.
bool registerCases(std::vector<BadInputCase> cases);
// Every registered case, in registration order.
const std::vector<BadInputCase>& registeredCases();

// The message of the kiln::Error `action` throws, or nullopt when it returns. Any other exception escapes as a
// test failure: the API throws kiln::Error only.
Refusal errorOf(const std::function<void()>& action);
// The message of a failed Status; nullopt when it succeeded.
Refusal errorOf(const Status& status);

// Runs the kiln command with `args`. Its stderr (last non-empty line) when it exits non-zero, nullopt when it exits
// 0; a run killed by a signal or that exceeds `timeoutSeconds` throws, failing the case.
Refusal kilnCommandError(const std::vector<std::string>& args, int timeoutSeconds = 60);

// A fresh, empty folder for one case's files (under the build tree, in a folder of this process's own that is
// removed when it exits).
std::filesystem::path scratchDir(const std::string& caseName);
// Writes `bytes` to `path` and returns the path.
std::filesystem::path writeFile(const std::filesystem::path& path, const std::string& bytes);
// The test data folder (tests/data).
std::filesystem::path testDataDir();

}  // namespace kiln::robustness

#define KILN_BAD_INPUT_CONCAT_INNER(a, b) a##b
#define KILN_BAD_INPUT_CONCAT(a, b) KILN_BAD_INPUT_CONCAT_INNER(a, b)
// KILN_BAD_INPUT_CASES({ {...}, {...} }); at namespace scope registers cases at start-up.
#define KILN_BAD_INPUT_CASES(...)                                                         \
  static const bool KILN_BAD_INPUT_CONCAT(kilnBadInputCases, __LINE__) [[maybe_unused]] = \
      ::kiln::robustness::registerCases(std::vector<::kiln::robustness::BadInputCase> __VA_ARGS__)
