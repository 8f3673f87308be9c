#include "receiver/ledger.h"

#include <algorithm>

#include "receiver/content_digest.h"

namespace leakcheck::receiver {

namespace {

size_t stream_index(loggen::Stream s) { return s == loggen::Stream::out ? 0 : 1; }

bool label_disagrees(StreamLabel label, loggen::Stream stream) {
  if (label == StreamLabel::stdout_stream) return stream != loggen::Stream::out;
  if (label == StreamLabel::stderr_stream) return stream != loggen::Stream::err;
  return false;  // absent or unknown: nothing to check against
}

}  // namespace

Ledger::Ledger(LedgerOptions options) : options_(std::move(options)) {
  series_.start_ns = options_.series_start_ns;
  series_.interval_ns = std::max<int64_t>(options_.series_interval_ns, 1);
}

const BootLedger* Ledger::find(std::string_view container, uint32_t boot) const {
  auto it = boots_.find(BootKeyView{container, boot});
  return it == boots_.end() ? nullptr : &it->second;
}

BootLedger* Ledger::boot_ledger(std::string_view container, uint32_t boot) {
  if (last_ && last_key_.boot == boot && last_key_.container == container) return last_;
  auto it = boots_.find(BootKeyView{container, boot});
  if (it == boots_.end()) {
    if (boots_.size() >= options_.max_keys) return nullptr;
    it = boots_.emplace(BootKey{std::string(container), boot}, BootLedger{}).first;
  }
  last_ = &it->second;  // map nodes do not move
  last_key_ = BootKeyView{it->first.container, boot};
  return last_;
}

void Ledger::add_push(const PushBody& body, int64_t receive_ns) {
  ++totals_.bodies;
  for (const PushEntry& entry : body.entries()) add_line(entry.line, entry.stream_label, receive_ns);
}

void Ledger::add_line(std::string_view text, StreamLabel stream_label, int64_t receive_ns) {
  ++totals_.lines;
  if (stream_label == StreamLabel::other) ++totals_.stream_label_unknown;
  if (text.empty()) {
    ++totals_.empty;
    return;
  }
  auto line = loggen::parse_line(text);
  if (!line) {
    ++totals_.foreign;
    return;
  }
  if (line->run_id != options_.run_id) {
    ++totals_.other_run;
    return;
  }
  BootLedger* b = boot_ledger(line->container, line->boot);
  if (!b) {
    ++totals_.untracked;
    return;
  }
  if (label_disagrees(stream_label, line->stream)) {
    ++b->counts_.stream_mismatches;
    ++totals_.boots.stream_mismatches;
  }
  if (line->integrity == loggen::Integrity::corrupt) {
    ++b->counts_.corrupt;
    ++totals_.boots.corrupt;
    return;
  }
  if (!b->delivered_.insert(line->seq)) {
    ++b->counts_.duplicates;
    ++totals_.boots.duplicates;
    return;
  }
  record_delivery(*b, *line, receive_ns);
  if (line->integrity == loggen::Integrity::opaque) {
    ++b->counts_.opaque;
    ++totals_.boots.opaque;
    if (content_digests_ >= options_.max_content_digests) {
      ++totals_.digests_not_kept;
    } else {
      b->content_digests_.emplace(line->seq, content_digest(text));
      ++content_digests_;
    }
  }
}

void Ledger::record_delivery(BootLedger& b, const loggen::ParsedLine& line, int64_t receive_ns) {
  auto count = [&](uint64_t BootCounts::*field) {
    ++(b.counts_.*field);
    ++(totals_.boots.*field);
  };
  count(&BootCounts::delivered);
  if (line.integrity == loggen::Integrity::cut) count(&BootCounts::cut);
  if (line.integrity == loggen::Integrity::cut_marked) count(&BootCounts::cut_marked);

  auto& highest = b.highest_by_stream_[stream_index(line.stream)];
  if (highest && line.seq < *highest) {
    count(&BootCounts::out_of_order);
  } else {
    highest = line.seq;
  }

  int64_t latency_ns = receive_ns - line.time_ns;
  b.latency_.add(latency_ns);
  latency_.add(latency_ns);
  recent_latency_.add(latency_ns);
  add_to_series(receive_ns, latency_ns);
  totals_.last_delivery_ns = std::max(totals_.last_delivery_ns, receive_ns);
}

void Ledger::add_to_series(int64_t receive_ns, int64_t latency_ns) {
  if (receive_ns < series_.start_ns) {
    ++series_.outside;
    return;
  }
  uint64_t index = static_cast<uint64_t>(receive_ns - series_.start_ns) / static_cast<uint64_t>(series_.interval_ns);
  if (index >= options_.max_series_intervals) {
    ++series_.outside;
    return;
  }
  if (index >= series_.delivered.size()) {
    series_.delivered.resize(index + 1, 0);
    series_.latency_max_ns.resize(index + 1, 0);
  }
  ++series_.delivered[index];
  series_.latency_max_ns[index] = std::max(series_.latency_max_ns[index], std::max<int64_t>(latency_ns, 0));
}

}  // namespace leakcheck::receiver
