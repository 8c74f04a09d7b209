#include "ops/attrs.h"

#include <sstream>

namespace kiln::ops {

int64_t Attrs::getInt(const std::string& key, int64_t fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  if (auto v = std::get_if<int64_t>(&it->second)) return *v;
  if (auto v = std::get_if<double>(&it->second)) return static_cast<int64_t>(*v);
  return fallback;
}

double Attrs::getFloat(const std::string& key, double fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  if (auto v = std::get_if<double>(&it->second)) return *v;
  if (auto v = std::get_if<int64_t>(&it->second)) return static_cast<double>(*v);
  return fallback;
}

std::vector<int64_t> Attrs::getInts(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return {};
  if (auto v = std::get_if<std::vector<int64_t>>(&it->second)) return *v;
  return {};
}

std::vector<double> Attrs::getFloats(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return {};
  if (auto v = std::get_if<std::vector<double>>(&it->second)) return *v;
  return {};
}

std::string Attrs::getString(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return {};
  if (auto v = std::get_if<std::string>(&it->second)) return *v;
  return {};
}

ExprList Attrs::getExprs(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return {};
  if (auto v = std::get_if<ExprList>(&it->second)) return *v;
  return {};
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
            s << v;
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
