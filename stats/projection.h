#pragma once
// When a growing series reaches a limit, e.g. fds.total against the target's
// RLIMIT_NOFILE soft limit (1024 by default): the analysis's "~40 minutes to
// 1024" and its "> 7 days without restart".
//
//   hours = (limit - level) / (growth_per_min * 60)
//
// Assumes the growth stays linear at the fitted rate: an extrapolation, only
// as good as the window is long compared with the horizon. The limit is
// reached when the count equals it (with 1024 fds open, the next open()
// fails with EMFILE).

#include <optional>
#include <string>

#include "stats/trend.h"

namespace leakcheck::stats {

// nullopt when growth_per_min <= 0 (never reached); 0 when level >= limit.
std::optional<double> hours_to_limit(double level, double growth_per_min, double limit);

// Where the projection starts, at the last sample's time.
enum class ProjectFrom {
  fitted_last,  // the fitted line at the last sample's time: robust to a last-sample outlier
  last_value,   // the last observed value
};

struct Projection {
  std::optional<double> hours;  // nullopt: no exhaustion projected (see reason)
  double from_level = 0;        // the level projected from
  std::string reason;           // one line, for reports
};

// From trend's slope, only when growth is significant (trend.h:
// significant_growth: Mann–Kendall p < alpha AND Sen's interval above 0);
// otherwise no projection, and the reason says why.
Projection project_exhaustion(const Trend& trend, double limit, ProjectFrom from = ProjectFrom::fitted_last,
                              double alpha = default_alpha);

}  // namespace leakcheck::stats
