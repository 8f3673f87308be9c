#include "reports/html.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <vector>

#include "reports/svg_chart.h"
#include "reports/text.h"

namespace leakcheck::reports {

namespace {

using json = nlohmann::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMiB = 1024.0 * 1024.0;
// Up to this many container boots the delivery table shows every row; beyond
// it at most this many problem rows show, and the rest fold into <details>.
constexpr std::size_t kContainersShownInFull = 25;

// ---------------------------------------------------------------------------
// Reading the report without trusting it: a missing key, a null or a value of
// another type gives NaN, "" or false, never an exception.

const json& member(const json& j, std::string_view key) {
  static const json null_value;
  if (!j.is_object()) return null_value;
  auto it = j.find(std::string(key));
  return it == j.end() ? null_value : *it;
}

double number(const json& j) { return j.is_number() ? j.get<double>() : kNaN; }
double number(const json& j, std::string_view key) { return number(member(j, key)); }

std::string text(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number() || j.is_boolean()) return j.dump();
  return "";
}
std::string text(const json& j, std::string_view key) { return text(member(j, key)); }

// A scalar as text for a table cell; "n/a" for null or missing.
std::string shown(const json& j, std::string_view key) {
  std::string s = text(member(j, key));
  return s.empty() ? "n/a" : s;
}

bool flag(const json& j, std::string_view key) {
  const json& v = member(j, key);
  return v.is_boolean() && v.get<bool>();
}

std::string esc(std::string_view s) { return html_escape(s); }

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// ---------------------------------------------------------------------------
// The samples: times and one column per series, each as long as the times.

struct Samples {
  std::vector<double> t_s;
  std::map<std::string, std::vector<double>> values;

