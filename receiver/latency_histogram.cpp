#include "receiver/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace leakcheck::receiver {

namespace {
constexpr uint64_t kExact = 128;     // values below are their own bucket
constexpr int kSubBucketBits = 6;    // 64 buckets per power of two
}  // namespace

uint32_t LatencyHistogram::bucket_of(uint64_t value) {
  if (value < kExact) return static_cast<uint32_t>(value);
  int k = std::bit_width(value) - 1;  // 7..63
  uint64_t top = value >> (k - kSubBucketBits);  // 64..127
  return static_cast<uint32_t>(kExact + static_cast<uint64_t>(k - 7) * 64 + (top - 64));
}

uint64_t LatencyHistogram::bucket_lower(uint32_t bucket) {
  if (bucket < kExact) return bucket;
  uint32_t k = 7 + (bucket - kExact) / 64;
  uint64_t top = 64 + (bucket - kExact) % 64;
  return top << (k - kSubBucketBits);
}

uint64_t LatencyHistogram::bucket_width(uint32_t bucket) {
  if (bucket < kExact) return 1;
  uint32_t k = 7 + (bucket - kExact) / 64;
  return uint64_t{1} << (k - kSubBucketBits);
}

void LatencyHistogram::add(int64_t latency_ns) {
  if (latency_ns < 0) {
    ++negatives_;
    latency_ns = 0;
  }
  min_ = count_ == 0 ? latency_ns : std::min(min_, latency_ns);
  max_ = count_ == 0 ? latency_ns : std::max(max_, latency_ns);
  ++count_;
  uint32_t bucket = bucket_of(static_cast<uint64_t>(latency_ns));
  auto it = std::lower_bound(buckets_.begin(), buckets_.end(), bucket,
                             [](const Entry& e, uint32_t b) { return e.bucket < b; });
  if (it != buckets_.end() && it->bucket == bucket) {
    ++it->count;
  } else {
    buckets_.insert(it, Entry{bucket, 1});
  }
}

int64_t LatencyHistogram::percentile(double p) const {
  if (count_ == 0) return 0;
  double exact_rank = std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(count_));
  uint64_t rank = std::clamp<uint64_t>(static_cast<uint64_t>(exact_rank), 1, count_);
  uint64_t seen = 0;
  for (const Entry& e : buckets_) {
    seen += e.count;
    if (seen < rank) continue;
    uint64_t middle = bucket_lower(e.bucket) + bucket_width(e.bucket) / 2;
    return std::clamp(static_cast<int64_t>(middle), min_, max_);
  }
  return max_;  // unreachable: the counts add up to count_
}

}  // namespace leakcheck::receiver
