// The HTML pages of `leakcheck compare --html`: one self-contained file, no
// script, every string from a report escaped.

#include <cmath>

#include "reports/compare.h"
#include "reports/svg_chart.h"
#include "reports/text.h"

namespace leakcheck::reports {

namespace {

constexpr const char* kStyle = R"(<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:24px auto;max-width:1240px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.banner{padding:14px 18px;border-radius:8px;margin:12px 0 18px;font-size:18px;font-weight:600}
.bad{background:#ffebe9;border:1px solid #ff8182;color:#82071e}.good{background:#dafbe1;border:1px solid #4ac26b;color:#116329}
.warn{background:#fff8c5;border:1px solid #d4a72c;color:#6f4e00;padding:6px 10px;border-radius:6px;margin:4px 0}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{background:#f6f8fa;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.regression td{background:#ffebe9}tr.better td{background:#f0fff4}.muted{color:#656d76}
.charts{display:flex;flex-wrap:wrap;gap:16px}code{font-size:12px}
</style>)";

std::string number_cell(const std::optional<double>& v, const std::optional<double>& low = std::nullopt,
                        const std::optional<double>& high = std::nullopt) {
  std::string t = v ? format_value(*v) : "n/a";
  if (low && high) t += " <span class=\"muted\">[" + format_value(*low) + ", " + format_value(*high) + "]</span>";
  return "<td class=\"num\">" + t + "</td>";
}

std::string run_cell(const RunSummary& r) {
  return "<code>" + html_escape(r.run_id) + "</code> " + html_escape(r.scenario) + " <b>" + html_escape(r.verdict) +
         "</b>" + (r.expect_fail ? " (negative control)" : "") +
         (r.source.empty() ? "" : "<br><span class=\"muted\">" + html_escape(r.source) + "</span>");
}

std::string figures_table(const Comparison& c, const std::string& kind, bool judged_only) {
  std::string rows;
  for (const FigureChange& f : c.figures) {
    if (f.kind != kind || (judged_only && !f.judged) || (!judged_only && (f.judged || !f.beyond_noise))) continue;
    const char* cls = f.regression ? "regression" : (f.judged && f.direction < 0) ? "better" : "";
    auto delta = f.delta();
    rows += std::string("<tr class=\"") + cls + "\"><td>" + html_escape(f.name) + "</td>" +
            number_cell(f.base, f.base_low, f.base_high) + number_cell(f.candidate, f.candidate_low, f.candidate_high) +
            "<td class=\"num\">" + (delta ? (*delta > 0 ? "+" : "") + format_value(*delta) : "n/a") +
            html_escape(f.unit) + "</td><td>" +
            (f.regression ? "<b>regression</b>" : !f.judged ? "" : f.direction < 0 ? "better" : "ok") + "</td><td>" +
            html_escape(f.reason) + "</td></tr>\n";
  }
  if (rows.empty()) return "<p class=\"muted\">none</p>";
  return "<table><tr><th>figure</th><th>base [95% CI]</th><th>candidate [95% CI]</th><th>delta</th><th></th>"
         "<th>why</th></tr>\n" +
         rows + "</table>";
}

std::string comparison_body(const Comparison& c) {
  const size_t n = c.regressions();
  std::string h;
  h += "<div class=\"banner " + std::string(n ? "bad" : "good") + "\">" +
       (n ? std::to_string(n) + " regression" + (n == 1 ? "" : "s") : std::string("no regression")) + ", " +
       std::to_string(c.improvements()) + " improvement" + (c.improvements() == 1 ? "" : "s") + "</div>\n";
  h += "<table><tr><th>base</th><td>" + run_cell(c.base) + "</td></tr><tr><th>candidate</th><td>" +
       run_cell(c.candidate) + "</td></tr></table>\n";
  for (const auto& w : c.warnings) h += "<div class=\"warn\">" + html_escape(w) + "</div>\n";
  h += "<h2>Criteria</h2>\n" + figures_table(c, "criterion", true);
  h += "<h2>Delivery</h2>\n" + figures_table(c, "delivery", true);
  h += "<h2>Watched series <span class=\"muted\">(slope per minute after the warmup)</span></h2>\n" +
       figures_table(c, "series", true);
  h += "<h2>Other series that changed beyond the noise <span class=\"muted\">(not judged)</span></h2>\n" +
       figures_table(c, "series", false);
  return h;
}

std::string page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" + html_escape(title) +
         "</title>\n" + kStyle + "</head><body>\n<h1>" + html_escape(title) + "</h1>\n" + body + "</body></html>\n";
}

}  // namespace

std::string comparison_html(const Comparison& c) {
  return page("leakcheck compare: " + c.base.run_id + " → " + c.candidate.run_id, comparison_body(c));
}

std::string run_series_html(const std::vector<RunSeries>& groups) {
  std::string body;
  for (const RunSeries& g : groups) {
    body += "<h2>Scenario " + html_escape(g.scenario) + ": " + std::to_string(g.runs.size()) + " runs</h2>\n";
    body += "<table><tr><th>#</th><th>run</th><th>started (UTC)</th></tr>\n";
    for (size_t i = 0; i < g.runs.size(); ++i) {
      std::time_t t = static_cast<std::time_t>(g.runs[i].started_unix_ns / 1000000000);
      std::tm utc{};
      ::gmtime_r(&t, &utc);
      char stamp[32];
      std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M", &utc);
      body += "<tr><td>" + std::to_string(i + 1) + "</td><td>" + run_cell(g.runs[i]) + "</td><td>" + stamp +
              "</td></tr>\n";
    }
    body += "</table>\n<div class=\"charts\">\n";
    const double first = g.runs.empty() ? 0 : static_cast<double>(g.runs.front().started_unix_ns) / 1e9;
    for (const auto& f : g.figures) {
      LineChart chart;
      chart.title = f.name + (f.drifting_up ? "  (drifting up)" : "");
      chart.y_unit = f.unit.empty() ? "value" : f.unit;
      ChartSeries s;
      s.name = f.kind == "series" ? "slope after warmup" : "value";
      s.emphasized = true;
      for (size_t i = 0; i < g.runs.size(); ++i) {
        chart.t_s.push_back(static_cast<double>(g.runs[i].started_unix_ns) / 1e9 - first);
        s.values.push_back(f.values[i] ? *f.values[i] : std::nan(""));
      }
      chart.series.push_back(std::move(s));
      chart.width = 400;
      chart.plot_height = 150;
      body += render_line_chart(chart) + "\n";
    }
    body += "</div>\n";
    if (g.newest) body += "<h2>Newest run against the one before it</h2>\n" + comparison_body(*g.newest);
  }
  return page("leakcheck compare: runs over time", body);
}

}  // namespace leakcheck::reports
