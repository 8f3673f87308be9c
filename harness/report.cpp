#include "harness/report.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace leakcheck::harness {

namespace {

using json = nlohmann::ordered_json;

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
json optional_number(const std::optional<double>& v) { return v ? number_or_null(*v) : json(nullptr); }

json criterion_json(const CriterionVerdict& v) {
  const Criterion& c = v.criterion;
  return {{"text", c.text},
          {"kind", c.delivery ? "delivery" : "series"},
          {"name", c.name},
          {"statistic", c.statistic},
          {"op", op_text(c.op)},
          {"bound", c.bound},
          {"value", v.evaluated ? number_or_null(v.value) : json(nullptr)},
          {"passed", v.passed},
          {"evaluated", v.evaluated},
          {"ci_low", optional_number(v.ci_low)},
          {"ci_high", optional_number(v.ci_high)},
          {"p_value", optional_number(v.p_value)},
          {"shape", v.shape.empty() ? json(nullptr) : json(v.shape)},
          {"fit", v.fit ? json{{"slope_per_s", number_or_null(v.fit->slope_per_s)},
                               {"intercept", number_or_null(v.fit->intercept)},
                               {"from_s", v.fit->from_s},
                               {"to_s", v.fit->to_s}}
                        : json(nullptr)},
          {"detail", v.detail}};
}

json delivery_json(const receiver::DeliveryReport& d) {
  const auto& t = d.totals;
  json containers = json::array();
  for (const auto& b : d.boots) {
    containers.push_back({{"container", b.container},
                          {"boot", b.boot},
                          {"truth_read", b.truth_read},
                          {"expected", b.expected},
                          {"received", b.counts.delivered},
                          {"missing", b.missing},
                          {"missing_ranges", b.missing_ranges.text()},
                          {"duplicates", b.counts.duplicates},
                          {"out_of_order", b.counts.out_of_order},
                          {"cut", b.counts.cut + b.counts.cut_marked},
                          {"corrupt", b.counts.corrupt},
                          {"cut_marked", b.counts.cut_marked},
                          {"content_verified", b.content_verified},
                          {"lost_before_daemon", b.lost_before_daemon},
                          {"latency_p99_s", static_cast<double>(b.latency_p99_ns) / 1e9}});
  }
  return {{"expected", t.expected},
          {"received", t.counts.delivered},
          {"missing", t.missing},
          {"loss_pct", t.loss_pct},
          {"duplicates", t.counts.duplicates},
          {"out_of_order", t.counts.out_of_order},
          {"lost_before_daemon", t.lost_before_daemon},
          {"delivered_not_in_daemon", t.delivered_not_in_daemon},
          {"foreign_lines", t.foreign},
          {"corrupt", t.counts.corrupt},
          {"cut", t.counts.cut},
          {"cut_marked", t.counts.cut_marked},
          {"content_verified", t.content_verified},
          {"content_unverified", t.content_unverified},
          {"empty_expected", t.empty_expected},
          {"empty_received", t.empty_received},
          {"latency_p50_s", static_cast<double>(t.latency_p50_ns) / 1e9},
          {"latency_p99_s", static_cast<double>(t.latency_p99_ns) / 1e9},
          {"latency_max_s", static_cast<double>(t.latency_max_ns) / 1e9},
          {"containers", std::move(containers)}};
}

json faults_json(const std::vector<FaultRecord>& faults) {
  json out = json::array();
  for (const FaultRecord& f : faults) {
    json figures = json::object();
    for (const auto& [name, value] : f.figures) figures[name] = number_or_null(value);
    out.push_back({{"action", f.action},
                   {"text", f.text},
                   {"at_s", f.at_s},
                   {"for_s", f.for_s},
                   {"started_s", optional_number(f.started_s)},
                   {"ended_s", optional_number(f.ended_s)},
                   {"outcome", f.outcome},
                   {"errors", f.errors},
                   {"received_during", f.received_during},
                   {"duplicates", f.duplicates},
                   {"figures", std::move(figures)}});
  }
  return out;
}

json series_json(const SeriesTable& table) {
  json values = json::object();
  for (const std::string& name : table.names()) {
    json column = json::array();
    for (double v : table.values(name)) column.push_back(number_or_null(v));
    values[name] = std::move(column);
  }
  return {{"t_seconds", table.times()}, {"values", std::move(values)}};
}

}  // namespace

std::string report_json(const RunRecord& r) {
  const Scenario& s = *r.scenario;
  json criteria = json::array();
  for (const auto& v : r.criteria) criteria.push_back(criterion_json(v));
  json doc = {
      {"schema", kReportSchema},
      {"run_id", r.run_id},
      {"verdict", r.verdict},
      {"complete", r.complete},
      {"error", r.error.empty() ? json(nullptr) : json(r.error)},
      {"expect_fail", s.expect_fail},
      {"started_unix_ns", r.started_unix_ns},
      {"finished_unix_ns", r.finished_unix_ns},
      {"scenario",
       {{"name", s.name},
        {"file", r.scenario_file},
        {"seed", s.seed},
        {"duration_s", std::chrono::duration<double>(s.duration).count()},
        {"warmup_s", std::chrono::duration<double>(s.warmup).count()},
        {"sample_interval_s", std::chrono::duration<double>(s.sample_interval).count()},
        {"text", r.scenario_text}}},
      {"environment", r.environment},
      {"target",
       {{"command", r.target_command},
        {"crashed", r.target.crashed},
        {"exit_code", r.target.exit_code},
        {"signal", r.target.signal},
        {"stop_seconds", r.target.stop_seconds},
        {"killed_after_timeout", r.target.killed},
        {"stderr_tail", r.target_stderr_tail},
        {"nofile_soft", optional_number(r.nofile_soft)},
        {"fd_exhaustion_hours", optional_number(r.fd_exhaustion_hours)}}},
      {"fleet", {{"containers", r.fleet_containers}, {"restarts", r.fleet_restarts}, {"recreations", r.fleet_recreations}}},
      {"faults", faults_json(r.faults)},
      {"criteria", std::move(criteria)},
      {"delivery", r.delivery ? delivery_json(*r.delivery) : json(nullptr)},
      {"series", r.samples ? series_json(*r.samples) : json(nullptr)},
  };
  return doc.dump(1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace leakcheck::harness
