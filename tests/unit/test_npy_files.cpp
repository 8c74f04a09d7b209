// The .npy files of the kiln command: parsing what numpy writes, refusing anything else with a kiln::Error, and where
// outputs are saved.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <functional>

#include "kiln/error.h"
#include "npy.h"
#include "npy_bytes.h"
#include "test_util.h"

namespace kiln::test {
namespace {

template <typename T>
std::string payloadOf(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

template <typename T>
std::vector<T> valuesOf(const cli::NpyArray& array) {
  std::vector<T> values(array.bytes.size() / sizeof(T));
  std::memcpy(values.data(), array.bytes.data(), array.bytes.size());
  return values;
}

// Parses a copy of exactly `bytes` (so a read past the end shows under the sanitizers).
cli::NpyArray parse(const std::string& bytes) {
  std::vector<char> exact(bytes.begin(), bytes.end());
  return cli::parseNpy(exact.data(), exact.size(), "test.npy");
}

TEST(NpyFiles, ReadsWhatNumpyWrites) {
  std::vector<float> values{0.5f, -1.0f, 2.0f, 3.5f, 4.0f, -5.25f};
  cli::NpyArray a = parse(npyFileBytes(npyHeader("<f4", "(2, 3)"), payloadOf(values)));
  EXPECT_EQ(a.type, DataType::kFLOAT);
  EXPECT_EQ(toString(a.dims), "2x3");
  EXPECT_EQ(valuesOf<float>(a), values);

  std::vector<int64_t> longs{7, -8, 9};
  cli::NpyArray b = parse(npyFileBytes(npyHeader("<i8", "(3,)"), payloadOf(longs)));
  EXPECT_EQ(b.type, DataType::kINT64);
  EXPECT_EQ(toString(b.dims), "3");
  EXPECT_EQ(valuesOf<int64_t>(b), longs);

  cli::NpyArray scalar = parse(npyFileBytes(npyHeader("<f8", "()"), payloadOf(std::vector<double>{2.25})));
  EXPECT_EQ(scalar.type, DataType::kDOUBLE);
  EXPECT_EQ(scalar.dims.nbDims, 0);
  EXPECT_EQ(valuesOf<double>(scalar), std::vector<double>{2.25});
}

TEST(NpyFiles, ReadsVersions2And3WithTheirFourByteHeaderLength) {
  for (uint8_t major : {2, 3}) {
    cli::NpyArray a = parse(npyFileBytes(npyHeader("<i4", "(2,)"), payloadOf(std::vector<int32_t>{11, 12}), major));
    EXPECT_EQ(toString(a.dims), "2");
    EXPECT_EQ(valuesOf<int32_t>(a), (std::vector<int32_t>{11, 12}));
  }
}

TEST(NpyFiles, ByteTypesTakeEitherByteOrderMarkAndBoolsBecomeZeroOrOne) {
  EXPECT_EQ(parse(npyFileBytes(npyHeader("|u1", "(1,)"), "\x05")).type, DataType::kUINT8);
  EXPECT_EQ(parse(npyFileBytes(npyHeader("<u1", "(1,)"), "\x05")).type, DataType::kUINT8);
  EXPECT_EQ(parse(npyFileBytes(npyHeader("|i1", "(1,)"), "\x05")).type, DataType::kINT8);
  cli::NpyArray flags = parse(npyFileBytes(npyHeader("|b1", "(3,)"), std::string("\x00\x07\x01", 3)));
  EXPECT_EQ(flags.type, DataType::kBOOL);
  EXPECT_EQ(flags.bytes, (std::vector<uint8_t>{0, 1, 1}));
}

TEST(NpyFiles, EmptyArrayHasNoPayload) {
  cli::NpyArray a = parse(npyFileBytes(npyHeader("<f4", "(0, 5)"), ""));
  EXPECT_EQ(toString(a.dims), "0x5");
  EXPECT_TRUE(a.bytes.empty());
}

TEST(NpyFiles, FortranOrderIsTransposedToCOrder) {
  // [[0, 1, 2], [3, 4, 5]] stored column by column.
  cli::NpyArray matrix =
      parse(npyFileBytes(npyHeader("<i4", "(2, 3)", "True"), payloadOf(std::vector<int32_t>{0, 3, 1, 4, 2, 5})));
  EXPECT_EQ(toString(matrix.dims), "2x3");
  EXPECT_EQ(valuesOf<int32_t>(matrix), (std::vector<int32_t>{0, 1, 2, 3, 4, 5}));

  // Rank 3: element (i, j, k) of a 2x3x4 array holds 100i + 10j + k; Fortran order stores i fastest, then j, then k.
  std::vector<int32_t> fortran;
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i) fortran.push_back(100 * i + 10 * j + k);
  std::vector<int32_t> c;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) c.push_back(100 * i + 10 * j + k);
  cli::NpyArray cube = parse(npyFileBytes(npyHeader("<i4", "(2, 3, 4)", "True"), payloadOf(fortran)));
  EXPECT_EQ(valuesOf<int32_t>(cube), c);
}

TEST(NpyFiles, RefusesBadHeadersNamingTheFault) {
  std::string valid = npyFileBytes(npyHeader("<f4", "(2,)"), std::string(8, '\0'));
  std::string version9 = valid;
  version9[6] = 9;
  std::string zeros8(8, '\0');
  // The file's bytes, and a part of the message expected.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not a .npy file"},
      {"\x93NUMPZ\x01\x00\x10\x00", "not a .npy file"},
      {version9, "version 9.0"},
      {std::string("\x93NUMPY\x01\x00\x00\x70{'descr'", 17), "header length 28672 runs past the end"},
      {npyFileBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", zeros8), "expected '}'"},
      {npyFileBytes("[1, 2]", zeros8), "not a dict"},
      {npyFileBytes("{'descr': '<f4', 'shape': (2,)}", zeros8), "no 'fortran_order' key"},
      {npyFileBytes("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", zeros8),
       "'descr' is given twice"},
      {npyFileBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", zeros8), "unknown key 'x'"},
      {npyFileBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} trailing", zeros8), "text after"},
      {npyFileBytes(npyHeader("<f4", "(2,)", "Maybe"), zeros8), "'fortran_order' is not True or False"},
      {npyFileBytes(npyHeader("<f4", "(-2,)"), zeros8), "negative dimension -2"},
      {npyFileBytes(npyHeader("<f4", "(99999999999999999999,)"), zeros8),
       "dimension 99999999999999999999 is too large"},
      {npyFileBytes(npyHeader("<f4", "(9223372036854775807, 2)"), zeros8), "too large (more than 2^63 bytes)"},
      {npyFileBytes(npyHeader("<f4", "(2.0,)"), zeros8), "the shape holds '2.0'"},
      {npyFileBytes(npyHeader("<f4", "(1, 1, 1, 1, 1, 1, 1, 1, 2)"), zeros8), "rank above 8"},
      {npyFileBytes(npyHeader("<f4", "(2 3)"), zeros8), "expected ')' after a dimension"},
      {npyFileBytes(npyHeader(">f4", "(2,)"), zeros8), "big-endian dtype '>f4'"},
      {npyFileBytes(npyHeader("<c8", "(2,)"), zeros8), "unsupported dtype '<c8'"},
      {npyFileBytes(npyHeader("<f4", "(2,)"), std::string(7, '\0')),
       "needs 8 bytes of data but the file holds 7 (truncated)"},
      {npyFileBytes(npyHeader("<f4", "(2,)"), std::string(9, '\0')), "holds 9 (trailing bytes)"},
      {npyFileBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", zeros8), "structured dtypes"},
  };
  for (const auto& c : cases)
    expectRefused(
        "test.npy", [&] { parse(c.first); }, c.second);
}

TEST(NpyFiles, EveryTruncationOfAValidFileIsAKilnError) {
  std::string valid = npyFileBytes(npyHeader("<i2", "(2, 2)"), std::string(8, '\x01'), 2);
  ASSERT_NO_THROW(parse(valid));
  for (size_t size = 0; size < valid.size(); ++size) {
    SCOPED_TRACE(size);
    errorOf([&] { parse(valid.substr(0, size)); }, "a truncated file parsed");
  }
}

TEST(NpyFiles, WrittenArraysReadBack) {
  auto folder = std::filesystem::temp_directory_path() / ("kiln_npy_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  std::vector<uint16_t> values{1, 2, 3, 4, 5, 6};
  cli::NpyArray written{DataType::kUINT16, Dims{3, 1, 2}, {}};
  written.bytes.assign(reinterpret_cast<const uint8_t*>(values.data()),
                       reinterpret_cast<const uint8_t*>(values.data() + values.size()));
  std::string file = (folder / "array.npy").string();
  cli::writeNpy(file, written);
  cli::NpyArray read = cli::readNpy(file);
  EXPECT_EQ(read.type, DataType::kUINT16);
  EXPECT_EQ(toString(read.dims), "3x1x2");
  EXPECT_EQ(valuesOf<uint16_t>(read), values);
  std::filesystem::remove_all(folder);
}

TEST(NpyFiles, FilesThatCannotBeReadAreNamed) {
  auto folder = std::filesystem::temp_directory_path() / ("kiln_npy_dir_" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  auto messageOf = [](const std::function<void()>& read) {
    try {
      read();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  std::string directory = folder.string();
  EXPECT_EQ(messageOf([&] { cli::readNpy(directory); }),
            "i/o error in '" + directory + "': is a directory, not a regular file");
  EXPECT_EQ(messageOf([&] { cli::readNpy(directory + "/missing.npy"); }),
            "i/o error in '" + directory + "/missing.npy': no such file");
  std::filesystem::remove_all(folder);
}

TEST(NpyFiles, OutputFileNamesStayInsideTheChosenFolder) {
  EXPECT_EQ(cli::npyFileName("y"), "y.npy");
  EXPECT_EQ(cli::npyFileName("logits:0"), "logits:0.npy");
  // Names come from the model: separators must not lead out of the folder.
  EXPECT_EQ(cli::npyFileName("../x"), ".._x.npy");
  EXPECT_EQ(cli::npyFileName("/tmp/x"), "_tmp_x.npy");
  EXPECT_EQ(cli::npyFileName("a\\..\\b"), "a_.._b.npy");
  EXPECT_EQ(cli::npyFileName("model/dense/BiasAdd"), "model_dense_BiasAdd.npy");
}

}  // namespace
}  // namespace kiln::test
