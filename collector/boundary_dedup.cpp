#include "collector/boundary_dedup.h"

#include <algorithm>
#include <utility>

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
    dedup.add(entry.timestamp_ns, entry.hash, entry.count);
    dedup.newest_ns_ = std::max(dedup.newest_ns_, entry.timestamp_ns);
  }
  // A file written with a larger cap: apply ours.
  dedup.enforce_cap();
  return dedup;
}

void BoundaryDedup::begin_replay() {
  replay_ = delivered_;
  replay_left_ = replay_.size();
}

bool BoundaryDedup::admit(int64_t timestamp_ns, uint64_t hash) {
  if (replay_left_ > 0) {
    auto it = find_slot(replay_, timestamp_ns, hash);
    if (it != replay_.end() && it->timestamp_ns == timestamp_ns && it->hash == hash && it->count > 0) {
      // Counts, not a set: three identical lines at one nanosecond delivered
      // twice before the reopen means the third is new.
      if (--it->count == 0 && --replay_left_ == 0) replay_.clear();
      ++duplicates_dropped_;
      return false;
    }
  }
  record(timestamp_ns, hash);
  return true;
}

void BoundaryDedup::record(int64_t timestamp_ns, uint64_t hash) {
  // Below the resume point the daemon will not send it again: nothing to match.
  if (since_ns_ != kNone && timestamp_ns < since_ns_) return;
  add(timestamp_ns, hash, 1);
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

std::vector<BoundaryEntry> BoundaryDedup::boundary() const { return {delivered_.begin(), delivered_.end()}; }

BoundaryDedup::Entries::iterator BoundaryDedup::find_slot(Entries& entries, int64_t timestamp_ns, uint64_t hash) {
  // The newest first: where nearly every line goes.
  if (entries.empty() || before(entries.back(), timestamp_ns, hash)) return entries.end();
  return std::lower_bound(entries.begin(), entries.end(), std::make_pair(timestamp_ns, hash),
                          [](const BoundaryEntry& e, const std::pair<int64_t, uint64_t>& key) {
                            return before(e, key.first, key.second);
                          });
}

void BoundaryDedup::add(int64_t timestamp_ns, uint64_t hash, uint32_t count) {
  auto it = find_slot(delivered_, timestamp_ns, hash);
  if (it != delivered_.end() && it->timestamp_ns == timestamp_ns && it->hash == hash) {
    it->count += count;
    return;
  }
  delivered_.insert(it, BoundaryEntry{timestamp_ns, hash, count});
}

void BoundaryDedup::raise_since(int64_t since_ns) {
  if (since_ns <= since_ns_) return;
  since_ns_ = since_ns;
  while (!delivered_.empty() && delivered_.front().timestamp_ns < since_ns) delivered_.pop_front();
}

void BoundaryDedup::enforce_cap() {
  // Forget whole timestamps, oldest first: keeping part of one would break the
  // invariant for the lines dropped from it. The newest is never forgotten.
  while (delivered_.size() > options_.max_entries && delivered_.front().timestamp_ns < newest_ns_)
    raise_since(delivered_.front().timestamp_ns + 1);
}

}  // namespace leakcheck::collector
