#include "harness/scenario.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "harness/fleet.h"
#include "util/yaml_fields.h"

namespace leakcheck::harness {
namespace {

constexpr const char* kSmoke = R"(name: smoke
seed: 7
duration: 2m
warmup: 20s
target:
  command: ["{collector}", "--sink", "loki={sink_url}"]
  metrics_url: "http://127.0.0.1:{metrics_port}/metrics"
observe: [dockerd]
fleet:
  - {name: steady, count: 8, profile: {rate: 20, stderr_share: 0.2}}
  - {name: idle, count: 4}
  - {name: long, count: 1, profile: {rate: 2, long_every: 1, long_size: 40000}}
  - {name: churn, count: 1, restart_every: 20s, recreate_every: 1m, profile: {rate: 10}}
criteria:
  - {series: fds.total, growth_per_min: {lt: 5}}
  - {delivery: latency_p99, lt: 1s}
)";

Result<Scenario> parse(const std::string& text) {
  auto node = load_yaml_text(text, "s.yaml");
  if (!node) return node.error();
  return parse_scenario(*node, "s.yaml");
}

TEST(Scenario, ParsesTheSmokeShape) {
  auto s = parse(kSmoke);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->name, "smoke");
  EXPECT_EQ(s->seed, 7u);
  EXPECT_EQ(s->duration, 120s);
  ASSERT_EQ(s->fleet.size(), 4u);
  EXPECT_EQ(s->fleet[0].count, 8u);
  EXPECT_EQ(s->fleet[0].profile.rate, "20");
  EXPECT_DOUBLE_EQ(s->fleet[0].profile.stderr_share, 0.2);
  EXPECT_EQ(s->fleet[1].profile.rate, "");  // idle: silent for ever
  EXPECT_EQ(s->fleet[3].restart_every, 20s);
  EXPECT_EQ(s->fleet[3].recreate_every, 60s);
  ASSERT_EQ(s->criteria.size(), 2u);
  EXPECT_EQ(s->criteria[0].text, "fds.total growth_per_min < 5");
  EXPECT_TRUE(s->criteria[1].delivery);
  EXPECT_DOUBLE_EQ(s->criteria[1].bound, 1.0);
  EXPECT_EQ(s->criteria[1].text, "latency_p99 < 1s");
  EXPECT_EQ(s->observe, std::vector<std::string>{"dockerd"});
}

TEST(Scenario, DefaultCriteriaAreTheAnalysisTargets) {
  std::string text = kSmoke;
  text = text.substr(0, text.find("criteria:"));
  auto s = parse(text);
  ASSERT_TRUE(s.ok()) << s.error().message();
  std::vector<std::string> texts;
  for (auto& c : s->criteria) texts.push_back(c.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"fds.total growth_per_min < 5", "threads.total growth_per_min < 10",
                                              "loss_pct == 0", "latency_p99 < 1s", "sockets.tcp.close_wait max < 5"}));
}

TEST(Scenario, ErrorsNameFileLineAndKey) {
  struct Case {
    std::string edit_from, edit_to, message;
  } cases[] = {
      {"duration: 2m", "duration: 2 minutes", "s.yaml:3: duration: invalid duration \"2 minutes\": unknown unit (use ns, us, ms, s, m, h or d)"},
      {"seed: 7", "sed: 7", "s.yaml:2: sed: unknown key"},
      {"count: 8", "count: eight", "s.yaml:10: fleet[0].count: expected a non-negative whole number, got \"eight\""},
      {"stderr_share: 0.2", "stderr_share: 2", "s.yaml:10: fleet[0].profile.stderr_share: must be between 0 and 1"},
      {"{lt: 5}", "{lt: 5, gt: 1}", "s.yaml:15: criteria[0].growth_per_min.bound: needs exactly one of lt, le, gt, ge, eq"},
      {"delivery: latency_p99", "delivery: speed", "s.yaml:16: criteria[1].delivery: unknown delivery figure \"speed\" (one of loss_pct, duplicates, out_of_order, corrupt, empty_missing, latency_p50, latency_p99, latency_max, target_exit_code, target_stop_seconds)"},
      {"lt: 1s", "lt: soon", "s.yaml:16: criteria[1].lt: invalid duration \"soon\": expected a number, e.g. 30s, 500ms, 4h"},
      {"warmup: 20s", "warmup: 5m", "s.yaml:4: warmup: must be shorter than the duration"},
  };
  for (const auto& tc : cases) {
    std::string text = kSmoke;
    auto at = text.find(tc.edit_from);
    ASSERT_NE(at, std::string::npos) << tc.edit_from;
    text.replace(at, tc.edit_from.size(), tc.edit_to);
    auto s = parse(text);
    ASSERT_FALSE(s.ok()) << tc.edit_to;
    EXPECT_EQ(s.error().message(), tc.message);
  }
}

