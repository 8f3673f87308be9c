#pragma once
// What the receiver got, set against what the Docker daemon has.
//
// The harness reads each container's whole log (non-follow) before removing
// it and feeds every line to a GroundTruth. Then, per (container, boot):
//
//   expected                 seqs the daemon has
//   missing                  the daemon has them, the receiver never got them:
//                            lost by the target
//   lost_before_daemon       seqs up to the highest one known (to the daemon
//                            or the receiver) that neither has: never written
//                            whole (a container killed mid-write) or rotated
//                            away. Not the target's loss, as far as can be told.
//   delivered_not_in_daemon  the receiver has them, the daemon no longer does
//                            (rotated away after the target read them)
//
//   content_verified         opaque lines (loggen/pathological.h) whose text,
//                            normalised (content_digest.h), equals the
//                            daemon's copy; one that differs counts as corrupt
//   content_unverified       opaque lines delivered that the daemon's log
//                            lacks (or whose digest was not kept)
//   empty lines              lines with no text: no seq says whose they are,
//                            so the run's totals are compared (expected from
//                            the daemon, received by the receiver)
//
// A container whose log the harness did not read has no truth: its boots show
// what was delivered, and expect nothing.
//
// Pure: no I/O.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "receiver/ledger.h"
#include "receiver/seq_set.h"

namespace leakcheck::receiver {

class GroundTruth {
 public:
  explicit GroundTruth(std::string run_id) : run_id_(std::move(run_id)) {}

  // The harness read this container's log, even if no line in it is ours.
  void add_container(std::string_view container);
  // One line as the daemon has it, without '\n' (and a TTY's '\r'). The part
  // of a long line after the daemon's 16 KiB split is no line of its own:
  // join the pieces first, or pass the first piece alone. False when the text
  // is no loggen line of this run.
  bool add_line(std::string_view container, std::string_view text);
  void add(std::string_view container, uint32_t boot, uint64_t seq);
  // seq -> content_digest of each opaque line of (container, boot); nullptr when none.
  const std::map<uint64_t, uint64_t>* content_digests(std::string_view container, uint32_t boot) const;
  uint64_t empty_lines() const { return empty_lines_; }

  bool container_read(std::string_view container) const;
  const SeqSet* find(std::string_view container, uint32_t boot) const;
  const std::map<BootKey, SeqSet, BootKeyLess>& boots() const { return boots_; }
  uint64_t other_lines() const { return other_lines_; }  // foreign or another run's

 private:
  std::string run_id_;
  std::set<std::string, std::less<>> containers_;
  std::map<BootKey, SeqSet, BootKeyLess> boots_;
  std::map<BootKey, std::map<uint64_t, uint64_t>, BootKeyLess> digests_;
  uint64_t other_lines_ = 0;
  uint64_t empty_lines_ = 0;
};

struct SeqRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
};

// A set of seqs as ranges; only the first few ranges are kept.
struct RangeSummary {
  uint64_t seqs = 0;         // every seq, kept or not
  uint64_t range_count = 0;  // every range, kept or not
  std::vector<SeqRange> ranges;

  // "12-40, 77" and, past the ranges kept, ", ... (+5 more ranges)".
  std::string text() const;
};

struct BootDelivery {
  std::string container;
  uint32_t boot = 0;
  bool truth_read = false;
  uint64_t expected = 0;
  uint64_t missing = 0;
  uint64_t lost_before_daemon = 0;
  uint64_t delivered_not_in_daemon = 0;
  uint64_t content_verified = 0;
  uint64_t content_unverified = 0;
  BootCounts counts;  // delivered, duplicates, out of order, cut, corrupt (content mismatches included), ...
  RangeSummary missing_ranges;
  RangeSummary lost_before_daemon_ranges;
  uint64_t latency_samples = 0;
  int64_t latency_p50_ns = 0;
  int64_t latency_p99_ns = 0;
  int64_t latency_max_ns = 0;
};

struct DeliveryTotals {
  uint64_t expected = 0;
  uint64_t missing = 0;
  uint64_t lost_before_daemon = 0;
  uint64_t delivered_not_in_daemon = 0;
  uint64_t content_verified = 0;
  uint64_t content_unverified = 0;
  uint64_t empty_expected = 0;  // empty lines in the daemon's logs
  uint64_t empty_received = 0;
  // missing / expected * 100; 0 when nothing was expected (check expected).
  double loss_pct = 0;
  BootCounts counts;
  uint64_t boots_without_truth = 0;
  uint64_t other_run = 0;
  uint64_t foreign = 0;
  uint64_t untracked = 0;
  uint64_t stream_label_unknown = 0;
  uint64_t latency_samples = 0;
  int64_t latency_p50_ns = 0;
  int64_t latency_p99_ns = 0;
  int64_t latency_max_ns = 0;
};

struct DeliveryReport {
  std::vector<BootDelivery> boots;  // by container, then boot
  DeliveryTotals totals;
};

DeliveryReport reconcile(const Ledger& ledger, const GroundTruth& truth, size_t max_ranges = 20);

}  // namespace leakcheck::receiver
