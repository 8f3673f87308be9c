#include "cli/report_command.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/exit_codes.h"
#include "reports/compare.h"
#include "reports/report_file.h"

namespace leakcheck::cli {

namespace {

constexpr const char* kReportUsage = R"(usage: leakcheck report RUN_DIR|REPORT.json...

Renders report.html and junit.xml again from a run's report.json (e.g. after
upgrading leakcheck, or for a report.json copied from a CI artifact). Writes
them beside the report.json.

exit codes: 0 written, 2 a report cannot be read or is not a leakcheck
report, 4 a file cannot be written
)";

constexpr const char* kCompareUsage = R"(usage: leakcheck compare BASE CANDIDATE [options]
       leakcheck compare RUNS_DIR|RUN... [options]

With two runs (run directories or report.json files): each criterion, the
delivery figures and the slopes of the watched series, base against
candidate, and whether each change is beyond the noise (for slopes: the two
95% intervals do not overlap). A regression is a change beyond the noise, in
the worse direction, beyond the tolerance; a criterion that passed and now
fails; lines lost that the base did not lose; duplicates where the base had
none.

With a folder of runs (or three or more runs): each scenario's runs in time
order, each figure across them with its drift per run (Theil-Sen; "drifting
up" when Mann-Kendall says so), and the newest run compared with the one
before it.

options:
  --json PATH           also write the comparison as JSON (- for stdout,
                        instead of the text)
  --html PATH           also write it as a self-contained HTML page
  --slope-tolerance N   growth criteria: changes up to N per minute are never
                        regressions (default 1)
  --relative-tolerance F
                        other figures: worse by more than this fraction
                        (default 0.25)
  --watch SERIES=TOL    judge this series' slope too, with its own tolerance
                        per minute; "*" matches one dotted part
                        (repeatable; defaults: fds.total, threads.total,
                        sockets.tcp.total, sockets.tcp.close_wait,
                        sockets.unix.total, rss_bytes, observe.*.fds.total,
                        observe.*.threads.total)
  -h, --help            this text

exit codes: 0 no regression, 1 a regression, 2 bad arguments or a report
that cannot be read, 4 an output file cannot be written
)";

bool is_directory(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The run directories directly inside `dir` (those holding a report.json).
std::vector<std::string> runs_in(const std::string& dir) {
  std::vector<std::string> runs;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return runs;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string path = dir + (dir.ends_with('/') ? "" : "/") + name;
    if (is_file(path + "/report.json")) runs.push_back(path);
  }
  ::closedir(d);
  std::sort(runs.begin(), runs.end());
  return runs;
}

bool write_text(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::cout << text;
    return static_cast<bool>(std::cout);
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "leakcheck compare: cannot write " << path << "\n";
    return false;
  }
  return true;
}

}  // namespace

int report_command(int argc, char** argv) {
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << kReportUsage;
      return kExitOk;
    }
    if (arg.starts_with("-")) {
      std::cerr << "leakcheck report: unknown option " << arg << "\n" << kReportUsage;
      return kExitUsage;
    }
    paths.emplace_back(arg);
  }
  if (paths.empty()) {
    std::cerr << kReportUsage;
    return kExitUsage;
  }
  for (const std::string& path : paths) {
    auto report = reports::load_report(path);
    if (!report) {
      std::cerr << "leakcheck report: " << report.error().message() << "\n";
      return kExitUsage;
    }
    std::string file = reports::report_path(path);
    std::string dir = file.find('/') == std::string::npos ? "." : file.substr(0, file.rfind('/'));
    if (auto written = reports::write_rendered(dir, *report); !written) {
      std::cerr << "leakcheck report: " << written.error().message() << "\n";
      return kExitSystem;
    }
    std::cout << dir << "/report.html\n" << dir << "/junit.xml\n";
  }
  return kExitOk;
}

