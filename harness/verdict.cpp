#include "harness/verdict.h"

#include <cmath>

#include "stats/series.h"

namespace leakcheck::harness {

namespace {

std::vector<stats::Sample> samples_of(const SeriesTable& table, const std::string& name, double from_s) {
  std::vector<stats::Sample> out;
  for (auto [t, v] : table.points(name, from_s)) out.push_back(stats::Sample{t, v});
  return out;
}

CriterionVerdict judge_series(const Criterion& c, const SeriesTable& table, double warmup_s,
                              std::optional<double> nofile_limit) {
  CriterionVerdict v;
  v.criterion = c;
  auto statistic = stats::parse_statistic(c.statistic);
  auto samples = samples_of(table, c.name, warmup_s);
  if (!statistic || samples.empty()) {
    v.detail = table.has(c.name) ? "no samples after the warmup" : "the series " + c.name + " never appeared";
    return v;
  }
  stats::CriterionOptions options;
  if (c.name == "fds.total") options.limit = nofile_limit;
  auto result = stats::evaluate_criterion(samples, *statistic, stats::Bound{c.op, c.bound}, options);
  if (!result) {
    v.detail = result.error().message();
    return v;
  }
  v.evaluated = true;
  v.passed = result->passed;
  v.value = result->value;
  v.ci_low = result->ci_low;
  v.ci_high = result->ci_high;
  v.p_value = result->p_value;
  if (result->shape) v.shape = std::string(stats::shape_name(*result->shape));
  v.detail = result->detail;
  return v;
}

CriterionVerdict judge_delivery(const Criterion& c, const receiver::DeliveryReport& d, const TargetOutcome& t) {
  CriterionVerdict v;
  v.criterion = c;
  const auto& totals = d.totals;
  v.evaluated = true;
  if (c.name == "loss_pct") {
    v.value = totals.loss_pct;
    v.detail = std::to_string(totals.missing) + " of " + std::to_string(totals.expected) + " lines the daemon has were never received";
    if (totals.expected == 0) {
      v.evaluated = false;
      v.detail = "no line was expected: the fleet wrote nothing the daemon kept";
    }
  } else if (c.name == "duplicates") {
    v.value = static_cast<double>(totals.counts.duplicates);
  } else if (c.name == "out_of_order") {
    v.value = static_cast<double>(totals.counts.out_of_order);
  } else if (c.name.starts_with("latency_")) {
    int64_t ns = c.name == "latency_p50" ? totals.latency_p50_ns
                 : c.name == "latency_p99" ? totals.latency_p99_ns
                                           : totals.latency_max_ns;
    v.value = static_cast<double>(ns) / 1e9;
    v.detail = std::to_string(totals.latency_samples) + " lines timed";
    if (totals.latency_samples == 0) v.evaluated = false;
  } else if (c.name == "target_exit_code") {
    v.value = t.exit_code;
  } else if (c.name == "target_stop_seconds") {
    v.value = t.stop_seconds;
  }
  v.passed = v.evaluated && stats::satisfies(v.value, c.op, c.bound);
  return v;
}

}  // namespace

std::vector<CriterionVerdict> judge(const Scenario& scenario, const SeriesTable& samples,
                                    const receiver::DeliveryReport& delivery, const TargetOutcome& target,
                                    std::optional<double> nofile_limit) {
  double warmup_s = std::chrono::duration<double>(scenario.warmup).count();
  std::vector<CriterionVerdict> out;
  for (const Criterion& c : scenario.criteria)
    out.push_back(c.delivery ? judge_delivery(c, delivery, target) : judge_series(c, samples, warmup_s, nofile_limit));
  return out;
}

std::optional<double> projected_fd_exhaustion_hours(const SeriesTable& samples, double warmup_s,
                                                    std::optional<double> nofile_limit) {
  if (!nofile_limit) return std::nullopt;
  auto points = samples_of(samples, "fds.total", warmup_s);
  if (points.size() < 2) return std::nullopt;
  stats::CriterionOptions options;
  options.limit = nofile_limit;
  auto r = stats::evaluate_criterion(points, stats::Statistic::projected_hours_to_exhaustion,
                                     stats::Bound{stats::Op::gt, 0}, options);
  if (!r || std::isinf(r->value)) return std::nullopt;
  return r->value;
}

}  // namespace leakcheck::harness
