#include "shapes.h"

#include <string_view>

#include "kiln/error.h"
#include "text_parsing.h"

namespace kiln::cli {

namespace {

[[noreturn]] void fail(const std::string& flag, const std::string& message) {
  throw Error(ErrorCode::kINVALID_ARGUMENT, message, flag);
}

// Splits "a:b,c:d" into pairs at the last ':' of each item (tensor names may contain ':').
std::map<std::string, std::string> namedItems(const std::string& text, const std::string& flag) {
  std::map<std::string, std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    size_t colon = item.rfind(':');
    if (colon == std::string::npos || colon == 0) fail(flag, quotedForMessage(item) + " is not of the form name:value");
    std::string name = item.substr(0, colon);
    if (!items.emplace(name, item.substr(colon + 1)).second)
      fail(flag, "input " + quotedForMessage(name) + " is given twice");
  }
  return items;
}

Dims parseDims(const std::string& value, const std::string& name, const std::string& flag) {
  Dims dims;
  if (value.empty()) return dims;  // "name:" is a scalar
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find('x', start);
    if (end == std::string::npos) end = value.size();
    std::string_view part = std::string_view(value).substr(start, end - start);
    start = end + 1;
    if (dims.nbDims == Dims::MAX_DIMS)
      fail(flag, "the shape of input " + quotedForMessage(name) + " has more than " + std::to_string(Dims::MAX_DIMS) +
                     " dimensions");
    Decimal number = parseNonNegativeDecimal(part);
    if (number.status == DecimalStatus::kTOO_LARGE)
      fail(flag, "dimension " + forMessage(part) + " of input " + quotedForMessage(name) + " is too large");
    if (number.status != DecimalStatus::kOK)
      fail(flag, quotedForMessage(value) + " is not a shape like 1x3x224x224 (input " + quotedForMessage(name) + ")");
    dims.d[dims.nbDims++] = number.value;
  }
  return dims;
}

}  // namespace

std::map<std::string, Dims> parseShapes(const std::string& text, const std::string& flag) {
  std::map<std::string, Dims> shapes;
  for (const auto& [name, value] : namedItems(text, flag)) shapes[name] = parseDims(value, name, flag);
  return shapes;
}

std::map<std::string, std::string> parseNamedPaths(const std::string& text, const std::string& flag) {
  auto paths = namedItems(text, flag);
  for (const auto& [name, path] : paths)
    if (path.empty()) fail(flag, "input " + quotedForMessage(name) + " is given no file");
  return paths;
}

}  // namespace kiln::cli
