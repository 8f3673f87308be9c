// Projected time to a limit, e.g. fds.total to RLIMIT_NOFILE 1024.

#include "stats/projection.h"

#include <gtest/gtest.h>

#include "synthetic.h"

namespace leakcheck::stats {
namespace {

TEST(HoursToLimit, LinearExtrapolation) {
  // From the analysis's 174 fds baseline at 17 fds/min, 1024 is 850 fds away: 50 minutes.
  ASSERT_TRUE(hours_to_limit(174, 17, 1024).has_value());
  EXPECT_DOUBLE_EQ(*hours_to_limit(174, 17, 1024), 50.0 / 60);
  EXPECT_FALSE(hours_to_limit(174, 0, 1024).has_value());
  EXPECT_FALSE(hours_to_limit(174, -3, 1024).has_value());
  EXPECT_EQ(hours_to_limit(1024, 17, 1024), 0.0);
  EXPECT_EQ(hours_to_limit(2000, -1, 1024), 0.0);
}

TEST(ProjectExhaustion, TheAnalysisFortyMinutes) {
  // The analysis's evidence: 174 fds at T+0, 414 at T+16 min (15/min);
  // (1024 - 414) / 15 = 40.67 minutes to exhaustion.
  auto trend = fit_trend(testing::sampled(16 * 60, 1, [](double t) { return 174 + 0.25 * t; }));
  ASSERT_TRUE(trend.ok());
  auto p = project_exhaustion(*trend, 1024);
  EXPECT_EQ(p.from_level, 414);
  ASSERT_TRUE(p.hours.has_value()) << p.reason;
  EXPECT_DOUBLE_EQ(*p.hours * 60, 610.0 / 15);
}

TEST(ProjectExhaustion, ALeakOfSeventeenPerMinute) {
  // 174 + 17/min for 30 min ends near 684: 340 fds, 20 minutes, from 1024.
  auto trend = fit_trend(testing::leak_series());
  ASSERT_TRUE(trend.ok());
  auto p = project_exhaustion(*trend, 1024);
  ASSERT_TRUE(p.hours.has_value()) << p.reason;
  EXPECT_NEAR(p.from_level, 684, 1);
  EXPECT_NEAR(*p.hours * 60, 20, 0.2);
  EXPECT_NE(p.reason.find("1024"), std::string::npos);
}

TEST(ProjectExhaustion, FromTheFitOrTheLastValue) {
  // An exact line whose last sample is a glitch.
  auto s = testing::sampled(600, 1, [](double t) { return 100 + 0.5 * t; });
  s.back().value = 5000;
  auto trend = fit_trend(s);
  ASSERT_TRUE(trend.ok());
  auto fitted = project_exhaustion(*trend, 1024, ProjectFrom::fitted_last);
  auto last = project_exhaustion(*trend, 1024, ProjectFrom::last_value);
  EXPECT_EQ(fitted.from_level, 400);
  ASSERT_TRUE(fitted.hours.has_value());
  EXPECT_DOUBLE_EQ(*fitted.hours, 624.0 / (30 * 60));
  EXPECT_EQ(last.from_level, 5000);
  EXPECT_EQ(last.hours, 0.0);
}

TEST(ProjectExhaustion, NoneWithoutSignificantGrowth) {
  auto noise = fit_trend(testing::with_noise(testing::sampled(600, 1, [](double) { return 200; }), 2, 3));
  ASSERT_TRUE(noise.ok());
  ASSERT_GT(noise->p_value(), 0.05);
  auto p = project_exhaustion(*noise, 1024);
  EXPECT_FALSE(p.hours.has_value());
  EXPECT_NE(p.reason.find("no significant growth"), std::string::npos);

  auto falling = fit_trend(testing::sampled(600, 1, [](double t) { return 500 - t / 10; }));
  ASSERT_TRUE(falling.ok());
  EXPECT_FALSE(project_exhaustion(*falling, 1024).hours.has_value());
}

}  // namespace
}  // namespace leakcheck::stats
