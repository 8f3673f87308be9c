#pragma once
// Summary figures of a series, for criteria such as `max: {lt: 5}` and for
// reports.

#include <cstddef>
#include <span>

#include "stats/series.h"
#include "util/result.h"

namespace leakcheck::stats {

struct Summary {
  std::size_t count = 0;  // finite samples
  double first_t_s = 0;
  double last_t_s = 0;
  double duration_s = 0;  // last_t_s - first_t_s
  double first = 0;       // the earliest sample's value (input order among equal times)
  double last = 0;        // the latest sample's value
  double growth = 0;      // last - first: what the window's two ends show, not a
                          // rate, and not robust (one outlier at an end moves it)
  double min = 0;
  double max = 0;
  double mean = 0;
  double median = 0;
  double p50 = 0;  // percentiles by linear interpolation (order.h): p50 == median
  double p90 = 0;
  double p99 = 0;
};

// Over the finite samples, in any order. An error when there are none.
Result<Summary> summarize(std::span<const Sample> samples);

}  // namespace leakcheck::stats
