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
#include <set>
#include <sstream>
#include <thread>

#include "tests/e2e/run_support.h"
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

// The four files of a run directory: report.json valid against the schema,
// report.html with its charts, junit.xml with a case per criterion, samples.csv.
void expect_run_files(const std::string& run_dir, const json& report) {
  EXPECT_EQ(schema_errors(kSource, run_dir), "");
  std::ifstream html_file(run_dir + "/report.html");
  std::string html((std::istreambuf_iterator<char>(html_file)), {});
  EXPECT_NE(html.find("<svg class=\"chart\""), std::string::npos) << run_dir;
  EXPECT_NE(html.find(report["run_id"].get<std::string>()), std::string::npos);
  std::ifstream junit_file(run_dir + "/junit.xml");
  std::string junit((std::istreambuf_iterator<char>(junit_file)), {});
  size_t cases = 0;
  for (size_t at = junit.find("<testcase "); at != std::string::npos; at = junit.find("<testcase ", at + 1)) ++cases;
  EXPECT_GE(cases, report["criteria"].size() + 2) << junit;
  std::ifstream csv(run_dir + "/samples.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_TRUE(header.starts_with("t_seconds,")) << header;
}

// One test, three runs: the smoke scenario passes with the reference
// collector (twice), the negative control fails on the named criteria, and
// `leakcheck compare` tells them apart: smoke against smoke is no
// regression, smoke against the negative control is, on fds and threads.
TEST(RunE2E, SmokePassesNegativeControlFailsAndCompareTellsThemApart) {
  CommandOutput r = run_command({kLeakcheck, "run", kSource + "/scenarios/smoke.yaml", "--runs-dir", runs_dir(),
                                 "--duration", "75s"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string smoke = report_path_from(r.out);
  json report = read_json(smoke);
  EXPECT_EQ(report["schema"], "leakcheck.report/1");
  EXPECT_EQ(report["verdict"], "PASS");
  EXPECT_EQ(report["complete"], true);
  EXPECT_EQ(report["delivery"]["missing"], 0);
  EXPECT_EQ(report["delivery"]["duplicates"], 0);
  EXPECT_GT(report["delivery"]["expected"].get<int>(), 5000);
  EXPECT_EQ(report["fleet"]["containers"], 15);
  EXPECT_GE(report["fleet"]["restarts"].get<int>(), 2);
  EXPECT_EQ(report["target"]["exit_code"], 0);  // it stopped cleanly on SIGTERM
  // Every sample has the series the criteria name, and the trend criteria
  // carry their fitted line for the charts.
  EXPECT_GE(report["series"]["t_seconds"].size(), 60u);
  EXPECT_TRUE(report["series"]["values"].contains("fds.total"));
  EXPECT_TRUE(report["series"]["values"].contains("metrics.leakcheck_collector_rotations_total"));
  EXPECT_TRUE(report["series"]["values"].contains("delivery.latency_p99_s"));
  EXPECT_TRUE(criterion(report, "fds.total growth_per_min < 5")->at("fit").is_object());
  expect_run_files(dir_of(smoke), report);
  EXPECT_EQ(leftover_containers(report["run_id"]), 0);

  CommandOutput again = run_command({kLeakcheck, "run", kSource + "/scenarios/smoke.yaml", "--runs-dir", runs_dir(),
                                     "--duration", "75s"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  std::string smoke2 = report_path_from(again.out);

  r = run_command({kLeakcheck, "run", kSource + "/scenarios/negative-control.yaml", "--runs-dir", runs_dir(),
                   "--duration", "60s"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string negative = report_path_from(r.out);
  report = read_json(negative);
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
  expect_run_files(dir_of(negative), report);
  EXPECT_EQ(leftover_containers(report["run_id"]), 0);

  CommandOutput same = run_command({kLeakcheck, "compare", dir_of(smoke), dir_of(smoke2)});
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("no regression: 0 regressions"), std::string::npos) << same.out;

  std::string compare_json = ::testing::TempDir() + "/compare.json";
  std::string compare_html = ::testing::TempDir() + "/compare.html";
  CommandOutput worse = run_command(
      {kLeakcheck, "compare", dir_of(smoke), negative, "--json", compare_json, "--html", compare_html});
  EXPECT_EQ(worse.exit_code, 1) << worse.out << worse.err;
  json comparison = read_json(compare_json);
  std::set<std::string> regressed;
  for (const json& f : comparison["figures"])
    if (f["regression"] == true) regressed.insert(f["kind"].get<std::string>() + " " + f["name"].get<std::string>());
  for (const char* expected : {"criterion fds.total growth_per_min < 5", "criterion threads.total growth_per_min < 10",
                               "series fds.total", "series threads.total"})
    EXPECT_TRUE(regressed.count(expected)) << expected << "\n" << worse.out;
  EXPECT_FALSE(regressed.count("delivery missing")) << worse.out;
  std::ifstream html(compare_html);
  EXPECT_TRUE(html.good());

  // A folder of runs: each figure across them, the newest against the one before.
  CommandOutput folder = run_command({kLeakcheck, "compare", runs_dir()});
  EXPECT_NE(folder.out.find("scenario smoke: 2 runs"), std::string::npos) << folder.out;
  EXPECT_NE(folder.out.find("scenario negative-control: 1 run"), std::string::npos) << folder.out;

  // report re-renders the HTML and JUnit from report.json alone.
  std::string run_dir = dir_of(smoke);
  std::remove((run_dir + "/report.html").c_str());
  std::remove((run_dir + "/junit.xml").c_str());
  CommandOutput rendered = run_command({kLeakcheck, "report", run_dir});
  EXPECT_EQ(rendered.exit_code, 0) << rendered.err;
  expect_run_files(run_dir, read_json(smoke));
}

TEST(RunE2E, ReportAndCompareRejectWhatIsNotAReport) {
  std::string path = ::testing::TempDir() + "/not-a-report.json";
  std::ofstream(path) << "{\"schema\": \"something/1\"}";
  CommandOutput r = run_command({kLeakcheck, "report", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "leakcheck report: " + path + ": not a leakcheck report (no \"schema\": \"leakcheck.report/1\")\n");
  std::ofstream(path) << "{\"schema\": ";
  r = run_command({kLeakcheck, "compare", path, path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(path + ": not JSON"), std::string::npos) << r.err;
  r = run_command({kLeakcheck, "compare", "/nonexistent-run"});
  EXPECT_EQ(r.exit_code, 2);
  r = run_command({kLeakcheck, "compare", "a", "b", "--slope-tolerance", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "leakcheck compare: --slope-tolerance x: expected a number >= 0\n");
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
