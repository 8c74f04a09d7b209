// Tactic timings kept across builds (TensorRT's timing cache): a build that finds a layer's timing here reuses the
// winner instead of timing the candidates again, so rebuilding an engine (other profiles, other flags, a new model
// sharing layers) skips the slow part of a build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kiln {

// A set of tactic timings keyed by layer and target; a value type the caller owns, saves and loads
// (BuilderConfig::setTimingCache).
class TimingCache {
 public:
  // The fastest tactic for one layer at one set of concrete shapes on one target.
  struct Entry {
    std::string tacticName;     // the implementation's name, for humans
    std::string tacticData;     // the backend's opaque bytes
    double milliseconds = 0.0;  // its median time
    // Same tactic and time.
    bool operator==(const Entry&) const = default;
  };

  // An empty cache.
  TimingCache();
  // Frees the entries.
  ~TimingCache();
  // A copy of the entries and statistics of `other`.
  TimingCache(const TimingCache& other);
  // Replaces the entries and statistics with those of `other`.
  TimingCache& operator=(const TimingCache& other);
  // Takes the entries and statistics of `other`, which is left empty.
  TimingCache(TimingCache&& other);
  // Takes the entries and statistics of `other`, which is left valid but unspecified.
  TimingCache& operator=(TimingCache&& other);

  // Reads bytes written by serialize(). Throws kiln::Error (kINVALID_ARGUMENT, naming the timing cache and the line)
  // for bytes that are not a timing cache.
  static TimingCache deserialize(const void* data, size_t size);
  // A text form: a header line, then one tab-separated line per entry (key, tactic name, hex bytes, milliseconds).
  std::vector<uint8_t> serialize() const;

  // Keys describe the layer (type, attributes, types and concrete shapes) and the target (backend, device, library
  // versions), so entries made on another GPU or with other libraries are never used by mistake.
  // The entry for `key`; nullptr when there is none. The pointer is valid until the cache changes.
  const Entry* find(const std::string& key) const;
  // Adds or replaces the entry for `key` (tabs and line breaks in the key and name become spaces).
  void insert(const std::string& key, Entry entry);
  // Adds the entries of `other` that this cache lacks.
  void combine(const TimingCache& other);
  // The number of entries.
  size_t size() const;

  // What the last build that used this cache did: timings found here, timings made (and added).
  int64_t hits() const { return hits_; }
  // Timings the builder made and added since the last resetStatistics.
  int64_t misses() const { return misses_; }
  // Sets hits and misses to 0 (the builder does so as a build starts).
  void resetStatistics() { hits_ = misses_ = 0; }
  // Counts a hit; called by the builder.
  void recordHit() { ++hits_; }
  // Counts a miss; called by the builder.
  void recordMiss() { ++misses_; }

 private:
  struct Impl;  // the entries by key
  std::unique_ptr<Impl> impl_;
  int64_t hits_ = 0;
  int64_t misses_ = 0;
};

}  // namespace kiln
