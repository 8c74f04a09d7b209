// The bad-input table's runner: registers every case as a GoogleTest test and, with --report FILE, writes the table
// of observed messages.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "bad_input_case.h"

namespace kiln::robustness {
namespace {

std::vector<BadInputCase>& table() {
  static std::vector<BadInputCase> cases;
  return cases;
}

// This process's folder under the build tree, removed at exit: ctest runs cases (and the report, which runs them
// all) in parallel processes, which must not clean each other's files away.
const std::filesystem::path& processWorkDir() {
  struct WorkDir {
    std::filesystem::path path = std::filesystem::path(KILN_ROBUSTNESS_WORK) / ("process_" + std::to_string(getpid()));
    WorkDir() { std::filesystem::remove_all(path); }
    ~WorkDir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const WorkDir dir;
  return dir.path;
}

std::string readWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string lastNonEmptyLine(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  std::string last;
  while (std::getline(lines, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  return last;
}

// A case passes when kiln refused the input with one line matching the expected pattern.
void checkRefusal(const BadInputCase& badCase, const Refusal& refusal) {
  ASSERT_TRUE(refusal.has_value()) << "kiln accepted the bad input: " << badCase.name;
  EXPECT_EQ(refusal->find('\n'), std::string::npos) << "the message spans several lines:\n" << *refusal;
  EXPECT_TRUE(std::regex_search(*refusal, std::regex(badCase.expected)))
      << "message: " << *refusal << "\nexpected to contain: " << badCase.expected;
}

std::string testNameOf(const BadInputCase& badCase, size_t index) {
  std::string name;
  for (char c : badCase.name) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return std::to_string(index) + "_" + name;
}

std::string suiteNameOf(const BadInputCase& badCase) {
  std::string name;
  for (char c : badCase.category)
    if (std::isalnum(static_cast<unsigned char>(c))) name += c;
  return "BadInput_" + name;
}

// The message with this machine's folders replaced, so that the table reads the same from any checkout and run.
std::string withoutMachinePaths(std::string text) {
  for (const auto& [folder, shown] : {std::pair{processWorkDir().string(), std::string("<scratch>")},
                                      std::pair{testDataDir().string(), std::string("tests/data")},
                                      std::pair{std::string(KILN_COMMAND), std::string("kiln")}})
    for (size_t at = text.find(folder); at != std::string::npos; at = text.find(folder, at + shown.size()))
      text.replace(at, folder.size(), shown);
  return text;
}

std::string markdownCell(std::string text) {
  std::string cell;
  for (char c : text) {
    if (c == '|')
      cell += "\\|";
    else if (c == '`')
      cell += '\'';
    else
      cell += c;
  }
  return cell;
}

// Fuzzing campaigns from fuzz/runs.tsv (scripts/fuzz appends one line per run), summed per target.
void writeFuzzingSection(std::ostream& out) {
  struct Totals {
    int runs = 0;
    int64_t seconds = 0, inputs = 0;
    int withFindings = 0;
  };
  std::map<std::string, Totals> byTarget;
  std::ifstream log(KILN_FUZZ_RUNS);
  std::string line;
  std::getline(log, line);  // the header
  while (std::getline(log, line)) {
    std::istringstream fields(line);
    std::string date, target;
    int64_t seconds = 0, inputs = 0;
    int findings = 0;
    if (!(fields >> date >> target >> seconds >> inputs >> findings)) continue;
    Totals& t = byTarget[target];
    ++t.runs;
    t.seconds += seconds;
    t.inputs += inputs;
    t.withFindings += findings != 0;
  }
  out << "\n## Fuzzing\n\n"
      << "libFuzzer targets in `fuzz/`, built by `scripts/sanitize address` (clang, AddressSanitizer + "
         "UndefinedBehaviorSanitizer): `onnx_import` (ONNX bytes -> import -> CPU build at a small profile -> one "
         "run), `plan_load` (plan bytes, checksum recomputed -> load -> one run), `npy` (the kiln command's .npy "
         "loader), `shapes` (its shape-list parser). CI runs each for 60 s; `scripts/fuzz TARGET SECONDS` runs one "
         "longer and appends to `fuzz/runs.tsv`, summed here (seconds a run really took: a finding stops it). "
         "Every finding is fixed and its input kept in `fuzz/regressions/TARGET`, which ctest replays in every build "
         "(`ctest -L fuzz`); the kept inputs include the seeds that first reached a finding's code.\n\n"
      << "| target | runs | seconds | inputs executed | runs with findings | inputs kept in fuzz/regressions |\n"
      << "|---|---|---|---|---|---|\n";
  const std::filesystem::path regressions = std::filesystem::path(KILN_FUZZ_RUNS).parent_path() / "regressions";
  for (const auto& [target, t] : byTarget) {
    std::error_code absent;
    auto kept = std::distance(std::filesystem::directory_iterator(regressions / target, absent),
                              std::filesystem::directory_iterator());
    out << "| `" << target << "` | " << t.runs << " | " << t.seconds << " | " << t.inputs << " | " << t.withFindings
        << " | " << kept << " |\n";
  }
}

// Which sanitizers run where: the table above runs under the first in CI.
void writeSanitizersSection(std::ostream& out) {
  out << "\n## Sanitizers\n\n"
      << "- AddressSanitizer + UndefinedBehaviorSanitizer, leaks included: `scripts/sanitize address` builds the "
         "library, the `kiln` command, every test and the fuzz targets with clang into `build-asan`, runs the ctest "
         "suite (the ONNX conformance run too with `KILN_SANITIZE_CONFORMANCE=1`) and each fuzz target; CI runs it on "
         "every change, and any report fails it.\n"
      << "- ThreadSanitizer: `scripts/sanitize thread` builds the library and the concurrency stress test "
         "(`tests/stress`: one engine, eight contexts on eight threads, 2,000 runs each at shapes across the profile, "
         "every output bit-identical to a single-threaded run) into `build-tsan` and runs it; CI runs it after the "
         "AddressSanitizer build.\n"
      << "- On the GPU machine: `KILN_GPU_SANITIZE=1 scripts/device-check` runs compute-sanitizer's memcheck (with "
         "leak checking) and racecheck over the GPU tests, and the stress test's CUDA variant (a stream per "
         "context); the results are in [gpu-check.md](gpu-check.md).\n";
}

// Runs every case once and writes the table; returns the number of cases that failed.
int writeReport(const std::filesystem::path& file) {
  std::map<std::string, std::vector<std::pair<const BadInputCase*, std::string>>> byCategory;
  std::vector<std::string> categoryOrder;
  int failures = 0;
  for (const auto& badCase : table()) {
    std::string observed;
    try {
      auto refusal = badCase.trigger();
      bool matches = refusal && refusal->find('\n') == std::string::npos &&
                     std::regex_search(*refusal, std::regex(badCase.expected));
      observed = refusal ? withoutMachinePaths(*refusal) : std::string("(accepted)");
      if (!matches) {
        ++failures;
        observed = "FAILS: " + observed;
      }
    } catch (const std::exception& e) {
      ++failures;
      observed = std::string("FAILS: ") + e.what();
    }
    if (!byCategory.count(badCase.category)) categoryOrder.push_back(badCase.category);
    byCategory[badCase.category].emplace_back(&badCase, observed);
  }
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file);
  out << "# Bad input\n\n"
      << "Generated by `tests/robustness` (`kiln_robustness_tests --report`, run by ctest as "
         "`robustness.report`, copied here by `scripts/update-docs`); do not edit by hand.\n\n"
      << "Each case feeds kiln one wrong thing and expects a clear one-line error naming the thing at fault: a "
         "kiln::Error or failed Status from the API, a non-zero exit with a message from the `kiln` command; never "
         "a crash, a hang or a silent result. Each is also a ctest (`ctest -R BadInput`) and runs under the "
         "sanitizer build in CI.\n\n"
      << "Cases: " << table().size() << ", failing: " << failures << ".\n";
  for (const auto& category : categoryOrder) {
    out << "\n## " << category << "\n\n| case | observed message |\n|---|---|\n";
    for (const auto& [badCase, observed] : byCategory[category])
      out << "| " << markdownCell(badCase->name) << " | `" << markdownCell(observed) << "` |\n";
  }
  writeFuzzingSection(out);
  writeSanitizersSection(out);
  return failures;
}

}  // namespace

bool registerCases(std::vector<BadInputCase> cases) {
  for (auto& badCase : cases) table().push_back(std::move(badCase));
  return true;
}

const std::vector<BadInputCase>& registeredCases() { return table(); }

Refusal errorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return std::string(e.what());
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("a std::exception escaped the API instead of a kiln::Error: ") + e.what());
  }
  return std::nullopt;
}

