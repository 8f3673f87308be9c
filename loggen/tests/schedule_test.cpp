#include "loggen/schedule.h"

#include <gtest/gtest.h>

#include <vector>

namespace leakcheck::loggen {

void PrintTo(const Event& e, std::ostream* os) {
  *os << "{" << e.offset.count() << "ns s=" << e.seq << " " << (e.stream == Stream::out ? 'o' : 'e') << " "
      << e.size_bytes << "B}";
}

namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;
constexpr Stream o = Stream::out;
constexpr Stream e = Stream::err;

std::vector<Event> take(const Profile& profile, size_t n) {
  Schedule schedule(profile);
  std::vector<Event> events;
  while (events.size() < n) {
    auto event = schedule.next();
    if (!event) break;
    events.push_back(*event);
  }
  return events;
}

// The flags' example: --rate 50 --stderr-share 0.2 --size 120 --long-every 100
// --long-size 40000 --idle-first 10s --seed 42. The streams come from a
// separate reference implementation of splitmix64 (seed 42: lines 1 and 4 of
// the first five go to stderr).
TEST(Schedule, FirstFiveEventsOfTheExampleProfile) {
  Profile p;
  p.steady = Rate{50, seconds(1)};
  p.stderr_share = 0.2;
  p.size_bytes = 120;
  p.long_every = 100;
  p.long_size_bytes = 40000;
  p.idle_first = seconds(10);
  p.seed = 42;
  EXPECT_EQ(take(p, 5), (std::vector<Event>{{seconds(10), 0, o, 120},
                                           {milliseconds(10020), 1, e, 120},
                                           {milliseconds(10040), 2, o, 120},
                                           {milliseconds(10060), 3, o, 120},
                                           {milliseconds(10080), 4, e, 120}}));
}

TEST(Schedule, SteadyOffsetsComeFromTheIndexSoTheyDoNotDrift) {
  Profile p;
  p.steady = Rate{3, seconds(1)};  // 333333333.3 ns apart
  auto events = take(p, 3601 * 3);
  EXPECT_EQ(events[1].offset, nanoseconds(333333333));
  EXPECT_EQ(events[2].offset, nanoseconds(666666666));
  EXPECT_EQ(events[3].offset, seconds(1));
  EXPECT_EQ(events[3600 * 3].offset, seconds(3600));  // adding 333333333 each time would be 3600 ns short
  EXPECT_EQ(events[3600 * 3 + 1].offset, seconds(3600) + nanoseconds(333333333));
}

TEST(Schedule, SlowRateSpansItsPeriod) {
  Profile p;
  p.steady = Rate{2, seconds(10)};
  auto events = take(p, 3);
  EXPECT_EQ(events[0].offset, seconds(0));
  EXPECT_EQ(events[1].offset, seconds(5));
  EXPECT_EQ(events[2].offset, seconds(10));
}

TEST(Schedule, BurstWritesItsLinesTogetherEveryPeriod) {
  Profile p;
  p.burst = Rate{4, seconds(5)};
  auto events = take(p, 9);
  std::vector<nanoseconds> offsets;
  for (const Event& ev : events) offsets.push_back(ev.offset);
  EXPECT_EQ(offsets, (std::vector<nanoseconds>{seconds(0), seconds(0), seconds(0), seconds(0), seconds(5), seconds(5),
                                               seconds(5), seconds(5), seconds(10)}));
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].seq, i);
}

TEST(Schedule, SteadyAndBurstMergeInTimeOrderSteadyFirstOnATie) {
  Profile p;
  p.steady = Rate{1, seconds(1)};
  p.burst = Rate{2, seconds(2)};
  std::vector<std::pair<nanoseconds, uint64_t>> got;
  for (const Event& ev : take(p, 8)) got.emplace_back(ev.offset, ev.seq);
  EXPECT_EQ(got, (std::vector<std::pair<nanoseconds, uint64_t>>{{seconds(0), 0},  // steady
                                                                 {seconds(0), 1},  // burst
                                                                 {seconds(0), 2},  // burst
                                                                 {seconds(1), 3},
                                                                 {seconds(2), 4},
                                                                 {seconds(2), 5},
                                                                 {seconds(2), 6},
                                                                 {seconds(3), 7}}));
}

