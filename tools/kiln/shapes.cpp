#include "shapes.h"

#include <sstream>

#include "kiln/error.h"

namespace kiln::cli {

namespace {

// Splits "a:b,c:d" into pairs at the last ':' of each item (tensor names may contain ':').
std::map<std::string, std::string> namedItems(const std::string& text, const std::string& flag) {
  std::map<std::string, std::string> items;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    size_t colon = item.rfind(':');
    if (colon == std::string::npos || colon == 0)
      throw Error(ErrorCode::kINVALID_ARGUMENT, "'" + item + "' is not of the form name:value", flag);
    items[item.substr(0, colon)] = item.substr(colon + 1);
  }
  return items;
}

}  // namespace

std::map<std::string, Dims> parseShapes(const std::string& text, const std::string& flag) {
  std::map<std::string, Dims> shapes;
  for (const auto& [name, value] : namedItems(text, flag)) {
    Dims dims;
    std::stringstream ss(value);
    std::string part;
    while (std::getline(ss, part, 'x')) {
      if (dims.nbDims >= Dims::MAX_DIMS)
        throw Error(ErrorCode::kINVALID_ARGUMENT, "shape of '" + name + "' has more than 8 dimensions", flag);
      size_t used = 0;
      long long v = -1;
      try {
        v = std::stoll(part, &used);
      } catch (const std::exception&) {
      }
      if (used != part.size() || v < 0)
        throw Error(ErrorCode::kINVALID_ARGUMENT,
                    "'" + value + "' is not a shape like 1x3x224x224 (input '" + name + "')", flag);
      dims.d[dims.nbDims++] = v;
    }
    shapes[name] = dims;
  }
  return shapes;
}

std::map<std::string, std::string> parseNamedPaths(const std::string& text, const std::string& flag) {
  return namedItems(text, flag);
}

}  // namespace kiln::cli
