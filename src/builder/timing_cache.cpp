// TimingCache: a map from layer keys to the fastest tactic, stored as text so a user can read (and diff) it.
#include "kiln/timing_cache.h"

#include <cstdio>
#include <map>
#include <sstream>

#include "kiln/error.h"

namespace kiln {

namespace {

constexpr char kHeader[] = "kiln timing cache 1";

// Keys and names are single fields of a tab-separated line.
std::string field(std::string s) {
  for (char& c : s)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return s;
}

std::string toHex(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

[[noreturn]] void malformed(size_t line, const std::string& why) {
  throw Error(ErrorCode::kINVALID_ARGUMENT, "line " + std::to_string(line) + ": " + why, "timing cache");
}

}  // namespace

struct TimingCache::Impl {
  std::map<std::string, Entry> entries;
};

TimingCache::TimingCache() : impl_(std::make_unique<Impl>()) {}
TimingCache::~TimingCache() = default;
TimingCache::TimingCache(const TimingCache& other)
    : impl_(std::make_unique<Impl>(*other.impl_)), hits_(other.hits_), misses_(other.misses_) {}
TimingCache& TimingCache::operator=(const TimingCache& other) {
  *impl_ = *other.impl_;
  hits_ = other.hits_;
  misses_ = other.misses_;
  return *this;
}
// A moved-from cache stays usable (the move constructor leaves it empty).
TimingCache::TimingCache(TimingCache&& other) : TimingCache() { *this = std::move(other); }
TimingCache& TimingCache::operator=(TimingCache&& other) {
  std::swap(impl_, other.impl_);
  std::swap(hits_, other.hits_);
  std::swap(misses_, other.misses_);
  return *this;
}

size_t TimingCache::size() const { return impl_->entries.size(); }

TimingCache TimingCache::deserialize(const void* data, size_t size) {
  TimingCache cache;
  std::istringstream in(std::string(static_cast<const char*>(data), size));
  std::string line;
  if (!std::getline(in, line) || line != kHeader)
    malformed(1, "not a kiln timing cache (the first line must be '" + std::string(kHeader) + "')");
  for (size_t number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    std::vector<std::string> fields;
    for (size_t start = 0;;) {
      size_t tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    if (fields.size() != 4)
      malformed(number, "expected 4 tab-separated fields, found " + std::to_string(fields.size()));
    const std::string& hex = fields[2];
    if (hex.size() % 2) malformed(number, "the tactic bytes have an odd number of hex digits");
    Entry entry;
    entry.tacticName = fields[1];
    for (size_t i = 0; i < hex.size(); i += 2) {
      int hi = hexDigit(hex[i]), lo = hexDigit(hex[i + 1]);
      if (hi < 0 || lo < 0) malformed(number, "the tactic bytes are not lowercase hex");
      entry.tacticData += static_cast<char>(hi * 16 + lo);
    }
    char* end = nullptr;
    entry.milliseconds = std::strtod(fields[3].c_str(), &end);
    if (fields[3].empty() || *end != '\0' || !(entry.milliseconds >= 0))
      malformed(number, "'" + fields[3] + "' is not a time in milliseconds");
    if (fields[0].empty()) malformed(number, "an empty key");
    cache.impl_->entries[fields[0]] = std::move(entry);
  }
  return cache;
}

std::vector<uint8_t> TimingCache::serialize() const {
  std::string out = std::string(kHeader) + "\n";
  char ms[32];
  for (const auto& [key, entry] : impl_->entries) {
    std::snprintf(ms, sizeof ms, "%.6g", entry.milliseconds);
    out += key + "\t" + entry.tacticName + "\t" + toHex(entry.tacticData) + "\t" + ms + "\n";
  }
  return {out.begin(), out.end()};
}

const TimingCache::Entry* TimingCache::find(const std::string& key) const {
  auto it = impl_->entries.find(field(key));
  return it == impl_->entries.end() ? nullptr : &it->second;
}

void TimingCache::insert(const std::string& key, Entry entry) {
  entry.tacticName = field(entry.tacticName);
  impl_->entries[field(key)] = std::move(entry);
}

void TimingCache::combine(const TimingCache& other) {
  for (const auto& [key, entry] : other.impl_->entries) impl_->entries.emplace(key, entry);
}

}  // namespace kiln
