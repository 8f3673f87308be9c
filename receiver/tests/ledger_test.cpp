#include "receiver/ledger.h"

#include <gtest/gtest.h>

#include "receiver/tests/test_lines.h"

namespace leakcheck::receiver {
namespace {

using namespace testing;
using loggen::Stream;

constexpr auto kOut = StreamLabel::stdout_stream;

LedgerOptions options() {
  LedgerOptions o;
  o.run_id = kRun;
  o.series_start_ns = kT0;
  o.series_interval_ns = 1000 * kMs;
  return o;
}

// Receives `seq` of web/1 at its generation time + latency.
void receive(Ledger& l, uint64_t seq, int64_t latency_ns = 5 * kMs, Stream s = Stream::out,
             StreamLabel label = StreamLabel::absent) {
  l.add_line(line("web", 1, seq, s), label, kT0 + static_cast<int64_t>(seq) * kMs + latency_ns);
}

TEST(Ledger, CountsDuplicatesAndOutOfOrderExactly) {
  Ledger l(options());
  for (uint64_t seq : {0, 1, 2, 5, 3, 3, 7, 1}) receive(l, seq);
  const BootLedger* b = l.find("web", 1);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->counts().delivered, 6u);     // 0 1 2 3 5 7
  EXPECT_EQ(b->counts().duplicates, 2u);    // the second 3, the second 1
  EXPECT_EQ(b->counts().out_of_order, 1u);  // 3 after 5
  EXPECT_TRUE(b->delivered().contains(7));
  EXPECT_FALSE(b->delivered().contains(4));
  EXPECT_EQ(l.totals().lines, 8u);
  EXPECT_EQ(l.totals().boots.duplicates, 2u);
  EXPECT_EQ(l.find("web", 2), nullptr);
}

TEST(Ledger, OrderIsJudgedPerStream) {
  // A push body lists stdout's values, then stderr's: lines 1 3 (o), then 0 2 (e).
  Ledger l(options());
  receive(l, 1, 0, Stream::out);
  receive(l, 3, 0, Stream::out);
  receive(l, 0, 0, Stream::err);
  receive(l, 2, 0, Stream::err);
  EXPECT_EQ(l.find("web", 1)->counts().out_of_order, 0u);
  receive(l, 1 + 4, 0, Stream::out);
  receive(l, 4, 0, Stream::out);  // 4 after 5 on the same stream
  EXPECT_EQ(l.find("web", 1)->counts().out_of_order, 1u);
}

TEST(Ledger, BootsAndContainersAreApart) {
  Ledger l(options());
  l.add_line(line("web", 1, 0), kOut, kT0);
  l.add_line(line("web", 2, 0), kOut, kT0);
  l.add_line(line("db", 1, 0), kOut, kT0);
  EXPECT_EQ(l.boots().size(), 3u);
  EXPECT_EQ(l.find("web", 2)->counts().duplicates, 0u);
  EXPECT_EQ(l.totals().boots.delivered, 3u);
}

TEST(Ledger, LatencyOfFirstDeliveries) {
  Ledger l(options());
  for (uint64_t seq = 0; seq < 100; ++seq) receive(l, seq, static_cast<int64_t>(seq + 1) * kMs);
  receive(l, 0, 60'000 * kMs);  // a duplicate a minute late: not a latency
  const LatencyHistogram& h = l.find("web", 1)->latency();
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.percentile(50), 95 * 524288 + 262144);   // 50 ms within 0.14 %
  EXPECT_EQ(h.percentile(99), 94 * 1048576 + 524288);  // 99 ms within 0.09 %
  EXPECT_EQ(h.max(), 100 * kMs);
  EXPECT_EQ(l.latency().count(), 100u);
  EXPECT_EQ(l.latency().max(), 100 * kMs);
}

TEST(Ledger, IntegrityOfLines) {
  Ledger l(options());
  std::string whole = line("web", 1, 0);
  l.add_line(whole, kOut, kT0);
  l.add_line(line("web", 1, 1).substr(0, 80), kOut, kT0);                                   // cut
  l.add_line(line("web", 1, 2).substr(0, 80) + std::string(loggen::kCollectorTruncationMark), kOut, kT0);  // cut, marked
  std::string bad = line("web", 1, 3);
  bad[90] = bad[90] == 'A' ? 'B' : 'A';
  l.add_line(bad, kOut, kT0);  // corrupt: neither delivered nor timed
  const BootLedger* b = l.find("web", 1);
  EXPECT_EQ(b->counts().delivered, 3u);
  EXPECT_EQ(b->counts().cut, 1u);
  EXPECT_EQ(b->counts().cut_marked, 1u);
  EXPECT_EQ(b->counts().corrupt, 1u);
  EXPECT_FALSE(b->delivered().contains(3));
  EXPECT_EQ(b->latency().count(), 3u);
  // The good copy of 3 is a delivery, not a duplicate.
  l.add_line(line("web", 1, 3), kOut, kT0);
  EXPECT_EQ(b->counts().delivered, 4u);
  EXPECT_EQ(b->counts().duplicates, 0u);
}

TEST(Ledger, OtherRunsAndForeignLinesAreCountedNotKept) {
  Ledger l(options());
  l.add_line("hello world", StreamLabel::absent, kT0);
  l.add_line("lc1 r=run1 c=web b=1 s=", StreamLabel::absent, kT0);  // a header cut short
  l.add_line(line("web", 1, 0, Stream::out, "run2"), StreamLabel::absent, kT0);
  l.add_line(line("web", 1, 0), StreamLabel::absent, kT0);
  EXPECT_EQ(l.totals().lines, 4u);
  EXPECT_EQ(l.totals().foreign, 2u);
  EXPECT_EQ(l.totals().other_run, 1u);
  EXPECT_EQ(l.totals().boots.delivered, 1u);
  EXPECT_EQ(l.boots().size(), 1u);
}

TEST(Ledger, StreamLabelMustMatchTheLine) {
  Ledger l(options());
  receive(l, 0, 0, Stream::out, StreamLabel::stdout_stream);
  receive(l, 1, 0, Stream::out, StreamLabel::stderr_stream);  // mismatch
  receive(l, 2, 0, Stream::err, StreamLabel::stdout_stream);  // mismatch
  receive(l, 3, 0, Stream::err, StreamLabel::stderr_stream);
  receive(l, 4, 0, Stream::err, StreamLabel::absent);         // nothing to check
  receive(l, 5, 0, Stream::err, StreamLabel::other);          // unknown label
  EXPECT_EQ(l.find("web", 1)->counts().stream_mismatches, 2u);
  EXPECT_EQ(l.totals().boots.stream_mismatches, 2u);
  EXPECT_EQ(l.totals().stream_label_unknown, 1u);
}

TEST(Ledger, PushBodyWithLabels) {
  Ledger l(options());
  auto body = PushBody::parse(push_body({{"stdout", {line("web", 1, 0), line("web", 1, 1, Stream::err), "noise"}},
                                         {"stderr", {line("web", 1, 2, Stream::err)}}}));
  ASSERT_TRUE(body);
  l.add_push(*body, kT0 + 10 * kMs);
  EXPECT_EQ(l.totals().bodies, 1u);
  EXPECT_EQ(l.totals().lines, 4u);
  EXPECT_EQ(l.totals().foreign, 1u);
  EXPECT_EQ(l.totals().boots.delivered, 3u);
  EXPECT_EQ(l.totals().boots.stream_mismatches, 1u);  // e line under stdout
  EXPECT_EQ(l.totals().last_delivery_ns, kT0 + 10 * kMs);
}

TEST(Ledger, DeliverySeriesPerInterval) {
  Ledger l(options());  // intervals of 1 s from kT0
  l.add_line(line("web", 1, 0), kOut, kT0 + 500 * kMs);   // interval 0, 500 ms late
  l.add_line(line("web", 1, 1), kOut, kT0 + 700 * kMs);   // interval 0, 699 ms late
  l.add_line(line("web", 1, 1), kOut, kT0 + 800 * kMs);   // duplicate: not a delivery
  l.add_line(line("web", 1, 2), kOut, kT0 + 2100 * kMs);  // interval 2
  l.add_line(line("web", 1, 3), kOut, kT0 - 1);           // before the series
  const DeliverySeries& s = l.series();
  EXPECT_EQ(s.delivered, (std::vector<uint64_t>{2, 0, 1}));
  EXPECT_EQ(s.latency_max_ns, (std::vector<int64_t>{699 * kMs, 0, 2098 * kMs}));
  EXPECT_EQ(s.outside, 1u);
}

TEST(Ledger, SeriesAndKeysAreBounded) {
  LedgerOptions o = options();
  o.max_series_intervals = 2;
  o.max_keys = 1;
  Ledger l(o);
  l.add_line(line("web", 1, 0), kOut, kT0 + 5000 * kMs);  // interval 5: beyond the 2 kept
  l.add_line(line("db", 1, 0), kOut, kT0);                // a second key: untracked
  EXPECT_TRUE(l.series().delivered.empty());
  EXPECT_EQ(l.series().outside, 1u);
  EXPECT_EQ(l.totals().untracked, 1u);
  EXPECT_EQ(l.boots().size(), 1u);
}

}  // namespace
}  // namespace leakcheck::receiver
