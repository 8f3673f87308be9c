#pragma once
// Plateau or leak: how a series (after warmup) moves over the window, reported
// beside its slope so a user sees why a pool filling up is not a leak.
//
// Two fits: the whole window, and its last third by time (tail_fraction).
// "Rises" is the Mann–Kendall test alone (a monotonic rise at any rate,
// trend.h: monotonic_rise); "grows" is significant growth (MK p < alpha AND
// Sen's interval above 0, trend.h: significant_growth). Rules, in order:
//   insufficient_data  fewer than two distinct times, or fewer than
//                      min_tail_samples samples in the last third
//   growing            the last third grows, and the whole window rises: the
//                      series is still climbing at the end of the window. (The
//                      last third growing while the whole window does not rise
//                      — growth that began late — is growing too: a series that
//                      grows now is never called anything else.)
//   plateau            the whole window rises, the last third does not grow:
//                      it went up, then levelled off (a pool filling up)
//   shrinking          the whole window falls (MK p < alpha, S < 0)
//   flat               none of the above
// Why MK alone for the whole window: a pool that fills in 5 min and then stays
// flat for 25 has a Theil–Sen slope of exactly 0 (most pairs are flat-flat),
// yet it clearly rose; "grows" for the tail keeps a single +1 step late in the
// window from being called a leak (half its pairs have slope 0, so Sen's
// interval reaches 0).
// Limit: a slow leak buried in noise can look like a plateau when the last
// third is too short to show it; run longer. The verdict's growth_per_min is
// judged on its own, whatever the shape.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "stats/series.h"
#include "stats/trend.h"

namespace leakcheck::stats {

enum class Shape { insufficient_data, flat, growing, plateau, shrinking };

std::string_view shape_name(Shape shape);  // "growing", "plateau", ...

struct ShapeOptions {
  double tail_fraction = 1.0 / 3;  // of the window's duration
  std::size_t min_tail_samples = 8;
  double alpha = default_alpha;
  std::size_t max_points = default_max_points;
};

struct ShapeResult {
  Shape shape = Shape::insufficient_data;
  std::optional<Trend> whole;  // absent only when there are not two distinct times
  std::optional<Trend> tail;   // samples with t_s >= last - tail_fraction * duration
  std::string reason;          // one line, for reports
};

// On samples in any order (already without the warmup: see after_warmup).
ShapeResult classify_shape(std::span<const Sample> samples, const ShapeOptions& options = {});

}  // namespace leakcheck::stats
