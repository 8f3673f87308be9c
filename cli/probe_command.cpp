#include "cli/probe_command.h"

#include <signal.h>
#include <time.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "cli/exit_codes.h"
#include "cli/probe_text.h"
#include "probes/sampler.h"
#include "probes/snapshot_json.h"
#include "util/duration.h"

namespace leakcheck::cli {

namespace {

constexpr const char* kUsage = R"(usage: leakcheck probe PID|NAME [options]

Samples a process: its file descriptors by kind, TCP sockets by state, unix
sockets by listening path and peer, threads by name, memory, CPU and limits.
NAME is matched exactly against the process name (comm), e.g. dockerd.

options:
  --children           include all descendants (per process and in the totals)
  --json               print one JSON document (schema leakcheck.probe/1)
  --watch INTERVAL     print one JSON line every INTERVAL (e.g. 1s, 500ms)
                       until Ctrl-C, or until --count samples
  --count N            with --watch: stop after N samples
  --no-pss             skip PSS (smaps_rollup walks every mapping)
  -h, --help           this text

exit codes: 0 ok, 2 bad arguments, 3 no such process (or it exited),
            4 system error (e.g. permission denied; the message names the file)
)";

struct ProbeArgs {
  std::string target;
  probes::SampleOptions options;
  bool json = false;
  std::optional<Nanos> watch_interval;
  std::optional<uint64_t> count;
};

struct UsageError {
  std::string message;
};

std::variant<ProbeArgs, UsageError, std::monostate /* help */> parse_args(int argc, char** argv) {
  ProbeArgs args;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](std::string_view flag) -> std::optional<std::string_view> {
      if (i + 1 >= argc) return std::nullopt;
      (void)flag;
      return std::string_view(argv[++i]);
    };
    if (a == "-h" || a == "--help") return std::monostate{};
    if (a == "--children") args.options.include_descendants = true;
    else if (a == "--json") args.json = true;
    else if (a == "--no-pss") args.options.with_pss = false;
    else if (a == "--watch") {
      auto v = value(a);
      if (!v) return UsageError{"--watch needs an interval, e.g. --watch 1s"};
      auto d = parse_duration(*v);
      if (!d) return UsageError{"--watch: " + d.error().message()};
      if (d->count() <= 0) return UsageError{"--watch: the interval must be above zero"};
      args.watch_interval = *d;
    } else if (a == "--count") {
      auto v = value(a);
      uint64_t n = 0;
      if (!v || std::from_chars(v->data(), v->data() + v->size(), n).ptr != v->data() + v->size() || n == 0)
        return UsageError{"--count needs a positive whole number"};
      args.count = n;
    } else if (a.starts_with("-")) {
      return UsageError{"unknown option " + std::string(a)};
    } else if (args.target.empty()) {
      args.target = std::string(a);
    } else {
      return UsageError{"unexpected argument " + std::string(a) + " (one PID or NAME)"};
    }
  }
  if (args.target.empty()) return UsageError{"which process? give a PID or a process name"};
  if (args.count && !args.watch_interval) return UsageError{"--count goes with --watch"};
  return args;
}

// A pid, or the one process with that name.
std::variant<pid_t, ExitCode> resolve_target(const std::string& target) {
  pid_t pid = 0;
  auto [ptr, ec] = std::from_chars(target.data(), target.data() + target.size(), pid);
  if (ec == std::errc() && ptr == target.data() + target.size()) {
    if (pid <= 0) {
      std::cerr << "leakcheck probe: " << target << " is not a valid pid\n";
      return kExitUsage;
    }
    return pid;
  }
  auto pids = probes::find_processes_by_name(target);
  if (pids.empty()) {
    std::cerr << "leakcheck probe: no process named " << target << "\n";
    return kExitNoProcess;
  }
  if (pids.size() > 1) {
    std::string list;
    for (pid_t p : pids) list += (list.empty() ? "" : ", ") + std::to_string(p);
    std::cerr << "leakcheck probe: " << pids.size() << " processes are named " << target << " (pids " << list
              << "): give one PID\n";
    return kExitUsage;
  }
  return pids.front();
}

int report_failure(const probes::SampleResult& result, pid_t pid) {
  if (std::holds_alternative<probes::ProcessExited>(result)) {
    std::cerr << "leakcheck probe: process " << pid << " does not exist or exited\n";
    return kExitNoProcess;
  }
  std::cerr << "leakcheck probe: " << std::get<Error>(result).message() << "\n";
  return kExitSystem;
}

int probe_once(pid_t pid, const ProbeArgs& args) {
  auto result = probes::sample(pid, args.options);
  auto* snap = std::get_if<probes::ProcessSnapshot>(&result);
  if (!snap) return report_failure(result, pid);
  if (args.json) std::cout << probes::to_json(*snap).dump(2) << "\n";
  else std::cout << render_probe_text(*snap);
  return kExitOk;
}

// One JSON line per interval, on a fixed schedule (no drift), until
// SIGINT/SIGTERM, --count, or the process exits.
int probe_watch(pid_t pid, const ProbeArgs& args) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop_signals, nullptr);

  probes::Sampler sampler;
  auto next = std::chrono::steady_clock::now();
  for (uint64_t n = 0; !args.count || n < *args.count; ++n) {
    auto result = sampler.sample(pid, args.options);
    if (auto* snap = std::get_if<probes::ProcessSnapshot>(&result)) {
      std::cout << probes::to_json(*snap).dump() << "\n" << std::flush;
    } else if (std::holds_alternative<probes::ProcessExited>(result)) {
      nlohmann::ordered_json exited = {{"schema", probes::kProbeSchema}, {"pid", pid}, {"exited", true},
                               {"taken_at_unix_ns", std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                        std::chrono::system_clock::now().time_since_epoch()).count()}};
      std::cout << exited.dump() << "\n" << std::flush;
      return report_failure(result, pid);
    } else {
      return report_failure(result, pid);
    }
    if (args.count && n + 1 == *args.count) break;

    next += *args.watch_interval;
    auto wait = next - std::chrono::steady_clock::now();
    if (wait < std::chrono::nanoseconds(0)) {
      next = std::chrono::steady_clock::now();  // sampling took longer than the interval: do not pile up
      wait = std::chrono::nanoseconds(0);
    }
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
    timespec timeout{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    if (sigtimedwait(&stop_signals, nullptr, &timeout) > 0) break;  // Ctrl-C: a clean stop
  }
  return kExitOk;
}

}  // namespace

int probe_command(int argc, char** argv) {
  auto parsed = parse_args(argc, argv);
  if (std::holds_alternative<std::monostate>(parsed)) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (auto* err = std::get_if<UsageError>(&parsed)) {
    std::cerr << "leakcheck probe: " << err->message << " (see leakcheck probe --help)\n";
    return kExitUsage;
  }
  const ProbeArgs& args = std::get<ProbeArgs>(parsed);
  auto target = resolve_target(args.target);
  if (auto* code = std::get_if<ExitCode>(&target)) return *code;
  pid_t pid = std::get<pid_t>(target);
  return args.watch_interval ? probe_watch(pid, args) : probe_once(pid, args);
}

}  // namespace leakcheck::cli
