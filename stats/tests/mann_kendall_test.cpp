// The Mann–Kendall test against values worked by hand and by reference.py
// (which also checks the tie-corrected variance against the exact variance of
// S over every permutation).

#include "stats/mann_kendall.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "stats/normal.h"
#include "synthetic.h"

namespace leakcheck::stats {
namespace {

std::vector<Sample> series(const std::vector<double>& t, const std::vector<double>& y) {
  std::vector<Sample> out;
  for (std::size_t i = 0; i < t.size(); ++i) out.push_back({t[i], y[i]});
  return out;
}

TEST(NormalCdf, KnownQuantiles) {
  EXPECT_DOUBLE_EQ(normal_cdf(0), 0.5);
  EXPECT_NEAR(normal_cdf(1.96), 0.9750021048517795, 1e-15);
  EXPECT_NEAR(two_sided_p_value(-1.96), 0.04999579029644087, 1e-15);
  // The far tail does not round to 0 (as 1 - cdf would): python3 math.erfc(30/sqrt(2)).
  EXPECT_NEAR(two_sided_p_value(30) / 9.813427854297528e-198, 1, 1e-12);
}

TEST(MannKendall, SmallSeriesByHand) {
  // Pairs of 1 3 2 5 4: 8 concordant, 2 discordant, so S = 6;
  // Var(S) = 5*4*15/18 = 16.667; Z = 5/sqrt(16.667) = 1.2247; tau = 6/10.
  auto mk = mann_kendall(series({0, 1, 2, 3, 4}, {1, 3, 2, 5, 4}));
  EXPECT_EQ(mk.n, 5u);
  EXPECT_EQ(mk.s, 6);
  EXPECT_DOUBLE_EQ(mk.var_s, 300.0 / 18);
  EXPECT_NEAR(mk.z, 1.224744871391589, 1e-12);
  EXPECT_NEAR(mk.p_value, 0.22067136191984688, 1e-12);
  EXPECT_DOUBLE_EQ(mk.tau_b, 0.6);
}

TEST(MannKendall, FallingMirrorsRising) {
  auto mk = mann_kendall(series({0, 1, 2, 3, 4}, {4, 2, 3, 0, 1}));
  EXPECT_EQ(mk.s, -6);
  EXPECT_NEAR(mk.z, -1.224744871391589, 1e-12);
  EXPECT_NEAR(mk.p_value, 0.22067136191984688, 1e-12);
}

TEST(MannKendall, TiesInValues) {
  // 1 2 2 3 3 3: S = 11; Var = (6*5*17 - 2*1*9 - 3*2*11)/18 = 426/18.
  auto mk = mann_kendall(series({0, 1, 2, 3, 4, 5}, {1, 2, 2, 3, 3, 3}));
  EXPECT_EQ(mk.s, 11);
  EXPECT_DOUBLE_EQ(mk.var_s, 426.0 / 18);
  EXPECT_NEAR(mk.z, 2.055566129482595, 1e-12);
  EXPECT_NEAR(mk.p_value, 0.039824355364810736, 1e-12);
  EXPECT_NEAR(mk.tau_b, 0.8563488385776753, 1e-12);  // 11 / sqrt(15 * 11)
}

TEST(MannKendall, TiesInTimeAndValues) {
  // reference.py "C": pairs at one time count 0; the variance carries both
  // tie corrections (checked there against all 8! permutations).
  auto mk = mann_kendall(series({0, 0, 1, 1, 2, 3, 3, 4}, {1, 2, 1, 3, 4, 3, 5, 5}));
  EXPECT_EQ(mk.s, 18);
  EXPECT_NEAR(mk.var_s, 59.654761904761905, 1e-12);
  EXPECT_NEAR(mk.p_value, 0.02773375624385992, 1e-12);
  EXPECT_NEAR(mk.tau_b, 0.72, 1e-12);
}

TEST(MannKendall, LongerSeriesMatchesReference) {
  // reference.py "D": y = (37i mod 17) + i/4.
  auto s = testing::sampled(39, 1, [](double t) {
    return static_cast<double>(static_cast<int>(t) * 37 % 17) + 0.25 * t;
  });
  auto mk = mann_kendall(s);
  EXPECT_EQ(mk.s, 328);
  EXPECT_NEAR(mk.var_s, 7366.666666666667, 1e-9);
  EXPECT_NEAR(mk.z, 3.809888301351928, 1e-12);
  EXPECT_NEAR(mk.p_value, 0.0001390295902680632, 1e-15);
  EXPECT_NEAR(mk.tau_b, 0.4205128205128205, 1e-12);
}

TEST(MannKendall, ConstantSeriesHasNoTrend) {
  auto mk = mann_kendall(testing::sampled(100, 1, [](double) { return 42; }));
  EXPECT_EQ(mk.s, 0);
  EXPECT_EQ(mk.var_s, 0);
  EXPECT_EQ(mk.z, 0);
  EXPECT_EQ(mk.p_value, 1);
  EXPECT_EQ(mk.tau_b, 0);
}

TEST(MannKendall, InputOrderDoesNotMatter) {
  auto s = series({0, 1, 2, 3, 4}, {1, 3, 2, 5, 4});
  std::reverse(s.begin(), s.end());
  EXPECT_EQ(mann_kendall(s).s, 6);
}

TEST(MannKendall, FalsePositiveRateIsNominalOnNoise) {
  // 1000 series of 50 independent normal values: p < 0.05 about 5 % of the
  // time if the p-values are calibrated (binomial sd 0.7 %).
  int rejected = 0;
  for (std::uint64_t seed = 1; seed <= 1000; ++seed) {
    auto noise = testing::with_noise(testing::sampled(49, 1, [](double) { return 0; }), 1, seed);
    if (mann_kendall(noise).p_value < 0.05) ++rejected;
  }
  EXPECT_GE(rejected, 30);
  EXPECT_LE(rejected, 70);
}

}  // namespace
}  // namespace leakcheck::stats
