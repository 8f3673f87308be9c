#pragma once
// `leakcheck compare`: is a candidate run worse than a base run, beyond the
// noise? And across a series of runs, does a figure drift?
//
// What is compared, and when a change is a regression:
// - Each criterion the two runs share (matched by its text):
//   - growth_per_min (a slope): the change is beyond the noise when the two
//     95 % intervals do not overlap. A regression is a change beyond the noise,
//     in the worse direction (for a "<" bound, up), larger than the slope
//     tolerance (default 1/min).
//   - other figures (max, p99, latency): worse by more than the relative
//     tolerance (default 25 %) and by more than an absolute floor (1 for
//     counts, 0.25 s for latencies).
//   - a criterion the base passed and the candidate fails is a regression
//     whatever the size of the change.
// - Delivery: any more lines missing than the base had is a regression; so
//   are duplicates where the base had none.
// - Watched series (fds.total, threads.total, TCP and unix sockets,
//   CLOSE_WAIT, RSS, and the same of observed processes such as dockerd):
//   the Theil–Sen slope after the warmup, judged like growth criteria with the
//   series' own tolerance. Every other series shared by both runs is listed in
//   the JSON with its slopes, for reading, not judged.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "util/result.h"

namespace leakcheck::reports {

struct WatchedSeries {
  std::string pattern;         // a series name; "*" matches one dotted part (observe.*.fds.total)
  double tolerance_per_min = 1;  // slope changes up to this are never regressions
};

struct CompareOptions {
  double slope_tolerance_per_min = 1;  // growth criteria
  double relative_tolerance = 0.25;    // summary figures
  double count_floor = 1;              // summary figures that count things
  double latency_floor_s = 0.25;       // latency figures
  std::vector<WatchedSeries> watched = default_watched();

  static std::vector<WatchedSeries> default_watched();
};

// One figure of both runs.
struct FigureChange {
  std::string kind;  // "criterion", "delivery", "series"
  std::string name;  // criterion text, delivery figure, or series name
  std::string unit;  // "/min", "s", "" ...
  std::optional<double> base, candidate;
  std::optional<double> base_low, base_high, candidate_low, candidate_high;  // 95 % intervals
  std::optional<bool> base_passed, candidate_passed;                         // criteria only
  bool judged = false;        // whether this figure can be a regression
  bool beyond_noise = false;  // the change is larger than the noise (see above)
  int direction = 0;          // +1 worse, -1 better, 0 no change beyond the noise
  bool regression = false;
  std::string reason;  // why it is (or is not) a regression, one line

  std::optional<double> delta() const {
    if (base && candidate) return *candidate - *base;
    return std::nullopt;
  }
};

struct RunSummary {
  std::string run_id, scenario, verdict, source;  // source: the file read
  int64_t started_unix_ns = 0;
  bool expect_fail = false;
};

struct Comparison {
  RunSummary base, candidate;
  std::vector<std::string> warnings;  // e.g. different scenarios
  std::vector<FigureChange> figures;
  size_t regressions() const;
  size_t improvements() const;
};

Comparison compare_reports(const nlohmann::json& base, const nlohmann::json& candidate, const CompareOptions& options,
                           const std::string& base_source = "", const std::string& candidate_source = "");

// Terminal text: judged figures, the series that changed beyond the noise,
// and a last line with the count of regressions.
std::string comparison_text(const Comparison& c);
nlohmann::json comparison_json(const Comparison& c);
std::string comparison_html(const Comparison& c);

// Many runs: each scenario's runs in time order, each figure across them,
// and the newest run compared with the one before it.
struct RunSeries {
  std::string scenario;
  std::vector<RunSummary> runs;  // oldest first
  struct Figure {
    std::string kind, name, unit;
    std::vector<std::optional<double>> values;  // one per run
    std::optional<double> drift_per_run;        // Theil–Sen over the run index
    std::optional<double> drift_p_value;        // Mann–Kendall
    bool drifting_up = false;                   // significant rise across the runs
  };
  std::vector<Figure> figures;
  std::optional<Comparison> newest;  // newest vs the one before; empty with one run
};

// `reports` with their sources; runs of different scenarios are kept apart.
std::vector<RunSeries> compare_many(const std::vector<std::pair<std::string, nlohmann::json>>& reports,
                                    const CompareOptions& options);
std::string run_series_text(const std::vector<RunSeries>& groups);
nlohmann::json run_series_json(const std::vector<RunSeries>& groups);
std::string run_series_html(const std::vector<RunSeries>& groups);

// Parses "NAME=TOLERANCE" of --watch.
Result<WatchedSeries> parse_watch(const std::string& text);

}  // namespace leakcheck::reports
