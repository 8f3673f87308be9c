#include "harness/verdict.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "stats/series.h"
#include "stats/summary.h"

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
  v.fit = result->fit;
  if (result->shape) v.shape = std::string(stats::shape_name(*result->shape));
  v.detail = result->detail;
  return v;
}

std::string figure(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

// The median of a series before each fault against its median once the
// fault is over and settled: the increase of the worst fault is the value.
CriterionVerdict judge_after_fault(const Criterion& c, const SeriesTable& table, const std::vector<Fault>& faults) {
  CriterionVerdict v;
  v.criterion = c;
  auto points = samples_of(table, c.name, 0);
  if (points.empty()) {
    v.detail = "the series " + c.name + " never appeared";
    return v;
  }
  std::vector<const Fault*> order;
  for (const Fault& f : faults) order.push_back(&f);
  std::stable_sort(order.begin(), order.end(), [](const Fault* a, const Fault* b) { return a->at < b->at; });
  auto s_of = [](Nanos d) { return std::chrono::duration<double>(d).count(); };
  double worst = -std::numeric_limits<double>::infinity();
  std::string details;
  for (size_t k = 0; k < order.size(); ++k) {
    const Fault& f = *order[k];
    double at = s_of(f.at);
    double after_from = s_of(f.at + f.length + c.settle);
    double after_to = k + 1 < order.size() ? s_of(order[k + 1]->at) : std::numeric_limits<double>::infinity();
    std::vector<stats::Sample> before, after;
    for (const stats::Sample& p : points) {
      if (p.t_s < at) before.push_back(p);
      else if (p.t_s >= after_from && p.t_s < after_to) after.push_back(p);
    }
    if (before.size() > c.baseline_samples) before.erase(before.begin(), before.end() - static_cast<ptrdiff_t>(c.baseline_samples));
    details += details.empty() ? "" : "; ";
    details += fault_text(f) + ": ";
    auto b = stats::summarize(before);
    auto a = stats::summarize(after);
    if (!b || !a) {
      details += !b ? "no samples before it" : "no samples after it settled";
      continue;
    }
    double increase = a->median - b->median;
    worst = std::max(worst, increase);
    details += figure(b->median) + " before, " + figure(a->median) + " after (" + (increase >= 0 ? "+" : "") +
               figure(increase) + ")";
  }
  v.detail = "median of the last " + std::to_string(c.baseline_samples) + " samples before each fault vs from " +
             format_duration(c.settle) + " after its end: " + details;
  if (!std::isfinite(worst)) return v;  // no fault could be judged: not evaluated, a failure
  v.evaluated = true;
  v.value = worst;
  v.passed = stats::satisfies(worst, c.op, c.bound);
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
  } else if (c.name == "corrupt") {
    v.value = static_cast<double>(totals.counts.corrupt);
    v.detail = std::to_string(totals.counts.corrupt) + " lines with bytes other than written (" +
               std::to_string(totals.content_verified) + " opaque lines equal to the daemon's copy, " +
               std::to_string(totals.content_unverified) + " not checkable)";
  } else if (c.name == "empty_missing") {
    v.value = static_cast<double>(totals.empty_expected - std::min(totals.empty_expected, totals.empty_received));
    v.detail = std::to_string(totals.empty_received) + " empty lines received, " +
               std::to_string(totals.empty_expected) + " in the daemon's logs";
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
  for (const Criterion& c : scenario.criteria) {
    if (c.delivery) out.push_back(judge_delivery(c, delivery, target));
    else if (c.statistic == "after_fault") out.push_back(judge_after_fault(c, samples, scenario.faults));
    else out.push_back(judge_series(c, samples, warmup_s, nofile_limit));
  }
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
