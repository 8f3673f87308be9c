#include "reports/compare.h"

#include <gtest/gtest.h>

#include <cmath>

namespace leakcheck::reports {
namespace {

using json = nlohmann::json;

// A report with `fds.total` rising at `fd_slope_per_min` (plus a little
// deterministic noise) and one growth criterion on it.
json report(const std::string& id, double fd_slope_per_min, uint64_t missing = 0, uint64_t duplicates = 0,
            int64_t started = 1'000'000'000) {
  json t = json::array(), fds = json::array(), threads = json::array();
  for (int i = 0; i < 120; ++i) {
    t.push_back(i);
    fds.push_back(std::round(20 + fd_slope_per_min * i / 60.0 + ((i * 7) % 3 - 1)));
    threads.push_back(3);
  }
  double lo = fd_slope_per_min - 0.5, hi = fd_slope_per_min + 0.5;
  bool passed = fd_slope_per_min < 5;
  return {{"schema", "leakcheck.report/1"},
          {"run_id", id},
          {"verdict", passed && missing == 0 ? "PASS" : "FAIL"},
          {"expect_fail", false},
          {"started_unix_ns", started},
          {"scenario", {{"name", "smoke"}, {"warmup_s", 10}}},
          {"criteria",
           {{{"text", "fds.total growth_per_min < 5"},
             {"statistic", "growth_per_min"},
             {"op", "<"},
             {"bound", 5},
             {"value", fd_slope_per_min},
             {"ci_low", lo},
             {"ci_high", hi},
             {"passed", passed},
             {"evaluated", true}},
            {{"text", "sockets.tcp.close_wait max <= 0"},
             {"statistic", "max"},
             {"op", "<="},
             {"bound", 0},
             {"value", 0},
             {"passed", true},
             {"evaluated", true}}}},
          {"delivery", {{"missing", missing}, {"duplicates", duplicates}, {"loss_pct", 0}, {"received", 1000}}},
          {"series", {{"t_seconds", t}, {"values", {{"fds.total", fds}, {"threads.total", threads}}}}}};
}

const FigureChange* find(const Comparison& c, const std::string& kind, const std::string& name) {
  for (const auto& f : c.figures)
    if (f.kind == kind && f.name == name) return &f;
  return nullptr;
}

TEST(Compare, SameRunsHaveNoRegression) {
  auto c = compare_reports(report("a", 0), report("b", 0), CompareOptions{});
  EXPECT_EQ(c.regressions(), 0u) << comparison_text(c);
  const FigureChange* fds = find(c, "series", "fds.total");
  ASSERT_NE(fds, nullptr);
  EXPECT_TRUE(fds->judged);
  EXPECT_FALSE(fds->regression);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(Compare, LeakingCandidateIsARegressionOnTheCriterionAndTheSeries) {
  auto c = compare_reports(report("a", 0), report("b", 72), CompareOptions{});
  const FigureChange* criterion = find(c, "criterion", "fds.total growth_per_min < 5");
  ASSERT_NE(criterion, nullptr);
  EXPECT_TRUE(criterion->regression);
  EXPECT_TRUE(criterion->beyond_noise);
  EXPECT_EQ(criterion->direction, 1);
  EXPECT_NEAR(*criterion->delta(), 72, 1e-9);
  const FigureChange* series = find(c, "series", "fds.total");
  ASSERT_NE(series, nullptr);
  EXPECT_TRUE(series->regression);
  EXPECT_NEAR(*series->candidate, 72, 2);
  EXPECT_FALSE(find(c, "series", "threads.total")->regression);
  EXPECT_NE(comparison_text(c).find("REGRESSION"), std::string::npos);
  // And the other way round it is an improvement, not a regression.
  auto back = compare_reports(report("b", 72), report("a", 0), CompareOptions{});
  EXPECT_EQ(back.regressions(), 0u) << comparison_text(back);
  EXPECT_GE(back.improvements(), 2u);
}

TEST(Compare, OverlappingIntervalsAreNoise) {
  // 1.0 [0.5, 1.5] against 1.4 [0.9, 1.9]: the intervals overlap.
  auto c = compare_reports(report("a", 1.0), report("b", 1.4), CompareOptions{});
  const FigureChange* criterion = find(c, "criterion", "fds.total growth_per_min < 5");
  EXPECT_FALSE(criterion->beyond_noise);
  EXPECT_FALSE(criterion->regression);
}

TEST(Compare, ChangeBeyondNoiseButWithinToleranceIsNoRegression) {
  // 0 [-0.5, 0.5] against 2 [1.5, 2.5]: apart, but +2/min with a tolerance of 3.
  CompareOptions options;
  options.slope_tolerance_per_min = 3;
  auto c = compare_reports(report("a", 0), report("b", 2), options);
  const FigureChange* criterion = find(c, "criterion", "fds.total growth_per_min < 5");
  EXPECT_TRUE(criterion->beyond_noise);
  EXPECT_FALSE(criterion->regression);
  options.slope_tolerance_per_min = 1;
  EXPECT_TRUE(find(compare_reports(report("a", 0), report("b", 2), options), "criterion",
                   "fds.total growth_per_min < 5")->regression);
}

TEST(Compare, NewlyFailingCriterionIsARegressionEvenWithinTheNoise) {
  // 4.8 passes, 5.1 fails: the intervals overlap, the verdict changed.
  auto c = compare_reports(report("a", 4.8), report("b", 5.1), CompareOptions{});
  const FigureChange* criterion = find(c, "criterion", "fds.total growth_per_min < 5");
  EXPECT_TRUE(criterion->regression);
  EXPECT_NE(criterion->reason.find("passed in the base"), std::string::npos);
}

TEST(Compare, AnyNewLossIsARegression) {
  auto c = compare_reports(report("a", 0, 0), report("b", 0, 1), CompareOptions{});
  EXPECT_TRUE(find(c, "delivery", "missing")->regression);
  EXPECT_FALSE(compare_reports(report("a", 0, 3), report("b", 0, 1), CompareOptions{}).regressions());
  EXPECT_TRUE(find(compare_reports(report("a", 0, 0, 0), report("b", 0, 0, 2), CompareOptions{}), "delivery",
                   "duplicates")->regression);
  EXPECT_FALSE(find(compare_reports(report("a", 0, 0, 2), report("b", 0, 0, 3), CompareOptions{}), "delivery",
                    "duplicates")->regression);
}

TEST(Compare, DifferentScenariosAreWarnedAbout) {
  json other = report("b", 0);
  other["scenario"]["name"] = "negative-control";
  auto c = compare_reports(report("a", 0), other, CompareOptions{});
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("different scenarios"), std::string::npos);
}

TEST(Compare, JsonCarriesEveryFigure) {
  auto c = compare_reports(report("a", 0), report("b", 72), CompareOptions{});
  json j = comparison_json(c);
  EXPECT_EQ(j["schema"], "leakcheck.compare/1");
  EXPECT_EQ(j["regressions"], c.regressions());
  EXPECT_EQ(j["figures"].size(), c.figures.size());
}

TEST(Compare, HtmlEscapesRunIdsAndNames) {
  json b = report("<b>x</b>", 72);
  b["scenario"]["name"] = "<script>alert(1)</script>";
  auto c = compare_reports(report("a", 0), b, CompareOptions{});
  std::string html = comparison_html(c);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
}

TEST(Compare, ManyRunsShowDriftAndCompareTheNewest) {
  std::vector<std::pair<std::string, json>> runs;
  // Listed out of order: the start times decide the order.
  for (int i : {3, 0, 4, 1, 2, 5}) runs.emplace_back("run" + std::to_string(i), report("r" + std::to_string(i), 0.4 * i, 0, 0, 1'000'000'000LL * (100 + i)));
  auto groups = compare_many(runs, CompareOptions{});
  ASSERT_EQ(groups.size(), 1u);
  const RunSeries& g = groups[0];
  ASSERT_EQ(g.runs.size(), 6u);
  EXPECT_EQ(g.runs.front().run_id, "r0");
  EXPECT_EQ(g.runs.back().run_id, "r5");
  ASSERT_TRUE(g.newest);
  EXPECT_EQ(g.newest->base.run_id, "r4");
  bool found = false;
  for (const auto& f : g.figures) {
    if (f.name != "fds.total growth_per_min < 5") continue;
    found = true;
    EXPECT_TRUE(f.drifting_up);
    EXPECT_NEAR(*f.drift_per_run, 0.4, 1e-9);
  }
  EXPECT_TRUE(found);
  EXPECT_NE(run_series_text(groups).find("DRIFTING UP"), std::string::npos);
  EXPECT_NE(run_series_html(groups).find("<svg class=\"chart\""), std::string::npos);
}

TEST(Compare, WatchPatternsAndParsing) {
  auto w = parse_watch("observe.*.fds.total=2.5");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->pattern, "observe.*.fds.total");
  EXPECT_EQ(w->tolerance_per_min, 2.5);
  EXPECT_FALSE(parse_watch("fds.total"));
  EXPECT_FALSE(parse_watch("fds.total=x"));
  EXPECT_FALSE(parse_watch("=1"));
}

}  // namespace
}  // namespace leakcheck::reports
