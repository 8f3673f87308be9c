#include "cli/run_command.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "cli/exit_codes.h"
#include "harness/run.h"

namespace leakcheck::cli {

namespace {

constexpr const char* kRunUsage = R"(usage: leakcheck run SCENARIO.yaml [options]

Starts the scenario's log-generating containers on the Docker engine, starts
the target (the reference collector by default), samples its fds, threads and
sockets, verifies every log line at a built-in Loki receiver, and judges the
scenario's criteria. Writes runs/<run id>/report.json and samples.csv.

options:
  --set KEY=VALUE      override a scenario key (repeatable): duration=30s, fleet.0.count=20
  --duration DUR       run for DUR instead; warmup and churn scale with it
  --runs-dir DIR       where run directories go (default runs)
  --collector PATH     the reference collector for {collector} (default: beside leakcheck)
  --loggen PATH        the static leakcheck-loggen for the test image (default: beside leakcheck)
  --docker-host URL    default $DOCKER_HOST or unix:///var/run/docker.sock
  --log-level LEVEL    debug, info, warn or error (default info)
  -h, --help           this text

exit codes: 0 PASS, 1 FAIL, 2 error (bad scenario, engine unavailable, target
failed to start), 130 interrupted (the report is written, marked incomplete)
)";

// build/cli/leakcheck -> build/<dir>/<name>
std::string sibling_binary(const char* dir, const char* name) {
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return name;
  std::string path(self, static_cast<size_t>(n));
  path = path.substr(0, path.rfind('/'));       // .../build/cli
  path = path.substr(0, path.rfind('/'));       // .../build
  return path + "/" + dir + "/" + name;
}

std::string docker_host_default() {
  const char* env = std::getenv("DOCKER_HOST");
  return env && *env ? env : "unix:///var/run/docker.sock";
}

}  // namespace

int run_command(int argc, char** argv) {
  harness::RunOptions options;
  options.collector_path = sibling_binary("collector", "leakcheck-collector");
  options.loggen_path = sibling_binary("loggen", "leakcheck-loggen");
  options.docker_host = docker_host_default();
  options.terminal = ::isatty(STDERR_FILENO);
  std::string level = "info";
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-h" || a == "--help") {
      std::cout << kRunUsage;
      return kExitOk;
    }
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--set" || a == "--duration" || a == "--runs-dir" || a == "--collector" || a == "--loggen" ||
        a == "--docker-host" || a == "--log-level") {
      v = value();
      if (!v) {
        std::cerr << "leakcheck run: " << a << " needs a value (see leakcheck run --help)\n";
        return kExitUsage;
      }
    }
    if (a == "--set") options.overrides.emplace_back(v);
    else if (a == "--duration") {
      auto d = parse_duration(v);
      if (!d || d->count() <= 0) {
        std::cerr << "leakcheck run: --duration: " << (d ? "must be above zero" : d.error().message()) << "\n";
        return kExitUsage;
      }
      options.duration = *d;
    } else if (a == "--runs-dir") options.runs_dir = v;
    else if (a == "--collector") options.collector_path = v;
    else if (a == "--loggen") options.loggen_path = v;
    else if (a == "--docker-host") options.docker_host = v;
    else if (a == "--log-level") level = v;
    else if (a.starts_with("-")) {
      std::cerr << "leakcheck run: unknown option " << a << " (see leakcheck run --help)\n";
      return kExitUsage;
    } else if (options.scenario_path.empty()) options.scenario_path = std::string(a);
    else {
      std::cerr << "leakcheck run: one scenario at a time (got " << a << ")\n";
      return kExitUsage;
    }
  }
  if (options.scenario_path.empty()) {
    std::cerr << "leakcheck run: which scenario? e.g. leakcheck run scenarios/smoke.yaml\n";
    return kExitUsage;
  }
  auto log_level = parse_log_level(level);
  if (!log_level) {
    std::cerr << "leakcheck run: --log-level: " << log_level.error().message() << "\n";
    return kExitUsage;
  }
  Logger log(*log_level);
  return harness::run_scenario(options, log);
}

int clean_command(int argc, char** argv) {
  std::string docker_host = docker_host_default();
  std::string run_id;  // empty: every run's
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-h" || a == "--help") {
      std::cout << "usage: leakcheck clean [--run ID] [--docker-host URL]\n\nRemoves every container labelled "
                   "leakcheck.run (or only leakcheck.run=ID),\nleft over by an earlier run that could not clean up.\n";
      return kExitOk;
    }
    if (a == "--docker-host" && i + 1 < argc) docker_host = argv[++i];
    else if (a == "--run" && i + 1 < argc) run_id = argv[++i];
    else {
      std::cerr << "leakcheck clean: unknown argument " << a << "\n";
      return kExitUsage;
    }
  }
  Logger log;
  return harness::clean_leftovers(docker_host, run_id, log);
}

}  // namespace leakcheck::cli
