// A table indexed by LayerType, filled once at start-up (the op table, each backend's kernel table).
#pragma once

#include <optional>
#include <vector>

#include "kiln/layers.h"

namespace kiln::core {

template <typename T>
class LayerTypeTable {
 public:
  void add(LayerType type, T entry) {
    size_t index = static_cast<size_t>(type);
    if (entries_.size() <= index) entries_.resize(index + 1);
    entries_[index] = std::move(entry);
  }
  // nullptr when nothing is registered for `type`.
  const T* find(LayerType type) const {
    size_t index = static_cast<size_t>(type);
    if (index >= entries_.size() || !entries_[index]) return nullptr;
    return &*entries_[index];
  }

 private:
  std::vector<std::optional<T>> entries_;
};

}  // namespace kiln::core
