#pragma once
// A sampled series, (time, value) pairs, and the preparations every statistic
// here starts from: ordering by time, dropping the warmup, and reducing a long
// series to a bounded number of points.

#include <cstddef>
#include <span>
#include <vector>

namespace leakcheck::stats {

struct Sample {
  double t_s = 0;    // seconds on any origin; the harness uses seconds since the run started
  double value = 0;  // in the series' own unit: fds, threads, bytes
};

// The samples with a finite t_s and value, stably sorted by t_s (samples at
// the same time keep their input order). Every statistic starts from this, so
// callers may pass samples in any order.
std::vector<Sample> sorted_finite(std::span<const Sample> samples);

// sorted_finite(samples) without those earlier than the first sample's time
// plus warmup_s (the first warmup_s seconds of the series).
std::vector<Sample> after_warmup(std::span<const Sample> samples, double warmup_s);

// The pairwise statistics (Theil–Sen, Mann–Kendall) cost O(n^2) in the number
// of points; 2,000 points are 2.0 million pairs (16 MB of slopes, tens of ms).
// A 24 h run at 1 Hz has 86,400 samples, so longer series are binned first.
inline constexpr std::size_t default_max_points = 2000;

// Reduces time-sorted samples to at most max_points points, deterministically.
// n <= max_points: the samples themselves. Otherwise B = max_points groups of
// consecutive samples, group k = [floor(k*n/B), floor((k+1)*n/B)) (sizes differ
// by at most one), each replaced by (median t_s, median value) of its members.
//
// Why this keeps the estimators faithful:
// - a median commutes with any increasing linear map, so on an exact line
//   y = a + b*t every point stays on the line and the slope is unchanged;
// - with independent noise a bin median is a consistent estimate of the line
//   at the bin's median time, so Theil–Sen and Mann–Kendall on the points
//   estimate the same slope and test the same trend, with the precision of B
//   bin medians rather than n samples: an interval up to about 25 % wider for
//   normal noise and large bins (a median's efficiency is 2/pi), conservative
//   rather than overconfident (4,000 samples binned to 2,000: 4 % wider);
// - a bin median ignores outliers that are fewer than half of its bin.
// Groups are equal in count, not in duration, so a pause in sampling leaves no
// empty or one-sample bin; at a steady interval the two are the same.
// Limit: structure shorter than a bin (n/B samples, 43 s for 24 h at 1 Hz) is
// smoothed away; that is below the resolution a trend over hours needs.
// max_points below 3 counts as 3.
std::vector<Sample> bin_by_time(std::span<const Sample> sorted, std::size_t max_points = default_max_points);

}  // namespace leakcheck::stats
