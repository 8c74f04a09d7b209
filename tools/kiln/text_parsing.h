// Small pieces shared by the parsers of user text (shape arguments, .npy headers): strict decimal numbers, and user
// text made safe to quote in a one-line error message.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace kiln::cli {

enum class DecimalStatus { kOK, kNOT_A_NUMBER, kTOO_LARGE };

struct Decimal {
  DecimalStatus status = DecimalStatus::kNOT_A_NUMBER;
  int64_t value = 0;
};

// Decimal digits only (no sign, no spaces) up to INT64_MAX; kTOO_LARGE beyond, without overflowing.
inline Decimal parseNonNegativeDecimal(std::string_view text) {
  if (text.empty()) return {};
  int64_t value = 0;
  for (char c : text)
    if (c < '0' || c > '9') return {};
  for (char c : text) {
    int64_t digit = c - '0';
    if (value > (std::numeric_limits<int64_t>::max() - digit) / 10) return {DecimalStatus::kTOO_LARGE, 0};
    value = value * 10 + digit;
  }
  return {DecimalStatus::kOK, value};
}

// `text` with control bytes shown as '?' and cut to `limit` characters ("..." marks the cut), so that quoting user
// input keeps a message on one short line.
inline std::string forMessage(std::string_view text, size_t limit = 60) {
  std::string shown;
  for (char c : text.substr(0, limit)) shown += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  if (text.size() > limit) shown += "...";
  return shown;
}

// forMessage in single quotes (built by appending: "'" + text trips GCC 12's -Wrestrict false positive).
inline std::string quotedForMessage(std::string_view text, size_t limit = 60) {
  std::string quoted(1, '\'');
  quoted += forMessage(text, limit);
  quoted += '\'';
  return quoted;
}

}  // namespace kiln::cli
