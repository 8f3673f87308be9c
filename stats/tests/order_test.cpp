// Order statistics at fractional ranks, and the percentile method.

#include "stats/order.h"

#include <gtest/gtest.h>

namespace leakcheck::stats {
namespace {

TEST(ValueAtRank, InterpolatesBetweenRanksAndClamps) {
  std::vector<double> v{40, 10, 30, 20};
  EXPECT_EQ(value_at_rank(v, 1), 10);
  EXPECT_EQ(value_at_rank(v, 2.5), 25);
  EXPECT_EQ(value_at_rank(v, 3.25), 32.5);
  EXPECT_EQ(value_at_rank(v, 4), 40);
  EXPECT_EQ(value_at_rank(v, 0), 10);
  EXPECT_EQ(value_at_rank(v, 9), 40);
}

TEST(Median, OddAndEvenCounts) {
  std::vector<double> odd{5, 1, 3};
  std::vector<double> even{4, 1, 3, 2};
  EXPECT_EQ(median(odd), 3);
  EXPECT_EQ(median(even), 2.5);
}

TEST(Percentile, LinearBetweenClosestRanks) {
  // Hyndman & Fan type 7, as numpy.percentile: rank 1 + p/100 * (n - 1).
  std::vector<double> v{15, 20, 35, 40, 50};
  EXPECT_EQ(percentile(v, 0), 15);
  EXPECT_EQ(percentile(v, 40), 29);   // rank 2.6: 20 + 0.6 * 15
  EXPECT_EQ(percentile(v, 50), 35);
  EXPECT_EQ(percentile(v, 90), 46);   // rank 4.6: 40 + 0.6 * 10
  EXPECT_EQ(percentile(v, 100), 50);
  std::vector<double> one_to_ten{10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  EXPECT_DOUBLE_EQ(percentile(one_to_ten, 99), 9.91);  // rank 9.91
}

}  // namespace
}  // namespace leakcheck::stats
