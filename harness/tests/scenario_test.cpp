#include "harness/scenario.h"

#include <gtest/gtest.h>

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
      {"delivery: latency_p99", "delivery: speed", "s.yaml:16: criteria[1].delivery: unknown delivery figure \"speed\" (one of loss_pct, duplicates, out_of_order, latency_p50, latency_p99, latency_max, target_exit_code, target_stop_seconds)"},
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
