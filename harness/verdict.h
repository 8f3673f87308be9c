#pragma once
// Each criterion of a scenario judged on the run's samples and delivery.

#include <optional>
#include <string>
#include <vector>

#include "harness/scenario.h"
#include "harness/series_table.h"
#include "receiver/reconcile.h"
#include "stats/criteria.h"

namespace leakcheck::harness {

struct CriterionVerdict {
  Criterion criterion;
  bool evaluated = false;  // false: no data (e.g. the series never appeared): a failure
  bool passed = false;
  double value = 0;
  std::optional<double> ci_low, ci_high, p_value;
  std::string shape;   // growing, plateau, flat, ... for trends
  std::optional<stats::CriterionResult::Fit> fit;  // the fitted trend line, for charts
  std::string detail;  // why, in one line
};

struct TargetOutcome {
  bool crashed = false;  // exited by itself before the end of the run
  int exit_code = -1;
  int signal = 0;
  double stop_seconds = 0;
  bool killed = false;  // did not stop within its stop timeout
};

// The soft RLIMIT_NOFILE of the target, for projected_hours_to_exhaustion.
std::vector<CriterionVerdict> judge(const Scenario& scenario, const SeriesTable& samples,
                                    const receiver::DeliveryReport& delivery, const TargetOutcome& target,
                                    std::optional<double> nofile_limit);

// Hours until the fd limit at the fitted fd trend, when it is growing.
std::optional<double> projected_fd_exhaustion_hours(const SeriesTable& samples, double warmup_s,
                                                    std::optional<double> nofile_limit);

}  // namespace leakcheck::harness
