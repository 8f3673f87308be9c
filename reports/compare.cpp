#include "reports/compare.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "reports/json_view.h"
#include "stats/trend.h"

namespace leakcheck::reports {

namespace {

using json = nlohmann::json;

std::optional<double> optional_number(const json& j, std::string_view key) {
  double v = number_at(j, key);
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

RunSummary summary_of(const json& report, const std::string& source) {
  RunSummary s;
  s.run_id = string_at(report, "run_id");
  s.scenario = string_at(object_at(report, "scenario"), "name");
  s.verdict = string_at(report, "verdict");
  s.started_unix_ns = int_at(report, "started_unix_ns");
  s.expect_fail = at(report, "expect_fail").is_boolean() && at(report, "expect_fail").get<bool>();
  s.source = source;
  return s;
}

// Whether `name` matches `pattern`, where "*" stands for one dotted part.
bool matches(std::string_view pattern, std::string_view name) {
  while (!pattern.empty() && !name.empty()) {
    size_t pd = pattern.find('.'), nd = name.find('.');
    std::string_view p = pattern.substr(0, pd), n = name.substr(0, nd);
    if (p != "*" && p != n) return false;
    if ((pd == std::string_view::npos) != (nd == std::string_view::npos)) return false;
    if (pd == std::string_view::npos) return true;
    pattern.remove_prefix(pd + 1);
    name.remove_prefix(nd + 1);
  }
  return pattern.empty() && name.empty();
}

// The Theil–Sen trend of a series after the warmup, per minute.
struct Slope {
  double per_min = 0, low = 0, high = 0, p_value = 1;
};

std::optional<Slope> series_slope(const json& report, const std::string& name) {
  const json& series = object_at(report, "series");
  const json& times = array_at(series, "t_seconds");
  const json& values = at(object_at(series, "values"), name);
  if (!values.is_array()) return std::nullopt;
  const double warmup = number_at(object_at(report, "scenario"), "warmup_s");
  std::vector<stats::Sample> samples;
  for (size_t i = 0; i < times.size() && i < values.size(); ++i) {
    if (!times[i].is_number() || !values[i].is_number()) continue;
    double t = times[i].get<double>();
    if (std::isfinite(warmup) && t < warmup) continue;
    samples.push_back(stats::Sample{t, values[i].get<double>()});
  }
  auto trend = stats::fit_trend(samples);
  if (!trend) return std::nullopt;
  return Slope{trend->growth_per_min(), trend->ci_low_per_min(), trend->ci_high_per_min(), trend->p_value()};
}

// +1 when `candidate` is worse than `base` under a bound with `op`.
int worse_direction(const std::string& op, double base, double candidate, double bound) {
  if (candidate == base) return 0;
  if (op == "<" || op == "<=") return candidate > base ? 1 : -1;
  if (op == ">" || op == ">=") return candidate < base ? 1 : -1;
  return std::abs(candidate - bound) > std::abs(base - bound) ? 1 : -1;  // "==": farther from the bound
}

// Judges a slope change by the two intervals and a tolerance.
void judge_slope(FigureChange& f, double tolerance, int worse_if_up) {
  f.judged = true;
  const double delta = *f.candidate - *f.base;
  if (f.base_low && f.base_high && f.candidate_low && f.candidate_high) {
    f.beyond_noise = *f.candidate_low > *f.base_high || *f.candidate_high < *f.base_low;
  } else {
    f.beyond_noise = std::abs(delta) > tolerance;
  }
  if (!f.beyond_noise || delta == 0) {
    f.reason = "within the noise (95% intervals overlap)";
    return;
  }
  f.direction = (delta > 0 ? 1 : -1) * worse_if_up;
  if (f.direction > 0 && std::abs(delta) > tolerance) {
    f.regression = true;
    f.reason = "grows faster beyond the noise (intervals apart) and by more than the tolerance " +
               format_number(tolerance) + f.unit;
  } else if (f.direction > 0) {
    f.reason = "worse beyond the noise, but within the tolerance " + format_number(tolerance) + f.unit;
  } else {
    f.reason = "better beyond the noise";
  }
}

void judge_summary(FigureChange& f, const std::string& op, double bound, double floor, double relative) {
  f.judged = true;
  const double delta = *f.candidate - *f.base;
  f.direction = worse_direction(op, *f.base, *f.candidate, bound);
  const double allowed = std::max(floor, relative * std::abs(*f.base));
  f.beyond_noise = std::abs(delta) > allowed;
  if (!f.beyond_noise) {
    f.direction = 0;
    f.reason = "within the tolerance (" + format_number(allowed) + f.unit + ")";
  } else if (f.direction > 0) {
    f.regression = true;
    f.reason = "worse by more than the tolerance (" + format_number(allowed) + f.unit + ")";
  } else {
    f.reason = "better by more than the tolerance";
  }
}

bool is_latency(const std::string& name) { return name.find("latency") != std::string::npos; }

FigureChange criterion_change(const json& b, const json& c, const CompareOptions& options) {
  FigureChange f;
  f.kind = "criterion";
  f.name = string_at(c, "text");
  const std::string statistic = string_at(c, "statistic");
  f.unit = statistic == "growth_per_min" ? "/min" : statistic == "projected_hours_to_exhaustion" ? " h"
           : is_latency(string_at(c, "name"))                                     ? " s"
                                                                                  : "";
  f.base = optional_number(b, "value");
  f.candidate = optional_number(c, "value");
  f.base_low = optional_number(b, "ci_low");
  f.base_high = optional_number(b, "ci_high");
  f.candidate_low = optional_number(c, "ci_low");
  f.candidate_high = optional_number(c, "ci_high");
  f.base_passed = at(b, "passed").is_boolean() && at(b, "passed").get<bool>();
  f.candidate_passed = at(c, "passed").is_boolean() && at(c, "passed").get<bool>();
  const std::string op = string_at(c, "op");
  const double bound = number_at(c, "bound");
  if (f.base && f.candidate) {
    if (statistic == "growth_per_min") {
      judge_slope(f, options.slope_tolerance_per_min, op == ">" || op == ">=" ? -1 : 1);
    } else if (statistic == "projected_hours_to_exhaustion") {
      judge_slope(f, 1, op == "<" || op == "<=" ? 1 : -1);  // fewer hours left is worse
    } else {
      judge_summary(f, op, bound, is_latency(f.name) ? options.latency_floor_s : options.count_floor,
                    options.relative_tolerance);
    }
  } else {
    f.judged = true;
    f.reason = !f.candidate ? "no value in the candidate" : "no value in the base";
  }
  if (*f.base_passed && !*f.candidate_passed) {
    f.regression = true;
    f.direction = 1;
    f.reason = "passed in the base, fails in the candidate; " + f.reason;
  }
  return f;
}

FigureChange delivery_change(const std::string& name, const json& b, const json& c) {
  FigureChange f;
  f.kind = "delivery";
  f.name = name;
  f.unit = name == "loss_pct" ? "%" : is_latency(name) ? " s" : "";
  f.base = optional_number(b, name);
  f.candidate = optional_number(c, name);
  if (!f.base || !f.candidate) return f;
  const double delta = *f.candidate - *f.base;
  f.direction = delta > 0 ? 1 : delta < 0 ? -1 : 0;
  if (name == "missing" || name == "duplicates") {
    f.judged = true;
    f.beyond_noise = delta != 0;
    const bool counts = name == "missing" ? delta > 0 : (*f.base == 0 && *f.candidate > 0);
    f.regression = counts;
    f.reason = name == "missing" ? (delta > 0 ? "lines lost that the base did not lose" : "no new loss")
                                 : (counts ? "duplicates where the base had none" : "no new duplicates");
  }
  return f;
}

std::vector<std::string> series_names(const json& report) {
  std::vector<std::string> names;
  for (const auto& [name, values] : object_at(object_at(report, "series"), "values").items()) names.push_back(name);
  return names;
}

const WatchedSeries* watched(const CompareOptions& options, const std::string& name) {
  for (const auto& w : options.watched)
    if (matches(w.pattern, name)) return &w;
  return nullptr;
}

std::string signed_text(double v) { return (v > 0 ? "+" : "") + format_number(v); }

std::string value_text(const std::optional<double>& v, const std::optional<double>& low,
                       const std::optional<double>& high) {
  if (!v) return "n/a";
  std::string t = format_number(*v);
  if (low && high) t += " [" + format_number(*low) + ", " + format_number(*high) + "]";
  return t;
}

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

json optional_json(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json summary_json(const RunSummary& r) {
  return {{"run_id", r.run_id}, {"scenario", r.scenario}, {"verdict", r.verdict}, {"source", r.source},
          {"started_unix_ns", r.started_unix_ns}, {"expect_fail", r.expect_fail}};
}

}  // namespace

std::vector<WatchedSeries> CompareOptions::default_watched() {
  return {{"fds.total", 1},          {"threads.total", 1},          {"sockets.tcp.total", 1},
          {"sockets.tcp.close_wait", 1}, {"sockets.unix.total", 1}, {"rss_bytes", 1 << 20},
          {"observe.*.fds.total", 1}, {"observe.*.threads.total", 1}};
}

size_t Comparison::regressions() const {
  return static_cast<size_t>(std::count_if(figures.begin(), figures.end(), [](const auto& f) { return f.regression; }));
}

size_t Comparison::improvements() const {
  return static_cast<size_t>(
      std::count_if(figures.begin(), figures.end(), [](const auto& f) { return f.judged && f.direction < 0; }));
}

Comparison compare_reports(const json& base, const json& candidate, const CompareOptions& options,
                           const std::string& base_source, const std::string& candidate_source) {
  Comparison out;
  out.base = summary_of(base, base_source);
  out.candidate = summary_of(candidate, candidate_source);
  if (out.base.scenario != out.candidate.scenario)
    out.warnings.push_back("different scenarios: " + out.base.scenario + " and " + out.candidate.scenario);
  if (out.base.verdict == "ERROR" || out.base.verdict == "INCOMPLETE")
    out.warnings.push_back("the base run is " + out.base.verdict);
  if (out.candidate.verdict == "ERROR" || out.candidate.verdict == "INCOMPLETE")
    out.warnings.push_back("the candidate run is " + out.candidate.verdict);

  // Criteria, matched by their text.
  std::map<std::string, const json*> base_criteria;
  for (const json& c : array_at(base, "criteria")) base_criteria[string_at(c, "text")] = &c;
  for (const json& c : array_at(candidate, "criteria")) {
    auto it = base_criteria.find(string_at(c, "text"));
    if (it == base_criteria.end()) {
      out.warnings.push_back("criterion only in the candidate: " + string_at(c, "text"));
      continue;
    }
    out.figures.push_back(criterion_change(*it->second, c, options));
  }

  // Delivery.
  const json& bd = at(base, "delivery");
  const json& cd = at(candidate, "delivery");
  if (bd.is_object() && cd.is_object()) {
    for (const char* name : {"missing", "duplicates", "loss_pct", "out_of_order", "latency_p99_s", "received"})
      out.figures.push_back(delivery_change(name, bd, cd));
  }

  // Series: slopes after the warmup of every series both have.
  std::vector<std::string> names = series_names(candidate);
  std::vector<std::string> base_names = series_names(base);
  std::sort(base_names.begin(), base_names.end());
  for (const std::string& name : names) {
    if (!std::binary_search(base_names.begin(), base_names.end(), name)) continue;
    auto b = series_slope(base, name);
    auto c = series_slope(candidate, name);
    if (!b || !c) continue;
    FigureChange f;
    f.kind = "series";
    f.name = name;
    f.unit = "/min";
    f.base = b->per_min;
    f.candidate = c->per_min;
    f.base_low = b->low;
    f.base_high = b->high;
    f.candidate_low = c->low;
    f.candidate_high = c->high;
    if (const WatchedSeries* w = watched(options, name)) {
      judge_slope(f, w->tolerance_per_min, 1);
    } else {
      f.beyond_noise = *f.candidate_low > *f.base_high || *f.candidate_high < *f.base_low;
      f.reason = "not watched: listed, not judged";
    }
    out.figures.push_back(std::move(f));
  }
  return out;
}

std::string comparison_text(const Comparison& c) {
  std::string t;
  auto run_line = [](const char* role, const RunSummary& r) {
    return std::string(role) + r.run_id + "  " + r.scenario + "  " + r.verdict + (r.expect_fail ? " (negative control)" : "") +
           (r.source.empty() ? "" : "  " + r.source) + "\n";
  };
  t += run_line("base       ", c.base);
  t += run_line("candidate  ", c.candidate);
  for (const auto& w : c.warnings) t += "warning: " + w + "\n";
  auto table = [&](const std::string& title, auto keep) {
    std::string rows;
    for (const FigureChange& f : c.figures) {
      if (!keep(f)) continue;
      std::string mark = f.regression ? "REGRESSION" : !f.judged ? "" : f.direction < 0 ? "better" : "ok";
      rows += "  " + pad(f.name, 44) + " " + pad(value_text(f.base, f.base_low, f.base_high), 24) + " " +
              pad(value_text(f.candidate, f.candidate_low, f.candidate_high), 24) + " " +
              pad(f.delta() ? signed_text(*f.delta()) : "n/a", 10) + " " + pad(mark, 10) +
              (f.regression || (f.judged && f.direction != 0) ? "  " + f.reason : "") + "\n";
    }
    if (rows.empty()) return;
    t += "\n" + title + "\n  " + pad("", 44) + " " + pad("base [95% CI]", 24) + " " + pad("candidate [95% CI]", 24) +
         " " + pad("delta", 10) + "\n" + rows;
  };
  table("criteria", [](const FigureChange& f) { return f.kind == "criterion"; });
  table("delivery", [](const FigureChange& f) { return f.kind == "delivery"; });
  table("watched series (slope per min after the warmup)",
        [](const FigureChange& f) { return f.kind == "series" && f.judged; });
  // The target's own metrics are left to --json: counters all change when the load does.
  table("other series that changed beyond the noise (slope per min; not judged; the target's metrics in --json)",
        [](const FigureChange& f) {
          return f.kind == "series" && !f.judged && f.beyond_noise && !f.name.starts_with("metrics.");
        });
  const size_t n = c.regressions();
  t += "\n" + std::string(n ? "REGRESSION: " : "no regression: ") + std::to_string(n) + " regression" +
       (n == 1 ? "" : "s") + ", " + std::to_string(c.improvements()) + " improvement" +
       (c.improvements() == 1 ? "" : "s") + "\n";
  return t;
}

json comparison_json(const Comparison& c) {
  json figures = json::array();
  for (const FigureChange& f : c.figures) {
    auto d = f.delta();
    figures.push_back({{"kind", f.kind},
                       {"name", f.name},
                       {"unit", f.unit},
                       {"base", optional_json(f.base)},
                       {"candidate", optional_json(f.candidate)},
                       {"delta", optional_json(d)},
                       {"base_ci", f.base_low ? json{*f.base_low, *f.base_high} : json(nullptr)},
                       {"candidate_ci", f.candidate_low ? json{*f.candidate_low, *f.candidate_high} : json(nullptr)},
                       {"base_passed", f.base_passed ? json(*f.base_passed) : json(nullptr)},
                       {"candidate_passed", f.candidate_passed ? json(*f.candidate_passed) : json(nullptr)},
                       {"judged", f.judged},
                       {"beyond_noise", f.beyond_noise},
                       {"change", f.direction > 0 ? "worse" : f.direction < 0 ? "better" : "same"},
                       {"regression", f.regression},
                       {"reason", f.reason}});
  }
  return {{"schema", "leakcheck.compare/1"},
          {"base", summary_json(c.base)},
          {"candidate", summary_json(c.candidate)},
          {"warnings", c.warnings},
          {"regressions", c.regressions()},
          {"improvements", c.improvements()},
          {"figures", std::move(figures)}};
}

std::vector<RunSeries> compare_many(const std::vector<std::pair<std::string, json>>& reports,
                                    const CompareOptions& options) {
  std::map<std::string, std::vector<const std::pair<std::string, json>*>> by_scenario;
  for (const auto& r : reports) by_scenario[string_at(object_at(r.second, "scenario"), "name")].push_back(&r);
  std::vector<RunSeries> groups;
  for (auto& [scenario, runs] : by_scenario) {
    std::stable_sort(runs.begin(), runs.end(), [](auto* a, auto* b) {
      return int_at(a->second, "started_unix_ns") < int_at(b->second, "started_unix_ns");
    });
    RunSeries g;
    g.scenario = scenario;
    for (auto* r : runs) g.runs.push_back(summary_of(r->second, r->first));
    // Each figure of the newest run's comparison, across every run.
    if (runs.size() >= 2) g.newest = compare_reports(runs[runs.size() - 2]->second, runs.back()->second, options,
                                                     runs[runs.size() - 2]->first, runs.back()->first);
    auto figure_value = [&](const json& report, const std::string& kind, const std::string& name) -> std::optional<double> {
      if (kind == "criterion") {
        for (const json& c : array_at(report, "criteria"))
          if (string_at(c, "text") == name) return optional_number(c, "value");
        return std::nullopt;
      }
      if (kind == "delivery") return optional_number(object_at(report, "delivery"), name);
      auto s = series_slope(report, name);
      return s ? std::optional<double>(s->per_min) : std::nullopt;
    };
    std::vector<std::tuple<std::string, std::string, std::string>> wanted;
    for (const json& c : array_at(runs.back()->second, "criteria")) {
      std::string statistic = string_at(c, "statistic");
      wanted.emplace_back("criterion", string_at(c, "text"), statistic == "growth_per_min" ? "/min" : "");
    }
    for (const char* name : {"missing", "duplicates", "latency_p99_s"}) wanted.emplace_back("delivery", name, "");
    for (const std::string& name : series_names(runs.back()->second))
      if (watched(options, name)) wanted.emplace_back("series", name, "/min");
    for (auto& [kind, name, unit] : wanted) {
      RunSeries::Figure f{kind, name, unit, {}, std::nullopt, std::nullopt, false};
      std::vector<stats::Sample> points;
      for (size_t i = 0; i < runs.size(); ++i) {
        f.values.push_back(figure_value(runs[i]->second, kind, name));
        if (f.values.back()) points.push_back(stats::Sample{static_cast<double>(i), *f.values.back()});
      }
      if (points.size() >= 3) {
        if (auto trend = stats::fit_trend(points)) {
          f.drift_per_run = trend->theil_sen.slope_per_s;  // per index step: per run
          f.drift_p_value = trend->p_value();
          f.drifting_up = stats::significant_growth(*trend);
        }
      }
      g.figures.push_back(std::move(f));
    }
    groups.push_back(std::move(g));
  }
  return groups;
}

std::string run_series_text(const std::vector<RunSeries>& groups) {
  std::string t;
  for (const RunSeries& g : groups) {
    t += "scenario " + g.scenario + ": " + std::to_string(g.runs.size()) + " run" + (g.runs.size() == 1 ? "" : "s") +
         ", oldest first\n";
    for (size_t i = 0; i < g.runs.size(); ++i)
      t += "  #" + std::to_string(i + 1) + "  " + g.runs[i].run_id + "  " + g.runs[i].verdict + "\n";
    t += "\n  " + pad("figure", 44);
    for (size_t i = 0; i < g.runs.size(); ++i) t += " " + pad("#" + std::to_string(i + 1), 9);
    t += " drift per run\n";
    for (const auto& f : g.figures) {
      t += "  " + pad(f.name, 44);
      for (const auto& v : f.values) t += " " + pad(v ? format_number(*v) : "n/a", 9);
      if (f.drift_per_run)
        t += " " + signed_text(*f.drift_per_run) + (f.drifting_up ? "  DRIFTING UP (p=" + format_number(*f.drift_p_value, 2) + ")" : "");
      t += "\n";
    }
    if (g.newest) t += "\nnewest run against the one before it:\n" + comparison_text(*g.newest);
    t += "\n";
  }
  return t;
}

json run_series_json(const std::vector<RunSeries>& groups) {
  json out = json::array();
  for (const RunSeries& g : groups) {
    json runs = json::array();
    for (const auto& r : g.runs) runs.push_back(summary_json(r));
    json figures = json::array();
    for (const auto& f : g.figures) {
      json values = json::array();
      for (const auto& v : f.values) values.push_back(optional_json(v));
      figures.push_back({{"kind", f.kind},
                         {"name", f.name},
                         {"unit", f.unit},
                         {"values", std::move(values)},
                         {"drift_per_run", optional_json(f.drift_per_run)},
                         {"drift_p_value", optional_json(f.drift_p_value)},
                         {"drifting_up", f.drifting_up}});
    }
    out.push_back({{"scenario", g.scenario},
                   {"runs", std::move(runs)},
                   {"figures", std::move(figures)},
                   {"newest", g.newest ? comparison_json(*g.newest) : json(nullptr)}});
  }
  return {{"schema", "leakcheck.compare-runs/1"}, {"scenarios", std::move(out)}};
}

Result<WatchedSeries> parse_watch(const std::string& text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return Error(0, "--watch " + text + ": expected SERIES=TOLERANCE_PER_MIN");
  WatchedSeries w;
  w.pattern = text.substr(0, eq);
  try {
    size_t used = 0;
    w.tolerance_per_min = std::stod(text.substr(eq + 1), &used);
    if (used != text.size() - eq - 1 || !(w.tolerance_per_min >= 0)) throw std::invalid_argument("tolerance");
  } catch (const std::exception&) {
    return Error(0, "--watch " + text + ": the tolerance must be a number >= 0");
  }
  return w;
}

}  // namespace leakcheck::reports
