#pragma once
// The Theil–Sen slope (Theil 1950, Sen 1968) with Sen's confidence interval.
//
//   slope     = median of (y_j - y_i) / (t_j - t_i) over the N pairs with
//               t_i < t_j (pairs sampled at the same time have no slope and
//               are skipped, as in Sen 1968)
//   intercept = median of (y_i - slope * t_i): the fitted value at t_s = 0
//   95 % CI   = with C = 1.96 * sqrt(Var(S)), Var(S) the tie-corrected
//               Mann–Kendall variance on the same points (mann_kendall.h),
//               M1 = (N - C) / 2 and M2 = (N + C) / 2, the slopes at 1-based
//               ranks M1 and M2 + 1 in ascending order (Gilbert 1987, 16.6),
//               interpolated linearly between neighbouring ranks when a rank
//               is fractional, clamped to [1, N].
//
// Assumptions and limits: robust — up to 29 % of points can be arbitrarily
// wrong before the slope can be driven anywhere; it estimates a linear rate
// (a step or a plateau gives the rate "typical" of the pairs, 0 when flat pairs
// are the majority). The interval assumes independent errors (see
// mann_kendall.h on serial correlation). Its coverage is not reached for very
// few points: with no ties, n <= 4 gives M1 < 1 and the interval is clamped to
// the extreme slopes. The intercept is relative to the caller's time origin:
// pass seconds since the run started, not since the epoch, for one that means
// something. Cost O(n^2) in points; long series are binned first (series.h).

#include <cstddef>
#include <span>

#include "stats/series.h"
#include "util/result.h"

namespace leakcheck::stats {

inline double per_min(double per_s) { return per_s * 60; }
inline double per_hour(double per_s) { return per_s * 3600; }

struct TheilSen {
  std::size_t points = 0;    // after binning
  std::size_t pairs = 0;     // N: pairs with distinct times
  double slope_per_s = 0;    // value units per second
  double ci_low_per_s = 0;   // 95 %
  double ci_high_per_s = 0;  // 95 %
  double intercept = 0;      // fitted value at t_s = 0

  double slope_per_min() const { return per_min(slope_per_s); }
  double ci_low_per_min() const { return per_min(ci_low_per_s); }
  double ci_high_per_min() const { return per_min(ci_high_per_s); }
  double fitted_at(double t_s) const { return intercept + slope_per_s * t_s; }
};

// On samples in any order: sorted_finite, then bin_by_time(max_points). An
// error when fewer than two distinct times remain.
Result<TheilSen> theil_sen(std::span<const Sample> samples, std::size_t max_points = default_max_points);

// On points already sorted by t_s (and binned), with Var(S) of the
// Mann–Kendall test on the same points.
Result<TheilSen> theil_sen_of_points(std::span<const Sample> points, double var_s);

}  // namespace leakcheck::stats
