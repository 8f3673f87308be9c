#include "stats/theil_sen.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "stats/mann_kendall.h"
#include "stats/normal.h"
#include "stats/order.h"

namespace leakcheck::stats {

Result<TheilSen> theil_sen(std::span<const Sample> samples, std::size_t max_points) {
  const std::vector<Sample> points = bin_by_time(sorted_finite(samples), max_points);
  return theil_sen_of_points(points, mann_kendall_of_points(points).var_s);
}

Result<TheilSen> theil_sen_of_points(std::span<const Sample> points, double var_s) {
  // Step 1: every pairwise slope; points are sorted, so dt >= 0.
  const std::size_t n_points = points.size();
  std::vector<double> slopes;
  slopes.reserve(n_points < 2 ? 0 : n_points * (n_points - 1) / 2);
  for (std::size_t i = 0; i < points.size(); ++i) {
    for (std::size_t j = i + 1; j < points.size(); ++j) {
      const double dt = points[j].t_s - points[i].t_s;
      if (dt > 0) slopes.push_back((points[j].value - points[i].value) / dt);
    }
  }
  if (slopes.empty()) {
    return Error(0, "a slope needs samples at two distinct times; got " + std::to_string(points.size()) +
                        " sample(s) at one time");
  }

  // Step 2: the median slope and Sen's interval by rank.
  TheilSen fit;
  fit.points = points.size();
  fit.pairs = slopes.size();
  const double n = static_cast<double>(slopes.size());
  const double c = z_95 * std::sqrt(std::max(var_s, 0.0));
  fit.slope_per_s = median(slopes);
  fit.ci_low_per_s = value_at_rank(slopes, (n - c) / 2);
  fit.ci_high_per_s = value_at_rank(slopes, (n + c) / 2 + 1);

  // Step 3: the intercept, median of the residuals at t_s = 0.
  std::vector<double> residuals;
  residuals.reserve(points.size());
  for (const Sample& p : points) residuals.push_back(p.value - fit.slope_per_s * p.t_s);
  fit.intercept = median(residuals);
  return fit;
}

}  // namespace leakcheck::stats
