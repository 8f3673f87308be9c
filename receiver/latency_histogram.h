#pragma once
// Latencies in ns, kept in log-scale buckets (HDR-style) so that percentiles
// need bounded memory whatever the number of lines.
//
// Precision: values below 128 ns are exact; above, each power of two is cut
// into 64 equal buckets, and a percentile is reported as its bucket's middle,
// clamped to the exact min and max seen. The error is at most half a bucket,
// 1/128 of the value: under 0.79 %. max() and min() are exact.
//
// Memory: only buckets that hold a value are stored, 16 bytes each, at most
// kBucketCount (3712, so 58 KiB) per histogram; a container whose latencies
// span 1 ms to 10 s touches at most 14 * 64 of them.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace leakcheck::receiver {

class LatencyHistogram {
 public:
  static constexpr uint32_t kBucketCount = 128 + 56 * 64;  // values below 2^63

  // A negative latency (a clock step, or a line stamped in the future) is
  // counted as 0 and in negatives().
  void add(int64_t latency_ns);

  uint64_t count() const { return count_; }
  uint64_t negatives() const { return negatives_; }
  int64_t min() const { return min_; }  // 0 when empty
  int64_t max() const { return max_; }  // 0 when empty

  // The nearest-rank percentile, p in (0, 100]: the value at rank
  // ceil(p / 100 * count), within the precision above. 0 when empty.
  int64_t percentile(double p) const;

  size_t memory_bytes() const { return sizeof(*this) + buckets_.capacity() * sizeof(Entry); }

  // Exposed for tests of the precision claim.
  static uint32_t bucket_of(uint64_t value);
  static uint64_t bucket_lower(uint32_t bucket);
  static uint64_t bucket_width(uint32_t bucket);

 private:
  struct Entry {
    uint32_t bucket;
    uint64_t count;
  };
  std::vector<Entry> buckets_;  // sorted by bucket
  uint64_t count_ = 0;
  uint64_t negatives_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
};

}  // namespace leakcheck::receiver
