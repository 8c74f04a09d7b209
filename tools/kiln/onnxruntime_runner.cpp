#include "onnxruntime_runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "kiln/error.h"
#include "text_parsing.h"

extern char** environ;

namespace kiln::cli {

namespace fs = std::filesystem;

namespace {

// The script's exit statuses for a module it cannot import (onnxruntime_runner.py says the same).
constexpr int kCannotImportRuntime = 3;
constexpr int kCannotImportOnnx = 4;

[[noreturn]] void fail(const std::string& message) { throw Error(ErrorCode::kRUNTIME, message, "onnxruntime"); }

// A folder of its own under the system's temporary folder, removed with everything in it when this goes.
class TemporaryFolder {
 public:
  TemporaryFolder() {
    std::string pattern = (fs::temp_directory_path() / "kiln-compare-XXXXXX").string();
    if (!mkdtemp(pattern.data())) fail("cannot create a temporary folder: " + std::string(std::strerror(errno)));
    path_ = pattern;
  }
  ~TemporaryFolder() {
    std::error_code ignored;  // a folder left behind in /tmp is no reason to fail the comparison
    fs::remove_all(path_, ignored);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The arrays of a folder as the script and the command exchange them: names.txt, one name a line, and i.npy.
void writeArrays(const fs::path& folder, const NamedArrays& arrays) {
  fs::create_directories(folder);
  std::ofstream names(folder / "names.txt");
  for (size_t i = 0; i < arrays.size(); ++i) {
    if (arrays[i].first.find('\n') != std::string::npos)
      throw Error(ErrorCode::kUNSUPPORTED, "a name with a line break cannot be passed to the ONNX Runtime runner",
                  forMessage(arrays[i].first));
    names << arrays[i].first << "\n";
    writeNpy((folder / (std::to_string(i) + ".npy")).string(), arrays[i].second);
  }
  if (!names.flush()) throw Error(ErrorCode::kIO, "cannot write the input names", (folder / "names.txt").string());
}

NamedArrays readArrays(const fs::path& folder) {
  std::ifstream names(folder / "names.txt");
  if (!names) fail("the runner wrote no outputs (" + (folder / "names.txt").string() + " is missing)");
  NamedArrays arrays;
  for (std::string name; std::getline(names, name);)
    arrays.emplace_back(name, readNpy((folder / (std::to_string(arrays.size()) + ".npy")).string()));
  return arrays;
}

// The last non-empty line of a file (what the script says about a failure).
std::string lastLine(const fs::path& file) {
  std::ifstream in(file);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

struct Exit {
  bool started = false;
  std::string whyNotStarted;
  int status = -1;  // the exit status, or -1 for a signal
};

// Runs `argv` with stdout and stderr going to `log`, and waits for it.
Exit runProcess(const std::vector<std::string>& argv, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int error = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  Exit exit;
  if (error != 0) {
    exit.whyNotStarted = std::strerror(error);
    return exit;
  }
  exit.started = true;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) fail("waiting for the runner failed: " + std::string(std::strerror(errno)));
  // glibc's posix_spawnp reports an exec failure as exit status 127 of the child.
  std::error_code ec;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && fs::file_size(log, ec) == 0) {
    exit.started = false;
    exit.whyNotStarted = "it cannot be executed";
    return exit;
  }
  exit.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return exit;
}

fs::path executableFolder() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : self.parent_path();
}

}  // namespace

std::string pythonInterpreter(const std::string& option, bool* given) {
  const char* fromEnvironment = std::getenv("KILN_PYTHON");
  *given = !option.empty() || (fromEnvironment && *fromEnvironment);
  if (!option.empty()) return option;
  if (fromEnvironment && *fromEnvironment) return fromEnvironment;
  std::error_code ec;
  return fs::exists("/usr/bin/python3", ec) ? "/usr/bin/python3" : "python3";
}

std::string onnxRuntimeRunnerScript() {
  const char* fromEnvironment = std::getenv("KILN_ONNXRUNTIME_RUNNER");
  if (fromEnvironment && *fromEnvironment) {
    if (!fs::is_regular_file(fromEnvironment))
      throw Error(ErrorCode::kIO, "$KILN_ONNXRUNTIME_RUNNER names no file", fromEnvironment);
    return fromEnvironment;
  }
  fs::path folder = executableFolder();
  for (const fs::path& candidate :
       {folder / "onnxruntime_runner.py", folder / ".." / "share" / "kiln" / "onnxruntime_runner.py"}) {
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate.lexically_normal().string();
  }
  throw Error(ErrorCode::kIO,
              "onnxruntime_runner.py is neither next to the kiln executable nor in ../share/kiln/ (set "
              "KILN_ONNXRUNTIME_RUNNER to its path)",
              folder.string());
}

OnnxRuntimeResult runOnnxRuntime(const OnnxRuntimeRequest& request) {
  std::string script = onnxRuntimeRunnerScript();
  TemporaryFolder folder;
  writeArrays(folder.path() / "inputs", request.inputs);
  std::vector<std::string> argv = {request.python, script, fs::absolute(request.modelPath).string(),
                                   folder.path().string()};
  if (request.markAllOutputs) argv.push_back("--mark-all");
  fs::path log = folder.path() / "runner.log";
  Exit exit = runProcess(argv, log);
  OnnxRuntimeResult result;
  if (!exit.started) {
    std::string why = "cannot start " + request.python + " (" + exit.whyNotStarted + ")";
    if (request.pythonGiven) fail(why);
    result.skipped = why + "; name an interpreter with --python or KILN_PYTHON";
    return result;
  }
  if (exit.status == kCannotImportRuntime || exit.status == kCannotImportOnnx) {
    result.skipped = request.python + ": " + lastLine(log);
    return result;
  }
  if (exit.status != 0)
    fail("the runner (" + request.python + " " + script + ") failed: " + forMessage(lastLine(log), 400));
  result.ran = true;
  result.outputs = readArrays(folder.path() / "outputs");
  return result;
}

}  // namespace kiln::cli
