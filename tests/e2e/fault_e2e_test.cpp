// The fault scenarios (scenarios/faults/) end to end, shortened with
// --duration: the real engine, the real binaries, the reference collector.
// Each must PASS with no line lost and its fault recorded as it happened in
// report.json; the naive strategy must FAIL the sink outage on fds and
// threads that do not come back. About 45 s a run, 9 runs; the engine
// restart runs for 60 s (its recovery is judged 20 s after the fault).

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "harness/engine_process.h"
#include "tests/e2e/run_support.h"
#include "tests/e2e/subprocess.h"

namespace leakcheck::testing {
namespace {

using nlohmann::json;

const std::string kLeakcheck = LEAKCHECK_BIN;
const std::string kSource = SOURCE_DIR;
// Long enough for a baseline before the fault (at 3/8 of the run) and 10 s
// of settled samples after it; short enough for 8 runs in about 6 minutes.
const std::string kDuration = "36s";

std::string runs_dir() {
  static std::string dir = ::testing::TempDir() + "/leakcheck-fault-runs-" + std::to_string(::getpid());
  return dir;
}

struct RunResult {
  int exit_code = -1;
  std::string out, err;
  json report;
};

RunResult run_fault_scenario(const std::string& name, std::vector<std::string> extra = {},
                             const std::string& duration = kDuration) {
  std::vector<std::string> argv{kLeakcheck, "run", kSource + "/scenarios/faults/" + name + ".yaml", "--runs-dir",
                                runs_dir(),  "--duration", duration};
  argv.insert(argv.end(), extra.begin(), extra.end());
  CommandOutput r = run_command(argv);
  RunResult run{r.exit_code, r.out, r.err, json()};
  std::ifstream in(report_path_from(r.out));
  if (in) run.report = json::parse(in);
  return run;
}

// PASS, nothing lost, every container's log read, nothing left behind; the
// one fault recorded without errors. Returns that fault's record.
json expect_pass_with_one_fault(const RunResult& run, const std::string& action) {
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  const json& r = run.report;
  if (r.is_null()) {
    ADD_FAILURE() << "no report.json: " << run.out << run.err;
    return json();
  }
  EXPECT_EQ(r["verdict"], "PASS");
  EXPECT_EQ(r["delivery"]["missing"], 0);
  EXPECT_EQ(r["delivery"]["loss_pct"], 0.0);
  EXPECT_GT(r["delivery"]["expected"].get<int>(), 2000);
  for (const json& c : r["delivery"]["containers"]) EXPECT_EQ(c["truth_read"], true) << c["container"];
  EXPECT_EQ(r["target"]["crashed"], false);
  EXPECT_EQ(leftover_containers(r["run_id"]), 0);
  EXPECT_EQ(schema_errors(kSource, report_path_from(run.out)), "");
  // fds and threads came back to their level: the scenario's after_fault
  // criteria, judged on real samples on both sides of the fault.
  int after_fault = 0;
  for (const json& c : r["criteria"]) {
    if (c["statistic"] != "after_fault") continue;
    ++after_fault;
    EXPECT_EQ(c["evaluated"], true) << c["text"] << ": " << c["detail"];
    EXPECT_EQ(c["passed"], true) << c["text"] << ": " << c["detail"];
  }
  EXPECT_GE(after_fault, 2);
  EXPECT_EQ(r["faults"].size(), 1u);
  if (r["faults"].empty()) return json();
  const json& f = r["faults"][0];
  EXPECT_EQ(f["action"], action);
  EXPECT_EQ(f["errors"].size(), 0u) << f["errors"];
  EXPECT_TRUE(f["started_s"].is_number());
  EXPECT_TRUE(f["ended_s"].is_number());
  EXPECT_GE(f["started_s"].get<double>(), f["at_s"].get<double>());
  return f;
}

TEST(FaultE2E, SinkOutage503LosesNothing) {
  RunResult run = run_fault_scenario("sink-outage-503");
  json f = expect_pass_with_one_fault(run, "sink_outage");
  // Every push during the outage was answered 503: nothing got in meanwhile.
  EXPECT_GE(f["figures"]["answered_503"].get<double>(), 1);
  EXPECT_EQ(f["received_during"], 0);
  EXPECT_EQ(run.report["delivery"]["duplicates"], 0);
}

TEST(FaultE2E, SinkOutageRefuseLosesNothing) {
  RunResult run = run_fault_scenario("sink-outage-refuse");
  json f = expect_pass_with_one_fault(run, "sink_outage");
  // Down: no connection accepted, so no line received, until it came back.
  EXPECT_EQ(f["received_during"], 0);
  EXPECT_EQ(f["figures"]["push_requests"], 0.0);
  EXPECT_EQ(run.report["delivery"]["duplicates"], 0);
}

TEST(FaultE2E, SinkOutageSlowLosesNothing) {
  RunResult run = run_fault_scenario("sink-outage-slow");
  json f = expect_pass_with_one_fault(run, "sink_outage");
  EXPECT_GE(f["figures"]["push_requests"].get<double>(), 1);
  EXPECT_EQ(run.report["delivery"]["duplicates"], 0);
}

TEST(FaultE2E, TargetKilledAndRestartedLosesNothing) {
  RunResult run = run_fault_scenario("target-kill");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const json& r = run.report;
  EXPECT_EQ(r["verdict"], "PASS");
  EXPECT_EQ(r["delivery"]["missing"], 0);
  EXPECT_EQ(r["target"]["crashed"], false);  // planned restarts are no crash
  EXPECT_EQ(r["target"]["exit_code"], 0);    // the last one stopped cleanly at the end
  ASSERT_EQ(r["faults"].size(), 2u);
  const json& kill = r["faults"][0];
  const json& term = r["faults"][1];
  for (const json* f : {&kill, &term}) {
    EXPECT_EQ((*f)["action"], "target_restart");
    EXPECT_EQ((*f)["errors"].size(), 0u) << (*f)["errors"];
    EXPECT_NE((*f)["figures"]["new_pid"], (*f)["figures"]["old_pid"]);
  }
  EXPECT_EQ(kill["figures"]["exit_signal"], 9.0);
  EXPECT_EQ(term["figures"]["exit_code"], 0.0);  // SIGTERM: a clean shutdown
  EXPECT_EQ(term["figures"]["old_pid"], kill["figures"]["new_pid"]);
  // A clean restart repeats nothing; a SIGKILL at most the batches in flight.
  EXPECT_EQ(term["duplicates"], 0);
  EXPECT_LE(kill["duplicates"].get<int>(), 1000);
  EXPECT_EQ(r["delivery"]["duplicates"], kill["duplicates"].get<int>() + term["duplicates"].get<int>());
  // While the target was down the sampler skipped: no sample is missing a
  // value or counts zero fds, and the new process was sampled after.
  const json& times = r["series"]["t_seconds"];
  const json& fds = r["series"]["values"]["fds.total"];
  ASSERT_EQ(times.size(), fds.size());
  for (const json& v : fds) {
    ASSERT_TRUE(v.is_number());
    EXPECT_GT(v.get<double>(), 0);
  }
  EXPECT_GT(times.back().get<double>(), term["ended_s"].get<double>());
  EXPECT_LT(times.size(), 36u);  // one sample at least skipped per restart
  EXPECT_EQ(leftover_containers(r["run_id"]), 0);
}

TEST(FaultE2E, ChurnStormLosesNothing) {
  // 25 containers in the shortened 15 s window: on this 2-core machine a
  // container's whole life through the Docker API takes about 0.45 s.
  RunResult run = run_fault_scenario("churn-storm", {"--set", "faults.0.count=25"});
  json f = expect_pass_with_one_fault(run, "container_churn");
  EXPECT_EQ(f["figures"]["created"], 25.0);
  EXPECT_EQ(f["figures"]["removed"], 25.0);
  // Their lines were expected (read from the daemon before removal) and received.
  int churned = 0, lines = 0;
  for (const json& c : run.report["delivery"]["containers"]) {
    if (c["container"].get<std::string>().find("-fault0-") == std::string::npos) continue;
    ++churned;
    lines += c["expected"].get<int>();
    EXPECT_EQ(c["missing"], 0) << c["container"];
  }
  EXPECT_EQ(churned, 25);
  EXPECT_GT(lines, 25 * 10);
  EXPECT_EQ(run.report["delivery"]["duplicates"], 0);
}

TEST(FaultE2E, PausedGroupLosesNothing) {
  RunResult run = run_fault_scenario("pause");
  json f = expect_pass_with_one_fault(run, "container_pause");
  EXPECT_EQ(f["figures"]["paused"], 4.0);
  EXPECT_EQ(f["figures"]["unpaused"], 4.0);
  EXPECT_EQ(run.report["delivery"]["duplicates"], 0);
}

TEST(FaultE2E, OomKilledGroupLosesNothing) {
  RunResult run = run_fault_scenario("oom");
  json f = expect_pass_with_one_fault(run, "container_oom");
  EXPECT_EQ(f["figures"]["oom_killed"], 2.0);  // State.OOMKilled, from the daemon
  int hogs = 0;
  for (const json& c : run.report["delivery"]["containers"]) {
    if (c["container"].get<std::string>().find("-hog-") == std::string::npos) continue;
    ++hogs;
    EXPECT_GT(c["expected"].get<int>(), 100) << c["container"];  // ~13 s at 20 lines/s before the kill
    EXPECT_EQ(c["missing"], 0) << c["container"];
  }
  EXPECT_EQ(hogs, 2);
}

// Pathological content (loggen --content pathological): invalid UTF-8,
// control bytes, NUL, CR, ANSI escapes, empty lines and 1 MiB lines. Every
// line arrives, the opaque ones equal to the daemon's copy, the 1 MiB ones cut
// at 256 KiB and marked, and the collector stays up and exits 0.
TEST(FaultE2E, PathologicalContentIsDeliveredVerifiedAndSurvived) {
  RunResult run = run_fault_scenario("pathological-content");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const json& r = run.report;
  ASSERT_FALSE(r.is_null()) << run.out << run.err;
  EXPECT_EQ(r["verdict"], "PASS");
  const json& d = r["delivery"];
  EXPECT_EQ(d["missing"], 0);
  EXPECT_EQ(d["corrupt"], 0);
  EXPECT_EQ(d["duplicates"], 0);
  EXPECT_EQ(d["cut"], 0);
  EXPECT_EQ(d["content_unverified"], 0);
  EXPECT_EQ(d["foreign_lines"], 0);
  EXPECT_GT(d["empty_expected"].get<int>(), 20);  // 3 containers, ~170 lines each, 1 in 10
  EXPECT_EQ(d["empty_received"], d["empty_expected"]);
  // Per pathological container (seqs 0..E-1): every 25th line is the 1 MiB
  // one, cut and marked; every other is opaque and equal to the daemon's copy.
  int patho = 0;
  for (const json& c : d["containers"]) {
    if (c["container"].get<std::string>().find("-patho-") == std::string::npos) continue;
    ++patho;
    int expected = c["expected"].get<int>();
    EXPECT_GT(expected, 100) << c["container"];
    EXPECT_EQ(c["missing"], 0) << c["container"];
    EXPECT_EQ(c["corrupt"], 0) << c["container"];
    EXPECT_EQ(c["cut_marked"], expected / 25) << c["container"];
    EXPECT_EQ(c["content_verified"], expected - expected / 25) << c["container"];
  }
  EXPECT_EQ(patho, 3);
  EXPECT_EQ(r["target"]["crashed"], false);
  EXPECT_EQ(r["target"]["exit_code"], 0);
  EXPECT_EQ(leftover_containers(r["run_id"]), 0);
  EXPECT_EQ(schema_errors(kSource, report_path_from(run.out)), "");
}

TEST(FaultE2E, NaiveStrategyFailsTheSinkOutageOnFdsAndThreads) {
  // The naive strategy leaks a thread and a docker.sock connection at every
  // rotation of an idle container: across the outage they do not come back.
  RunResult run = run_fault_scenario(
      "sink-outage-503",
      {"--set",
       "target.command=[\"{collector}\", \"--strategy\", \"naive\", \"--sink\", \"loki={sink_url}\", \"--state-dir\", "
       "\"{state_dir}\", \"--docker-host\", \"{docker_host}\", \"--include-label\", \"leakcheck.run={run_id}\", "
       "\"--rotation-interval\", \"5s\", \"--metrics-listen\", \"127.0.0.1:{metrics_port}\"]"});
  ASSERT_EQ(run.exit_code, 1) << run.out << run.err;
  const json& r = run.report;
  EXPECT_EQ(r["verdict"], "FAIL");
  for (const char* text : {"fds.total after_fault <= 2", "threads.total after_fault <= 0"}) {
    const json* c = criterion(r, text);
    ASSERT_NE(c, nullptr) << text;
    EXPECT_EQ((*c)["evaluated"], true) << text;
    EXPECT_EQ((*c)["passed"], false) << text << ": " << (*c)["detail"];
    EXPECT_GE((*c)["value"].get<double>(), 3) << text;  // 2 idle containers, a rotation every 5 s
  }
  // It loses nothing: the failure is about resources, and the fault happened.
  EXPECT_EQ(criterion(r, "loss_pct == 0")->at("passed"), true);
  EXPECT_EQ(r["faults"][0]["errors"].size(), 0u);
  EXPECT_EQ(leftover_containers(r["run_id"]), 0);
}

bool engine_answers() {
  return run_command({"timeout", "5", "docker", "version", "--format", "{{.Server.Version}}"}).exit_code == 0;
}

bool wait_engine_answers(std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (engine_answers()) return true;
    ::usleep(500'000);
  }
  return false;
}

// The machine's engine is shared by every test after this one: whatever
// happened, it must answer when the test ends. If it does not, and no
// dockerd runs, it is started the way scripts/lib/bootstrap.sh starts it.
class EngineRestartE2E : public ::testing::Test {
 protected:
  void TearDown() override {
    if (wait_engine_answers(std::chrono::seconds(10))) return;
    ADD_FAILURE() << "the Docker engine does not answer after the test: starting it again";
    if (!harness::find_engine("dockerd").ok()) {
      harness::EngineProcess bootstrap;
      bootstrap.argv = {"dockerd", "--iptables=false", "--bridge=none"};
      for (char** e = environ; *e; ++e) bootstrap.env.emplace_back(*e);
      bootstrap.cwd = kSource;
      ::mkdir((kSource + "/.state").c_str(), 0755);
      // A killed engine leaves its pid file, and a new one refuses to start
      // while it names a live process (the pid may have been reused).
      ::unlink("/var/run/docker.pid");
      auto started = harness::start_engine(bootstrap, kSource + "/.state/dockerd.log");
      ASSERT_TRUE(started.ok()) << started.error().message();
    }
    ASSERT_TRUE(wait_engine_answers(std::chrono::seconds(60))) << "the Docker engine did not come back";
  }
};

TEST_F(EngineRestartE2E, DockerdRestartLosesNothing) {
  auto before = harness::find_engine("dockerd");
  ASSERT_TRUE(before.ok()) << before.error().message();
  RunResult run = run_fault_scenario("dockerd-restart", {}, "60s");
  json f = expect_pass_with_one_fault(run, "dockerd_restart");
  const json& r = run.report;
  EXPECT_EQ(r["delivery"]["duplicates"], 0);
  EXPECT_EQ(f["figures"]["old_pid"], before->pid);
  EXPECT_NE(f["figures"]["new_pid"], f["figures"]["old_pid"]);
  // Without live-restore the engine stopped all 9 containers of the fleet,
  // and the harness started them again once it answered.
  EXPECT_EQ(f["figures"]["containers_stopped"], 9.0);
  EXPECT_EQ(f["figures"]["containers_started"], 9.0);
  // Each writing container has two boots: the lines written before the
  // shutdown and those after the restart, every one delivered.
  int first_boots = 0, second_boots = 0;
  for (const json& c : r["delivery"]["containers"]) {
    std::string name = c["container"].get<std::string>();
    if (name.find("-steady-") == std::string::npos) continue;
    int boot = c["boot"].get<int>();
    if (boot == 1) ++first_boots;
    if (boot == 2) ++second_boots;
    EXPECT_GT(c["expected"].get<int>(), 50) << name << " boot " << boot;
    EXPECT_EQ(c["missing"], 0) << name << " boot " << boot;
  }
  EXPECT_EQ(first_boots, 6);
  EXPECT_EQ(second_boots, 6);
  // The engine runs on, as the new process, and answers.
  EXPECT_TRUE(engine_answers());
  auto after = harness::find_engine("dockerd");
  ASSERT_TRUE(after.ok()) << after.error().message();
  EXPECT_EQ(after->pid, f["figures"]["new_pid"].get<int>());
  EXPECT_EQ(after->argv, before->argv);
}

}  // namespace
}  // namespace leakcheck::testing
