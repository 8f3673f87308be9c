#pragma once
// The Mann–Kendall test for a monotonic trend (Mann 1945, Kendall 1975; as in
// Gilbert, "Statistical Methods for Environmental Pollution Monitoring", 1987,
// ch. 16).
//
//   S = sum over pairs i<j of sgn(t_j - t_i) * sgn(y_j - y_i)
//
// i.e. Kendall's S between time and value: a pair sampled at the same time
// counts 0. Under H0 (no trend, independent samples) S has mean 0 and, with a
// tie group of a samples sharing a time and one of b samples sharing a value
// (Kendall 1970, the variance scipy's kendalltau also uses):
//
//   Var(S) = [n(n-1)(2n+5) - sum a(a-1)(2a+5) - sum b(b-1)(2b+5)] / 18
//          + [sum a(a-1)(a-2)] [sum b(b-1)(b-2)] / [9 n(n-1)(n-2)]
//          + [sum a(a-1)] [sum b(b-1)] / [2 n(n-1)]
//
// Without ties in time this is the usual MK variance with its tie correction.
// Z applies the continuity correction: (S-1)/sd if S > 0, 0 if S = 0,
// (S+1)/sd if S < 0; the p-value is two-sided, erfc(|Z|/sqrt 2). With
// Var(S) = 0 (a constant series, fewer than 3 points) Z = 0 and p = 1.
// Kendall's tau is tau-b = S / sqrt((n0 - n1)(n0 - n2)), n0 = n(n-1)/2,
// n1 = sum a(a-1)/2, n2 = sum b(b-1)/2 (tau-a when nothing ties); 0 when the
// denominator is 0.
//
// Assumptions and limits: the normal approximation is good from n of about 10;
// below it p is approximate. The test assumes independent samples; a counter
// sampled every second is serially correlated, which makes p too small. Binning
// (series.h) softens that by pooling neighbours; the verdict further requires
// Sen's interval to exclude 0 and compares the slope with a practical bound.

#include <cstddef>
#include <cstdint>
#include <span>

#include "stats/series.h"

namespace leakcheck::stats {

struct MannKendall {
  std::size_t n = 0;   // points tested (after binning)
  std::int64_t s = 0;  // S; positive for an upward trend
  double var_s = 0;    // Var(S) under H0, tie-corrected
  double z = 0;        // continuity-corrected
  double p_value = 1;  // two-sided
  double tau_b = 0;
};

// On samples in any order: sorted_finite, then bin_by_time(max_points).
MannKendall mann_kendall(std::span<const Sample> samples, std::size_t max_points = default_max_points);

// On points already sorted by t_s (and binned if needed); O(n^2).
MannKendall mann_kendall_of_points(std::span<const Sample> points);

}  // namespace leakcheck::stats
