#include "receiver/latency_histogram.h"

#include <gtest/gtest.h>

#include <cmath>

namespace leakcheck::receiver {
namespace {

constexpr int64_t kMs = 1'000'000;

TEST(LatencyHistogram, EmptyIsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(99), 0);
  EXPECT_EQ(h.max(), 0);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int64_t v : {5, 17, 100, 3}) h.add(v);
  EXPECT_EQ(h.percentile(25), 3);
  EXPECT_EQ(h.percentile(50), 5);
  EXPECT_EQ(h.percentile(75), 17);
  EXPECT_EQ(h.percentile(100), 100);
  EXPECT_EQ(h.min(), 3);
}

TEST(LatencyHistogram, PercentilesOfOneToHundredMs) {
  LatencyHistogram h;
  for (int64_t i = 100; i >= 1; --i) h.add(i * kMs);  // order does not matter
  // 50 ms lies in [95 * 2^19, 96 * 2^19) ns; reported as the bucket's middle.
  EXPECT_EQ(h.percentile(50), 95 * 524288 + 262144);  // 50,069,504 ns: +0.14 %
  // 99 ms lies in [94 * 2^20, 95 * 2^20).
  EXPECT_EQ(h.percentile(99), 94 * 1048576 + 524288);  // 99,090,432 ns: +0.09 %
  EXPECT_EQ(h.percentile(100), 100 * kMs);             // clamped to the exact max
  EXPECT_EQ(h.max(), 100 * kMs);
  EXPECT_EQ(h.min(), 1 * kMs);
  EXPECT_EQ(h.count(), 100u);
}

TEST(LatencyHistogram, ErrorBelowOnePercentEverywhere) {
  // Every value from 1 ns to ~9e18 along a fine geometric walk: it falls in
  // its bucket, and the bucket's middle (what a percentile reports) is within
  // 1/128 of it.
  for (double v = 1; v < 9e18; v *= 1.013) {
    auto value = static_cast<uint64_t>(v);
    uint32_t b = LatencyHistogram::bucket_of(value);
    ASSERT_LT(b, LatencyHistogram::kBucketCount);
    uint64_t lower = LatencyHistogram::bucket_lower(b);
    uint64_t width = LatencyHistogram::bucket_width(b);
    ASSERT_LE(lower, value);
    ASSERT_LT(value, lower + width);
    double middle = static_cast<double>(lower + width / 2);
    EXPECT_LE(std::abs(middle - static_cast<double>(value)), static_cast<double>(value) / 128.0) << value;
  }
  EXPECT_EQ(LatencyHistogram::bucket_of(~uint64_t{0} >> 1), LatencyHistogram::kBucketCount - 1);
}

TEST(LatencyHistogram, NegativeCountsAsZero) {
  LatencyHistogram h;
  h.add(-5 * kMs);
  h.add(10);
  EXPECT_EQ(h.negatives(), 1u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.percentile(50), 0);
}

TEST(LatencyHistogram, MemoryIsBoundedByTouchedBuckets) {
  LatencyHistogram h;
  for (int i = 0; i < 100000; ++i) h.add(200 * kMs + (i % 7));  // one bucket
  EXPECT_LE(h.memory_bytes(), sizeof(LatencyHistogram) + 16u);
}

}  // namespace
}  // namespace leakcheck::receiver
