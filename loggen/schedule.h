#pragma once
// When loggen writes which line: a profile in, the sequence of (time offset,
// seq, stream, size) out. Pure and deterministic from the profile and its
// seed, so tests and the harness can compute what a container writes.

#include <cstddef>
#include <cstdint>
#include <optional>

#include "loggen/line_format.h"
#include "loggen/pathological.h"
#include "util/duration.h"

namespace leakcheck::loggen {

// `lines` per `period`: 50/1s, 1/10s, 500/5s.
struct Rate {
  uint64_t lines = 0;
  Nanos period{0};
};

inline constexpr size_t kMaxLineBytes = 1024 * 1024;

struct Profile {
  // Steady: line k at idle_first + floor(k * period / lines). Offsets are
  // computed from k, never by adding intervals, so they do not drift.
  std::optional<Rate> steady;
  // Burst: `lines` lines back to back at idle_first + j * period, j = 0, 1, ...
  // With steady too, the two are merged in time order (steady first on a tie).
  std::optional<Rate> burst;
  Nanos idle_first{0};                // silent from the start for this long
  std::optional<Nanos> idle_after;    // after writing this long, silent for ever
  std::optional<Nanos> duration;      // the process exits this long after its start
  std::optional<uint64_t> count;      // the process exits after this many lines
  double stderr_share = 0;            // 0..1, the fraction of lines written to fd 2
  size_t size_bytes = 100;            // line length without '\n'
  uint64_t long_every = 0;            // every long_every-th line (seq % k == k - 1) is long; 0: none
  size_t long_size_bytes = 40000;
  uint64_t seed = 0;
  // pathological: what each line holds (loggen/pathological.h); size_bytes
  // and long_every then have no effect.
  Content content = Content::normal;
};

struct Event {
  Nanos offset{0};  // since the process started
  uint64_t seq = 0;
  Stream stream = Stream::out;
  size_t size_bytes = 0;

  bool operator==(const Event&) const = default;
};

// The stream of line `seq`: stderr with probability stderr_share, decided by
// the (seq+1)-th output of splitmix64 seeded with `seed` being below
// stderr_share * 2^64. A function of (seed, seq) alone, so a reader can check
// any single line without replaying the schedule.
Stream stream_for(uint64_t seed, uint64_t seq, double stderr_share);

// The requested size of line `seq` (line_length may raise it to the header's).
size_t size_for(const Profile& profile, uint64_t seq);

class Schedule {
 public:
  explicit Schedule(const Profile& profile) : profile_(profile) {}

  // The next line to write, in time order; nullopt once no line will ever
  // come (count reached, past idle_after or duration, or nothing scheduled).
  std::optional<Event> next();

  // Lines returned by next() so far.
  uint64_t emitted() const { return next_seq_; }

 private:
  std::optional<Nanos> steady_offset() const;
  std::optional<Nanos> burst_offset() const;

  Profile profile_;
  uint64_t steady_index_ = 0;
  uint64_t burst_index_ = 0;  // lines of all bursts so far
  uint64_t next_seq_ = 0;
};

}  // namespace leakcheck::loggen
