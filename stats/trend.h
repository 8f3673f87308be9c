#pragma once
// A series' trend: the Theil–Sen slope with Sen's 95 % interval and the
// Mann–Kendall test, fitted on the same (binned) points, and the rule that
// decides when growth is significant.

#include <cstddef>
#include <span>

#include "stats/mann_kendall.h"
#include "stats/series.h"
#include "stats/theil_sen.h"
#include "util/result.h"

namespace leakcheck::stats {

inline constexpr double default_alpha = 0.05;

struct Trend {
  std::size_t samples = 0;  // finite samples fitted
  double first_t_s = 0;
  double last_t_s = 0;
  double last_value = 0;    // the last sample's value, as observed
  TheilSen theil_sen;
  MannKendall mann_kendall;

  double growth_per_min() const { return theil_sen.slope_per_min(); }
  double ci_low_per_min() const { return theil_sen.ci_low_per_min(); }
  double ci_high_per_min() const { return theil_sen.ci_high_per_min(); }
  double p_value() const { return mann_kendall.p_value; }
  double fitted_at(double t_s) const { return theil_sen.fitted_at(t_s); }
};

// On samples in any order: sorted_finite, bin_by_time(max_points), then both
// statistics on those points. An error when fewer than two distinct times
// remain.
Result<Trend> fit_trend(std::span<const Sample> samples, std::size_t max_points = default_max_points);

// Significant growth: Mann–Kendall p < alpha with S > 0 AND Sen's interval
// entirely above 0 (ci_low > 0). Both must hold: the test says the series
// rises, the interval says it rises at a linear rate distinguishable from 0.
// They mostly agree (both rest on Var(S)); they part on steps and plateaus,
// where MK sees a rise but most pairwise slopes are 0, which is the point.
bool significant_growth(const Trend& trend, double alpha = default_alpha);
// The mirror image: p < alpha, S < 0 and ci_high < 0.
bool significant_decline(const Trend& trend, double alpha = default_alpha);
// Mann–Kendall alone: p < alpha with S > 0 (a monotonic rise, at any rate).
bool monotonic_rise(const Trend& trend, double alpha = default_alpha);
bool monotonic_fall(const Trend& trend, double alpha = default_alpha);

}  // namespace leakcheck::stats
