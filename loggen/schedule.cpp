#include "loggen/schedule.h"

#include <cmath>

namespace leakcheck::loggen {

namespace {

// splitmix64's output function (Steele, Lea, Flood 2014): the k-th output of
// the generator seeded with s is mix64(s + k * kGolden).
constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Offset of line `index` of a rate: floor(index * period / lines), split into
// whole periods and a remainder so it stays in 64 bits (flags bound
// lines * period below 2^63).
Nanos rate_offset(const Rate& rate, uint64_t index) {
  auto period = static_cast<uint64_t>(rate.period.count());
  uint64_t whole = index / rate.lines;
  uint64_t rest = index % rate.lines;
  return Nanos(static_cast<int64_t>(whole * period + rest * period / rate.lines));
}

}  // namespace

Stream stream_for(uint64_t seed, uint64_t seq, double stderr_share) {
  if (!(stderr_share > 0)) return Stream::out;
  if (stderr_share >= 1) return Stream::err;
  // Exact: scaling a double by a power of two loses nothing, and the product is below 2^64.
  auto threshold = static_cast<uint64_t>(std::ldexp(stderr_share, 64));
  return mix64(seed + (seq + 1) * kGolden) < threshold ? Stream::err : Stream::out;
}

size_t size_for(const Profile& profile, uint64_t seq) {
  bool long_line = profile.long_every > 0 && seq % profile.long_every == profile.long_every - 1;
  return long_line ? profile.long_size_bytes : profile.size_bytes;
}

std::optional<Nanos> Schedule::steady_offset() const {
  if (!profile_.steady) return std::nullopt;
  return profile_.idle_first + rate_offset(*profile_.steady, steady_index_);
}

std::optional<Nanos> Schedule::burst_offset() const {
  if (!profile_.burst) return std::nullopt;
  // All lines of burst j share its start.
  return profile_.idle_first + profile_.burst->period * static_cast<int64_t>(burst_index_ / profile_.burst->lines);
}

std::optional<Event> Schedule::next() {
  if (profile_.count && next_seq_ >= *profile_.count) return std::nullopt;

  // The earlier of the two sources; both only move forward, so once the
  // earlier is past a limit, every later line is too.
  auto steady = steady_offset();
  auto burst = burst_offset();
  if (!steady && !burst) return std::nullopt;
  bool take_steady = steady && (!burst || *steady <= *burst);
  Nanos offset = take_steady ? *steady : *burst;
  if (profile_.idle_after && offset - profile_.idle_first >= *profile_.idle_after) return std::nullopt;
  if (profile_.duration && offset >= *profile_.duration) return std::nullopt;

  if (take_steady)
    ++steady_index_;
  else
    ++burst_index_;
  uint64_t seq = next_seq_++;
  return Event{offset, seq, stream_for(profile_.seed, seq, profile_.stderr_share), size_for(profile_, seq)};
}

}  // namespace leakcheck::loggen
