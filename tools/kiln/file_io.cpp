#include "file_io.h"

#include <filesystem>
#include <fstream>
#include <new>

#include "kiln/error.h"

namespace kiln::cli {

namespace fs = std::filesystem;

std::vector<uint8_t> readFileBytes(const std::string& path) {
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) throw Error(ErrorCode::kIO, "no such file", path);
  if (fs::is_directory(status)) throw Error(ErrorCode::kIO, "is a directory, not a regular file", path);
  if (!fs::is_regular_file(status)) throw Error(ErrorCode::kIO, "not a regular file", path);
  std::ifstream in(path, std::ios::binary);
  uintmax_t size = fs::file_size(path, ec);
  if (!in || ec) throw Error(ErrorCode::kIO, "cannot open the file for reading", path);
  std::vector<uint8_t> bytes;
  try {
    bytes.resize(size);
  } catch (const std::exception&) {  // bad_alloc, or length_error beyond what a vector can hold
    throw Error(ErrorCode::kIO, "too large to load (" + std::to_string(size) + " bytes)", path);
  }
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (static_cast<uintmax_t>(in.gcount()) != size) throw Error(ErrorCode::kIO, "read failed", path);
  return bytes;
}

void writeFileBytes(const std::string& path, const void* data, size_t size, const std::string& what) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(ErrorCode::kIO, "cannot create the file to write " + what, path);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) throw Error(ErrorCode::kIO, "writing " + what + " failed", path);
}

void checkOutputFile(const std::string& path, const std::string& option) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw Error(ErrorCode::kIO, option + " names a directory, not a file", path);
  fs::path folder = fs::path(path).parent_path();
  if (!folder.empty() && !fs::is_directory(folder, ec))
    throw Error(ErrorCode::kIO, option + ": the folder '" + folder.string() + "' does not exist", path);
}

void makeOutputFolder(const std::string& path, const std::string& option) {
  std::error_code ec;
  if (fs::exists(path, ec) && !fs::is_directory(path, ec))
    throw Error(ErrorCode::kIO, option + " names a file, not a folder", path);
  fs::create_directories(path, ec);
  if (ec) throw Error(ErrorCode::kIO, option + ": cannot create the folder (" + ec.message() + ")", path);
}

void rethrowNamingFile(const Error& error, const std::string& path) {
  throw Error(error.code(), error.message() + (error.object().empty() ? "" : " (" + error.object() + ")"), path);
}

}  // namespace kiln::cli
