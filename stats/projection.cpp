#include "stats/projection.h"

#include "stats/text.h"

namespace leakcheck::stats {

std::optional<double> hours_to_limit(double level, double growth_per_min, double limit) {
  if (level >= limit) return 0.0;
  if (!(growth_per_min > 0)) return std::nullopt;
  return (limit - level) / (growth_per_min * 60);
}

Projection project_exhaustion(const Trend& trend, double limit, ProjectFrom from, double alpha) {
  Projection p;
  p.from_level = from == ProjectFrom::fitted_last ? trend.fitted_at(trend.last_t_s) : trend.last_value;
  if (!significant_growth(trend, alpha)) {
    p.reason = "no significant growth (" + number_text(trend.growth_per_min()) + "/min, 95% CI " +
               number_text(trend.ci_low_per_min()) + " to " + number_text(trend.ci_high_per_min()) +
               ", " + p_text(trend.p_value()) + "): no exhaustion projected";
    return p;
  }
  p.hours = hours_to_limit(p.from_level, trend.growth_per_min(), limit);
  p.reason = "from " + number_text(p.from_level, 6) + " at " + number_text(trend.growth_per_min()) + "/min, " +
             number_text(limit, 6) + " is reached in " + number_text(*p.hours) + " h";
  return p;
}

}  // namespace leakcheck::stats
