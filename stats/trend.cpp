#include "stats/trend.h"

#include <vector>

namespace leakcheck::stats {

Result<Trend> fit_trend(std::span<const Sample> samples, std::size_t max_points) {
  const std::vector<Sample> sorted = sorted_finite(samples);
  const std::vector<Sample> points = bin_by_time(sorted, max_points);
  Trend trend;
  trend.mann_kendall = mann_kendall_of_points(points);
  auto fit = theil_sen_of_points(points, trend.mann_kendall.var_s);
  if (!fit) return fit.error();
  trend.theil_sen = *fit;
  trend.samples = sorted.size();
  trend.first_t_s = sorted.front().t_s;
  trend.last_t_s = sorted.back().t_s;
  trend.last_value = sorted.back().value;
  return trend;
}

bool monotonic_rise(const Trend& trend, double alpha) {
  return trend.mann_kendall.s > 0 && trend.mann_kendall.p_value < alpha;
}

bool monotonic_fall(const Trend& trend, double alpha) {
  return trend.mann_kendall.s < 0 && trend.mann_kendall.p_value < alpha;
}

bool significant_growth(const Trend& trend, double alpha) {
  return monotonic_rise(trend, alpha) && trend.theil_sen.ci_low_per_s > 0;
}

bool significant_decline(const Trend& trend, double alpha) {
  return monotonic_fall(trend, alpha) && trend.theil_sen.ci_high_per_s < 0;
}

}  // namespace leakcheck::stats
