#pragma once
// Dropping the lines a reopened log stream sends again.
//
// A rotation closes a container's follow stream and reopens it with
// since=<resume point>. `since` is inclusive, and the daemon filters message by
// message, so every line with a timestamp >= since comes again. Filtering on
// "timestamp > cursor" would be wrong twice over: stdout and stderr are not
// ordered with each other, so a line of one stream can carry the cursor's
// timestamp (or, written a few microseconds late, an earlier one) and not have
// been read yet; and two distinct lines can carry the same nanosecond.
//
// So, per container, this remembers every delivered line at or after the
// resume point as (timestamp, hash of stream and text) with a count, and after
// a reopen drops an incoming line while an equal delivered one is still
// unmatched. The resume point trails the newest delivered timestamp by
// `reorder_window_ns`, so a line timestamped just before a line of the other
// stream but stored after it is sent again too.
//
// Guarantee: after a reopen with since=resume_since_ns(), each delivered
// (timestamp, hash) is dropped as many times as it was delivered, no more, and
// every other line passes, byte-identical lines at the same nanosecond beyond
// that count included.
// Limits: a line timestamped below the resume point that had not been read when
// the stream closed is not sent again (the reordering outlasted the window, or
// the smaller window left under max_entries pressure); a new line whose 64-bit
// hash collides with a delivered one at the same nanosecond is dropped (odds
// about n²/2⁶⁴ for n lines at one timestamp).
//
// "Delivered" means what the caller passed to admit() or record(): lines handed
// to the sink for the in-process rotations, lines the sink acknowledged for the
// state that is persisted (see cursor_store.h).

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "collector/log_stream.h"

namespace leakcheck::collector {

// FNV-1a 64 of the stream number then the text. Stable across builds and
// machines, unlike std::hash: the hashes are persisted in cursor files.
uint64_t line_hash(LogStream stream, std::string_view text);

// `count` delivered lines had this timestamp and hash.
struct BoundaryEntry {
  int64_t timestamp_ns = 0;
  uint64_t hash = 0;
  uint32_t count = 0;

  bool operator==(const BoundaryEntry&) const = default;
};

struct BoundaryDedupOptions {
  // How far before the newest delivered line the resume point stays. Docker
  // timestamps a line when its copier reads it, per stream, and then writes it
  // under a lock shared with the other stream, so the log can hold stdout and
  // stderr lines out of timestamp order by a scheduling delay.
  int64_t reorder_window_ns = 1'000'000'000;
  // Distinct (timestamp, hash) pairs remembered at most. Past it the oldest
  // timestamps are forgotten and the resume point moves up past them, which
  // shortens the window; the lines at the newest timestamp are always kept.
  size_t max_entries = 4096;
};

class BoundaryDedup {
 public:
  explicit BoundaryDedup(BoundaryDedupOptions options = {}) : options_(options) {}

  // State persisted by a previous run: the resume point and the entries at or
  // after it (as boundary() returned them).
  static BoundaryDedup restore(int64_t since_ns, std::span<const BoundaryEntry> boundary,
                               BoundaryDedupOptions options = {});

  // The stream is being (re)opened with since=resume_since_ns(): from now on
  // drop what was delivered at or after it.
  void begin_replay();

  // A line read from the stream. False: it was delivered before the reopen,
  // drop it (counted). True: deliver it; it is remembered.
  bool admit(int64_t timestamp_ns, uint64_t hash);

  // Remembers a delivered line without filtering (e.g. to keep a copy that
  // follows only the lines the sink acknowledged, the one to persist).
  void record(int64_t timestamp_ns, uint64_t hash);

  // The `since` to reopen with; none until a line was delivered or restored.
  std::optional<int64_t> resume_since_ns() const;

  // What to persist with the resume point, sorted by timestamp then hash.
  std::vector<BoundaryEntry> boundary() const;

  size_t entry_count() const { return delivered_.size(); }
  uint64_t duplicates_dropped() const { return duplicates_dropped_; }

 private:
  static constexpr int64_t kNone = INT64_MIN;
  // Sorted by (timestamp, hash), one entry per pair. A deque, not a map: a
  // line's timestamp is nearly always the newest, so entries are added at
  // the back (or a few places before it, stdout and stderr interleaving) and
  // forgotten at the front, with no allocation per line.
  using Entries = std::deque<BoundaryEntry>;

  static bool before(const BoundaryEntry& e, int64_t timestamp_ns, uint64_t hash) {
    return e.timestamp_ns < timestamp_ns || (e.timestamp_ns == timestamp_ns && e.hash < hash);
  }
  // The entry for (timestamp, hash) or where it would go.
  static Entries::iterator find_slot(Entries& entries, int64_t timestamp_ns, uint64_t hash);
  void add(int64_t timestamp_ns, uint64_t hash, uint32_t count);
  void raise_since(int64_t since_ns);
  void enforce_cap();

  BoundaryDedupOptions options_;
  // Invariant: every line delivered with timestamp >= since_ns_ is counted here.
  Entries delivered_;
  // What the reopened stream has still to send again: counts left to drop
  // (entries at 0 are used up), and how many are not used up yet.
  Entries replay_;
  size_t replay_left_ = 0;
  int64_t since_ns_ = kNone;
  int64_t newest_ns_ = kNone;
  uint64_t duplicates_dropped_ = 0;
};

}  // namespace leakcheck::collector
