#include "ops/attrs.h"

#include <iterator>
#include <sstream>

namespace kiln::ops {

namespace {

// What each alternative of AttrValue holds, in its order, for errors.
const char* heldTypeName(size_t index) {
  static constexpr const char* kNames[] = {"an integer",   "a float",  "an integer list",
                                           "a float list", "a string", "an expression list"};
  static_assert(std::size(kNames) == std::variant_size_v<AttrValue>);
  return kNames[index];
}

}  // namespace

const AttrValue* Attrs::lookup(std::string_view key) const {
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

void Attrs::missing(const char* key, bool required, const OpRef& op) {
  throw Error(
      op.code,
      std::string(layerTypeName(op.type)) + ": " + (required ? "required " : "") + "attribute '" + key + "' is missing",
      std::string(op.name));
}

void Attrs::mistyped(const char* key, const AttrValue& held, size_t wantedIndex, const OpRef& op) {
  throw Error(op.code,
              std::string(layerTypeName(op.type)) + ": attribute '" + key + "' holds " + heldTypeName(held.index()) +
                  ", not " + heldTypeName(wantedIndex),
              std::string(op.name));
}

void Attrs::merge(const Attrs& other) {
  for (const auto& [key, value] : other.values_) values_.insert_or_assign(key, value);
}

std::string Attrs::toString() const {
  std::ostringstream s;
  bool first = true;
  for (const auto& [key, value] : values_) {
    s << (first ? "" : " ") << key << "=";
    first = false;
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, double>) {
            s << v;
          } else if constexpr (std::is_same_v<T, std::string>) {
            // Bytes that are no printable text (a plugin's encoded fields) are shown as \xNN.
            for (unsigned char c : v) {
              if (c >= 0x20 && c < 0x7f) {
                s << static_cast<char>(c);
              } else {
                static constexpr char kHex[] = "0123456789abcdef";
                s << "\\x" << kHex[c >> 4] << kHex[c & 15];
              }
            }
          } else if constexpr (std::is_same_v<T, ExprList>) {
            s << "<" << v.ids.size() << " exprs>";
          } else {
            s << "[";
            for (size_t i = 0; i < v.size(); ++i) s << (i ? "," : "") << v[i];
            s << "]";
          }
        },
        value);
  }
  return s.str();
}

}  // namespace kiln::ops
