// Layer attributes: a small typed key/value map, serialized into plans as is.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "core/symbolic.h"

namespace kiln::ops {

// Expressions evaluated at run time (slice starts of a dynamic slice, a global pooling window, ...).
struct ExprList {
  std::vector<core::ExprId> ids;
  bool operator==(const ExprList&) const = default;
};

using AttrValue = std::variant<int64_t, double, std::vector<int64_t>, std::vector<double>, std::string, ExprList>;

class Attrs {
 public:
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  void set(const std::string& key, AttrValue value) { values_[key] = std::move(value); }
  void erase(const std::string& key) { values_.erase(key); }

  int64_t getInt(const std::string& key, int64_t fallback = 0) const;
  double getFloat(const std::string& key, double fallback = 0.0) const;
  std::vector<int64_t> getInts(const std::string& key) const;
  std::vector<double> getFloats(const std::string& key) const;
  std::string getString(const std::string& key) const;
  ExprList getExprs(const std::string& key) const;

  const std::map<std::string, AttrValue>& values() const { return values_; }
  // "key=value key=[1,2]" for inspection.
  std::string toString() const;
  bool operator==(const Attrs&) const = default;

 private:
  std::map<std::string, AttrValue> values_;
};

}  // namespace kiln::ops
