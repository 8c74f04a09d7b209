// Bad input to the kiln command: damaged or mismatched .npy files for `kiln run --loadInputs`, and wrong
// arguments. Each runs the real command, which must exit non-zero with one line naming the file, input or option.
#include <sys/stat.h>

#include <cstdint>
#include <fstream>
#include <stdexcept>

#include "bad_input_case.h"
#include "npy_bytes.h"

namespace kiln::robustness {
namespace {

std::string dynamicModel() { return (testDataDir() / "pytorch_dynamic" / "model.onnx").string(); }

// The dynamic model (input 'input' fp32 -1x3x-1x-1) with one profile from 1x3x16x16 to 4x3x48x48, built once per
// process and loaded by the run cases.
const std::string& dynamicPlan() {
  static const std::string plan = [] {
    std::string path = (scratchDir("cli_plan") / "model.kiln").string();
    Refusal refusal =
        kilnCommandError({"build", "--onnx", dynamicModel(), "--minShapes", "input:1x3x16x16", "--optShapes",
                          "input:2x3x32x32", "--maxShapes", "input:4x3x48x48", "--saveEngine", path});
    if (refusal) throw std::runtime_error("cannot build the plan the run cases load: " + *refusal);
    return path;
  }();
  return plan;
}

// A new empty folder <caseName>/<name>, for the cases that give a directory where a file belongs.
std::string emptyFolder(const std::string& caseName, const std::string& name) {
  auto folder = scratchDir(caseName) / name;
  std::filesystem::create_directories(folder);
  return folder.string();
}

// A new named pipe <caseName>/<name> that nothing writes to: opening it to read would wait forever.
std::string pipe(const std::string& caseName, const std::string& name) {
  auto path = scratchDir(caseName) / name;
  if (mkfifo(path.c_str(), 0600) != 0) throw std::runtime_error("cannot make the pipe " + path.string());
  return path.string();
}

// The first 100 bytes of the plan, in <caseName>/truncated.kiln.
std::string truncatedPlan(const std::string& caseName) {
  std::ifstream in(dynamicPlan(), std::ios::binary);
  std::string head(100, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  return writeFile(scratchDir(caseName) / "truncated.kiln", head).string();
}

Refusal runPlan(std::vector<std::string> args) {
  args.insert(args.begin(), {"run", "--loadEngine", dynamicPlan()});
  return kilnCommandError(args);
}

Refusal buildModel(std::vector<std::string> args) {
  args.insert(args.begin(), {"build", "--onnx", dynamicModel()});
  return kilnCommandError(args);
}

using test::npyFileBytes;
using test::npyHeader;

std::string zeros(size_t bytes) { return std::string(bytes, '\0'); }

// float32 zeros of the shape 1x3x16x16 (768 values), the smallest the plan's profile takes.
std::string smallInput(const std::string& header = npyHeader("<f4", "(1, 3, 16, 16)")) {
  return npyFileBytes(header, zeros(768 * 4));
}

// Writes `bytes` to <caseName>.npy and runs the plan with it as 'input'.
Refusal runWithNpy(const std::string& caseName, const std::string& bytes, std::vector<std::string> args = {}) {
  auto file = writeFile(scratchDir(caseName) / (caseName + ".npy"), bytes);
  args.insert(args.begin(), {"--loadInputs", "input:" + file.string()});
  return runPlan(args);
}

// A .npy file whose 2-byte header length (version 1) is `length`, followed by `rest`.
std::string npyWithHeaderLength(uint16_t length, const std::string& rest) {
  return std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(length & 0xff) + static_cast<char>(length >> 8) + rest;
}

KILN_BAD_INPUT_CASES({
    {".npy input", "empty file", "empty_npy\\.npy.*not a \\.npy file", [] { return runWithNpy("empty_npy", ""); }},
    {".npy input", "no magic (a text file)", "no_magic\\.npy.*not a \\.npy file",
     [] { return runWithNpy("no_magic", "input data, but as text rather than numpy's format\n"); }},
    {".npy input", "unknown format version 9", "npy_version\\.npy.*version 9",
     [] {
       std::string bytes = smallInput();
       bytes[6] = 9;
       return runWithNpy("npy_version", bytes);
     }},
    {".npy input", "header length past the end of the file", "header_past_end\\.npy.*header",
     [] { return runWithNpy("header_past_end", npyWithHeaderLength(0x7000, "{'descr': '<f4'")); }},
    {".npy input", "version 2 header length of 4 GiB", "huge_header\\.npy.*header",
     [] {
       std::string bytes = smallInput();
       bytes[6] = 2;
       // Version 2 reads 4 length bytes: the two of version 1 and the first two of the header, all 0xff.
       return runWithNpy("huge_header", bytes.substr(0, 8) + std::string(4, '\xff') + bytes.substr(12));
     }},
    {".npy input", "header dict not closed", "unclosed_dict\\.npy.*header",
     [] {
       return runWithNpy("unclosed_dict",
                         npyFileBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 16, 16)", zeros(3072)));
     }},
    {".npy input", "header not a dict", "not_a_dict\\.npy.*header",
     [] { return runWithNpy("not_a_dict", npyFileBytes("print('hello')", zeros(3072))); }},
    {".npy input", "header without a shape", "no_shape\\.npy.*shape",
     [] { return runWithNpy("no_shape", npyFileBytes("{'descr': '<f4', 'fortran_order': False}", zeros(3072))); }},
    {".npy input", "header with an unknown key", "unknown_key\\.npy.*'color'",
     [] {
       return runWithNpy(
           "unknown_key",
           npyFileBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 16, 16), 'color': 'red'}",
                        zeros(3072)));
     }},
    {".npy input", "fortran_order not a bool", "bad_fortran\\.npy.*fortran_order",
     [] { return runWithNpy("bad_fortran", smallInput(npyHeader("<f4", "(1, 3, 16, 16)", "1"))); }},
    {".npy input", "dimension of 20 digits", "dim_20_digits\\.npy.*99999999999999999999",
     [] { return runWithNpy("dim_20_digits", npyFileBytes(npyHeader("<f4", "(99999999999999999999, 3)"), "")); }},
    {".npy input", "negative dimension", "negative_dim\\.npy.*negative",
     [] { return runWithNpy("negative_dim", npyFileBytes(npyHeader("<f4", "(1, 3, -16, 16)"), zeros(3072))); }},
    {".npy input", "dimensions whose product overflows", "huge_volume\\.npy.*too large",
     [] {
       return runWithNpy("huge_volume",
                         npyFileBytes(npyHeader("<f4", "(4294967296, 4294967296, 4294967296, 1)"), zeros(64)));
     }},
    {".npy input", "dimension that is not an integer", "float_dim\\.npy.*shape",
     [] { return runWithNpy("float_dim", npyFileBytes(npyHeader("<f4", "(1.5, 3)"), zeros(64))); }},
    {".npy input", "rank above 8", "rank_9\\.npy.*rank",
     [] { return runWithNpy("rank_9", npyFileBytes(npyHeader("<f4", "(1, 1, 1, 1, 1, 1, 1, 1, 1)"), zeros(4))); }},
    {".npy input", "truncated payload", "truncated_payload\\.npy.*3072 bytes",
     [] { return runWithNpy("truncated_payload", npyFileBytes(npyHeader("<f4", "(1, 3, 16, 16)"), zeros(3000))); }},
    {".npy input", "trailing bytes after the payload", "trailing_bytes\\.npy.*3072 bytes",
     [] { return runWithNpy("trailing_bytes", npyFileBytes(npyHeader("<f4", "(1, 3, 16, 16)"), zeros(3072 + 5))); }},
    {".npy input", "dtype other than the input's (float64 for float32)", "wrong_dtype\\.npy.*fp64.*'input'.*fp32",
     [] { return runWithNpy("wrong_dtype", npyFileBytes(npyHeader("<f8", "(1, 3, 16, 16)"), zeros(768 * 8))); }},
    {".npy input", "dtype kiln has no type for (complex64)", "complex_dtype\\.npy.*<c8",
     [] { return runWithNpy("complex_dtype", npyFileBytes(npyHeader("<c8", "(1, 3, 16, 16)"), zeros(768 * 8))); }},
    {".npy input", "big-endian dtype", "big_endian\\.npy.*big-endian",
     [] { return runWithNpy("big_endian", smallInput(npyHeader(">f4", "(1, 3, 16, 16)"))); }},
    {".npy input", "structured dtype", "structured\\.npy.*descr",
     [] {
       return runWithNpy(
           "structured",
           npyFileBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1, 3, 16, 16), }", zeros(3072)));
     }},
    {".npy input", "rank other than the input's", "'input'.*rank 3.*wrong_rank\\.npy",
     [] { return runWithNpy("wrong_rank", npyFileBytes(npyHeader("<f4", "(1, 3, 256)"), zeros(3072))); }},
    {".npy input", "shape outside the plan's profile", "'input'.*outside optimization profile.*outside_profile\\.npy",
     [] {
       return runWithNpy("outside_profile", npyFileBytes(npyHeader("<f4", "(8, 3, 16, 16)"), zeros(8 * 768 * 4)));
     }},
    {".npy input", "--shapes contradicting the file's shape", "'input'.*--shapes.*2x3x16x16.*shapes_contradict\\.npy",
     [] {
       return runWithNpy("shapes_contradict", smallInput(), {"--shapes", "input:2x3x16x16"});
     }},
    {".npy input", "--loadInputs naming an input the plan lacks", "'image'.*inputs: input",
     [] {
       auto file = writeFile(scratchDir("unknown_npy_input") / "image.npy", smallInput());
       return runPlan({"--loadInputs", "input:" + file.string() + ",image:" + file.string()});
     }},
    {".npy input", "shape input values other than --shapes gives",
     "'shape'.*--shapes gives the values 3x8.*values\\.npy",
     [] {
       std::string values = zeros(16);
       values[0] = 4;
       values[8] = 6;
       auto file = writeFile(scratchDir("shape_values_contradict") / "values.npy",
                             npyFileBytes(npyHeader("<i8", "(2,)"), values));
       return kilnCommandError({"run", "--onnx", (testDataDir() / "shape_input" / "model.onnx").string(), "--shapes",
                                "shape:3x8", "--loadInputs", "shape:" + file.string()});
     }},
    {".npy input", "file does not exist", "missing\\.npy",
     [] {
       return runPlan({"--loadInputs", "input:" + (scratchDir("missing_npy") / "missing.npy").string()});
     }},
    {".npy input", "a pipe instead of a file", "pipe\\.npy.*not a regular file",
     [] {
       return runPlan({"--loadInputs", "input:" + pipe("npy_pipe", "pipe.npy")});
     }},
    {".npy input", "no file after the input's name", "--loadInputs.*'input' is given no file",
     [] {
       return runPlan({"--loadInputs", "input:"});
     }},
    {".npy input", "a directory instead of a file", "npy_dir\\.npy.*not a regular file",
     [] {
       return runPlan({"--loadInputs", "input:" + emptyFolder("npy_directory", "npy_dir.npy")});
     }},
});

