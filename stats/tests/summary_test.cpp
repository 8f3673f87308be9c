// Summary figures of a series.

#include "stats/summary.h"

#include <gtest/gtest.h>

#include <limits>

namespace leakcheck::stats {
namespace {

TEST(Summarize, FiguresOfAShortSeriesInAnyOrder) {
  // Values by time: 12 10 15 11 30 14 13 16 17 20 (t = 0..9), given shuffled,
  // with a NaN sample that is dropped.
  std::vector<Sample> s{{4, 30}, {0, 12}, {9, 20}, {2, 15}, {1, 10}, {3, 11},
                        {5, 14}, {8, 17}, {7, 16}, {6, 13}, {10, std::numeric_limits<double>::quiet_NaN()}};
  auto sum = summarize(s);
  ASSERT_TRUE(sum.ok()) << sum.error().message();
  EXPECT_EQ(sum->count, 10u);
  EXPECT_EQ(sum->first_t_s, 0);
  EXPECT_EQ(sum->last_t_s, 9);
  EXPECT_EQ(sum->duration_s, 9);
  EXPECT_EQ(sum->first, 12);
  EXPECT_EQ(sum->last, 20);
  EXPECT_EQ(sum->growth, 8);
  EXPECT_EQ(sum->min, 10);
  EXPECT_EQ(sum->max, 30);
  EXPECT_EQ(sum->mean, 15.8);
  // Sorted: 10 11 12 13 14 15 16 17 20 30.
  EXPECT_EQ(sum->median, 14.5);
  EXPECT_EQ(sum->p50, 14.5);
  EXPECT_DOUBLE_EQ(sum->p90, 21.0);   // rank 9.1: 20 + 0.1 * 10
  EXPECT_DOUBLE_EQ(sum->p99, 29.1);   // rank 9.91: 20 + 0.91 * 10
}

TEST(Summarize, OneSample) {
  auto sum = summarize(std::vector<Sample>{{5, 7}});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->p99, 7);
  EXPECT_EQ(sum->growth, 0);
  EXPECT_EQ(sum->duration_s, 0);
}

TEST(Summarize, NoSamplesIsAnError) {
  EXPECT_FALSE(summarize(std::vector<Sample>{}).ok());
  EXPECT_FALSE(summarize(std::vector<Sample>{{std::numeric_limits<double>::quiet_NaN(), 1}}).ok());
}

}  // namespace
}  // namespace leakcheck::stats
