#include "collector/boundary_dedup.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace leakcheck::collector {
namespace {

// One line of a container's log as the daemon stores it, in file order.
struct Logged {
  int64_t timestamp_ns;
  LogStream stream;
  std::string text;
  bool operator==(const Logged&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Logged& l) {
  return os << l.timestamp_ns << " " << stream_name(l.stream) << " \"" << l.text << "\"";
}

Logged out(int64_t ts, std::string text) { return {ts, LogStream::stdout_stream, std::move(text)}; }
Logged err(int64_t ts, std::string text) { return {ts, LogStream::stderr_stream, std::move(text)}; }

// What the daemon answers to a logs request: every line with timestamp >= since.
std::vector<Logged> daemon_response(const std::vector<Logged>& log, std::optional<int64_t> since_ns) {
  std::vector<Logged> lines;
  for (const Logged& line : log)
    if (!since_ns || line.timestamp_ns >= *since_ns) lines.push_back(line);
  return lines;
}

// Reads `log` as the collector does: `reads[i]` lines from the i-th stream,
// then a rotation (close, reopen with since=resume point), and the last
// stream to the end. Returns the lines delivered.
std::vector<Logged> collect(const std::vector<Logged>& log, const std::vector<size_t>& reads,
                            BoundaryDedup& dedup) {
  std::vector<Logged> delivered;
  for (size_t stream = 0; stream <= reads.size(); ++stream) {
    dedup.begin_replay();
    const std::vector<Logged> lines = daemon_response(log, dedup.resume_since_ns());
    const size_t n = stream < reads.size() ? std::min(reads[stream], lines.size()) : lines.size();
    for (size_t i = 0; i < n; ++i)
      if (dedup.admit(lines[i].timestamp_ns, line_hash(lines[i].stream, lines[i].text)))
        delivered.push_back(lines[i]);
  }
  return delivered;
}

std::vector<Logged> collect(const std::vector<Logged>& log, const std::vector<size_t>& reads,
                            BoundaryDedupOptions options) {
  BoundaryDedup dedup(options);
  return collect(log, reads, dedup);
}

// The same with the naive filter the analysis warns about: keep ts > cursor.
std::vector<Logged> collect_naive(const std::vector<Logged>& log, const std::vector<size_t>& reads) {
  std::vector<Logged> delivered;
  std::optional<int64_t> cursor;
  for (size_t stream = 0; stream <= reads.size(); ++stream) {
    const std::vector<Logged> lines = daemon_response(log, cursor);
    const size_t n = stream < reads.size() ? std::min(reads[stream], lines.size()) : lines.size();
    for (size_t i = 0; i < n; ++i) {
      if (cursor && lines[i].timestamp_ns <= *cursor) continue;
      delivered.push_back(lines[i]);
    }
    for (const Logged& line : delivered)
      cursor = std::max(cursor.value_or(line.timestamp_ns), line.timestamp_ns);
  }
  return delivered;
}

constexpr BoundaryDedupOptions kNoWindow{.reorder_window_ns = 0, .max_entries = 4096};

// stdout and stderr lines sharing nanoseconds, in the order the daemon stored them.
const std::vector<Logged> kInterleaved = {
    out(10, "a"), err(10, "b"), out(10, "c"), err(11, "d"), out(11, "e"), err(11, "f"), out(12, "g"),
};

TEST(BoundaryDedup, EveryLineOnceWhereverTheStreamRotates) {
  for (size_t first = 0; first <= kInterleaved.size(); ++first) {
    ASSERT_EQ(collect(kInterleaved, {first}, kNoWindow), kInterleaved) << "rotation after " << first;
    for (size_t second = 0; second <= kInterleaved.size(); ++second)
      ASSERT_EQ(collect(kInterleaved, {first, second}, kNoWindow), kInterleaved)
          << "rotations after " << first << " and " << second;
  }
}

TEST(BoundaryDedup, PlainTimestampFilterWouldLoseLines) {
  // The data above is a real test: "ts > cursor" loses "c" after reading a, b.
  std::vector<Logged> naive = collect_naive(kInterleaved, {2});
  EXPECT_EQ(naive, (std::vector<Logged>{out(10, "a"), err(10, "b"), err(11, "d"), out(11, "e"), err(11, "f"),
                                        out(12, "g")}));
  EXPECT_EQ(collect(kInterleaved, {2}, kNoWindow), kInterleaved);
}

TEST(BoundaryDedup, RepeatsAreDroppedAndCounted) {
  BoundaryDedup dedup(kNoWindow);
  // Rotation after "e": the reopen (since=11) resends d, e, f, g; d and e were delivered.
  EXPECT_EQ(collect(kInterleaved, {5}, dedup), kInterleaved);
  EXPECT_EQ(dedup.duplicates_dropped(), 2u);
}

TEST(BoundaryDedup, IdenticalLinesAtOneTimestampAreCountedNotSet) {
  // Three byte-identical lines in one nanosecond are three lines.
  const std::vector<Logged> log = {out(5, "same"), out(5, "same"), err(5, "same"), out(5, "same"),
                                   out(6, "x")};
  for (size_t first = 0; first <= log.size(); ++first) {
    for (size_t second = 0; second <= log.size(); ++second) {
      BoundaryDedup dedup(kNoWindow);
      ASSERT_EQ(collect(log, {first, second}, dedup), log)
          << "rotations after " << first << " and " << second;
    }
  }
  BoundaryDedup dedup(kNoWindow);
  EXPECT_EQ(collect(log, {2}, dedup), log);
  EXPECT_EQ(dedup.duplicates_dropped(), 2u);  // two "same" went out before the reopen; the third is new
}

TEST(BoundaryDedup, DropsNothingThatWasNotDelivered) {
  BoundaryDedup dedup(kNoWindow);
  const uint64_t hello = line_hash(LogStream::stdout_stream, "hello");
  EXPECT_TRUE(dedup.admit(7, hello));
  dedup.begin_replay();
  EXPECT_TRUE(dedup.admit(7, line_hash(LogStream::stderr_stream, "hello")));  // other stream
  EXPECT_TRUE(dedup.admit(7, line_hash(LogStream::stdout_stream, "hello!")));
  EXPECT_FALSE(dedup.admit(7, hello));  // the one delivered before
  EXPECT_TRUE(dedup.admit(7, hello));   // a second one is new
  EXPECT_TRUE(dedup.admit(8, hello));   // same text, later
  EXPECT_EQ(dedup.duplicates_dropped(), 1u);
  // Without a reopen, nothing is ever dropped.
  BoundaryDedup fresh(kNoWindow);
  EXPECT_TRUE(fresh.admit(7, hello));
  EXPECT_TRUE(fresh.admit(7, hello));
}

TEST(BoundaryDedup, ReorderedStreamsNeedTheWindow) {
  // stderr's "late" was timestamped before stdout's "early-read" but written
  // after it: the log holds them out of timestamp order.
  const std::vector<Logged> log = {out(100, "first"), out(111, "early-read"), err(110, "late"),
                                   out(120, "last")};
  // With no window the resume point is 111 after the second line: "late" is
  // never sent again. This is the documented limit.
  EXPECT_EQ(collect(log, {2}, kNoWindow),
            (std::vector<Logged>{out(100, "first"), out(111, "early-read"), out(120, "last")}));
  const BoundaryDedupOptions window{.reorder_window_ns = 5, .max_entries = 4096};
  for (size_t first = 0; first <= log.size(); ++first)
    ASSERT_EQ(collect(log, {first}, window), log) << "rotation after " << first;
}

TEST(BoundaryDedup, ResumePointTrailsTheNewestLineByTheWindow) {
  BoundaryDedup dedup({.reorder_window_ns = 1'000'000'000, .max_entries = 4096});
  EXPECT_EQ(dedup.resume_since_ns(), std::nullopt);  // nothing delivered: the caller decides
  EXPECT_TRUE(dedup.admit(5'000'000'000, 1));
  EXPECT_EQ(dedup.resume_since_ns(), 4'000'000'000);
  EXPECT_TRUE(dedup.admit(5'500'000'000, 2));
  EXPECT_TRUE(dedup.admit(6'200'000'000, 3));
  EXPECT_EQ(dedup.resume_since_ns(), 5'200'000'000);
  // The line at 5.0 s is below the resume point: the daemon will not resend it.
  EXPECT_EQ(dedup.boundary(), (std::vector<BoundaryEntry>{{5'500'000'000, 2, 1}, {6'200'000'000, 3, 1}}));
  // A line delivered late, below the resume point, need not be remembered.
  EXPECT_TRUE(dedup.admit(5'100'000'000, 4));
  EXPECT_EQ(dedup.entry_count(), 2u);
  EXPECT_EQ(dedup.resume_since_ns(), 5'200'000'000);
}

TEST(BoundaryDedup, MemoryIsCappedByForgettingTheOldestTimestamps) {
  BoundaryDedup dedup({.reorder_window_ns = 1000, .max_entries = 3});
  for (int64_t ts = 1; ts <= 5; ++ts) EXPECT_TRUE(dedup.admit(ts, static_cast<uint64_t>(ts)));
  EXPECT_EQ(dedup.boundary(), (std::vector<BoundaryEntry>{{3, 3, 1}, {4, 4, 1}, {5, 5, 1}}));
  EXPECT_EQ(dedup.resume_since_ns(), 3);  // the window shrank to what is remembered
  // The newest timestamp is kept whole, whatever the cap.
  BoundaryDedup one({.reorder_window_ns = 0, .max_entries = 1});
  for (uint64_t hash = 1; hash <= 3; ++hash) EXPECT_TRUE(one.admit(7, hash));
  EXPECT_EQ(one.entry_count(), 3u);
  EXPECT_TRUE(one.admit(8, 9));
  EXPECT_EQ(one.boundary(), (std::vector<BoundaryEntry>{{8, 9, 1}}));
}

TEST(BoundaryDedup, CappedMemoryStillDeliversEveryLineOnce) {
  std::vector<Logged> log;
  for (int64_t ts = 0; ts < 20; ++ts) {
    log.push_back(out(ts, "o" + std::to_string(ts)));
    log.push_back(err(ts, "e" + std::to_string(ts)));
  }
  const BoundaryDedupOptions small{.reorder_window_ns = 1'000, .max_entries = 4};
  for (size_t first = 0; first <= log.size(); ++first)
    ASSERT_EQ(collect(log, {first, 3}, small), log) << "rotation after " << first;
}

TEST(BoundaryDedup, RestoredStateContinuesWithoutLossOrRepeat) {
  // A restart: the first process reads `before` lines and persists its state;
  // the second restores it and reads from the resume point to the end.
  for (size_t before = 0; before <= kInterleaved.size(); ++before) {
    BoundaryDedup first_run(kNoWindow);
    std::vector<Logged> delivered;
    for (size_t i = 0; i < before; ++i) {
      const Logged& line = kInterleaved[i];
      if (first_run.admit(line.timestamp_ns, line_hash(line.stream, line.text))) delivered.push_back(line);
    }
    const std::optional<int64_t> since = first_run.resume_since_ns();
    const std::vector<BoundaryEntry> boundary = first_run.boundary();

    BoundaryDedup second_run =
        since ? BoundaryDedup::restore(*since, boundary, kNoWindow) : BoundaryDedup(kNoWindow);
    for (const Logged& line : collect(kInterleaved, {}, second_run)) delivered.push_back(line);
    ASSERT_EQ(delivered, kInterleaved) << "restart after " << before;
  }
}

TEST(BoundaryDedup, RestoreIgnoresEntriesThatCouldNeverMatch) {
  const std::vector<BoundaryEntry> boundary = {{9, 1, 1}, {10, 2, 0}, {10, 3, 2}, {12, 4, 1}};
  BoundaryDedup dedup = BoundaryDedup::restore(10, boundary, kNoWindow);
  EXPECT_EQ(dedup.resume_since_ns(), 10);
  EXPECT_EQ(dedup.boundary(), (std::vector<BoundaryEntry>{{10, 3, 2}, {12, 4, 1}}));
  dedup.begin_replay();
  EXPECT_FALSE(dedup.admit(10, 3));
  EXPECT_FALSE(dedup.admit(10, 3));
  EXPECT_TRUE(dedup.admit(10, 3));
}

// The rules of boundary_dedup.h stated the plainest way, with maps: what the
// collector used before its entries moved to a deque. Random reads, reopens,
// restarts and caps must give the same answers and the same state.
class ReferenceDedup {
 public:
  explicit ReferenceDedup(BoundaryDedupOptions options) : options_(options) {}
  static ReferenceDedup restore(int64_t since, const std::vector<BoundaryEntry>& boundary,
                                BoundaryDedupOptions options) {
    ReferenceDedup r(options);
    r.since_ = r.newest_ = since;
    for (const BoundaryEntry& e : boundary) {
      r.delivered_[{e.timestamp_ns, e.hash}] += e.count;
      r.newest_ = std::max(*r.newest_, e.timestamp_ns);
    }
    r.enforce_cap();
    return r;
  }
  void begin_replay() { replay_ = delivered_; }
  bool admit(int64_t ts, uint64_t hash) {
    if (auto it = replay_.find({ts, hash}); it != replay_.end()) {
      if (--it->second == 0) replay_.erase(it);
      return false;
    }
    record(ts, hash);
    return true;
  }
  void record(int64_t ts, uint64_t hash) {
    if (since_ && ts < *since_) return;
    ++delivered_[{ts, hash}];
    if (!newest_ || ts > *newest_) {
      newest_ = ts;
      raise_since(ts - options_.reorder_window_ns);
    }
    enforce_cap();
  }
  std::optional<int64_t> resume_since_ns() const { return since_; }
  std::vector<BoundaryEntry> boundary() const {
    std::vector<BoundaryEntry> out;
    for (const auto& [key, count] : delivered_) out.push_back({key.first, key.second, count});
    return out;
  }

 private:
  void enforce_cap() {
    while (delivered_.size() > options_.max_entries && delivered_.begin()->first.first < *newest_)
      raise_since(delivered_.begin()->first.first + 1);
  }
  void raise_since(int64_t since) {
    if (since_ && since <= *since_) return;
    since_ = since;
    delivered_.erase(delivered_.begin(), delivered_.lower_bound({since, 0}));
  }
  BoundaryDedupOptions options_;
  std::map<std::pair<int64_t, uint64_t>, uint32_t> delivered_, replay_;
  std::optional<int64_t> since_, newest_;
};

TEST(BoundaryDedup, SameAnswersAsThePlainestImplementation) {
  std::mt19937_64 random(3);
  for (int round = 0; round < 200; ++round) {
    const BoundaryDedupOptions options{.reorder_window_ns = static_cast<int64_t>(random() % 50),
                                       .max_entries = 1 + random() % 40};
    BoundaryDedup dedup(options);
    ReferenceDedup reference(options);
    int64_t ts = 1000;
    for (int step = 0; step < 400; ++step) {
      const uint64_t action = random() % 100;
      if (action < 4) {
        dedup.begin_replay();
        reference.begin_replay();
      } else if (action < 6) {  // a restart from the persisted state
        ASSERT_EQ(dedup.resume_since_ns(), reference.resume_since_ns());
        if (auto since = dedup.resume_since_ns()) {
          dedup = BoundaryDedup::restore(*since, dedup.boundary(), options);
          reference = ReferenceDedup::restore(*since, reference.boundary(), options);
        }
      } else {
        // Mostly forward in time, sometimes back a little, few distinct texts.
        ts += static_cast<int64_t>(random() % 4) - (random() % 8 == 0 ? 6 : 0);
        const uint64_t hash = random() % 5;
        const bool recorded = action < 15;  // record() as the acknowledged copy does
        if (recorded) {
          dedup.record(ts, hash);
          reference.record(ts, hash);
        } else {
          ASSERT_EQ(dedup.admit(ts, hash), reference.admit(ts, hash)) << "round " << round << " step " << step;
        }
      }
      ASSERT_EQ(dedup.resume_since_ns(), reference.resume_since_ns()) << "round " << round << " step " << step;
      ASSERT_EQ(dedup.boundary(), reference.boundary()) << "round " << round << " step " << step;
    }
  }
}

TEST(LineHash, IsFnv1aOfStreamThenTextAndStable) {
  // Persisted in cursor files: these values must never change.
  EXPECT_EQ(line_hash(LogStream::stdout_stream, ""), 0xaf63bc4c8601b62cull);
  EXPECT_EQ(line_hash(LogStream::stdout_stream, "hello"), 0xe65788c860f9c52cull);
  EXPECT_EQ(line_hash(LogStream::stderr_stream, "hello"), 0xa465011c2cfbddabull);
}

}  // namespace
}  // namespace leakcheck::collector
