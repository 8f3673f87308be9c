#include "stats/series.h"

#include <algorithm>
#include <cmath>

#include "stats/order.h"

namespace leakcheck::stats {

std::vector<Sample> sorted_finite(std::span<const Sample> samples) {
  std::vector<Sample> out;
  out.reserve(samples.size());
  for (const Sample& s : samples) {
    if (std::isfinite(s.t_s) && std::isfinite(s.value)) out.push_back(s);
  }
  std::stable_sort(out.begin(), out.end(), [](const Sample& a, const Sample& b) { return a.t_s < b.t_s; });
  return out;
}

std::vector<Sample> after_warmup(std::span<const Sample> samples, double warmup_s) {
  std::vector<Sample> sorted = sorted_finite(samples);
  if (sorted.empty()) return sorted;
  const double from_s = sorted.front().t_s + warmup_s;
  auto first_kept = std::lower_bound(sorted.begin(), sorted.end(), from_s,
                                     [](const Sample& s, double t) { return s.t_s < t; });
  return {first_kept, sorted.end()};
}

std::vector<Sample> bin_by_time(std::span<const Sample> sorted, std::size_t max_points) {
  const std::size_t bins = std::max<std::size_t>(max_points, 3);
  const std::size_t n = sorted.size();
  if (n <= bins) return {sorted.begin(), sorted.end()};

  std::vector<Sample> out;
  out.reserve(bins);
  std::vector<double> times;
  std::vector<double> values;
  for (std::size_t k = 0; k < bins; ++k) {
    // k*n stays far below 2^64 for any series that fits in memory.
    const std::size_t begin = k * n / bins;
    const std::size_t end = (k + 1) * n / bins;
    times.clear();
    values.clear();
    for (std::size_t i = begin; i < end; ++i) {
      times.push_back(sorted[i].t_s);
      values.push_back(sorted[i].value);
    }
    out.push_back(Sample{median(times), median(values)});
  }
  return out;
}

}  // namespace leakcheck::stats
