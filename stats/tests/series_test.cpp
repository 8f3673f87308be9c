// Ordering, warmup and binning of a series.

#include "stats/series.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "synthetic.h"

namespace leakcheck::stats {
namespace {

TEST(SortedFinite, SortsStablyByTimeAndDropsNonFinite) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<Sample> in{{3, 30}, {1, 10}, {2, nan}, {1, 11}, {inf, 5}, {0, 0}};
  auto out = sorted_finite(in);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].t_s, 0);
  EXPECT_EQ(out[1].value, 10);  // equal times keep their input order
  EXPECT_EQ(out[2].value, 11);
  EXPECT_EQ(out[3].t_s, 3);
}

TEST(AfterWarmup, DropsTheFirstSecondsOfTheSeries) {
  auto s = testing::sampled(10, 1, [](double t) { return t; });  // t = 0..10
  auto kept = after_warmup(s, 4);
  ASSERT_EQ(kept.size(), 7u);
  EXPECT_EQ(kept.front().t_s, 4);
  EXPECT_EQ(after_warmup(s, 20).size(), 0u);
}

TEST(BinByTime, ShortSeriesAreUntouched) {
  auto s = testing::sampled(9, 1, [](double t) { return t * t; });
  auto points = bin_by_time(s, 10);
  ASSERT_EQ(points.size(), 10u);
  EXPECT_EQ(points[7].value, 49);
}

TEST(BinByTime, ConsecutiveGroupsOfNearlyEqualCountTakeMedians) {
  // n = 10, 3 bins: [0,3), [3,6), [6,10).
  std::vector<Sample> s{{0, 5}, {1, 100}, {2, 6}, {3, 1}, {4, 2}, {5, 3}, {6, 9}, {7, 7}, {8, 8}, {9, -50}};
  auto points = bin_by_time(s, 3);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].t_s, 1);
  EXPECT_EQ(points[0].value, 6);  // the outlier 100 is out-voted
  EXPECT_EQ(points[1].t_s, 4);
  EXPECT_EQ(points[1].value, 2);
  EXPECT_EQ(points[2].t_s, 7.5);
  EXPECT_EQ(points[2].value, 7.5);
}

TEST(BinByTime, ADayAtOneHertzStaysOnItsLine) {
  auto s = testing::sampled(86'399, 1, [](double t) { return 3 * t + 5; });
  auto points = bin_by_time(s);
  ASSERT_EQ(points.size(), default_max_points);
  for (const Sample& p : points) ASSERT_EQ(p.value, 3 * p.t_s + 5) << "at t=" << p.t_s;
  EXPECT_EQ(points.front().t_s, 21);  // the median of 0..42 (86,400 / 2,000 = 43.2 per bin)
}

}  // namespace
}  // namespace leakcheck::stats
