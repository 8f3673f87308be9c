#include "harness/verdict.h"

#include <gtest/gtest.h>

#include <cmath>

namespace leakcheck::harness {
namespace {

Criterion after_fault(double bound) {
  Criterion c;
  c.name = "fds.total";
  c.statistic = "after_fault";
  c.op = Op::le;
  c.bound = bound;
  c.text = "fds.total after_fault <= 2";
  return c;  // settle 10 s, baseline 10 samples
}

Fault fault_at(Nanos at, Nanos length) {
  Fault f;
  f.action = FaultAction::sink_outage;
  f.at = at;
  f.length = length;
  return f;
}

// One sample a second for `seconds`, the value from `value_at(t)`.
template <typename F>
SeriesTable table_of(int seconds, F value_at) {
  SeriesTable t;
  for (int i = 0; i < seconds; ++i) t.add_sample(i, {{"fds.total", value_at(i)}});
  return t;
}

std::vector<CriterionVerdict> judge_one(const Criterion& c, std::vector<Fault> faults, const SeriesTable& table) {
  Scenario s;
  s.criteria = {c};
  s.faults = std::move(faults);
  return judge(s, table, receiver::DeliveryReport{}, TargetOutcome{}, std::nullopt);
}

TEST(AfterFault, ARiseDuringTheFaultThatGoesAwayPasses) {
  // 20 fds, 60 during a fault from 30 s to 50 s (streams piling up while the
  // sink is down), a slow return to 21 by 55 s: judged from 60 s on.
  auto table = table_of(100, [](int t) { return t < 30 ? 20.0 : t < 50 ? 60.0 : t < 55 ? 40.0 : 21.0; });
  auto v = judge_one(after_fault(2), {fault_at(30s, 20s)}, table);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_TRUE(v[0].evaluated) << v[0].detail;
  EXPECT_TRUE(v[0].passed) << v[0].detail;
  EXPECT_DOUBLE_EQ(v[0].value, 1);
  EXPECT_NE(v[0].detail.find("sink_outage status_503 at 30s for 20s: 20 before, 21 after (+1)"), std::string::npos)
      << v[0].detail;
}

TEST(AfterFault, WhatTheFaultLeftBehindFails) {
  // Every fault leaves 5 more fds: the worst increase is the value.
  auto table = table_of(120, [](int t) { return t < 30 ? 20.0 : t < 70 ? 25.0 : 32.0; });
  auto v = judge_one(after_fault(2), {fault_at(30s, 5s), fault_at(70s, 5s)}, table);
  EXPECT_TRUE(v[0].evaluated);
  EXPECT_FALSE(v[0].passed);
  EXPECT_DOUBLE_EQ(v[0].value, 7);
  // The first fault's "after" ends where the second begins.
  EXPECT_NE(v[0].detail.find("at 30s for 5s: 20 before, 25 after (+5)"), std::string::npos) << v[0].detail;
  EXPECT_NE(v[0].detail.find("at 70s for 5s: 25 before, 32 after (+7)"), std::string::npos) << v[0].detail;
}

TEST(AfterFault, MediansIgnoreASpikeAndOnlyTheLastSamplesBeforeCount) {
  // A ramp up to 10 s, then 50; one spike after the fault.
  auto table = table_of(80, [](int t) { return t < 10 ? t * 5.0 : t == 50 ? 500.0 : 50.0; });
  auto v = judge_one(after_fault(0), {fault_at(30s, 5s)}, table);
  EXPECT_TRUE(v[0].passed) << v[0].detail;
  EXPECT_DOUBLE_EQ(v[0].value, 0);
}

TEST(AfterFault, NoSamplesAfterTheFaultSettledIsNotEvaluated) {
  auto table = table_of(45, [](int) { return 20.0; });
  auto v = judge_one(after_fault(2), {fault_at(30s, 10s)}, table);  // settled at 50 s: after the end
  EXPECT_FALSE(v[0].evaluated);
  EXPECT_FALSE(v[0].passed);
  EXPECT_NE(v[0].detail.find("no samples after it settled"), std::string::npos) << v[0].detail;
}

TEST(AfterFault, GapsInTheSeriesAreSkippedNotZeros) {
  // A planned restart leaves no samples from 30 s to 33 s: NaN-free medians.
  SeriesTable table;
  for (int t = 0; t < 80; ++t)
    if (t < 30 || t >= 33) table.add_sample(t, {{"fds.total", 20.0}});
  auto v = judge_one(after_fault(0), {fault_at(30s, 1s)}, table);
  EXPECT_TRUE(v[0].passed) << v[0].detail;
  EXPECT_DOUBLE_EQ(v[0].value, 0);
}

}  // namespace
}  // namespace leakcheck::harness
