// The probe's cost against the tools people reach for, in one run: a full
// classified snapshot of a process with 1,000 and 10,000 fds (half TCP
// sockets, half files) vs `lsof -p PID` and `ss -tanp`, and the count-only
// path. Wall time; external tools are timed as whole commands, and so is
// `leakcheck probe` for a like-for-like comparison.
//
// Run: ./scripts/bench-probe (median of repetitions, ratios printed).

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/fd_holder.h"
#include "probes/sampler.h"

extern char** environ;

namespace {

using leakcheck::bench::FdHolder;

// One holder per size, shared by every benchmark of that size.
FdHolder& holder(int fds) {
  static std::map<int, std::unique_ptr<FdHolder>> holders;
  auto& h = holders[fds];
  if (!h) h = std::make_unique<FdHolder>(fds);
  return *h;
}

// Runs argv with stdout and stderr to /dev/null; returns the exit status.
int run_quietly(const std::vector<std::string>& argv) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

void BM_Snapshot(benchmark::State& state) {
  pid_t pid = holder(static_cast<int>(state.range(0))).pid();
  leakcheck::probes::Sampler sampler;
  for (auto _ : state) {
    auto r = sampler.sample(pid);
    if (!std::holds_alternative<leakcheck::probes::ProcessSnapshot>(r)) state.SkipWithError("sample failed");
    benchmark::DoNotOptimize(r);
  }
}

void BM_SnapshotNoPss(benchmark::State& state) {
  pid_t pid = holder(static_cast<int>(state.range(0))).pid();
  leakcheck::probes::Sampler sampler;
  leakcheck::probes::SampleOptions options;
  options.with_pss = false;
  for (auto _ : state) benchmark::DoNotOptimize(sampler.sample(pid, options));
}

void BM_CountFds(benchmark::State& state) {
  pid_t pid = holder(static_cast<int>(state.range(0))).pid();
  for (auto _ : state) {
    auto n = leakcheck::probes::count_fds(pid);
    if (!n.ok()) state.SkipWithError("count failed");
    benchmark::DoNotOptimize(n);
  }
}

void run_command_benchmark(benchmark::State& state, std::vector<std::string> argv) {
  std::string pid = std::to_string(holder(static_cast<int>(state.range(0))).pid());
  for (auto& a : argv)
    if (a == "PID") a = pid;
  for (auto _ : state)
    if (run_quietly(argv) != 0) state.SkipWithError(("failed: " + argv[0]).c_str());
}

void BM_LeakcheckProbeCommand(benchmark::State& state) {
  run_command_benchmark(state, {LEAKCHECK_BIN, "probe", "PID", "--json"});
}
void BM_Lsof(benchmark::State& state) { run_command_benchmark(state, {"lsof", "-n", "-P", "-p", "PID"}); }
void BM_SsTanp(benchmark::State& state) { run_command_benchmark(state, {"ss", "-tanp"}); }

}  // namespace

BENCHMARK(BM_Snapshot)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SnapshotNoPss)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CountFds)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_LeakcheckProbeCommand)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Lsof)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SsTanp)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