KILN_BAD_INPUT_CASES({
    {"CLI arguments", "run --shapes naming an input the plan lacks", "'image'.*inputs: input",
     [] {
       return runPlan({"--shapes", "input:1x3x16x16,image:1x3x16x16"});
     }},
    {"CLI arguments", "run --shapes outside the profile", "'input'.*outside optimization profile",
     [] {
       return runPlan({"--shapes", "input:8x3x16x16"});
     }},
    {"CLI arguments", "run --shapes too large to allocate", "'input'.*outside optimization profile",
     [] {
       return runPlan({"--shapes", "input:99999999x3x99999x99999"});
     }},
    {"CLI arguments", "run --shapes of another rank", "'input'.*rank 3",
     [] {
       return runPlan({"--shapes", "input:1x3x16"});
     }},
    {"CLI arguments", "shape input given 3 values for its 2", "'shape'.*2 values.*3",
     [] {
       return kilnCommandError(
           {"run", "--onnx", (testDataDir() / "shape_input" / "model.onnx").string(), "--shapes", "shape:1x2x3"});
     }},
    {"CLI arguments", "shape ending in x (\"input:2x\")", "--shapes.*'2x'",
     [] {
       return runPlan({"--shapes", "input:2x"});
     }},
    {"CLI arguments", "shape with an empty dimension (\"input:2xx3\")", "--shapes.*'2xx3'",
     [] {
       return runPlan({"--shapes", "input:2xx3"});
     }},
    {"CLI arguments", "shape without a name (\":2\")", "--shapes.*':2'",
     [] {
       return runPlan({"--shapes", ":2"});
     }},
    {"CLI arguments", "negative dimension (\"input:-5\")", "--shapes.*'-5'",
     [] {
       return runPlan({"--shapes", "input:-5"});
     }},
    {"CLI arguments", "dimension of 20 digits", "--shapes.*99999999999999999999",
     [] {
       return runPlan({"--shapes", "input:99999999999999999999"});
     }},
    {"CLI arguments", "shape of more than 8 dimensions", "--shapes.*more than 8",
     [] {
       return runPlan({"--shapes", "input:1x1x1x1x1x1x1x1x1"});
     }},
    {"CLI arguments", "the same input twice", "--shapes.*'input'.*twice",
     [] {
       return runPlan({"--shapes", "input:1x3x16x16,input:2x3x16x16"});
     }},
    {"CLI arguments", "--shapes without its value", "--shapes", [] { return runPlan({"--shapes"}); }},
    {"CLI arguments", "--loadInputs item without a name", "--loadInputs.*'input\\.npy'",
     [] {
       return runPlan({"--loadInputs", "input.npy"});
     }},
    {"CLI arguments", "--iterations 0", "--iterations.*0",
     [] {
       return runPlan({"--iterations", "0"});
     }},
    {"CLI arguments", "--iterations -1", "--iterations.*-1",
     [] {
       return runPlan({"--iterations", "-1"});
     }},
    {"CLI arguments", "--iterations too large to keep every time", "--iterations.*99999999999",
     [] {
       return runPlan({"--iterations", "99999999999"});
     }},
    {"CLI arguments", "--iterations not a number", "--iterations.*ten",
     [] {
       return runPlan({"--iterations", "ten"});
     }},
    {"CLI arguments", "--warmUp -1", "--warmUp.*-1",
     [] {
       return runPlan({"--warmUp", "-1"});
     }},
    {"CLI arguments", "--warmUp too large", "--warmUp.*5000000000",
     [] {
       return runPlan({"--warmUp", "5000000000"});
     }},
    {"CLI arguments", "--avgTiming -1", "--avgTiming.*-1",
     [] {
       return buildModel({"--minShapes", "input:1x3x16x16", "--avgTiming", "-1"});
     }},
    {"CLI arguments", "--avgTiming too large", "--avgTiming.*99999999999",
     [] {
       return buildModel({"--minShapes", "input:1x3x16x16", "--avgTiming", "99999999999"});
     }},
    {"CLI arguments", "build with min above max", "'input'.*min 4x3x16x16.*max 1x3x16x16",
     [] {
       return buildModel({"--minShapes", "input:4x3x16x16", "--maxShapes", "input:1x3x16x16"});
     }},
    {"CLI arguments", "build with opt outside [min, max]", "'input'.*opt 8x3x16x16",
     [] {
       return buildModel(
           {"--minShapes", "input:1x3x16x16", "--optShapes", "input:8x3x16x16", "--maxShapes", "input:4x3x16x16"});
     }},
    {"CLI arguments", "build shapes naming an input the model lacks", "'image'.*inputs: input",
     [] {
       return buildModel({"--minShapes", "input:1x3x16x16,image:1x3x16x16"});
     }},
    {"CLI arguments", "build shapes of another rank", "'input'.*rank 3",
     [] {
       return buildModel({"--minShapes", "input:1x3x16"});
     }},
    {"CLI arguments", "build shape contradicting a static dimension", "'input'.*1x4x16x16",
     [] {
       return buildModel({"--minShapes", "input:1x4x16x16"});
     }},
    {"CLI arguments", "--saveEngine into a missing folder", "no_such_folder.*does not exist",
     [] {
       auto plan = scratchDir("save_engine_missing_folder") / "no_such_folder" / "model.kiln";
       return buildModel({"--minShapes", "input:1x3x16x16", "--saveEngine", plan.string()});
     }},
    {"CLI arguments", "--timingCacheFile naming a directory", "cache_dir.*directory",
     [] {
       return buildModel(
           {"--minShapes", "input:1x3x16x16", "--timingCacheFile", emptyFolder("timing_cache_directory", "cache_dir")});
     }},
    {"CLI arguments", "--saveOutputs naming a file", "outputs_file.*not a folder",
     [] {
       auto file = writeFile(scratchDir("save_outputs_file") / "outputs_file", "a file, not a folder");
       return runPlan({"--shapes", "input:1x3x16x16", "--saveOutputs", file.string()});
     }},
    {"CLI arguments", "--exportTimes naming a directory", "times_dir.*directory",
     [] {
       return runPlan(
           {"--shapes", "input:1x3x16x16", "--exportTimes", emptyFolder("export_times_directory", "times_dir")});
     }},
    {"CLI arguments", "--loadEngine naming a directory", "--loadEngine.*plan_dir",
     [] {
       return kilnCommandError({"run", "--loadEngine", emptyFolder("load_engine_directory", "plan_dir")});
     }},
    {"CLI arguments", "--loadEngine naming an ONNX model", "invalid plan in '[^']*model\\.onnx'",
     [] {
       return kilnCommandError({"run", "--loadEngine", dynamicModel()});
     }},
    {"CLI arguments", "run a truncated plan", "invalid plan in '[^']*truncated\\.kiln'",
     [] {
       return kilnCommandError({"run", "--loadEngine", truncatedPlan("run_truncated_plan")});
     }},
    {"CLI arguments", "inspect a truncated plan", "invalid plan in '[^']*truncated\\.kiln'",
     [] {
       return kilnCommandError({"inspect", truncatedPlan("inspect_truncated_plan")});
     }},
    {"CLI arguments", "inspect a pipe", "pipe\\.kiln.*not a regular file",
     [] {
       return kilnCommandError({"inspect", pipe("inspect_pipe", "pipe.kiln")}, 10);
     }},
    {"CLI arguments", "inspect a directory", "inspect_dir",
     [] {
       return kilnCommandError({"inspect", emptyFolder("inspect_directory", "inspect_dir")});
     }},
    {"CLI arguments", "run with both --loadEngine and --onnx", "exactly one of --loadEngine and --onnx",
     [] {
       return runPlan({"--onnx", dynamicModel()});
     }},
    {"CLI arguments", "unknown option", "--frobnicate", [] { return runPlan({"--frobnicate"}); }},
    {"CLI arguments", "unknown backend", "--backend.*tpu",
     [] {
       return buildModel({"--minShapes", "input:1x3x16x16", "--backend", "tpu"});
     }},
    {"CLI arguments", "build without --onnx", "--onnx.*required", [] { return kilnCommandError({"build"}); }},
    {"CLI arguments", "no command", "subcommand", [] { return kilnCommandError({}); }},
});

}  // namespace
}  // namespace kiln::robustness
