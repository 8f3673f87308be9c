#include "receiver/reconcile.h"

#include <gtest/gtest.h>

#include "receiver/tests/test_lines.h"

namespace leakcheck::receiver {
namespace {

using namespace testing;

class Reconcile : public ::testing::Test {
 protected:
  void deliver(const std::string& container, uint32_t boot, std::initializer_list<uint64_t> seqs) {
    for (uint64_t s : seqs) deliver_one(container, boot, s);
  }
  void deliver_one(const std::string& container, uint32_t boot, uint64_t seq, int64_t latency_ns = 10 * kMs) {
    ledger_.add_line(line(container, boot, seq), StreamLabel::stdout_stream,
                     kT0 + static_cast<int64_t>(seq) * kMs + latency_ns);
  }
  void daemon_has(const std::string& container, uint32_t boot, uint64_t first, uint64_t last) {
    for (uint64_t s = first; s <= last; ++s) truth_.add(container, boot, s);
  }
  BootDelivery only(const DeliveryReport& r) {
    EXPECT_EQ(r.boots.size(), 1u);
    return r.boots.at(0);
  }

  Ledger ledger_{LedgerOptions{kRun, kT0, 1000 * kMs, 1000, 1000}};
  GroundTruth truth_{kRun};
};

TEST_F(Reconcile, MissingIsWhatTheDaemonHasAndTheReceiverNot) {
  daemon_has("web", 1, 0, 9);
  deliver("web", 1, {0, 1, 2, 6, 7, 9, 9});
  DeliveryReport r = reconcile(ledger_, truth_);
  BootDelivery b = only(r);
  EXPECT_EQ(b.container, "web");
  EXPECT_EQ(b.boot, 1u);
  EXPECT_TRUE(b.truth_read);
  EXPECT_EQ(b.expected, 10u);
  EXPECT_EQ(b.counts.delivered, 6u);
  EXPECT_EQ(b.missing, 4u);
  EXPECT_EQ(b.missing_ranges.text(), "3-5, 8");
  EXPECT_EQ(b.counts.duplicates, 1u);
  EXPECT_EQ(b.lost_before_daemon, 0u);
  EXPECT_EQ(b.latency_p99_ns, 10 * kMs);  // every line 10 ms late: exact (clamped)
  EXPECT_EQ(r.totals.expected, 10u);
  EXPECT_EQ(r.totals.missing, 4u);
  EXPECT_DOUBLE_EQ(r.totals.loss_pct, 40.0);
  EXPECT_EQ(r.totals.counts.duplicates, 1u);
}

TEST_F(Reconcile, ASeqTheDaemonLacksIsLostBeforeItNotByTheTarget) {
  // The container was killed while writing line 3; 4 and 5 came after a restart of the writer.
  for (uint64_t s : {0, 1, 2, 4, 5}) truth_.add("web", 1, s);
  deliver("web", 1, {0, 1, 2, 4, 5});
  DeliveryReport r = reconcile(ledger_, truth_);
  BootDelivery b = only(r);
  EXPECT_EQ(b.missing, 0u);
  EXPECT_EQ(b.lost_before_daemon, 1u);
  EXPECT_EQ(b.lost_before_daemon_ranges.text(), "3");
  EXPECT_DOUBLE_EQ(r.totals.loss_pct, 0.0);
  EXPECT_EQ(r.totals.lost_before_daemon, 1u);
}

TEST_F(Reconcile, RotatedAwayAfterDeliveryIsNoLoss) {
  // The daemon rotated 0-4 away; the target had read 2-4 before that, 0-1 nobody has.
  daemon_has("web", 1, 5, 9);
  deliver("web", 1, {2, 3, 4, 5, 6, 7, 8, 9});
  BootDelivery b = only(reconcile(ledger_, truth_));
  EXPECT_EQ(b.expected, 5u);
  EXPECT_EQ(b.missing, 0u);
  EXPECT_EQ(b.delivered_not_in_daemon, 3u);
  EXPECT_EQ(b.lost_before_daemon_ranges.text(), "0-1");
}

TEST_F(Reconcile, TheTailNobodyHasIsNotLost) {
  // The daemon has 0-4; lines after the last one known were never written.
  daemon_has("web", 1, 0, 4);
  deliver("web", 1, {0, 1});
  BootDelivery b = only(reconcile(ledger_, truth_));
  EXPECT_EQ(b.missing_ranges.text(), "2-4");
  EXPECT_EQ(b.lost_before_daemon, 0u);
}

TEST_F(Reconcile, ABootTheReceiverNeverSawIsAllMissing) {
  daemon_has("web", 1, 0, 2);
  daemon_has("web", 2, 0, 3);
  deliver("web", 1, {0, 1, 2});
  DeliveryReport r = reconcile(ledger_, truth_);
  ASSERT_EQ(r.boots.size(), 2u);
  EXPECT_EQ(r.boots[1].boot, 2u);
  EXPECT_EQ(r.boots[1].missing_ranges.text(), "0-3");
  EXPECT_EQ(r.boots[1].counts.delivered, 0u);
  EXPECT_EQ(r.boots[1].latency_samples, 0u);
  EXPECT_EQ(r.totals.missing, 4u);
  EXPECT_EQ(r.totals.expected, 7u);
  EXPECT_NEAR(r.totals.loss_pct, 400.0 / 7.0, 1e-9);
}

TEST_F(Reconcile, AContainerWhoseLogWasNotReadExpectsNothing) {
  daemon_has("web", 1, 0, 1);
  deliver("web", 1, {0, 1});
  deliver("db", 1, {0, 5});
  DeliveryReport r = reconcile(ledger_, truth_);
  ASSERT_EQ(r.boots.size(), 2u);
  const BootDelivery& db = r.boots[0];  // "db" sorts first
  EXPECT_EQ(db.container, "db");
  EXPECT_FALSE(db.truth_read);
  EXPECT_EQ(db.expected, 0u);
  EXPECT_EQ(db.missing, 0u);
  EXPECT_EQ(db.lost_before_daemon, 0u);
  EXPECT_EQ(db.counts.delivered, 2u);
  EXPECT_EQ(r.totals.boots_without_truth, 1u);
  EXPECT_EQ(r.totals.expected, 2u);
}

TEST_F(Reconcile, AContainerReadWithNoLinesOfABoot) {
  truth_.add_container("web");
  deliver("web", 3, {0, 1});
  BootDelivery b = only(reconcile(ledger_, truth_));
  EXPECT_TRUE(b.truth_read);
  EXPECT_EQ(b.expected, 0u);
  EXPECT_EQ(b.delivered_not_in_daemon, 2u);
}

TEST_F(Reconcile, RangesJoinAcrossChunksAndAreCapped) {
  daemon_has("web", 1, 0, 9999);
  for (uint64_t s = 0; s < 10000; ++s)
    if (!(s == 4095 || s == 4096 || (s >= 8000 && s <= 8191))) deliver_one("web", 1, s);
  BootDelivery b = only(reconcile(ledger_, truth_));
  EXPECT_EQ(b.missing, 2u + 192u);
  EXPECT_EQ(b.missing_ranges.text(), "4095-4096, 8000-8191");

  GroundTruth odd(kRun);
  for (uint64_t s = 0; s < 100; ++s) odd.add("web", 1, s);
  Ledger even(LedgerOptions{kRun, kT0, 1000 * kMs, 10, 10});
  for (uint64_t s = 0; s < 100; s += 2) even.add_line(line("web", 1, s), StreamLabel::absent, kT0 + 1000 * kMs);
  BootDelivery c = only(reconcile(even, odd, 3));
  EXPECT_EQ(c.missing, 50u);
  EXPECT_EQ(c.missing_ranges.range_count, 50u);
  EXPECT_EQ(c.missing_ranges.text(), "1, 3, 5, ... (+47 more ranges)");
}

TEST_F(Reconcile, AStrayHugeSeqCostsNoWalk) {
  daemon_has("web", 1, 0, 9);
  deliver("web", 1, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  const uint64_t huge = 1'000'000'000'000;
  ledger_.add_line(line("web", 1, huge), StreamLabel::absent, kT0);
  BootDelivery b = only(reconcile(ledger_, truth_));
  EXPECT_EQ(b.missing, 0u);
  EXPECT_EQ(b.delivered_not_in_daemon, 1u);
  EXPECT_EQ(b.lost_before_daemon, huge - 10);
  EXPECT_EQ(b.lost_before_daemon_ranges.text(), "10-999999999999");
}

TEST_F(Reconcile, TruthFromDaemonLines) {
  EXPECT_TRUE(truth_.add_line("web", line("web", 1, 0)));
  EXPECT_TRUE(truth_.add_line("web", line("web", 1, 1).substr(0, 70)));  // first piece of a split line
  EXPECT_FALSE(truth_.add_line("web", "some other output"));
  EXPECT_FALSE(truth_.add_line("web", line("web", 1, 2, loggen::Stream::out, "run2")));
  EXPECT_EQ(truth_.other_lines(), 2u);
  ASSERT_NE(truth_.find("web", 1), nullptr);
  EXPECT_EQ(truth_.find("web", 1)->size(), 2u);
  EXPECT_TRUE(truth_.container_read("web"));
  EXPECT_FALSE(truth_.container_read("db"));
}

TEST_F(Reconcile, OverallLatencyOverAllContainers) {
  daemon_has("web", 1, 0, 1);
  daemon_has("db", 1, 0, 1);
  deliver_one("web", 1, 0, 1 * kMs);
  deliver_one("web", 1, 1, 2 * kMs);
  deliver_one("db", 1, 0, 3 * kMs);
  deliver_one("db", 1, 1, 400 * kMs);
  DeliveryReport r = reconcile(ledger_, truth_);
  EXPECT_EQ(r.totals.latency_samples, 4u);
  EXPECT_EQ(r.totals.latency_max_ns, 400 * kMs);
  // Rank 2 of 4 is 2 ms, in the bucket [122 * 2^14, 123 * 2^14) ns; reported as its middle.
  EXPECT_EQ(r.totals.latency_p50_ns, 122 * 16384 + 8192);  // 2,007,040 ns: +0.35 %
  EXPECT_NEAR(static_cast<double>(r.totals.latency_p50_ns), 2.0 * kMs, 2.0 * kMs / 128);
  EXPECT_EQ(r.totals.latency_p99_ns, 400 * kMs);  // rank 4: the max, exact
  EXPECT_EQ(r.boots[0].latency_max_ns, 400 * kMs);  // db
  EXPECT_EQ(r.boots[1].latency_max_ns, 2 * kMs);    // web
}

}  // namespace
}  // namespace leakcheck::receiver