TEST(Schedule, CountEndsTheSchedule) {
  Profile p;
  p.steady = Rate{1000, seconds(1)};
  p.count = 3;
  Schedule schedule(p);
  for (uint64_t seq = 0; seq < 3; ++seq) EXPECT_EQ(schedule.next()->seq, seq);
  EXPECT_FALSE(schedule.next());
  EXPECT_FALSE(schedule.next());
  EXPECT_EQ(schedule.emitted(), 3u);
}

TEST(Schedule, DurationEndsTheScheduleCountingTheIdleStart) {
  Profile p;
  p.steady = Rate{10, seconds(1)};
  p.duration = seconds(1);
  EXPECT_EQ(take(p, 100).size(), 10u);  // 0 .. 900 ms
  p.idle_first = milliseconds(500);
  auto events = take(p, 100);
  ASSERT_EQ(events.size(), 5u);  // 500 .. 900 ms
  EXPECT_EQ(events.front().offset, milliseconds(500));
  EXPECT_EQ(events.back().offset, milliseconds(900));
}

TEST(Schedule, IdleThenSteadyThenIdle) {
  Profile p;
  p.steady = Rate{2, seconds(1)};
  p.idle_first = seconds(10);
  p.idle_after = seconds(2);
  std::vector<nanoseconds> offsets;
  for (const Event& ev : take(p, 100)) offsets.push_back(ev.offset);
  EXPECT_EQ(offsets, (std::vector<nanoseconds>{seconds(10), milliseconds(10500), seconds(11), milliseconds(11500)}));
}

TEST(Schedule, NoRateNoBurstIsSilentForEver) {
  Profile p;
  p.idle_first = seconds(5);
  Schedule schedule(p);
  EXPECT_FALSE(schedule.next());
  EXPECT_EQ(schedule.emitted(), 0u);
}

TEST(Schedule, LongLinesEveryKth) {
  Profile p;
  p.steady = Rate{100, seconds(1)};
  p.size_bytes = 120;
  p.long_every = 3;
  p.long_size_bytes = 40000;
  std::vector<size_t> sizes;
  for (const Event& ev : take(p, 7)) sizes.push_back(ev.size_bytes);
  EXPECT_EQ(sizes, (std::vector<size_t>{120, 120, 40000, 120, 120, 40000, 120}));
}

TEST(StreamFor, FirstLinesOfSeed42) {
  std::vector<Stream> streams;
  for (uint64_t seq = 0; seq < 20; ++seq) streams.push_back(stream_for(42, seq, 0.2));
  EXPECT_EQ(streams, (std::vector<Stream>{o, e, o, o, e, o, o, o, o, o, o, o, o, o, o, o, e, o, e, o}));
}

size_t stderr_lines(uint64_t seed, double share, uint64_t lines) {
  size_t count = 0;
  for (uint64_t seq = 0; seq < lines; ++seq) count += stream_for(seed, seq, share) == Stream::err;
  return count;
}

// Exact counts from the reference implementation; each within 4 standard
// deviations of lines * share (40 for 10,000 lines at 0.2, 50 at 0.5).
TEST(StreamFor, ShareOverTenThousandLinesIsExactForASeed) {
  EXPECT_EQ(stderr_lines(42, 0.2, 10000), 1910u);
  EXPECT_EQ(stderr_lines(7, 0.2, 10000), 1966u);
  EXPECT_EQ(stderr_lines(0, 0.5, 10000), 5063u);
  EXPECT_EQ(stderr_lines(42, 0.0, 10000), 0u);
  EXPECT_EQ(stderr_lines(42, 1.0, 10000), 10000u);
  EXPECT_EQ(stderr_lines(42, 0.2, 200), 40u);  // the end-to-end test's profile
}

TEST(StreamFor, TheSeedChangesWhichLines) {
  size_t differ = 0;
  for (uint64_t seq = 0; seq < 1000; ++seq) differ += stream_for(42, seq, 0.5) != stream_for(43, seq, 0.5);
  EXPECT_EQ(differ, 506u);  // unrelated draws: about half differ
}

TEST(Schedule, StreamsAreStreamForOfEachSeq) {
  Profile p;
  p.steady = Rate{7, seconds(1)};
  p.burst = Rate{5, seconds(3)};
  p.stderr_share = 0.3;
  p.seed = 99;
  for (const Event& ev : take(p, 500)) EXPECT_EQ(ev.stream, stream_for(99, ev.seq, 0.3));
}

}  // namespace
}  // namespace leakcheck::loggen
