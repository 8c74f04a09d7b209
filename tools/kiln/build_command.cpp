// `kiln build`: ONNX model -> plan, with optimization profiles in trtexec's words.
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"
#include "kiln/plugin.h"
#include "onnx_build.h"
#include "shapes.h"

namespace kiln::cli {

namespace {

// The most timed runs per tactic candidate --avgTiming takes (trtexec's default is 8).
constexpr int32_t kMaxAvgTiming = 1000;

struct BuildOptions {
  BuildRequest request;
  bool verbose = false;
  std::string markOutputs;
  std::vector<std::string> plugins;  // libraries loaded before the import
  int profileFlags = 0;              // counted by CLI11; the order of flags is read from parse_order()
};

// Shape flags before the first --profile belong to profile 0; each --profile starts the next profile.
std::vector<ProfileShapes> profilesInOrder(const CLI::App& cmd) {
  std::vector<ProfileShapes> profiles(1);
  std::map<const CLI::Option*, size_t> used;
  for (const CLI::Option* opt : cmd.parse_order()) {
    size_t index = used[opt]++;
    std::string name = opt->get_name();
    if (name == "--profile") {
      profiles.emplace_back();
      continue;
    }
    std::map<std::string, Dims>* target = name == "--minShapes"   ? &profiles.back().min
                                          : name == "--optShapes" ? &profiles.back().opt
                                          : name == "--maxShapes" ? &profiles.back().max
                                                                  : nullptr;
    if (!target) continue;
    for (const auto& [input, dims] : parseShapes(opt->results().at(index), name))
      if (!target->emplace(input, dims).second)
        throw Error(ErrorCode::kINVALID_ARGUMENT,
                    "input '" + input + "' is given twice in profile " + std::to_string(profiles.size() - 1), name);
  }
  // A trailing --profile with nothing after it adds nothing.
  while (profiles.size() > 1 && profiles.back().min.empty() && profiles.back().opt.empty() &&
         profiles.back().max.empty())
    profiles.pop_back();
  return profiles;
}

}  // namespace

void addBuildCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("build", "Build a plan from an ONNX model");
  auto options = std::make_shared<BuildOptions>();
  cmd->add_option("--onnx", options->request.onnxPath, "ONNX model to import")->required()->check(CLI::ExistingFile);
  cmd->add_option("--minShapes", "Smallest shapes of the current profile, e.g. input:1x3x224x224,mask:1x128")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--optShapes", "Shapes the current profile is tuned for")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--maxShapes", "Largest shapes of the current profile")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_flag("--profile", options->profileFlags,
                "Start another optimization profile (the shape flags that follow belong to it)");
  cmd->add_flag("--fp16", options->request.fp16, "Allow fp16 kernels (GPU backends)");
  cmd->add_flag("--refit", options->request.refit, "Keep the weights refittable (kiln refit)");
  cmd->add_option("--saveEngine", options->request.saveEngine, "Write the plan to this file");
  cmd->add_option("--backend", options->request.backend, "Target backend")->check(CLI::IsMember({"cpu", "cuda"}));
  cmd->add_option("--timingCacheFile", options->request.timingCacheFile,
                  "Tactic timings: reused from this file when it exists, saved to it after the build");
  cmd->add_option("--avgTiming", options->request.avgTiming,
                  "Timed runs per tactic candidate (default " + std::to_string(BuilderConfig().getTimingIterations()) +
                      ", at most " + std::to_string(kMaxAvgTiming) +
                      "); 0 times nothing and every step runs its default implementation")
      ->check(CLI::Range(int64_t{0}, int64_t{kMaxAvgTiming}));
  cmd->add_option("--markOutputs", options->markOutputs,
                  "'all': every tensor an ONNX node makes becomes an output too (for kiln compare; keeps fusions "
                  "across them from firing)")
      ->check(CLI::IsMember({"all"}));
  cmd->add_option("--plugins", options->plugins, "Plugin libraries to load before importing (creators of custom ops)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("-v,--verbose", options->verbose, "Log the build in detail");
  cmd->callback([cmd, options] {
    for (const std::string& library : options->plugins) loadPluginLibrary(library);
    options->request.profiles = profilesInOrder(*cmd);
    options->request.markAllOutputs = options->markOutputs == "all";
    ConsoleLogger logger(options->verbose ? Severity::kVERBOSE : Severity::kINFO);  // INFO: tactic progress
    buildFromOnnx(options->request, logger);
  });
}

}  // namespace kiln::cli