TEST(Scenario, OverridesGoThroughTheSameChecks) {
  std::string path = ::testing::TempDir() + "/smoke-override.yaml";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    std::fputs(kSmoke, f);
    std::fclose(f);
  }
  auto s = load_scenario(path, {"duration=30s", "fleet.1.count=20", "warmup=5s"});
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->duration, 30s);
  EXPECT_EQ(s->fleet[1].count, 20u);
  auto bad = load_scenario(path, {"duration=forever"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "--set duration=forever: duration: invalid duration \"forever\": expected a number, e.g. 30s, 500ms, 4h");
  EXPECT_EQ(load_scenario(path, {"nokeyvalue"}).error().message(), "--set nokeyvalue: expected KEY=VALUE, e.g. duration=30s");
  EXPECT_EQ(load_scenario(path, {"fleet.9.count=1"}).error().message(), "--set fleet.9.count: no element 9");
}

TEST(Scenario, Placeholders) {
  auto r = expand_placeholders("loki={sink_url}/x", {{"sink_url", "http://127.0.0.1:1"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "loki=http://127.0.0.1:1/x");
  auto bad = expand_placeholders("{nope}", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "unknown placeholder {nope} in \"{nope}\"");
  EXPECT_EQ(*expand_placeholders("no braces", {}), "no braces");
}

}  // namespace
}  // namespace leakcheck::harness

namespace leakcheck::harness {
namespace {

TEST(Scenario, EveryShippedScenarioParses) {
  for (const char* name : {"smoke", "negative-control", "idle-heavy", "churn", "burst", "soak-30m", "soak-4h", "soak-24h"}) {
    auto s = load_scenario(std::string(SOURCE_DIR) + "/scenarios/" + name + ".yaml");
    ASSERT_TRUE(s.ok()) << name << ": " << s.error().message();
    EXPECT_EQ(s->name, name);
    EXPECT_FALSE(s->criteria.empty()) << name;
  }
}

}  // namespace
}  // namespace leakcheck::harness

