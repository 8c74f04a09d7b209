// Tactic timings kept across builds (TensorRT's timing cache): a build that finds a layer's timing here reuses the
// winner instead of timing the candidates again, so rebuilding an engine (other profiles, other flags, a new model
// sharing layers) skips the slow part of a build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kiln {

class TimingCache {
 public:
  // The fastest tactic for one layer at one set of concrete shapes on one target.
  struct Entry {
    std::string tacticName;
    std::string tacticData;  // the backend's opaque bytes
    double milliseconds = 0.0;
    bool operator==(const Entry&) const = default;
  };

  TimingCache() = default;
  // Reads bytes written by serialize(). Throws kiln::Error (kINVALID_ARGUMENT, naming the timing cache and the line)
  // for bytes that are not a timing cache.
  static TimingCache deserialize(const void* data, size_t size);
  // A text form: a header line, then one tab-separated line per entry (key, tactic name, hex bytes, milliseconds).
  std::vector<uint8_t> serialize() const;

  // Keys describe the layer (type, attributes, types and concrete shapes) and the target (backend, device, library
  // versions), so entries made on another GPU or with other libraries are never used by mistake.
  const Entry* find(const std::string& key) const;
  void insert(const std::string& key, Entry entry);
  // Adds the entries of `other` that this cache lacks.
  void combine(const TimingCache& other);
  size_t size() const { return entries_.size(); }

  // What the last build that used this cache did: timings found here, timings made (and added).
  int64_t hits() const { return hits_; }
  int64_t misses() const { return misses_; }
  void resetStatistics() { hits_ = misses_ = 0; }
  void recordHit() { ++hits_; }
  void recordMiss() { ++misses_; }

 private:
  std::map<std::string, Entry> entries_;
  int64_t hits_ = 0;
  int64_t misses_ = 0;
};

}  // namespace kiln