Refusal errorOf(const Status& status) {
  if (status.isOk()) return std::nullopt;
  return std::string(status.error().what());
}

Refusal kilnCommandError(const std::vector<std::string>& args, int timeoutSeconds) {
  static int runs = 0;
  // ctest runs each case in a process of its own, several at once: each process keeps its captures apart.
  auto errFile = scratchDir("kiln_command_" + std::to_string(getpid())) / ("stderr_" + std::to_string(runs++) + ".txt");
  pid_t child = fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    FILE* err = std::freopen(errFile.c_str(), "w", stderr);
    FILE* out = std::freopen("/dev/null", "w", stdout);
    if (!err || !out) _exit(127);
    std::vector<char*> argv;
    std::string program = KILN_COMMAND;
    argv.push_back(program.data());
    std::vector<std::string> copies = args;
    for (auto& arg : copies) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
  int status = 0;
  while (waitpid(child, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
      throw std::runtime_error("kiln did not finish within " + std::to_string(timeoutSeconds) + " s (a hang)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::string err = readWholeFile(errFile);
  if (WIFSIGNALED(status))
    throw std::runtime_error("kiln was killed by signal " + std::to_string(WTERMSIG(status)) + ": " + err);
  if (WEXITSTATUS(status) == 0) return std::nullopt;
  if (WEXITSTATUS(status) == 127) throw std::runtime_error("could not start " + std::string(KILN_COMMAND));
  // Sanitizer reports go to stderr and make the run fail even when the command then exits with its own error.
  if (err.find("Sanitizer") != std::string::npos || err.find("runtime error:") != std::string::npos)
    throw std::runtime_error("sanitizer report:\n" + err);
  return lastNonEmptyLine(err);
}

std::filesystem::path scratchDir(const std::string& caseName) {
  auto dir = processWorkDir() / caseName;
  static std::map<std::string, bool> cleaned;
  if (!cleaned[caseName]) {
    std::filesystem::remove_all(dir);
    cleaned[caseName] = true;
  }
  std::filesystem::create_directories(dir);
  return dir;
}

std::filesystem::path writeFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return path;
}

std::filesystem::path testDataDir() { return KILN_TEST_DATA_DIR; }

}  // namespace kiln::robustness

int main(int argc, char** argv) {
  using namespace kiln::robustness;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--report") == 0) return writeReport(argv[i + 1]) == 0 ? 0 : 1;
  size_t index = 0;
  for (const auto& badCase : registeredCases()) {
    const BadInputCase* caseInTable = &badCase;
    testing::RegisterTest(suiteNameOf(badCase).c_str(), testNameOf(badCase, index++).c_str(), nullptr, nullptr,
                          __FILE__, __LINE__, [caseInTable]() -> testing::Test* {
                            struct CaseTest : testing::Test {
                              const BadInputCase* badCase;
                              explicit CaseTest(const BadInputCase* c) : badCase(c) {}
                              void TestBody() override { checkRefusal(*badCase, badCase->trigger()); }
                            };
                            return new CaseTest(caseInTable);
                          });
  }
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