namespace leakcheck::harness {
namespace {

constexpr const char* kFaulty = R"(name: faulty
duration: 2m
target:
  command: ["{collector}"]
fleet:
  - {name: steady, count: 4, profile: {rate: 20}}
  - {name: hog, count: 2, memory: 33554432, profile: {rate: 5}}
  - {name: churny, count: 1, restart_every: 20s}
faults:
  - {action: sink_outage, at: 20s, for: 10s, mode: status_503}
  - {action: sink_outage, at: 40s, for: 10s, mode: slow, delay: 2s}
  - {action: target_restart, at: 60s}
  - {action: container_churn, at: 30s, for: 40s, count: 20}
  - {action: container_pause, at: 70s, for: 10s, group: steady}
  - {action: container_oom, at: 80s, group: hog}
criteria:
  - {series: fds.total, after_fault: {le: 2}, settle: 15s}
)";

TEST(ScenarioFaults, ParsesEveryActionWithItsDefaults) {
  auto s = parse(kFaulty);
  ASSERT_TRUE(s.ok()) << s.error().message();
  ASSERT_EQ(s->faults.size(), 6u);
  const auto& f = s->faults;
  EXPECT_EQ(f[0].action, FaultAction::sink_outage);
  EXPECT_EQ(f[0].mode, OutageMode::status_503);
  EXPECT_EQ(f[0].at, 20s);
  EXPECT_EQ(f[0].length, 10s);
  EXPECT_EQ(f[1].mode, OutageMode::slow);
  EXPECT_EQ(f[1].delay, 2s);
  EXPECT_EQ(f[2].action, FaultAction::target_restart);
  EXPECT_EQ(f[2].signal, "SIGKILL");
  EXPECT_EQ(f[2].length, 1s);  // down for a second unless told
  EXPECT_EQ(f[3].count, 20u);
  EXPECT_EQ(f[3].profile.rate, "5");  // a few lines a second from each churn container
  EXPECT_EQ(f[4].group, "steady");
  EXPECT_EQ(f[5].group, "hog");
  EXPECT_EQ(f[5].length, 10s);
  EXPECT_EQ(f[5].alloc_mb, 128u);  // 4 x the group's 32 MiB limit
  // The OOM group's loggens allocate at the fault's time.
  EXPECT_EQ(s->fleet[1].profile.alloc_after, 80s);
  EXPECT_EQ(s->fleet[1].profile.alloc_mb, 128u);
  EXPECT_EQ(s->fleet[0].profile.alloc_mb, 0u);
  EXPECT_EQ(fault_text(f[0]), "sink_outage status_503 at 20s for 10s");
  EXPECT_EQ(fault_text(f[1]), "sink_outage slow 2s at 40s for 10s");
  EXPECT_EQ(fault_text(f[2]), "target_restart SIGKILL at 1m for 1s");
  EXPECT_EQ(fault_text(f[3]), "container_churn 20 at 30s for 40s");
  EXPECT_EQ(fault_text(f[5]), "container_oom hog at 80s for 10s");
  ASSERT_EQ(s->criteria.size(), 1u);
  EXPECT_EQ(s->criteria[0].statistic, "after_fault");
  EXPECT_EQ(s->criteria[0].settle, 15s);
  EXPECT_EQ(s->criteria[0].baseline_samples, 10u);
  EXPECT_EQ(s->criteria[0].text, "fds.total after_fault <= 2");
}

TEST(ScenarioFaults, ErrorsNameFileLineAndKey) {
  struct Case {
    std::string edit_from, edit_to, message;
  } cases[] = {
      {"action: target_restart, at: 60s", "action: explode, at: 60s",
       "s.yaml:12: faults[2].action: unknown fault action \"explode\" (one of sink_outage, target_restart, "
       "container_churn, container_pause, container_oom, dockerd_restart)"},
      {"{action: target_restart, at: 60s}", "{at: 60s}",
       "s.yaml:12: faults[2].action: a fault needs an action: sink_outage, target_restart, container_churn, "
       "container_pause, container_oom, dockerd_restart"},
      {", group: steady", "", "s.yaml:14: faults[4].group: container_pause needs the fleet group it acts on"},
      {"group: hog", "group: nope", "s.yaml:15: faults[5].group: no fleet group \"nope\" (groups: steady, hog, churny)"},
      {"group: steady}", "group: churny}",
       "s.yaml:14: faults[4].group: group \"churny\" restarts or is recreated; a fault needs a group that does not"},
      {"at: 80s, group: hog", "at: 3m, group: hog", "s.yaml:15: faults[5].at: 3m is not within the run's duration 2m"},
      {"at: 60s}", "at: 60s, for: 61s}", "s.yaml:12: faults[2].for: the fault would end at 121s, after the run's duration 2m"},
      {"at: 20s, for: 10s, mode: status_503", "at: 20s, mode: status_503",
       "s.yaml:10: faults[0].for: sink_outage needs `for`: how long it applies, e.g. 20s"},
      {"mode: status_503", "mode: teapot", "s.yaml:10: faults[0].mode: \"teapot\" is not one of: status_503, refuse, slow"},
      {"mode: status_503}", "mode: status_503, delay: 2s}", "s.yaml:10: faults[0].delay: unknown key"},
      {"at: 60s}", "at: 60s, mode: refuse}", "s.yaml:12: faults[2].mode: unknown key"},
      {"at: 60s}", "at: 60s, signal: SIGHUP}", "s.yaml:12: faults[2].signal: \"SIGHUP\" is not one of: SIGKILL, SIGTERM"},
      {"at: 40s, for: 10s, mode: slow", "at: 25s, for: 10s, mode: slow",
       "s.yaml:11: faults[1].at: overlaps faults[0] (sink_outage status_503 at 20s for 10s)"},
      {"count: 20}", "count: 0}", "s.yaml:13: faults[3].count: between 1 and 1000"},
      {"at: 20s, for: 10s", "at: soon, for: 10s",
       "s.yaml:10: faults[0].at: invalid duration \"soon\": expected a number, e.g. 30s, 500ms, 4h"},
      {"settle: 15s", "settle: 15s, max: {lt: 3}", "s.yaml:17: criteria[0].after_fault: one statistic per criterion"},
  };
  for (const auto& tc : cases) {
    std::string text = kFaulty;
    auto at = text.find(tc.edit_from);
    ASSERT_NE(at, std::string::npos) << tc.edit_from;
    text.replace(at, tc.edit_from.size(), tc.edit_to);
    auto s = parse(text);
    ASSERT_FALSE(s.ok()) << tc.edit_to;
    EXPECT_EQ(s.error().message(), tc.message);
  }
}

TEST(ScenarioFaults, EngineRestartNeedsTheScenariosConsent) {
  std::string text = kFaulty;
  text.replace(text.find("  - {action: container_oom"), 0, "  - {action: dockerd_restart, at: 90s, for: 5s}\n");
  auto refused = parse(text);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(),
            "s.yaml:15: faults[5].action: dockerd_restart stops the machine's Docker engine and everything running on "
            "it; set `allow_engine_restart: true` in the scenario to allow it");
  text.replace(text.find("fleet:"), 0, "allow_engine_restart: true\n");
  auto s = parse(text);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_TRUE(s->allow_engine_restart);
  EXPECT_EQ(s->faults[5].action, FaultAction::dockerd_restart);
  EXPECT_EQ(fault_text(s->faults[5]), "dockerd_restart at 90s for 5s");
  text.replace(text.find("at: 90s, for: 5s"), 16, "at: 90s");
  auto no_for = parse(text);
  ASSERT_FALSE(no_for.ok());
  EXPECT_EQ(no_for.error().message(), "s.yaml:16: faults[5].for: dockerd_restart needs `for`: how long it applies, e.g. 20s");
}

