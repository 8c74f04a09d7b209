// .npy file bytes made by hand for the tests: valid files as numpy writes them, and the pieces to damage them.
#pragma once

#include <cstdint>
#include <string>

namespace kiln::test {

// Magic, version major.0, the header length (2 bytes for version 1, 4 after), the header padded with spaces to a
// multiple of 64 bytes and ended by a newline, then `payload`.
inline std::string npyFileBytes(const std::string& header, const std::string& payload, uint8_t major = 1) {
  size_t lengthBytes = major == 1 ? 2 : 4;
  std::string padded = header;
  while ((8 + lengthBytes + padded.size() + 1) % 64 != 0) padded += ' ';
  padded += '\n';
  std::string bytes("\x93NUMPY", 6);
  bytes += static_cast<char>(major);
  bytes += '\0';
  for (size_t i = 0; i < lengthBytes; ++i) bytes += static_cast<char>((padded.size() >> (8 * i)) & 0xff);
  return bytes + padded + payload;
}

// The header dict numpy writes: npyHeader("<f4", "(2, 3)") is "{'descr': '<f4', 'fortran_order': False, ...}".
inline std::string npyHeader(const std::string& descr, const std::string& shape,
                             const std::string& fortranOrder = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortranOrder + ", 'shape': " + shape + ", }";
}

}  // namespace kiln::test
