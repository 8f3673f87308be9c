#include "receiver/reconcile.h"

#include <algorithm>
#include <bit>

#include "receiver/content_digest.h"

namespace leakcheck::receiver {

namespace {

// Gathers ascending seqs into maximal ranges, keeping the first max of them.
class RangeCollector {
 public:
  explicit RangeCollector(size_t max_ranges) : max_(max_ranges) {}

  void add_run(uint64_t first, uint64_t count) {
    if (count == 0) return;
    if (open_ && end_ == first) {
      end_ += count;
      return;
    }
    flush();
    open_ = true;
    start_ = first;
    end_ = first + count;
  }

  // Bit b of `word` set: seq base + b is in the set.
  void add_word(uint64_t base, uint64_t word) {
    int at = 0;
    while (word != 0) {
      int zeros = std::countr_zero(word);
      uint64_t from_run = word >> zeros;
      int ones = std::countr_one(from_run);
      add_run(base + static_cast<uint64_t>(at + zeros), static_cast<uint64_t>(ones));
      at += zeros + ones;
      word = at >= 64 || zeros + ones >= 64 ? 0 : from_run >> ones;
    }
  }

  RangeSummary finish() {
    flush();
    return std::move(summary_);
  }

 private:
  void flush() {
    if (!open_) return;
    summary_.seqs += end_ - start_;
    ++summary_.range_count;
    if (summary_.ranges.size() < max_) summary_.ranges.push_back(SeqRange{start_, end_ - 1});
    open_ = false;
  }