TEST(ScenarioFaults, AfterFaultNeedsFaults) {
  std::string text = kFaulty;
  text.erase(text.find("faults:"), text.find("criteria:") - text.find("faults:"));
  auto s = parse(text);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "s.yaml:10: criteria[0].after_fault: the scenario has no faults");
}

TEST(ScenarioFaults, OverridesReachFaults) {
  std::string path = ::testing::TempDir() + "/faulty-override.yaml";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    std::fputs(kFaulty, f);
    std::fclose(f);
  }
  auto s = load_scenario(path, {"faults.3.count=5", "faults.0.mode=refuse"});
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->faults[3].count, 5u);
  EXPECT_EQ(s->faults[0].mode, OutageMode::refuse);
  auto bad = load_scenario(path, {"faults.0.at=5m"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "--set faults.0.at=5m: faults[0].at: 5m is not within the run's duration 2m");
}

TEST(ScenarioFaults, EveryShippedFaultScenarioParses) {
  for (const char* name : {"sink-outage-503", "sink-outage-refuse", "sink-outage-slow", "target-kill", "churn-storm",
                           "pause", "oom", "dockerd-restart"}) {
    auto s = load_scenario(std::string(SOURCE_DIR) + "/scenarios/faults/" + name + ".yaml");
    ASSERT_TRUE(s.ok()) << name << ": " << s.error().message();
    EXPECT_EQ(s->name, std::string("faults-") + name);
    EXPECT_FALSE(s->faults.empty()) << name;
    EXPECT_FALSE(s->description.empty()) << name;
  }
}

TEST(ScenarioFaults, PathologicalContentReachesLoggensArgv) {
  auto s = load_scenario(std::string(SOURCE_DIR) + "/scenarios/faults/pathological-content.yaml");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->name, "faults-pathological-content");
  ASSERT_EQ(s->fleet.size(), 2u);
  EXPECT_EQ(s->fleet[0].profile.content, "pathological");
  EXPECT_EQ(s->fleet[1].profile.content, "normal");
  auto argv = loggen_argv(s->fleet[0].profile, "r", "n", 1);
  auto at = std::find(argv.begin(), argv.end(), "--content");
  ASSERT_NE(at, argv.end());
  EXPECT_EQ(*(at + 1), "pathological");
  auto plain = loggen_argv(s->fleet[1].profile, "r", "n", 1);
  EXPECT_EQ(std::find(plain.begin(), plain.end(), "--content"), plain.end());
  bool corrupt_judged = std::any_of(s->criteria.begin(), s->criteria.end(),
                                    [](const Criterion& c) { return c.delivery && c.name == "corrupt"; });
  EXPECT_TRUE(corrupt_judged);
  auto bad = load_scenario(std::string(SOURCE_DIR) + "/scenarios/faults/pathological-content.yaml",
                           {"fleet.0.profile.content=binary"});
  EXPECT_FALSE(bad.ok());
}

}  // namespace
}  // namespace leakcheck::harness