int compare_command(int argc, char** argv) {
  reports::CompareOptions options;
  std::vector<std::string> inputs;
  std::string json_path, html_path;
  bool watch_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        std::cerr << "leakcheck compare: " << name << " needs a value\n";
        return nullptr;
      }
      return argv[++i];
    };
    auto number = [&](const char* name, double& out) {
      const char* v = value(name);
      if (!v) return false;
      char* end = nullptr;
      double d = std::strtod(v, &end);
      if (end == v || *end != '\0' || !(d >= 0)) {
        std::cerr << "leakcheck compare: " << name << " " << v << ": expected a number >= 0\n";
        return false;
      }
      out = d;
      return true;
    };
    if (arg == "-h" || arg == "--help") {
      std::cout << kCompareUsage;
      return kExitOk;
    } else if (arg == "--json") {
      const char* v = value("--json");
      if (!v) return kExitUsage;
      json_path = v;
    } else if (arg == "--html") {
      const char* v = value("--html");
      if (!v) return kExitUsage;
      html_path = v;
    } else if (arg == "--slope-tolerance") {
      if (!number("--slope-tolerance", options.slope_tolerance_per_min)) return kExitUsage;
    } else if (arg == "--relative-tolerance") {
      if (!number("--relative-tolerance", options.relative_tolerance)) return kExitUsage;
    } else if (arg == "--watch") {
      const char* v = value("--watch");
      if (!v) return kExitUsage;
      auto w = reports::parse_watch(v);
      if (!w) {
        std::cerr << "leakcheck compare: " << w.error().message() << "\n";
        return kExitUsage;
      }
      if (!watch_given) options.watched.clear();  // the defaults are replaced, then listed ones added
      watch_given = true;
      options.watched.push_back(*w);
    } else if (arg.starts_with("-") && arg != "-") {
      std::cerr << "leakcheck compare: unknown option " << arg << "\n";
      return kExitUsage;
    } else {
      inputs.emplace_back(arg);
    }
  }
  if (watch_given) {
    // --watch adds to the defaults: put back the defaults not overridden.
    for (const auto& d : reports::CompareOptions::default_watched())
      if (std::none_of(options.watched.begin(), options.watched.end(),
                       [&](const auto& w) { return w.pattern == d.pattern; }))
        options.watched.push_back(d);
  }
  // A single folder that is not a run: the runs inside it.
  if (inputs.size() == 1 && is_directory(inputs[0]) && !is_file(inputs[0] + "/report.json")) {
    inputs = runs_in(inputs[0]);
    if (inputs.empty()) {
      std::cerr << "leakcheck compare: " << argv[argc - 1] << ": no run directories (with a report.json) in it\n";
      return kExitUsage;
    }
  }
  if (inputs.size() < 2) {
    std::cerr << kCompareUsage;
    return kExitUsage;
  }
  std::vector<std::pair<std::string, nlohmann::json>> loaded;
  for (const std::string& input : inputs) {
    auto report = reports::load_report(input);
    if (!report) {
      std::cerr << "leakcheck compare: " << report.error().message() << "\n";
      return kExitUsage;
    }
    loaded.emplace_back(reports::report_path(input), std::move(*report));
  }

  size_t regressions = 0;
  std::string text, html;
  nlohmann::json doc;
  if (loaded.size() == 2) {
    auto c = reports::compare_reports(loaded[0].second, loaded[1].second, options, loaded[0].first, loaded[1].first);
    regressions = c.regressions();
    text = reports::comparison_text(c);
    if (!json_path.empty()) doc = reports::comparison_json(c);
    if (!html_path.empty()) html = reports::comparison_html(c);
  } else {
    auto groups = reports::compare_many(loaded, options);
    for (const auto& g : groups)
      if (g.newest) regressions += g.newest->regressions();
    text = reports::run_series_text(groups);
    if (!json_path.empty()) doc = reports::run_series_json(groups);
    if (!html_path.empty()) html = reports::run_series_html(groups);
  }
  if (json_path != "-") std::cout << text;
  if (!json_path.empty() && !write_text(json_path, doc.dump(1) + "\n")) return kExitSystem;
  if (!html_path.empty() && !write_text(html_path, html)) return kExitSystem;
  return regressions > 0 ? kExitFail : kExitOk;
}

}  // namespace leakcheck::cli
