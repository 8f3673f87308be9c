#pragma once
// What the verifying receiver got, per (container, boot) of one run: which
// seqs, how often, in what order, how whole, and how late.
//
// Pure: receive times are passed in (CLOCK_REALTIME ns, the clock loggen
// stamps t= with); the server and the tests feed it alike.
//
// Definitions (per container and boot; loggen numbers a boot's lines from 0):
//   delivered     a distinct seq that arrived complete, cut, or cut and marked
//   duplicate     a seq that arrived again after it was delivered
//   out of order  a delivered seq lower than one already delivered from the
//                 same stream (o/e). Per stream because Loki keeps stdout and
//                 stderr apart: a push body lists one stream's values, then
//                 the other's, so across streams order means nothing.
//   corrupt       a valid header but bytes loggen did not write: counted, but
//                 neither delivered nor timed; if no good copy comes, the seq
//                 is missing.
//   latency       receive time - t of a line's first delivery (a duplicate
//                 says nothing about how late the line was)
//   opaque        a line whose payload no pattern checks (loggen/pathological.h):
//                 delivered as the others, and its content_digest kept so that
//                 reconcile() can compare it with the daemon's copy; a
//                 mismatch there counts as corrupt.
//   empty         a line with no text at all (loggen's pathological content
//                 writes some): no header, so counted in total only, and
//                 reconciled with the empty lines of the daemon's logs.
//   stream mismatch  the line's o/e disagrees with the Loki label `stream`
//                 ("stdout"/"stderr"); no check when the label is absent.
//
// Bounds: one BootLedger per (container, boot) up to max_keys; a line of any
// further one is counted as untracked, not kept. A BootLedger is a SeqSet and
// a LatencyHistogram (see their bounds); with its key and map node about
// 320 bytes before the first line (plus the name). The delivery series
// holds max_series_intervals intervals at most, 16 bytes each.

#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loggen/line_format.h"
#include "receiver/latency_histogram.h"
#include "receiver/push_body.h"
#include "receiver/seq_set.h"

namespace leakcheck::receiver {

struct LedgerOptions {
  std::string run_id;                          // lines of any other run are counted, not kept
  int64_t series_start_ns = 0;                 // CLOCK_REALTIME of the series' first interval
  int64_t series_interval_ns = 1'000'000'000;  // the harness's sample interval
  size_t max_series_intervals = 1u << 20;      // 12 days at 1 s: 16 MiB at most
  size_t max_keys = 1u << 20;                  // (container, boot) pairs kept
  size_t max_content_digests = 1u << 22;       // opaque lines' digests kept: 4 M, ~200 MiB at most
};

// Counts of one (container, boot), and summed over all of them.
struct BootCounts {
  uint64_t delivered = 0;
  uint64_t duplicates = 0;
  uint64_t out_of_order = 0;
  uint64_t cut = 0;         // delivered as a prefix, nothing added
  uint64_t cut_marked = 0;  // delivered as a prefix with the collector's mark
  uint64_t corrupt = 0;
  uint64_t stream_mismatches = 0;
  uint64_t opaque = 0;  // delivered opaque lines (their content is checked by reconcile())
};

class BootLedger {
 public:
  const SeqSet& delivered() const { return delivered_; }
  const BootCounts& counts() const { return counts_; }
  const LatencyHistogram& latency() const { return latency_; }
  // seq -> content_digest of the first delivery of each opaque line.
  const std::map<uint64_t, uint64_t>& content_digests() const { return content_digests_; }

 private:
  friend class Ledger;
  SeqSet delivered_;
  std::map<uint64_t, uint64_t> content_digests_;
  BootCounts counts_;
  LatencyHistogram latency_;
  std::array<std::optional<uint64_t>, 2> highest_by_stream_;  // o, e
};

struct BootKey {
  std::string container;
  uint32_t boot = 0;
  auto operator<=>(const BootKey&) const = default;
};

// Lets the map be searched with a string_view, without a string per line.
struct BootKeyLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return as_pair(a) < as_pair(b);
  }
  template <typename K>
  static std::pair<std::string_view, uint32_t> as_pair(const K& k) {
    return {k.container, k.boot};
  }
};
struct BootKeyView {
  std::string_view container;
  uint32_t boot = 0;
};

struct LedgerTotals {
  BootCounts boots;         // summed over every (container, boot)
  uint64_t lines = 0;       // every value of every accepted body
  uint64_t other_run = 0;   // loggen lines of another run id
  uint64_t foreign = 0;     // not loggen lines (or a header cut short), empty ones apart
  uint64_t empty = 0;       // lines with no text at all
  uint64_t digests_not_kept = 0;  // opaque lines beyond max_content_digests: not checked
  uint64_t untracked = 0;   // lines of this run beyond max_keys
  uint64_t stream_label_unknown = 0;  // label `stream` neither stdout nor stderr
  uint64_t bodies = 0;      // accepted push bodies
  int64_t last_delivery_ns = 0;  // receive time of the latest delivery; 0 before any
};

// Lines delivered (first arrivals) per interval, and the worst latency among
// them, for charts. Interval i covers [start + i * interval, start + (i+1) * interval).
struct DeliverySeries {
  int64_t start_ns = 0;
  int64_t interval_ns = 0;
  std::vector<uint64_t> delivered;
  std::vector<int64_t> latency_max_ns;
  uint64_t outside = 0;  // deliveries before start or beyond the last interval kept
};

class Ledger {
 public:
  using Boots = std::map<BootKey, BootLedger, BootKeyLess>;

  explicit Ledger(LedgerOptions options);

  // One line as received, without its '\n'.
  void add_line(std::string_view text, StreamLabel stream_label, int64_t receive_ns);
  // Every line of a parsed push body, received at `receive_ns`.
  void add_push(const PushBody& body, int64_t receive_ns);

  const LedgerOptions& options() const { return options_; }
  const LedgerTotals& totals() const { return totals_; }
  const Boots& boots() const { return boots_; }
  const BootLedger* find(std::string_view container, uint32_t boot) const;
  // Latency of first deliveries over all containers.
  const LatencyHistogram& latency() const { return latency_; }
  const DeliverySeries& series() const { return series_; }
  // Latency of the first deliveries since the last call: one sample interval's
  // percentiles for charts.
  LatencyHistogram take_recent_latency() { return std::exchange(recent_latency_, LatencyHistogram{}); }

 private:
  BootLedger* boot_ledger(std::string_view container, uint32_t boot);
  void record_delivery(BootLedger& b, const loggen::ParsedLine& line, int64_t receive_ns);
  void add_to_series(int64_t receive_ns, int64_t latency_ns);

  LedgerOptions options_;
  Boots boots_;
  LedgerTotals totals_;
  size_t content_digests_ = 0;  // kept over all boots
  LatencyHistogram latency_;
  LatencyHistogram recent_latency_;
  DeliverySeries series_;
  BootLedger* last_ = nullptr;  // lines come in runs of one container: skip the lookup
  BootKeyView last_key_;        // views into last_'s key in boots_
};

}  // namespace leakcheck::receiver