  const std::vector<double>* find(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? nullptr : &it->second;
  }
  double end_s() const {
    for (auto it = t_s.rbegin(); it != t_s.rend(); ++it)
      if (std::isfinite(*it)) return *it;
    return kNaN;
  }
};

Samples parse_samples(const json& series) {
  Samples s;
  const json& times = member(series, "t_seconds");
  if (times.is_array())
    for (const json& t : times) s.t_s.push_back(number(t));
  const json& values = member(series, "values");
  if (!values.is_object()) return s;
  for (auto it = values.begin(); it != values.end(); ++it) {
    if (!it.value().is_array()) continue;
    std::vector<double> column(s.t_s.size(), kNaN);
    std::size_t i = 0;
    for (const json& v : it.value()) {
      if (i >= column.size()) break;
      column[i++] = number(v);
    }
    s.values.emplace(it.key(), std::move(column));
  }
  return s;
}

bool any_nonzero(const std::vector<double>& v) {
  return std::any_of(v.begin(), v.end(), [](double x) { return std::isfinite(x) && x != 0; });
}
bool any_finite(const std::vector<double>& v) {
  return std::any_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

std::vector<double> scaled(const std::vector<double>& v, double factor) {
  std::vector<double> out(v.size());
  std::transform(v.begin(), v.end(), out.begin(), [factor](double x) { return x * factor; });
  return out;
}

// The per-second rate of a cumulative counter between consecutive samples,
// times `factor`; NaN where a sample is missing or the counter went back (the
// process restarted).
std::vector<double> rate_of(const std::vector<double>& t_s, const std::vector<double>& cumulative, double factor) {
  std::vector<double> out(cumulative.size(), kNaN);
  for (std::size_t i = 1; i < cumulative.size() && i < t_s.size(); ++i) {
    double dt = t_s[i] - t_s[i - 1], dv = cumulative[i] - cumulative[i - 1];
    if (std::isfinite(dt) && std::isfinite(dv) && dt > 0 && dv >= 0) out[i] = dv / dt * factor;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Criteria.

struct Fit {
  double slope_per_s = 0;
  double intercept = 0;  // the fitted value at t = 0 (the run's start)
  bool estimated = false;
  double from_s = kNaN, to_s = kNaN;  // the samples it was fitted on, when the report says
  double at(double t_s) const { return intercept + slope_per_s * t_s; }
};

struct Criterion {
  std::string text, kind, name, statistic, op, shape, detail;
  double bound = kNaN, value = kNaN, ci_low = kNaN, ci_high = kNaN, p_value = kNaN;
  bool passed = false, evaluated = false;
  std::optional<Fit> fit;
};

std::vector<Criterion> parse_criteria(const json& criteria) {
  std::vector<Criterion> out;
  if (!criteria.is_array()) return out;
  for (const json& c : criteria) {
    Criterion k;
    k.text = text(c, "text");
    k.kind = text(c, "kind");
    k.name = text(c, "name");
    k.statistic = text(c, "statistic");
    k.op = text(c, "op");
    k.shape = text(c, "shape");
    k.detail = text(c, "detail");
    k.bound = number(c, "bound");
    k.value = number(c, "value");
    k.ci_low = number(c, "ci_low");
    k.ci_high = number(c, "ci_high");
    k.p_value = number(c, "p_value");
    k.passed = flag(c, "passed");
    k.evaluated = flag(c, "evaluated");
    const json& fit = member(c, "fit");
    double slope = number(fit, "slope_per_s"), intercept = number(fit, "intercept");
    if (std::isfinite(slope) && std::isfinite(intercept))
      k.fit = Fit{slope, intercept, false, number(fit, "from_s"), number(fit, "to_s")};
    out.push_back(std::move(k));
  }
  return out;
}

// The unit a criterion's value and bound are in, for the table.
std::string unit_of(const Criterion& c) {
  if (c.statistic == "growth_per_min") return "/min";
  if (c.statistic == "projected_hours_to_exhaustion") return " h";
  if (starts_with(c.name, "latency_") || ends_with(c.name, "_seconds")) return " s";
  if (c.name == "loss_pct") return " %";
  return "";
}

// The series a criterion is about: its own for a series criterion, the
// per-interval latency series for a delivery latency criterion, "" for others.
std::string series_of(const Criterion& c) {
  if (c.kind == "series") return c.name;
  if (c.kind == "delivery" && starts_with(c.name, "latency_")) return "delivery." + c.name + "_s";
  return "";
}

// Old reports carry no fit: the Theil–Sen line through the reported slope,
// intercept the median of y - slope * t after warmup (stats/theil_sen.h).
std::optional<Fit> estimated_fit(const Criterion& c, const Samples& samples, double warmup_s) {
  const std::vector<double>* values = samples.find(c.name);
  if (!values || !std::isfinite(c.value)) return std::nullopt;
  double slope = c.value / 60;
  std::vector<double> residuals;
  for (std::size_t i = 0; i < values->size(); ++i) {
    double t = samples.t_s[i], v = (*values)[i];
    if (std::isfinite(t) && std::isfinite(v) && t >= warmup_s) residuals.push_back(v - slope * t);
  }
  if (residuals.empty()) return std::nullopt;
  std::size_t mid = residuals.size() / 2;
  std::nth_element(residuals.begin(), residuals.begin() + static_cast<long>(mid), residuals.end());
  double median = residuals[mid];
  if (residuals.size() % 2 == 0) {
    median = (median + *std::max_element(residuals.begin(), residuals.begin() + static_cast<long>(mid))) / 2;
  }
  return Fit{slope, median, true, kNaN, kNaN};
}

// ---------------------------------------------------------------------------
// Charts: planned from the samples, then the criteria's lines added to the
// chart that shows their series.

struct PlannedChart {
  LineChart chart;
  std::vector<std::string> sources;  // the report series of each chart series; "" for a derived rate
  double scale = 1;                  // chart value = report value * scale
  std::string caption_html;          // below the chart, already escaped
};

struct ChartGroup {
  std::string id;  // the section's anchor
  std::string title;
  bool small = false;  // three narrow charts a row instead of two
  std::vector<PlannedChart> charts;
};

struct ChartContext {
  const Samples& samples;
  const std::set<std::string>& named;  // series named by a criterion: charted even when all zero
  double warmup_s;
};

PlannedChart new_chart(const ChartContext& ctx, std::string title, std::string unit) {
  PlannedChart p;
  p.chart.title = std::move(title);
  p.chart.y_unit = std::move(unit);
  p.chart.t_s = ctx.samples.t_s;
  p.chart.warmup_s = ctx.warmup_s;
  return p;
}

void add_series(PlannedChart& p, std::string label, std::string source, std::vector<double> values,
                bool emphasized = false) {
  p.chart.series.push_back({std::move(label), std::move(values), emphasized});
  p.sources.push_back(std::move(source));
}

// A total and its breakdown: every series under `prefix` that is not all
// zero (or that a criterion names), the total first and bold.
std::optional<PlannedChart> breakdown_chart(const ChartContext& ctx, std::string title, std::string unit,
                                            const std::string& prefix, std::string (*label)(std::string_view)) {
  PlannedChart p = new_chart(ctx, std::move(title), std::move(unit));
  const std::string total = prefix + "total";
  if (const auto* v = ctx.samples.find(total); v && any_finite(*v)) add_series(p, label("total"), total, *v, true);
  for (const auto& [name, values] : ctx.samples.values) {
    if (!starts_with(name, prefix) || name == total) continue;
    if (!any_nonzero(values) && !ctx.named.count(name)) continue;
    add_series(p, label(std::string_view(name).substr(prefix.size())), name, values);
  }
  bool has_breakdown = p.chart.series.size() > 1 || (p.chart.series.size() == 1 && !p.chart.series[0].emphasized);
  bool total_nonzero = !p.chart.series.empty() && any_nonzero(p.chart.series[0].values);
  if (!has_breakdown && !total_nonzero) return std::nullopt;
  return p;
}

std::string plain_label(std::string_view suffix) { return std::string(suffix); }

// sockets.unix.<...>: "listen.PATH", "accepted.PATH", a peer PATH, "unconnected".
std::string unix_label(std::string_view suffix) {
  if (starts_with(suffix, "listen.")) return "listening " + std::string(suffix.substr(7));
  if (starts_with(suffix, "accepted.")) return "accepted on " + std::string(suffix.substr(9));
  if (starts_with(suffix, "/") || starts_with(suffix, "@")) return "connected to " + std::string(suffix);
  return std::string(suffix);
}

std::optional<PlannedChart> memory_chart(const ChartContext& ctx, const std::string& prefix, std::string title) {
  PlannedChart p = new_chart(ctx, std::move(title), "MiB");
  p.scale = 1 / kMiB;
  for (const char* name : {"rss_bytes", "pss_bytes"}) {
    std::string key = prefix + name;
    if (const auto* v = ctx.samples.find(key); v && any_finite(*v))
      add_series(p, std::string(name).substr(0, 3), key, scaled(*v, p.scale));
  }
  if (p.chart.series.empty()) return std::nullopt;
  return p;
}

std::optional<PlannedChart> cpu_chart(const ChartContext& ctx) {
  PlannedChart p = new_chart(ctx, "CPU", "% of one core");
  const std::pair<const char*, const char*> parts[] = {
      {"cpu_seconds", "total"}, {"cpu.user_seconds", "user"}, {"cpu.system_seconds", "system"}};
  for (const auto& [key, label] : parts) {
    const auto* v = ctx.samples.find(key);
    if (!v || !any_finite(*v)) continue;
    bool total = std::string_view(key) == "cpu_seconds";
    add_series(p, label, "", rate_of(ctx.samples.t_s, *v, 100), total);
  }
  if (p.chart.series.empty()) return std::nullopt;
  p.caption_html = "CPU time used between two samples, as a share of one core.";
  return p;
}

std::optional<PlannedChart> single_chart(const ChartContext& ctx, const std::string& key, std::string title,
                                         std::string unit, std::string label) {
  const auto* v = ctx.samples.find(key);
  if (!v || !any_finite(*v)) return std::nullopt;
  PlannedChart p = new_chart(ctx, std::move(title), std::move(unit));
  add_series(p, std::move(label), key, *v, true);
  return p;
}

void push(std::vector<PlannedChart>& charts, std::optional<PlannedChart> p) {
  if (p) charts.push_back(std::move(*p));
}

ChartGroup target_charts(const ChartContext& ctx, const json& target) {
  ChartGroup g{"resources", "Target resources over time", false, {}};
  auto fds = breakdown_chart(ctx, "File descriptors by kind", "fds", "fds.", plain_label);
  if (fds) {
    double hours = number(target, "fd_exhaustion_hours"), limit = number(target, "nofile_soft");
    if (std::isfinite(hours))
      fds->caption_html = "<strong>Projection:</strong> at this rate the fd limit (" + format_value(limit) +
                          ", soft RLIMIT_NOFILE) is reached in <strong>" + format_value(hours) + " hours</strong>.";
    else if (std::isfinite(limit))
      fds->caption_html = "fd limit (soft RLIMIT_NOFILE): " + format_value(limit) + "; no growth to project.";
  }
  push(g.charts, std::move(fds));
  push(g.charts, breakdown_chart(ctx, "Threads by name", "threads", "threads.", plain_label));
  // TIME_WAIT is counted for the whole network namespace (no fd, no owner):
  // often hundreds from the harness's own connections, it would flatten the
  // target's states; it is left out unless a criterion names it.
  auto tcp = breakdown_chart(ctx, "TCP sockets by state", "sockets", "sockets.tcp.", plain_label);
  if (tcp && !ctx.named.count("sockets.tcp.time_wait_in_netns")) {
    auto& sources = tcp->sources;
    auto it = std::find(sources.begin(), sources.end(), "sockets.tcp.time_wait_in_netns");
    if (it != sources.end()) {
      tcp->chart.series.erase(tcp->chart.series.begin() + (it - sources.begin()));
      sources.erase(it);
      tcp->caption_html = "TIME_WAIT sockets of the network namespace (no fd, no owner) are left out.";
    }
  }
  push(g.charts, std::move(tcp));
  push(g.charts, breakdown_chart(ctx, "Unix sockets by peer", "sockets", "sockets.unix.", unix_label));
  push(g.charts, memory_chart(ctx, "", "Memory"));
  push(g.charts, cpu_chart(ctx));
  return g;
}

ChartGroup delivery_charts(const ChartContext& ctx) {
  ChartGroup g{"delivery-charts", "Delivery over time", false, {}};
  if (const auto* v = ctx.samples.find("delivery.lines_received"); v && any_finite(*v)) {
    PlannedChart p = new_chart(ctx, "Delivery rate", "lines/s");
    add_series(p, "lines received by the receiver", "", rate_of(ctx.samples.t_s, *v, 1), true);
    push(g.charts, std::move(p));
  }
  PlannedChart latency = new_chart(ctx, "Delivery latency (per interval)", "seconds");
  const std::pair<const char*, const char*> parts[] = {{"delivery.latency_p50_s", "p50"},
                                                       {"delivery.latency_p99_s", "p99"},
                                                       {"delivery.latency_max_s", "max"}};
  // p99 (what the usual criterion judges) bold and on top: with few lines in
  // an interval it equals the max.
  for (const auto& [key, label] : parts)
    if (const auto* v = ctx.samples.find(key); v && any_finite(*v))
      add_series(latency, label, key, *v, std::string_view(label) == "p99");
  if (!latency.chart.series.empty()) g.charts.push_back(std::move(latency));
  return g;
}

// observe.<name>.<series>: the names of the other observed processes.
std::vector<std::string> observed_names(const Samples& samples) {
  std::set<std::string> names;
  for (const auto& [key, values] : samples.values) {
    if (!starts_with(key, "observe.")) continue;
    for (std::string_view suffix : {".fds.total", ".threads.total", ".rss_bytes"}) {
      if (ends_with(key, suffix) && key.size() > 8 + suffix.size())
        names.insert(key.substr(8, key.size() - 8 - suffix.size()));
    }
  }
  return {names.begin(), names.end()};
}

ChartGroup observed_charts(const ChartContext& ctx) {
  ChartGroup g{"observed", "Other observed processes", true, {}};
  for (const std::string& name : observed_names(ctx.samples)) {
    std::string prefix = "observe." + name + ".";
    for (auto p : {single_chart(ctx, prefix + "fds.total", name + ": file descriptors", "fds", "fds.total"),
                   single_chart(ctx, prefix + "threads.total", name + ": threads", "threads", "threads.total"),
                   memory_chart(ctx, prefix, name + ": memory")}) {
      if (!p) continue;
      p->chart.width = 400;
      p->chart.plot_height = 150;
      g.charts.push_back(std::move(*p));
    }
  }
  return g;
}

ChartGroup metric_charts(const ChartContext& ctx) {
  ChartGroup g{"metrics", "Target metrics (Prometheus)", true, {}};
  for (const auto& [key, values] : ctx.samples.values) {
    if (!starts_with(key, "metrics.")) continue;
    std::string metric = key.substr(8);
    if (!ends_with(metric, "streams_open") && !ends_with(metric, "queue_depth")) continue;
    if (auto p = single_chart(ctx, key, metric, "value", metric)) {
      p->chart.width = 400;
      p->chart.plot_height = 150;
      g.charts.push_back(std::move(*p));
    }
  }
  return g;
}

PlannedChart* chart_showing(std::vector<ChartGroup>& groups, const std::string& series) {
  for (auto& g : groups)
    for (auto& p : g.charts)
      if (std::find(p.sources.begin(), p.sources.end(), series) != p.sources.end()) return &p;
  return nullptr;
}

std::string bound_text(const Criterion& c) { return c.op + " " + format_value(c.bound) + unit_of(c); }

// A criterion's trend and threshold on the chart that shows its series.
void add_criterion_lines(PlannedChart& p, const Criterion& c, const std::string& series, const Fit* fit,
                         double warmup_s, double end_s) {
  auto index = static_cast<int>(std::find(p.sources.begin(), p.sources.end(), series) - p.sources.begin());
  if (c.statistic == "growth_per_min") {
    if (!fit || !std::isfinite(c.bound)) return;
    // Over the samples it was fitted on: after the warmup, to the end.
    double t0 = std::isfinite(fit->from_s) ? fit->from_s : std::min(warmup_s, end_s);
    double t1 = std::isfinite(fit->to_s) && fit->to_s > t0 ? fit->to_s : end_s;
    std::string slope = format_value(fit->slope_per_s * 60);
    if (fit->slope_per_s > 0) slope = "+" + slope;
    p.chart.lines.push_back({series + " trend " + slope + "/min" + (fit->estimated ? " (estimated)" : ""), t0,
                             fit->at(t0) * p.scale, t1, fit->at(t1) * p.scale, LineStyle::trend, index});
    // The bound as a slope, through the trend's value at the end of the warmup.
    double limit_end = fit->at(t0) + c.bound / 60 * (t1 - t0);
    p.chart.lines.push_back({series + " limit " + bound_text(c) + " from the trend at warmup end", t0,
                             fit->at(t0) * p.scale, t1, limit_end * p.scale, LineStyle::threshold, index});
    return;
  }
  static const std::set<std::string> levels = {"max", "min", "mean", "last", "p99", "value"};
  if (!levels.count(c.statistic) || !std::isfinite(c.bound)) return;
  double start = p.chart.t_s.empty() ? 0 : std::min(0.0, p.chart.t_s.front());
  std::string what = c.kind == "delivery" ? c.name : series + " " + c.statistic;
  p.chart.lines.push_back({"limit: " + what + " " + bound_text(c), start, c.bound * p.scale, end_s,
                           c.bound * p.scale, LineStyle::threshold, index});
}

void attach_criteria(std::vector<ChartGroup>& groups, const std::vector<Criterion>& criteria,
                     const ChartContext& ctx) {
  double end_s = ctx.samples.end_s();
  if (!std::isfinite(end_s)) return;
  ChartGroup extra{"criteria-charts", "Other series named by criteria", false, {}};
  for (const Criterion& c : criteria) {
    std::string series = series_of(c);
    if (series.empty()) continue;
    PlannedChart* p = chart_showing(groups, series);
    if (!p) {
      if (c.kind != "series" || !ctx.samples.find(series)) continue;
      for (auto& q : extra.charts)
        if (q.sources.front() == series) p = &q;
      if (!p) {
        auto chart = single_chart(ctx, series, series, "value", series);
        if (!chart) continue;
        extra.charts.push_back(std::move(*chart));
        p = &extra.charts.back();
      }
    }
    std::optional<Fit> fit = c.fit;
    if (!fit && c.statistic == "growth_per_min") fit = estimated_fit(c, ctx.samples, ctx.warmup_s);
    add_criterion_lines(*p, c, series, fit ? &*fit : nullptr, ctx.warmup_s, end_s);
  }
  if (!extra.charts.empty()) groups.push_back(std::move(extra));
}

// ---------------------------------------------------------------------------
// The page, section by section. Each appends to `out`; every report string
// goes through esc().

constexpr const char* kStyle = R"css(
:root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f4f5f7}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1240px;margin:0 auto;padding:20px 24px 40px}
h1{font-size:24px;margin:0 0 2px}
h2{font-size:17px;margin:30px 0 10px;padding-bottom:5px;border-bottom:1px solid #d1d5db}
h3{font-size:14px;margin:18px 0 8px}
p{margin:6px 0}
code,pre,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
.verdict{display:flex;gap:24px;align-items:center;border-radius:10px;padding:16px 22px;border:1px solid;border-left-width:10px;background:#fff}
.verdict-word{font-size:36px;font-weight:800;letter-spacing:.04em;min-width:150px}
.v-pass{border-color:#16a34a;background:#f0fdf4}.v-pass .verdict-word{color:#15803d}
.v-fail{border-color:#dc2626;background:#fef2f2}.v-fail .verdict-word{color:#b91c1c}
.v-warn{border-color:#d97706;background:#fffbeb}.v-warn .verdict-word{color:#b45309}
.meta{color:#4b5563}
.note{font-weight:600}
.error{color:#92400e;font-weight:600;white-space:pre-wrap}
.callout{margin:14px 0;padding:12px 16px;border-radius:8px;background:#fff7ed;border:1px solid #fdba74;font-size:16px;color:#9a3412}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:10px;margin:14px 0}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:9px 12px}
.card .label{font-size:12px;color:var(--muted)}
.card .value{font-size:19px;font-weight:650;font-variant-numeric:tabular-nums}
.card .sub{font-size:12px;color:var(--muted)}
.table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:8px;background:#fff}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:5px 9px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
tr:last-child td{border-bottom:none}
th{background:#f9fafb;font-weight:600;color:#374151;white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.detail{color:#4b5563;font-size:12px;min-width:260px}
tr.bad td{background:#fef2f2}
tr.bad td.hot{color:#b91c1c;font-weight:700}
.pill{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;font-weight:700;white-space:nowrap}
.pill.pass{background:#dcfce7;color:#166534}.pill.fail{background:#fee2e2;color:#991b1b}.pill.na{background:#fef3c7;color:#92400e}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(540px,1fr));gap:14px}
.charts.small{grid-template-columns:repeat(auto-fill,minmax(360px,1fr))}
figure{margin:0;background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px 8px 6px}
figcaption{font-size:12.5px;color:#4b5563;padding:2px 6px}
svg.chart{display:block;width:100%;height:auto}
svg.chart .pt:hover{fill:#111827}
pre{background:#111827;color:#e5e7eb;padding:12px 14px;border-radius:8px;overflow:auto;max-height:460px;white-space:pre-wrap;word-break:break-word;margin:6px 0}
pre.full{max-height:none}
details{background:#fff;border:1px solid var(--line);border-radius:8px;padding:6px 10px;margin:10px 0}
details>summary{cursor:pointer;font-weight:600;padding:2px 0}
details .table-wrap{border:none;margin-top:6px}
.muted{color:var(--muted)}
.kv th{width:230px;font-weight:600;background:#fff}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px}
footer{margin-top:34px;color:var(--muted);font-size:12px}
)css";

std::string pill(bool passed, bool evaluated) {
  if (!evaluated) return "<span class=\"pill na\">not evaluated</span>";
  return passed ? "<span class=\"pill pass\">pass</span>" : "<span class=\"pill fail\">FAIL</span>";
}

std::string utc_time(const json& unix_ns) {
  if (!unix_ns.is_number_integer() || unix_ns.get<int64_t>() <= 0) return "";
  std::time_t secs = static_cast<std::time_t>(unix_ns.get<int64_t>() / 1000000000);
  std::tm tm{};
  if (!gmtime_r(&secs, &tm)) return "";
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

double wall_seconds(const json& report) {
  const json& a = member(report, "started_unix_ns");
  const json& b = member(report, "finished_unix_ns");
  if (!a.is_number_integer() || !b.is_number_integer()) return kNaN;
  int64_t start = a.get<int64_t>(), end = b.get<int64_t>();
  return start > 0 && end >= start ? static_cast<double>(end - start) / 1e9 : kNaN;
}

void banner(std::string& out, const json& report, const Samples& samples) {
  const std::string verdict = text(report, "verdict");
  const json& scenario = member(report, "scenario");
  const char* cls = verdict == "PASS" ? "v-pass" : verdict == "FAIL" ? "v-fail" : "v-warn";
  out += "<header class=\"verdict " + std::string(cls) + "\"><div class=\"verdict-word\">" +
         esc(verdict.empty() ? "UNKNOWN" : verdict) + "</div><div>\n";
  std::string name = text(scenario, "name");
  out += "<h1>" + esc(name.empty() ? "(unnamed scenario)" : name) + "</h1>\n";
  std::string description = text(scenario, "description");
  if (!description.empty()) out += "<p>" + esc(description) + "</p>\n";

  std::vector<std::string> meta;
  meta.push_back("run <code>" + esc(text(report, "run_id")) + "</code>");
  double planned = number(scenario, "duration_s"), sampled = samples.end_s(), wall = wall_seconds(report);
  if (std::isfinite(sampled)) meta.push_back(format_duration(sampled) + " sampled");
  if (std::isfinite(planned)) meta.push_back("scenario duration " + format_duration(planned));
  if (std::isfinite(wall)) meta.push_back("wall time " + format_duration(wall));
  if (std::string started = utc_time(member(report, "started_unix_ns")); !started.empty())
    meta.push_back("started " + started);
  if (std::string file = text(scenario, "file"); !file.empty()) meta.push_back("<code>" + esc(file) + "</code>");
  out += "<p class=\"meta\">";
  for (std::size_t i = 0; i < meta.size(); ++i) out += (i ? " · " : "") + meta[i];
  out += "</p>\n";

  if (flag(report, "expect_fail")) {
    if (verdict == "FAIL")
      out += "<p class=\"note\">A negative control: this scenario is expected to fail. "
             "This FAIL is the intended result: leakcheck saw the leak.</p>\n";
    else
      out += "<p class=\"note\">A negative control: this scenario is expected to fail, but the verdict is " +
             esc(verdict) + ".</p>\n";
  }
  const json& complete = member(report, "complete");
  if (complete.is_boolean() && !complete.get<bool>())
    out += "<p class=\"note\">The run did not complete (interrupted or ended early): figures cover only part "
           "of it.</p>\n";
  if (std::string error = text(report, "error"); !error.empty())
    out += "<p class=\"error\">Error: " + esc(error) + "</p>\n";
  out += "</div></header>\n";
}

void projection(std::string& out, const json& target) {
  double hours = number(target, "fd_exhaustion_hours");
  if (!std::isfinite(hours)) return;
  double limit = number(target, "nofile_soft");
  std::string when = format_value(hours) + " hours";
  if (hours < 1) when += " (" + format_value(hours * 60) + " minutes)";
  else if (hours > 48) when += " (" + format_value(hours / 24) + " days)";
  out += "<div class=\"callout\">At this rate the target reaches its fd limit (" +
         (std::isfinite(limit) ? format_value(limit) : std::string("target.nofile_soft")) +
         ", the soft RLIMIT_NOFILE) in <strong>" + when + "</strong>.</div>\n";
}

double last_finite(const std::vector<double>* v) {
  if (!v) return kNaN;
  for (auto it = v->rbegin(); it != v->rend(); ++it)
    if (std::isfinite(*it)) return *it;
  return kNaN;
}

void card(std::string& out, const std::string& label, const std::string& value, const std::string& sub) {
  out += "<div class=\"card\"><div class=\"label\">" + label + "</div><div class=\"value\">" + value + "</div>";
  if (!sub.empty()) out += "<div class=\"sub\">" + sub + "</div>";
  out += "</div>\n";
}

void key_figures(std::string& out, const json& report, const Samples& samples) {
  out += "<div class=\"cards\">\n";
  const json& delivery = member(report, "delivery");
  if (delivery.is_object()) {
    card(out, "Lines delivered", format_value(number(delivery, "received")),
         "of " + format_value(number(delivery, "expected")) + "; " + format_value(number(delivery, "missing")) +
             " missing, " + format_value(number(delivery, "duplicates")) + " duplicated, loss " +
             format_value(number(delivery, "loss_pct")) + " %");
    card(out, "Latency p99", format_value(number(delivery, "latency_p99_s")) + " s",
         "p50 " + format_value(number(delivery, "latency_p50_s")) + " s, max " +
             format_value(number(delivery, "latency_max_s")) + " s");
  }
  double fds = last_finite(samples.find("fds.total"));
  double fd_limit = number(member(report, "target"), "nofile_soft");
  if (std::isfinite(fds))
    card(out, "File descriptors (last)", format_value(fds),
         std::isfinite(fd_limit) ? "limit " + format_value(fd_limit) : "");
  double threads = last_finite(samples.find("threads.total"));
  if (std::isfinite(threads)) card(out, "Threads (last)", format_value(threads), "");
  double rss = last_finite(samples.find("rss_bytes"));
  if (std::isfinite(rss)) card(out, "RSS (last)", format_value(rss / kMiB) + " MiB", "");
  const json& target = member(report, "target");
  if (target.is_object()) {
    std::string outcome = flag(target, "crashed") ? "crashed" : "exit " + shown(target, "exit_code");
    if (number(target, "signal") > 0) outcome += ", signal " + shown(target, "signal");
    card(out, "Target", esc(outcome), "stopped in " + format_value(number(target, "stop_seconds")) + " s");
  }
  out += "</div>\n";
}

void criteria_table(std::string& out, const std::vector<Criterion>& criteria) {
  out += "<h2 id=\"criteria\">Criteria</h2>\n";
  if (criteria.empty()) {
    out += "<p class=\"muted\">No criterion was judged.</p>\n";
    return;
  }
  out += "<div class=\"table-wrap\"><table><thead><tr><th>result</th><th>criterion</th><th class=\"n\">measured"
         "</th><th class=\"n\">bound</th><th class=\"n\">95% CI</th><th class=\"n\">p-value</th><th>shape</th>"
         "<th>detail</th></tr></thead><tbody>\n";
  for (const Criterion& c : criteria) {
    std::string unit = unit_of(c);
    std::string ci = std::isfinite(c.ci_low) || std::isfinite(c.ci_high)
                         ? format_value(c.ci_low) + " .. " + format_value(c.ci_high) + unit
                         : "—";
    out += std::string("<tr") + (c.evaluated && c.passed ? "" : " class=\"bad\"") + "><td>" +
           pill(c.passed, c.evaluated) + "</td><td><code>" + esc(c.text) + "</code></td><td class=\"n\">" +
           (c.evaluated ? esc(format_value(c.value) + unit) : "—") + "</td><td class=\"n\">" +
           esc(bound_text(c)) + "</td><td class=\"n\">" + esc(ci) + "</td><td class=\"n\">" +
           (std::isfinite(c.p_value) ? format_value(c.p_value) : "—") + "</td><td>" +
           (c.shape.empty() ? "—" : esc(c.shape)) + "</td><td class=\"detail\">" + esc(c.detail) +
           "</td></tr>\n";
  }
  out += "</tbody></table></div>\n";
}

void chart_group(std::string& out, const ChartGroup& g) {
  if (g.charts.empty()) return;
  out += "<h2 id=\"" + g.id + "\">" + esc(g.title) + "</h2>\n";
  out += std::string("<div class=\"charts") + (g.small ? " small" : "") + "\">\n";
  for (const PlannedChart& p : g.charts) {
    out += "<figure>" + render_line_chart(p.chart) + "\n";
    if (!p.caption_html.empty()) out += "<figcaption>" + p.caption_html + "</figcaption>";
    out += "</figure>\n";
  }
  out += "</div>\n";
}

// A few charts of the target's own metrics and a table of all of them.
void metrics_section(std::string& out, const ChartGroup& g, const Samples& samples) {
  std::vector<std::pair<std::string, const std::vector<double>*>> rows;
  for (const auto& [key, values] : samples.values)
    if (starts_with(key, "metrics.")) rows.emplace_back(key.substr(8), &values);
  if (rows.empty()) return;
  chart_group(out, g);
  if (g.charts.empty()) out += "<h2 id=\"" + g.id + "\">" + esc(g.title) + "</h2>\n";
  out += "<details><summary>All " + std::to_string(rows.size()) +
         " metrics: first and last value</summary><div class=\"table-wrap\"><table><thead><tr><th>metric</th>"
         "<th class=\"n\">first</th><th class=\"n\">last</th><th class=\"n\">change</th></tr></thead><tbody>\n";
  for (const auto& [name, values] : rows) {
    double first = kNaN, last = last_finite(values);
    for (double v : *values)
      if (std::isfinite(v)) {
        first = v;
        break;
      }
    double change = last - first;
    out += "<tr><td><code>" + esc(name) + "</code></td><td class=\"n\">" + format_value(first) +
           "</td><td class=\"n\">" + format_value(last) + "</td><td class=\"n\">" +
           (std::isfinite(change) && change > 0 ? "+" : "") + format_value(change) + "</td></tr>\n";
  }
  out += "</tbody></table></div></details>\n";
}

// One container boot of delivery.containers, and how bad it went: lines
// missing, then other delivery faults, then a p99 latency over the
// criterion's bound (NaN: no latency criterion).
struct ContainerRow {
  const json* row = nullptr;
  double missing = 0, faults = 0, p99_s = kNaN;
  bool slow = false, unread = false;
  bool problem() const { return missing > 0 || faults > 0 || slow || unread; }
};

ContainerRow container_row(const json& c, double latency_bound_s) {
  ContainerRow r;
  r.row = &c;
  auto count = [&](const char* key) { return std::max(0.0, std::isfinite(number(c, key)) ? number(c, key) : 0); };
  r.missing = count("missing");
  r.faults = count("duplicates") + count("out_of_order") + count("cut") + count("corrupt");
  r.p99_s = number(c, "latency_p99_s");
  r.slow = std::isfinite(latency_bound_s) && r.p99_s > latency_bound_s;
  const json& truth = member(c, "truth_read");
  r.unread = truth.is_boolean() && !truth.get<bool>();
  return r;
}

void container_rows(std::string& out, std::span<const ContainerRow> rows, const std::string& run_prefix) {
  out += "<div class=\"table-wrap\"><table><thead><tr><th>container</th><th class=\"n\">boot</th>"
         "<th class=\"n\">expected</th><th class=\"n\">received</th><th class=\"n\">missing</th>"
         "<th class=\"n\">duplicates</th><th class=\"n\">out of order</th><th class=\"n\">cut</th>"
         "<th class=\"n\">corrupt</th><th class=\"n\">p99 latency</th><th>missing ranges</th></tr></thead><tbody>\n";
  for (const ContainerRow& r : rows) {
    const json& c = *r.row;
    std::string name = text(c, "container");
    std::string shown = !run_prefix.empty() && starts_with(name, run_prefix) && name.size() > run_prefix.size()
                            ? name.substr(run_prefix.size())
                            : name;
    out += std::string("<tr") + (r.problem() ? " class=\"bad\"" : "") + "><td><code title=\"" + esc(name) +
           "\">" + esc(shown) + "</code>";
    if (r.unread) out += " <span class=\"pill na\">daemon log not read</span>";
    out += "</td><td class=\"n\">" + esc(text(c, "boot")) + "</td>";
    for (const char* key : {"expected", "received", "missing", "duplicates", "out_of_order", "cut", "corrupt"}) {
      double v = number(c, key);
      bool hot = std::string_view(key) != "expected" && std::string_view(key) != "received" && v > 0;
      out += std::string("<td class=\"n") + (hot ? " hot" : "") + "\">" + format_value(v) + "</td>";
    }
    out += std::string("<td class=\"n") + (r.slow ? " hot" : "") + "\">" +
           (std::isfinite(r.p99_s) ? format_value(r.p99_s) + " s" : std::string("—")) + "</td><td class=\"mono\">" +
           esc(text(c, "missing_ranges")) + "</td></tr>\n";
  }
  out += "</tbody></table></div>\n";
}

// The bound of a `latency_p99 < X` criterion, in seconds; NaN without one.
double latency_p99_bound(const std::vector<Criterion>& criteria) {
  for (const Criterion& c : criteria)
    if (c.kind == "delivery" && c.name == "latency_p99" && (c.op == "<" || c.op == "<=")) return c.bound;
  return kNaN;
}

void container_table(std::string& out, const json& containers, const std::string& run_id, double latency_bound_s) {
  std::vector<ContainerRow> rows;
  for (const json& c : containers) rows.push_back(container_row(c, latency_bound_s));
  // Problems first, the worst first: missing lines, other faults, latency.
  std::stable_sort(rows.begin(), rows.end(), [](const ContainerRow& a, const ContainerRow& b) {
    if (a.problem() != b.problem()) return a.problem();
    if (!a.problem()) return false;
    if (a.missing != b.missing) return a.missing > b.missing;
    if (a.faults != b.faults) return a.faults > b.faults;
    return (std::isfinite(a.p99_s) ? a.p99_s : 0) > (std::isfinite(b.p99_s) ? b.p99_s : 0);
  });
  auto problems = static_cast<std::size_t>(
      std::find_if(rows.begin(), rows.end(), [](const ContainerRow& r) { return !r.problem(); }) - rows.begin());
  std::string prefix = run_id.empty() ? "" : run_id + "-";
  out += "<h3>Per container (" + std::to_string(rows.size()) + " boots, " + std::to_string(problems) +
         " with problems)</h3>\n<p class=\"muted\">";
  if (!prefix.empty()) out += "Names without the run id prefix <code>" + esc(prefix) + "</code>. ";
  out += "A problem is a line missing, duplicated, out of order, cut or corrupt";
  if (std::isfinite(latency_bound_s)) out += ", or a p99 latency over the criterion's " + format_value(latency_bound_s) + " s";
  out += ".</p>\n";
  if (rows.size() <= kContainersShownInFull) {
    container_rows(out, rows, prefix);
    return;
  }
  std::span<const ContainerRow> all(rows);
  std::size_t shown = std::min(problems, kContainersShownInFull);
  if (shown > 0) container_rows(out, all.subspan(0, shown), prefix);
  auto folded = [&](std::size_t from, std::size_t to, const std::string& what) {
    if (from >= to) return;
    out += "<details><summary>" + std::to_string(to - from) + " " + what + "</summary>\n";
    container_rows(out, all.subspan(from, to - from), prefix);
    out += "</details>\n";
  };
  folded(shown, problems, "more container boots with problems");
  folded(problems, rows.size(), "container boots without problems");
}

void delivery_section(std::string& out, const json& report, const std::vector<Criterion>& criteria) {
  const json& d = member(report, "delivery");
  out += "<h2 id=\"delivery\">Delivery</h2>\n";
  if (!d.is_object()) {
    out += "<p class=\"muted\">No delivery figures: the run ended before reconciliation.</p>\n";
    return;
  }
  out += "<p>Reconciled line by line with the daemon's own logs. " + format_value(number(d, "received")) +
         " of " + format_value(number(d, "expected")) + " lines received, " + format_value(number(d, "missing")) +
         " missing (loss " + format_value(number(d, "loss_pct")) + " %), " + format_value(number(d, "duplicates")) +
         " duplicated, " + format_value(number(d, "out_of_order")) + " out of order; " +
         format_value(number(d, "lost_before_daemon")) + " lost before the daemon had them, " +
         format_value(number(d, "delivered_not_in_daemon")) + " delivered but not in the daemon's logs, " +
         format_value(number(d, "foreign_lines")) + " foreign. Latency p50 " +
         format_value(number(d, "latency_p50_s")) + " s, p99 " + format_value(number(d, "latency_p99_s")) +
         " s, max " + format_value(number(d, "latency_max_s")) + " s.</p>\n";
  // Newer reports: the content check of lines with arbitrary bytes, cut
  // lines, empty lines (see scenarios/faults/pathological-content.yaml).
  if (member(d, "corrupt").is_number()) {
    out += "<p>Content: " + format_value(number(d, "corrupt")) + " corrupt, " +
           format_value(number(d, "content_verified")) + " lines of arbitrary bytes verified against the daemon's copy (" +
           format_value(number(d, "content_unverified")) + " could not be), " + format_value(number(d, "cut_marked")) +
           " over-long lines cut and marked, " + format_value(number(d, "cut")) + " cut unmarked; empty lines " +
           format_value(number(d, "empty_received")) + " received of " + format_value(number(d, "empty_expected")) +
           ".</p>\n";
  }
  const json& containers = member(d, "containers");
  if (containers.is_array() && !containers.empty())
    container_table(out, containers, text(report, "run_id"), latency_p99_bound(criteria));
}

// argv as a shell would need it typed: arguments with special characters in
// single quotes. For reading only; the harness never runs a shell.
std::string shell_words(const json& command) {
  std::string out;
  if (!command.is_array()) return out;
  for (const json& arg : command) {
    std::string a = text(arg);
    bool plain = !a.empty() && a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                   "0123456789-_./:=,@+%") == std::string::npos;
    if (!out.empty()) out += ' ';
    if (plain) {
      out += a;
      continue;
    }
    out += '\'';
    for (char ch : a) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    out += '\'';
  }
  return out;
}

void kv_row(std::string& out, const std::string& key_html, const std::string& value_html) {
  out += "<tr><th>" + key_html + "</th><td>" + value_html + "</td></tr>\n";
}

std::string yes_no(const json& v) { return v.is_boolean() ? (v.get<bool>() ? "yes" : "no") : "n/a"; }

void target_section(std::string& out, const json& report) {
  const json& target = member(report, "target");
  out += "<h2 id=\"target\">Target</h2>\n";
  if (!target.is_object()) {
    out += "<p class=\"muted\">No target information.</p>\n";
    return;
  }
  out += "<h3>Command</h3><pre>" + esc(shell_words(member(target, "command"))) + "</pre>\n";
  out += "<div class=\"table-wrap\"><table class=\"kv\"><tbody>\n";
  kv_row(out, "exit code", esc(shown(target, "exit_code")));
  kv_row(out, "signal", esc(shown(target, "signal")));
  kv_row(out, "stopped within", format_value(number(target, "stop_seconds")) + " s");
  kv_row(out, "crashed (exited by itself during the run)", yes_no(member(target, "crashed")));
  kv_row(out, "killed after the stop timeout", yes_no(member(target, "killed_after_timeout")));
  kv_row(out, "fd limit (soft RLIMIT_NOFILE)", format_value(number(target, "nofile_soft")));
  double hours = number(target, "fd_exhaustion_hours");
  kv_row(out, "projected hours to the fd limit",
         std::isfinite(hours) ? format_value(hours) : std::string("none (no fd growth to project)"));
  out += "</tbody></table></div>\n";

  const json& faults = member(report, "faults");
  if (faults.is_array() && !faults.empty()) {
    out += "<h3>Faults injected</h3><div class=\"table-wrap\"><table><thead><tr><th>action</th>"
           "<th class=\"n\">at</th><th class=\"n\">for</th><th>what happened</th>"
           "<th class=\"n\">lines received during it</th><th class=\"n\">duplicates after it</th></tr></thead>"
           "<tbody>\n";
    for (const json& f : faults) {
      const json& errors = member(f, "errors");
      const bool failed = errors.is_array() && !errors.empty();
      std::string what = esc(text(f, "outcome"));
      if (failed)
        for (const json& e : errors) what += "<br><b>not as planned:</b> " + esc(text(e));
      out += std::string("<tr") + (failed ? " class=\"bad\"" : "") + "><td><code>" +
             esc(text(f, "text").empty() ? text(f, "action") : text(f, "text")) + "</code></td><td class=\"n\">" +
             format_duration(number(f, "at_s")) + "</td><td class=\"n\">" + format_duration(number(f, "for_s")) +
             "</td><td>" + what + "</td><td class=\"n\">" + format_value(number(f, "received_during")) +
             "</td><td class=\"n\">" + format_value(number(f, "duplicates")) + "</td></tr>\n";
    }
    out += "</tbody></table></div>\n";
  }

  const json& tail = member(target, "stderr_tail");
  if (tail.is_array()) {
    out += "<h3>Last lines of the target's stderr</h3>\n";
    if (tail.empty()) {
      out += "<p class=\"muted\">(empty)</p>\n";
    } else {
      std::string lines;
      for (const json& line : tail) lines += text(line) + "\n";
      out += "<pre>" + esc(lines) + "</pre>\n";
    }
  }
}

void environment_section(std::string& out, const json& report) {
  out += "<h2 id=\"environment\">Environment and scenario</h2>\n<div class=\"grid2\"><div>\n";
  out += "<h3>Environment</h3><div class=\"table-wrap\"><table class=\"kv\"><tbody>\n";
  const json& env = member(report, "environment");
  if (env.is_object())
    for (auto it = env.begin(); it != env.end(); ++it) kv_row(out, esc(it.key()), esc(text(it.value())));
  out += "</tbody></table></div>\n";
  const json& fleet = member(report, "fleet");
  out += "<h3>Fleet</h3><div class=\"table-wrap\"><table class=\"kv\"><tbody>\n";
  kv_row(out, "containers", format_value(number(fleet, "containers")));
  kv_row(out, "restarts", format_value(number(fleet, "restarts")));
  kv_row(out, "recreations", format_value(number(fleet, "recreations")));
  out += "</tbody></table></div>\n</div><div>\n";

  const json& scenario = member(report, "scenario");
  out += "<h3>Scenario</h3><div class=\"table-wrap\"><table class=\"kv\"><tbody>\n";
  kv_row(out, "file", "<code>" + esc(text(scenario, "file")) + "</code>");
  kv_row(out, "seed", esc(shown(scenario, "seed")));
  kv_row(out, "duration", format_duration(number(scenario, "duration_s")));
  kv_row(out, "warmup", format_duration(number(scenario, "warmup_s")));
  kv_row(out, "sample interval", format_duration(number(scenario, "sample_interval_s")));
  kv_row(out, "expected to fail", yes_no(member(report, "expect_fail")));
  out += "</tbody></table></div>\n</div></div>\n";
  std::string scenario_text = text(scenario, "text");
  if (!scenario_text.empty()) out += "<h3>Scenario file</h3><pre class=\"full\">" + esc(scenario_text) + "</pre>\n";
}

}  // namespace

std::string render_report_html(const json& report) {
  const Samples samples = parse_samples(member(report, "series"));
  const std::vector<Criterion> criteria = parse_criteria(member(report, "criteria"));
  const json& scenario = member(report, "scenario");
  double warmup_s = number(scenario, "warmup_s");
  if (!std::isfinite(warmup_s) || warmup_s < 0) warmup_s = 0;

  // Charts: planned from the samples, then the criteria's lines on them.
  std::set<std::string> named;
  for (const Criterion& c : criteria)
    if (c.kind == "series") named.insert(c.name);
  const ChartContext ctx{samples, named, warmup_s};
  std::vector<ChartGroup> groups;
  if (!samples.t_s.empty()) {
    groups.push_back(target_charts(ctx, member(report, "target")));
    groups.push_back(delivery_charts(ctx));
    groups.push_back(observed_charts(ctx));
    groups.push_back(metric_charts(ctx));
    attach_criteria(groups, criteria, ctx);
  }

  std::string verdict = text(report, "verdict");
  std::string out;
  out.reserve(1 << 20);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // Defence in depth beside the escaping: nothing may load or run.
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
         "img-src data:\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>leakcheck " + esc(verdict) + ": " + esc(text(scenario, "name")) + " (" +
         esc(text(report, "run_id")) + ")</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<main>\n";

  banner(out, report, samples);
  projection(out, member(report, "target"));
  key_figures(out, report, samples);
  criteria_table(out, criteria);
  if (samples.t_s.empty()) out += "<h2>Charts</h2>\n<p class=\"muted\">No samples were recorded.</p>\n";
  for (const ChartGroup& g : groups) {
    if (g.id == "metrics") metrics_section(out, g, samples);
    else chart_group(out, g);
  }
  delivery_section(out, report, criteria);
  target_section(out, report);
  environment_section(out, report);

  const json& env = member(report, "environment");
  out += "<footer>leakcheck " + esc(text(env, "toolkit_version")) + " · report schema <code>" +
         esc(text(report, "schema")) + "</code> · times in seconds since the run started; the shaded band is "
         "the warmup, left out of the trend statistics.</footer>\n</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace leakcheck::reports
