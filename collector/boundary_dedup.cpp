#include "collector/boundary_dedup.h"

#include <algorithm>

namespace leakcheck::collector {

uint64_t line_hash(LogStream stream, std::string_view text) {
  constexpr uint64_t kOffsetBasis = 14695981039346656037ull;
  constexpr uint64_t kPrime = 1099511628211ull;
  uint64_t hash = (kOffsetBasis ^ static_cast<uint8_t>(stream)) * kPrime;
  for (char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * kPrime;
  return hash;
}

BoundaryDedup BoundaryDedup::restore(int64_t since_ns, std::span<const BoundaryEntry> boundary,
                                     BoundaryDedupOptions options) {
  BoundaryDedup dedup(options);
  dedup.since_ns_ = since_ns;
  dedup.newest_ns_ = since_ns;
  for (const BoundaryEntry& entry : boundary) {
    if (entry.timestamp_ns < since_ns || entry.count == 0) continue;  // would never match
    dedup.delivered_[{entry.timestamp_ns, entry.hash}] += entry.count;
    dedup.newest_ns_ = std::max(dedup.newest_ns_, entry.timestamp_ns);
  }
  // A file written with a larger cap: apply ours.
  dedup.enforce_cap();
  return dedup;
}

void BoundaryDedup::begin_replay() { replay_ = delivered_; }

bool BoundaryDedup::admit(int64_t timestamp_ns, uint64_t hash) {
  auto it = replay_.find({timestamp_ns, hash});
  if (it != replay_.end()) {
    // Counts, not a set: three identical lines at one nanosecond delivered
    // twice before the reopen means the third is new.
    if (--it->second == 0) replay_.erase(it);
    ++duplicates_dropped_;
    return false;
  }
  record(timestamp_ns, hash);
  return true;
}

void BoundaryDedup::record(int64_t timestamp_ns, uint64_t hash) {
  // Below the resume point the daemon will not send it again: nothing to match.
  if (since_ns_ != kNone && timestamp_ns < since_ns_) return;
  ++delivered_[{timestamp_ns, hash}];
  if (timestamp_ns > newest_ns_) {
    newest_ns_ = timestamp_ns;
    int64_t window_start_ns = kNone;
    if (__builtin_sub_overflow(newest_ns_, options_.reorder_window_ns, &window_start_ns))
      window_start_ns = kNone;
    raise_since(window_start_ns);
  }
  enforce_cap();
}

std::optional<int64_t> BoundaryDedup::resume_since_ns() const {
  if (since_ns_ == kNone) return std::nullopt;
  return since_ns_;
}

std::vector<BoundaryEntry> BoundaryDedup::boundary() const {
  std::vector<BoundaryEntry> entries;
  entries.reserve(delivered_.size());
  for (const auto& [key, count] : delivered_) entries.push_back({key.timestamp_ns, key.hash, count});
  return entries;
}

void BoundaryDedup::raise_since(int64_t since_ns) {
  if (since_ns <= since_ns_) return;
  since_ns_ = since_ns;
  delivered_.erase(delivered_.begin(), delivered_.lower_bound({since_ns, 0}));
}

void BoundaryDedup::enforce_cap() {
  // Forget whole timestamps, oldest first: keeping part of one would break the
  // invariant for the lines dropped from it. The newest is never forgotten.
  while (delivered_.size() > options_.max_entries && delivered_.begin()->first.timestamp_ns < newest_ns_)
    raise_since(delivered_.begin()->first.timestamp_ns + 1);
}

}  // namespace leakcheck::collector
