#pragma once
// `leakcheck run SCENARIO`: the whole run, from an empty engine to a verdict.

#include <optional>
#include <string>
#include <vector>

#include "util/duration.h"
#include "util/log.h"

namespace leakcheck::harness {

struct RunOptions {
  std::string scenario_path;
  std::vector<std::string> overrides;  // --set KEY=VALUE
  std::optional<Nanos> duration;       // --duration: scales duration, warmup and churn
  std::string runs_dir = "runs";
  std::string collector_path;          // replaces {collector}
  std::string loggen_path;             // the static loggen put into the image
  std::string docker_host;             // replaces {docker_host}
  bool terminal = false;               // a live status line instead of plain lines
};

// Exit codes: 0 every criterion passed; 1 a criterion failed (or the target
// crashed); 2 an error before a verdict (bad scenario, engine unavailable,
// target failed to start); 130 interrupted (a report marked incomplete is
// still written).
int run_scenario(const RunOptions& options, Logger& log);

// `leakcheck clean`: removes every container labelled leakcheck.run (with a
// run id, only that run's).
int clean_leftovers(const std::string& docker_host, const std::string& run_id, Logger& log);

}  // namespace leakcheck::harness
