// `leakcheck run` end to end, against the real engine with the real
// binaries: the smoke scenario PASSes with the reference collector, the
// negative control FAILs on the named criteria, a bad scenario is exit 2
// with the file, line and key, and no container is left behind, not even by
// an interrupted run.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/e2e/subprocess.h"

namespace leakcheck::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kLeakcheck = LEAKCHECK_BIN;
const std::string kSource = SOURCE_DIR;

std::string runs_dir() {
  static std::string dir = ::testing::TempDir() + "/leakcheck-runs-" + std::to_string(::getpid());
  return dir;
}

// The run directory a `leakcheck run` printed ("report: DIR/report.json").
std::string report_path_from(const std::string& out) {
  auto at = out.find("report: ");
  if (at == std::string::npos) return "";
  auto end = out.find('\n', at);
  return out.substr(at + 8, end - at - 8);
}

json read_json(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

int leftover_containers(const std::string& run_id) {
  CommandOutput r = run_command({"docker", "ps", "-aq", "--filter", "label=leakcheck.run=" + run_id});
  std::istringstream lines(r.out);
  int n = 0;
  for (std::string line; std::getline(lines, line);) ++n;
  return n;
}

const json* criterion(const json& report, const std::string& text) {
  for (const json& c : report["criteria"])
    if (c["text"] == text) return &c;
  return nullptr;
}

TEST(RunE2E, SmokePassesWithTheReferenceCollector) {
  CommandOutput r = run_command({kLeakcheck, "run", kSource + "/scenarios/smoke.yaml", "--runs-dir", runs_dir(),
                                 "--duration", "75s"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string report_path = report_path_from(r.out);
  json report = read_json(report_path);
  EXPECT_EQ(report["schema"], "leakcheck.report/1");
  EXPECT_EQ(report["verdict"], "PASS");
  EXPECT_EQ(report["complete"], true);
  EXPECT_EQ(report["delivery"]["missing"], 0);
  EXPECT_EQ(report["delivery"]["duplicates"], 0);
  EXPECT_GT(report["delivery"]["expected"].get<int>(), 5000);
  EXPECT_EQ(report["fleet"]["containers"], 15);
  EXPECT_GE(report["fleet"]["restarts"].get<int>(), 2);
  EXPECT_EQ(report["target"]["exit_code"], 0);  // it stopped cleanly on SIGTERM
  // Every sample has the series the criteria name, and samples.csv has them too.
  EXPECT_GE(report["series"]["t_seconds"].size(), 60u);
  EXPECT_TRUE(report["series"]["values"].contains("fds.total"));
  EXPECT_TRUE(report["series"]["values"].contains("metrics.leakcheck_collector_rotations_total"));
  std::string run_dir = report_path.substr(0, report_path.rfind('/'));
  std::ifstream csv(run_dir + "/samples.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_TRUE(header.starts_with("t_seconds,")) << header;
  EXPECT_EQ(leftover_containers(report["run_id"]), 0);
}

TEST(RunE2E, NegativeControlFailsOnFdsThreadsAndDockerSockets) {
  CommandOutput r = run_command({kLeakcheck, "run", kSource + "/scenarios/negative-control.yaml", "--runs-dir",
                                 runs_dir(), "--duration", "60s"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  json report = read_json(report_path_from(r.out));
  EXPECT_EQ(report["verdict"], "FAIL");
  for (const char* text : {"fds.total growth_per_min < 5", "threads.total growth_per_min < 10",
                           "sockets.unix./var/run/docker.sock growth_per_min < 5"}) {
    const json* c = criterion(report, text);
    ASSERT_NE(c, nullptr) << text;
    EXPECT_EQ((*c)["passed"], false) << text;
    EXPECT_EQ((*c)["shape"], "growing") << text;
    // 6 idle containers rotated every 5 s leak 72 a minute; allow for the ramp.
    EXPECT_GT((*c)["value"].get<double>(), 40) << text;
  }
  // It leaks, but it loses nothing: the negative control is about resources.
  EXPECT_EQ(criterion(report, "loss_pct == 0")->at("passed"), true);
  EXPECT_EQ(leftover_containers(report["run_id"]), 0);
}

TEST(RunE2E, BadScenarioIsExit2WithFileLineAndKey) {
  std::string path = ::testing::TempDir() + "/bad-scenario.yaml";
  std::ofstream(path) << "name: bad\nduration: 2 minutes\n";
  CommandOutput r = run_command({kLeakcheck, "run", path, "--runs-dir", runs_dir()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "leakcheck run: " + path +
                       ":2: duration: invalid duration \"2 minutes\": unknown unit (use ns, us, ms, s, m, h or d)\n");
  CommandOutput set = run_command({kLeakcheck, "run", kSource + "/scenarios/smoke.yaml", "--set", "fleet.0.count=-1"});
  EXPECT_EQ(set.exit_code, 2);
  EXPECT_NE(set.err.find("--set fleet.0.count=-1: fleet[0].count: expected a non-negative whole number"), std::string::npos)
      << set.err;
  EXPECT_EQ(run_command({kLeakcheck, "run"}).exit_code, 2);
  EXPECT_EQ(run_command({kLeakcheck, "run", "/nonexistent.yaml"}).exit_code, 2);
}

TEST(RunE2E, InterruptedRunWritesAnIncompleteReportAndLeavesNothing) {
  std::string log = ::testing::TempDir() + "/interrupted-run.log";
  std::remove(log.c_str());
  Child run({kLeakcheck, "run", kSource + "/scenarios/smoke.yaml", "--runs-dir", runs_dir()}, log);
  std::this_thread::sleep_for(20s);  // containers and target are up by now
  ASSERT_TRUE(run.send_signal(SIGINT));
  auto code = run.wait_exit(60s);
  ASSERT_TRUE(code.has_value()) << "leakcheck run did not stop after SIGINT";
  EXPECT_EQ(*code, 130);
  std::ifstream in(log);
  std::string out((std::istreambuf_iterator<char>(in)), {});
  json report = read_json(report_path_from(out));
  EXPECT_EQ(report["verdict"], "INCOMPLETE");
  EXPECT_EQ(report["complete"], false);
  EXPECT_EQ(leftover_containers(report["run_id"]), 0) << out;
}

TEST(RunE2E, CleanRemovesLeftovers) {
  CommandOutput images = run_command({"docker", "images", "--format", "{{.Repository}}:{{.Tag}}", "leakcheck-loggen"});
  std::string image = images.out.substr(0, images.out.find('\n'));
  ASSERT_FALSE(image.empty()) << "the loggen image should exist after the runs above";
  CommandOutput created = run_command({"docker", "create", "--network", "none", "--label", "leakcheck.run=leftover-test", image,
                         "/bin/sleep", "1000"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ASSERT_EQ(leftover_containers("leftover-test"), 1);
  // Scoped to this container's run: tests running beside this one keep theirs.
  CommandOutput clean = run_command({kLeakcheck, "clean", "--run", "leftover-test"});
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_EQ(leftover_containers("leftover-test"), 0);
}

}  // namespace
}  // namespace leakcheck::testing
