#include "stats/summary.h"

#include <algorithm>
#include <vector>

#include "stats/order.h"

namespace leakcheck::stats {

Result<Summary> summarize(std::span<const Sample> samples) {
  const std::vector<Sample> sorted = sorted_finite(samples);
  if (sorted.empty()) return Error(0, "no samples to summarize");

  Summary s;
  s.count = sorted.size();
  s.first_t_s = sorted.front().t_s;
  s.last_t_s = sorted.back().t_s;
  s.duration_s = s.last_t_s - s.first_t_s;
  s.first = sorted.front().value;
  s.last = sorted.back().value;
  s.growth = s.last - s.first;

  std::vector<double> values;
  values.reserve(sorted.size());
  // long double: a day of byte counts near 2^40 sums without losing the units.
  long double sum = 0;
  for (const Sample& x : sorted) {
    values.push_back(x.value);
    sum += x.value;
  }
  s.mean = static_cast<double>(sum / static_cast<long double>(values.size()));
  s.min = *std::min_element(values.begin(), values.end());
  s.max = *std::max_element(values.begin(), values.end());
  s.median = median(values);
  s.p50 = percentile(values, 50);
  s.p90 = percentile(values, 90);
  s.p99 = percentile(values, 99);
  return s;
}

}  // namespace leakcheck::stats
