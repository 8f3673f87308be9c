#pragma once
// A scenario file: what `leakcheck run` starts, for how long, and what it
// judges. Parsing is pure (parse_scenario on a YAML node); every error names
// the file, line and key, and unknown keys are errors.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stats/criteria.h"
#include "util/duration.h"
#include "util/result.h"

namespace leakcheck::harness {

using namespace std::chrono_literals;

// How one container's leakcheck-loggen writes. Unset rate and burst: silent.
struct LogProfile {
  std::string rate;          // "50" lines/s, or "500/5s"
  std::string burst;         // "500/5s": 500 lines every 5 s
  Nanos idle_first{0};       // silent this long first
  double stderr_share = 0;   // fraction of lines to stderr
  uint64_t size_bytes = 120;
  uint64_t long_every = 0;   // every K-th line is long
  uint64_t long_size_bytes = 40000;
  // "normal" or "pathological": invalid UTF-8, control bytes, NUL, CR, ANSI
  // escapes, 1 MiB lines and empty lines (loggen/pathological.h).
  std::string content = "normal";
  // A memory hog (container_oom): alloc_after into its life, allocate and
  // touch alloc_mb MiB. 0: never.
  Nanos alloc_after{0};
  uint64_t alloc_mb = 0;
};

struct FleetGroup {
  std::string name;  // containers are named <run>-<group>-<index>
  uint64_t count = 1;
  bool tty = false;
  LogProfile profile;
  std::optional<Nanos> restart_every;   // docker restart: boot number goes up
  std::optional<Nanos> recreate_every;  // remove and create anew: a new container id
  uint64_t memory_bytes = 64u << 20;
};

struct Target {
  // argv, with placeholders {sink_url} {state_dir} {docker_host} {run_dir}
  // {run_id} {collector} {metrics_port} replaced at start. Never a shell.
  std::vector<std::string> command;
  std::map<std::string, std::string> env;
  std::string metrics_url;  // optional; scraped every sample (placeholders too)
  bool include_children = true;
  Nanos stop_timeout = 15s;  // SIGTERM, then SIGKILL after this
};

// The comparison of a criterion: the statistics library's own.
using stats::Op;

// {series: fds.total, growth_per_min: {lt: 5}} or {delivery: loss_pct, eq: 0}.
struct Criterion {
  bool delivery = false;   // a delivery figure rather than a sampled series
  std::string name;        // series name ("fds.total") or delivery figure ("loss_pct", "latency_p99")
  std::string statistic;   // series: growth_per_min, max, min, mean, last, p99,
                           // projected_hours_to_exhaustion, after_fault; delivery: "value"
  Op op = Op::lt;
  double bound = 0;        // latency bounds in seconds
  std::string text;        // as written, for reports: "fds.total growth_per_min < 5"
  // after_fault: the increase of the median from the baseline_samples samples
  // before each fault to the samples from its end + settle to the next
  // fault's start (or the run's end).
  Nanos settle = 10s;
  uint64_t baseline_samples = 10;
};

// A fault scheduled in a run (`faults:`), applied by harness/faults.h.
enum class FaultAction { sink_outage, target_restart, container_churn, container_pause, container_oom, dockerd_restart };
enum class OutageMode { status_503, refuse, slow };

std::string_view fault_action_name(FaultAction action);
std::string_view outage_mode_name(OutageMode mode);

struct Fault {
  FaultAction action = FaultAction::sink_outage;
  Nanos at{0};      // from the start of the run (the first sample)
  Nanos length{0};  // `for`: how long it applies
  // sink_outage: the receiver answers 503, refuses connections, or waits
  // `delay` before answering each push.
  OutageMode mode = OutageMode::status_503;
  Nanos delay = 3s;
  // target_restart: the signal that stops the target ("SIGKILL", "SIGTERM");
  // it starts again, same argv and state dir, `length` later.
  std::string signal = "SIGKILL";
  // container_churn: `count` extra containers writing `profile`, each created
  // and removed within `length`.
  uint64_t count = 50;
  LogProfile profile;
  // container_pause, container_oom: the fleet group acted on.
  std::string group;
  // container_oom: MiB the group's loggens allocate at `at` (the group's
  // memory limit makes the kernel kill them); 0 until parsed: 4 x the limit.
  uint64_t alloc_mb = 0;
};

// For reports and logs: "sink_outage status_503 at 30s for 20s".
std::string fault_text(const Fault& fault);

struct Scenario {
  std::string name;
  std::string description;
  uint64_t seed = 1;
  Nanos duration = 2min;
  Nanos warmup = 20s;         // excluded from trend statistics
  Nanos sample_interval = 1s;
  Nanos drain = 15s;          // after the fleet stops writing, for the target to deliver
  std::vector<FleetGroup> fleet;
  Target target;
  std::vector<std::string> observe;  // process names sampled like the target (e.g. dockerd)
  std::vector<Criterion> criteria;
  std::vector<Fault> faults;  // in the order written
  // Whether failing is the expected outcome (the negative control). The run
  // still exits 1 on FAIL; tests and CI assert it.
  bool expect_fail = false;
  // A dockerd_restart fault stops and starts the machine's Docker engine,
  // which every other user of it sees: the scenario must say so.
  bool allow_engine_restart = false;
};

// The defaults are the analysis's Solution 1 targets.
std::vector<Criterion> default_criteria();

Result<Scenario> parse_scenario(const YAML::Node& root, const std::string& file);

// Reads and checks the file, then applies `--set KEY=VALUE` overrides to its
// YAML (e.g. "duration=30s", "fleet.0.count=20") and checks again, so an
// override gets the same checks; its errors start with "--set KEY=VALUE: ".
Result<Scenario> load_scenario(const std::string& path, const std::vector<std::string>& overrides = {});

Status apply_override(YAML::Node& root, const std::string& assignment);

// Replaces {name} placeholders; an unknown placeholder is an error naming it.
Result<std::string> expand_placeholders(const std::string& text, const std::map<std::string, std::string>& values);

inline std::string op_text(Op op) { return std::string(stats::op_symbol(op)); }

}  // namespace leakcheck::harness