  size_t max_;
  bool open_ = false;
  uint64_t start_ = 0;
  uint64_t end_ = 0;
  RangeSummary summary_;
};

const SeqSet kEmpty;

// Missing (truth, not delivered), lost before the daemon (neither, up to the
// highest seq either knows) and delivered-not-in-daemon, chunk by chunk.
// Chunks that neither set holds are all "lost before the daemon", counted
// without walking them, so a stray huge seq costs nothing.
void compare(const SeqSet& truth, const SeqSet& delivered, size_t max_ranges, BootDelivery& out) {
  std::set<uint64_t> chunks;
  truth.for_each_chunk([&](uint64_t c) { chunks.insert(c); });
  delivered.for_each_chunk([&](uint64_t c) { chunks.insert(c); });
  RangeCollector missing(max_ranges);
  RangeCollector lost(max_ranges);
  uint64_t top = std::max(truth.max().value_or(0), delivered.max().value_or(0));
  uint64_t next_chunk = 0;
  SeqSet::Words t{};
  SeqSet::Words d{};
  for (uint64_t c : chunks) {
    lost.add_run(next_chunk * SeqSet::kChunkSeqs, (c - next_chunk) * SeqSet::kChunkSeqs);
    truth.chunk_words(c, t);
    delivered.chunk_words(c, d);
    for (size_t w = 0; w < SeqSet::kChunkWords; ++w) {
      uint64_t base = c * SeqSet::kChunkSeqs + w * 64;
      if (base > top) break;
      // Seqs above the highest known were never written, not lost.
      uint64_t known = top - base >= 63 ? ~uint64_t{0} : (uint64_t{1} << (top - base + 1)) - 1;
      missing.add_word(base, t[w] & ~d[w]);
      lost.add_word(base, ~t[w] & ~d[w] & known);
      out.delivered_not_in_daemon += static_cast<uint64_t>(std::popcount(d[w] & ~t[w]));
    }
    next_chunk = c + 1;
  }
  out.missing_ranges = missing.finish();
  out.lost_before_daemon_ranges = lost.finish();
  out.missing = out.missing_ranges.seqs;
  out.lost_before_daemon = out.lost_before_daemon_ranges.seqs;
}

// Each opaque line delivered against the daemon's copy of it.
void compare_content(const BootLedger& got, const std::map<uint64_t, uint64_t>* truth, BootDelivery& out) {
  for (const auto& [seq, digest] : got.content_digests()) {
    if (!truth || !truth->contains(seq)) {
      ++out.content_unverified;
    } else if (truth->at(seq) == digest) {
      ++out.content_verified;
    } else {
      ++out.counts.corrupt;
    }
  }
  out.content_unverified += got.counts().opaque - got.content_digests().size();  // digests not kept
}

BootDelivery reconcile_boot(const BootKey& key, const BootLedger* got, const GroundTruth& truth, size_t max_ranges) {
  BootDelivery out;
  out.container = key.container;
  out.boot = key.boot;
  out.truth_read = truth.container_read(key.container);
  const SeqSet* expected = truth.find(key.container, key.boot);
  const SeqSet& delivered = got ? got->delivered() : kEmpty;
  if (got) {
    out.counts = got->counts();
    out.latency_samples = got->latency().count();
    out.latency_p50_ns = got->latency().percentile(50);
    out.latency_p99_ns = got->latency().percentile(99);
    out.latency_max_ns = got->latency().max();
  }
  if (!out.truth_read) {  // nothing to hold the delivery against
    if (got) out.content_unverified = got->counts().opaque;
    return out;
  }
  out.expected = expected ? expected->size() : 0;
  if (got) compare_content(*got, truth.content_digests(key.container, key.boot), out);
  compare(expected ? *expected : kEmpty, delivered, max_ranges, out);
  return out;
}

void add_counts(BootCounts& sum, const BootCounts& c) {
  sum.delivered += c.delivered;
  sum.duplicates += c.duplicates;
  sum.out_of_order += c.out_of_order;
  sum.cut += c.cut;
  sum.cut_marked += c.cut_marked;
  sum.corrupt += c.corrupt;
  sum.stream_mismatches += c.stream_mismatches;
  sum.opaque += c.opaque;
}

}  // namespace

void GroundTruth::add_container(std::string_view container) {
  if (!containers_.contains(container)) containers_.emplace(container);
}

bool GroundTruth::add_line(std::string_view container, std::string_view text) {
  add_container(container);
  if (text.empty()) {
    ++empty_lines_;
    return false;
  }
  auto line = loggen::parse_line(text);
  if (!line || line->run_id != run_id_) {
    ++other_lines_;
    return false;
  }
  // Whatever its integrity: the daemon has this seq (a long line in pieces,
  // or cut by a killed writer, still proves the line was written).
  add(line->container, line->boot, line->seq);
  if (line->integrity == loggen::Integrity::opaque) {
    auto it = digests_.find(BootKeyView{line->container, line->boot});
    if (it == digests_.end())
      it = digests_.emplace(BootKey{std::string(line->container), line->boot}, std::map<uint64_t, uint64_t>{}).first;
    it->second.emplace(line->seq, content_digest(text));
  }
  return true;
}

const std::map<uint64_t, uint64_t>* GroundTruth::content_digests(std::string_view container, uint32_t boot) const {
  auto it = digests_.find(BootKeyView{container, boot});
  return it == digests_.end() ? nullptr : &it->second;
}

void GroundTruth::add(std::string_view container, uint32_t boot, uint64_t seq) {
  add_container(container);
  auto it = boots_.find(BootKeyView{container, boot});
  if (it == boots_.end()) it = boots_.emplace(BootKey{std::string(container), boot}, SeqSet{}).first;
  it->second.insert(seq);
}

bool GroundTruth::container_read(std::string_view container) const { return containers_.contains(container); }

const SeqSet* GroundTruth::find(std::string_view container, uint32_t boot) const {
  auto it = boots_.find(BootKeyView{container, boot});
  return it == boots_.end() ? nullptr : &it->second;
}

std::string RangeSummary::text() const {
  std::string out;
  for (const SeqRange& r : ranges) {
    if (!out.empty()) out += ", ";
    out += std::to_string(r.first);
    if (r.last != r.first) out += "-" + std::to_string(r.last);
  }
  if (range_count > ranges.size())
    out += ", ... (+" + std::to_string(range_count - ranges.size()) + " more ranges)";
  return out;
}

DeliveryReport reconcile(const Ledger& ledger, const GroundTruth& truth, size_t max_ranges) {
  DeliveryReport report;
  // Every (container, boot) either side knows, in order: a merge of two sorted maps.
  auto got = ledger.boots().begin();
  auto want = truth.boots().begin();
  BootKeyLess less;
  while (got != ledger.boots().end() || want != truth.boots().end()) {
    bool take_got = want == truth.boots().end() || (got != ledger.boots().end() && !less(want->first, got->first));
    bool take_want = got == ledger.boots().end() || (want != truth.boots().end() && !less(got->first, want->first));
    const BootKey& key = take_got ? got->first : want->first;
    report.boots.push_back(reconcile_boot(key, take_got ? &got->second : nullptr, truth, max_ranges));
    if (take_got) ++got;
    if (take_want) ++want;
  }

  DeliveryTotals& t = report.totals;
  for (const BootDelivery& b : report.boots) {
    t.expected += b.expected;
    t.missing += b.missing;
    t.lost_before_daemon += b.lost_before_daemon;
    t.delivered_not_in_daemon += b.delivered_not_in_daemon;
    t.content_verified += b.content_verified;
    t.content_unverified += b.content_unverified;
    add_counts(t.counts, b.counts);
    if (!b.truth_read) ++t.boots_without_truth;
  }
  t.loss_pct = t.expected == 0 ? 0 : static_cast<double>(t.missing) * 100.0 / static_cast<double>(t.expected);
  const LedgerTotals& lt = ledger.totals();
  t.other_run = lt.other_run;
  t.foreign = lt.foreign;
  t.empty_expected = truth.empty_lines();
  t.empty_received = lt.empty;
  t.untracked = lt.untracked;
  t.stream_label_unknown = lt.stream_label_unknown;
  t.latency_samples = ledger.latency().count();
  t.latency_p50_ns = ledger.latency().percentile(50);
  t.latency_p99_ns = ledger.latency().percentile(99);
  t.latency_max_ns = ledger.latency().max();
  return report;
}

}  // namespace leakcheck::receiver
