#pragma once
// A verdict criterion on one sampled series: a statistic and a bound, e.g.
// {series: fds.total, growth_per_min: {lt: 5}}. The harness maps scenario
// criteria onto this; delivery figures (loss, latency) are judged elsewhere.
//
// growth_per_min is the Theil–Sen slope of the samples (after warmup: the
// caller drops it, see after_warmup), in series units per minute. Pass or fail
// compares the point estimate with the bound, and the result carries Sen's 95 %
// interval and the Mann–Kendall p-value beside it. Why the point estimate: the
// bound is a practical threshold ("< 5 fds/min"), not a null hypothesis; a
// short run's wide interval should not fail a collector whose best estimate is
// well under it, and the interval shows how sure that estimate is.
// `conservative` instead requires the whole interval to satisfy the bound
// (for lt/le the upper end, for gt/ge the lower end, for eq both ends): a
// pass then means "shown to be below", at the price of failing short or noisy
// runs.
//
// projected_hours_to_exhaustion (needs `limit`, e.g. RLIMIT_NOFILE soft) is
// projection.h from the fitted line at the last sample. It extrapolates the
// rate the series has now: the whole window's slope, except when the shape is
// a plateau (shape.h), where it is the last third's — a pool that filled up
// early does not project its filling rate for ever. No significant growth
// gives +infinity (never reached; a report writes it as null). Its interval
// is the hours at the two ends of the slope's interval (same level; +infinity
// where that end is <= 0), so `conservative` judges the earliest plausible
// exhaustion.
//
// max, min, mean, last, p99 are summary.h's figures; they carry no interval.
// eq compares doubles exactly (meant for counts such as `eq: 0`).

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "stats/projection.h"
#include "stats/series.h"
#include "stats/shape.h"
#include "util/result.h"

namespace leakcheck::stats {

enum class Statistic { growth_per_min, max, min, mean, last, p99, projected_hours_to_exhaustion };
enum class Op { lt, le, gt, ge, eq };

std::string_view statistic_name(Statistic statistic);  // as in scenario files: "growth_per_min"
std::optional<Statistic> parse_statistic(std::string_view name);
std::string_view op_symbol(Op op);  // "<", "<=", ">", ">=", "=="
bool satisfies(double value, Op op, double bound);

struct Bound {
  Op op = Op::lt;
  double value = 0;
};

struct CriterionOptions {
  bool conservative = false;    // judge the interval, not the point estimate (above)
  std::optional<double> limit;  // for projected_hours_to_exhaustion
  ProjectFrom project_from = ProjectFrom::fitted_last;
  double alpha = default_alpha;
  std::size_t max_points = default_max_points;
};

struct CriterionResult {
  Statistic statistic = Statistic::growth_per_min;
  double value = 0;  // the point estimate; +infinity for "never" (projection)
  Bound bound;
  bool passed = false;
  std::optional<double> ci_low;  // 95 %, growth_per_min and projected hours only
  std::optional<double> ci_high;
  std::optional<double> p_value;  // Mann–Kendall, two-sided, same two only
  std::optional<Shape> shape;     // same two only
  // The fitted line the figure came from (growth_per_min and projected hours):
  // value at t = intercept + slope_per_s * t, over [from_s, to_s], for charts.
  struct Fit {
    double slope_per_s = 0;
    double intercept = 0;
    double from_s = 0;
    double to_s = 0;
  };
  std::optional<Fit> fit;
  std::string detail;             // one line: how the value was found, and the shape's reason
};

// An error (a configuration or data problem, not a failed criterion) when
// there are no samples, when a trend needs two distinct times and has not got
// them, or when projected_hours_to_exhaustion has no limit.
Result<CriterionResult> evaluate_criterion(std::span<const Sample> samples, Statistic statistic, Bound bound,
                                           const CriterionOptions& options = {});

}  // namespace leakcheck::stats
