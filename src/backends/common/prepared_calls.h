// Library calls prepared once per concrete shape (descriptors, the chosen algorithm) and kept for the next run with
// that shape. Kernels are shared by an engine's contexts, which run concurrently, so the cache is guarded; it is
// bounded (a profile rarely sees more shapes) and restarts when full. Calls are handed out as shared pointers:
// another context may restart the cache while one still uses a call.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>

namespace kiln::backend {

template <typename Key, typename Call>
class PreparedCalls {
 public:
  static constexpr size_t kCapacity = 256;

  // The call prepared for `key`, or the one `prepare()` (returning std::shared_ptr<Call>) makes now. `prepare`
  // runs under the cache's lock; what it throws propagates and nothing is kept.
  template <typename Prepare>
  std::shared_ptr<const Call> get(const Key& key, Prepare prepare) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = calls_.find(key); it != calls_.end()) return it->second;
    if (calls_.size() >= kCapacity) calls_.clear();
    std::shared_ptr<const Call> call = prepare();
    calls_.emplace(key, call);
    return call;
  }

 private:
  std::mutex mutex_;
  std::map<Key, std::shared_ptr<const Call>> calls_;
};

}  // namespace kiln::backend
