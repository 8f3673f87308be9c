// The Theil–Sen slope, its intercept and Sen's interval; the trend fit that
// pairs them with Mann–Kendall; long series through binning.

#include "stats/theil_sen.h"

#include <gtest/gtest.h>

#include <random>

#include "stats/trend.h"
#include "synthetic.h"

namespace leakcheck::stats {
namespace {

std::vector<Sample> series(const std::vector<double>& t, const std::vector<double>& y) {
  std::vector<Sample> out;
  for (std::size_t i = 0; i < t.size(); ++i) out.push_back({t[i], y[i]});
  return out;
}

TEST(TheilSen, ExactLine) {
  auto fit = theil_sen(testing::sampled(99, 1, [](double t) { return 3 * t + 5; }));
  ASSERT_TRUE(fit.ok()) << fit.error().message();
  EXPECT_EQ(fit->slope_per_s, 3.0);
  EXPECT_EQ(fit->intercept, 5.0);
  EXPECT_EQ(fit->ci_low_per_s, 3.0);
  EXPECT_EQ(fit->ci_high_per_s, 3.0);
  EXPECT_EQ(fit->slope_per_min(), 180.0);
  EXPECT_EQ(fit->pairs, 100u * 99 / 2);
  EXPECT_EQ(fit->fitted_at(10), 35.0);
}

TEST(TheilSen, TwentyPercentWildOutliersLeaveTheSlopeExact) {
  // 80 clean points give 3160 pairs of slope exactly 3; the 20 outliers touch
  // 1790 pairs, too few to move the median (rank 2475.5 of 4950) off them.
  auto s = testing::sampled(99, 1, [](double t) { return 3 * t + 5; });
  for (std::size_t i = 0; i < s.size(); i += 5) s[i].value = (i % 2 == 0 ? 1e6 : -1e6) * (1 + double(i));
  auto fit = theil_sen(s);
  ASSERT_TRUE(fit.ok());
  EXPECT_EQ(fit->slope_per_s, 3.0);
  EXPECT_EQ(fit->intercept, 5.0);

  // The same at random positions with random wild values.
  auto r = testing::sampled(99, 1, [](double t) { return 3 * t + 5; });
  std::mt19937_64 rng(2024);
  std::vector<std::size_t> index(r.size());
  for (std::size_t i = 0; i < index.size(); ++i) index[i] = i;
  std::shuffle(index.begin(), index.end(), rng);
  std::uniform_real_distribution<double> wild(-1e9, 1e9);
  for (std::size_t k = 0; k < 20; ++k) r[index[k]].value = wild(rng);
  auto robust = theil_sen(r);
  ASSERT_TRUE(robust.ok());
  EXPECT_EQ(robust->slope_per_s, 3.0);
  EXPECT_EQ(robust->intercept, 5.0);
}

TEST(TheilSen, MatchesReferenceOnSmallSeries) {
  // reference.py "A", "B", "C", "D".
  auto a = theil_sen(series({0, 1, 2, 3, 4}, {1, 3, 2, 5, 4}));
  ASSERT_TRUE(a.ok());
  EXPECT_DOUBLE_EQ(a->slope_per_s, 0.875);
  EXPECT_DOUBLE_EQ(a->ci_low_per_s, -1.0);
  EXPECT_DOUBLE_EQ(a->ci_high_per_s, 3.0);
  EXPECT_DOUBLE_EQ(a->intercept, 1.0);

  auto b = theil_sen(series({0, 1, 2, 3, 4, 5}, {1, 2, 2, 3, 3, 3}));
  ASSERT_TRUE(b.ok());
  EXPECT_DOUBLE_EQ(b->slope_per_s, 0.4);
  EXPECT_DOUBLE_EQ(b->ci_low_per_s, 0.0);
  EXPECT_NEAR(b->ci_high_per_s, 0.755847680993322, 1e-12);
  EXPECT_NEAR(b->intercept, 1.3, 1e-12);

  auto c = theil_sen(series({0, 0, 1, 1, 2, 3, 3, 4}, {1, 2, 1, 3, 4, 3, 5, 5}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->pairs, 25u);  // 28 pairs, 3 of them at one time
  EXPECT_DOUBLE_EQ(c->slope_per_s, 1.0);
  EXPECT_DOUBLE_EQ(c->ci_low_per_s, 0.0);
  EXPECT_NEAR(c->ci_high_per_s, 1.5345882647037499, 1e-12);
  EXPECT_DOUBLE_EQ(c->intercept, 1.5);

  auto d = theil_sen(testing::sampled(39, 1, [](double t) {
    return static_cast<double>(static_cast<int>(t) * 37 % 17) + 0.25 * t;
  }));
  ASSERT_TRUE(d.ok());
  EXPECT_NEAR(d->slope_per_s, 0.4166666666666667, 1e-12);
  EXPECT_NEAR(d->ci_low_per_s, 0.1590909090909091, 1e-12);
  EXPECT_NEAR(d->ci_high_per_s, 0.4166666666666667, 1e-12);
  EXPECT_NEAR(d->intercept, 5.666666666666666, 1e-12);
}

TEST(TheilSen, TiesInTimeAreSkippedNotDividedByZero) {
  std::vector<Sample> s;
  for (int t = 0; t < 10; ++t) {
    s.push_back({double(t), 2.0 * t});
    s.push_back({double(t), 2.0 * t});
  }
  auto fit = theil_sen(s);
  ASSERT_TRUE(fit.ok());
  EXPECT_EQ(fit->pairs, 20u * 19 / 2 - 10);
  EXPECT_EQ(fit->slope_per_s, 2.0);
  EXPECT_EQ(fit->ci_low_per_s, 2.0);
  EXPECT_EQ(fit->ci_high_per_s, 2.0);
}

TEST(TheilSen, NeedsTwoDistinctTimes) {
  EXPECT_FALSE(theil_sen(std::vector<Sample>{}).ok());
  EXPECT_FALSE(theil_sen(series({7}, {1})).ok());
  auto one_time = theil_sen(series({7, 7, 7}, {1, 2, 3}));
  ASSERT_FALSE(one_time.ok());
  EXPECT_NE(one_time.error().message().find("two distinct times"), std::string::npos);
}

TEST(TheilSen, ConstantSeries) {
  auto trend = fit_trend(testing::sampled(600, 1, [](double) { return 64; }));
  ASSERT_TRUE(trend.ok());
  EXPECT_EQ(trend->growth_per_min(), 0.0);
  EXPECT_EQ(trend->ci_low_per_min(), 0.0);
  EXPECT_EQ(trend->ci_high_per_min(), 0.0);
  EXPECT_EQ(trend->p_value(), 1.0);
  EXPECT_EQ(trend->theil_sen.intercept, 64.0);
  EXPECT_FALSE(significant_growth(*trend));
  EXPECT_FALSE(monotonic_rise(*trend));
}

TEST(TheilSen, IntervalContainsTheTrueSlopeOfANoisyLine) {
  // Seed 43; seed 42 happens to be one of the 5 % of series whose interval
  // misses (0.486, CI 0.472 to 0.4994): the coverage test below checks the rate.
  auto s = testing::with_noise(testing::sampled(199, 1, [](double t) { return 0.5 * t + 10; }), 5, 43);
  auto trend = fit_trend(s);
  ASSERT_TRUE(trend.ok());
  EXPECT_LT(trend->theil_sen.ci_low_per_s, 0.5);
  EXPECT_GT(trend->theil_sen.ci_high_per_s, 0.5);
  EXPECT_LT(trend->theil_sen.ci_high_per_s - trend->theil_sen.ci_low_per_s, 0.1);
  EXPECT_NEAR(trend->theil_sen.slope_per_s, 0.5, 0.05);
  EXPECT_TRUE(significant_growth(*trend));
}

TEST(TheilSen, IntervalCoverageIsNominal) {
  // 400 noisy lines of 60 points: the 95 % interval should hold the true slope
  // about 380 times (binomial sd 4.4); too narrow or too wide both fail.
  int covered = 0;
  for (std::uint64_t seed = 1; seed <= 400; ++seed) {
    auto s = testing::with_noise(testing::sampled(59, 1, [](double t) { return 0.2 * t; }), 2, seed);
    auto fit = theil_sen(s);
    ASSERT_TRUE(fit.ok());
    if (fit->ci_low_per_s <= 0.2 && 0.2 <= fit->ci_high_per_s) ++covered;
  }
  EXPECT_GE(covered, 368);  // 92 %
  EXPECT_LE(covered, 392);  // 98 %
}

TEST(TheilSen, BinningKeepsTheEstimateFaithful) {
  // 4000 noisy samples fitted exactly (8 million pairs) and binned to 2000.
  auto s = testing::with_noise(testing::sampled(3999, 1, [](double t) { return 0.01 * t; }), 3, 7);
  auto exact = fit_trend(s, 4000);
  auto binned = fit_trend(s);
  ASSERT_TRUE(exact.ok());
  ASSERT_TRUE(binned.ok());
  ASSERT_EQ(exact->theil_sen.points, 4000u);
  ASSERT_EQ(binned->theil_sen.points, 2000u);
  const double half_width = (exact->theil_sen.ci_high_per_s - exact->theil_sen.ci_low_per_s) / 2;
  EXPECT_LT(std::abs(binned->theil_sen.slope_per_s - exact->theil_sen.slope_per_s), 0.25 * half_width);
  EXPECT_LT(binned->theil_sen.ci_low_per_s, 0.01);
  EXPECT_GT(binned->theil_sen.ci_high_per_s, 0.01);
}

TEST(TheilSen, ADayAtOneHertz) {
  // 86,400 samples: binned to 2,000 points; about 0.1 s with -O2 (no timing
  // asserted here: bench/ measures).
  auto line = fit_trend(testing::sampled(86'399, 1, [](double t) { return 3 * t + 5; }));
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(line->samples, 86'400u);
  EXPECT_EQ(line->theil_sen.points, 2000u);
  EXPECT_EQ(line->theil_sen.slope_per_s, 3.0);
  EXPECT_EQ(line->theil_sen.intercept, 5.0);

  // A slow leak, 2 fds per hour, under noise of sd 3 fds.
  const double per_s = 2.0 / 3600;
  auto noisy = fit_trend(testing::with_noise(testing::sampled(86'399, 1, [&](double t) { return 100 + per_s * t; }), 3, 11));
  ASSERT_TRUE(noisy.ok());
  EXPECT_LT(noisy->theil_sen.ci_low_per_s, per_s);
  EXPECT_GT(noisy->theil_sen.ci_high_per_s, per_s);
  EXPECT_TRUE(significant_growth(*noisy));
}

}  // namespace
}  // namespace leakcheck::stats
