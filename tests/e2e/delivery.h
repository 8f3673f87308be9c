#pragma once
// Test-only, pure: what the Docker daemon holds for a container (the ground
// truth), what a collector delivered (its NDJSON file, or Loki push bodies),
// and the comparison "every line exactly once, nothing else".
//
// The ground truth is decoded here, apart from the collector's own decoder
// and line assembler: a bug there must not hide by being on both sides.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace leakcheck::testing {

// "2026-11-27T06:01:02.123456789Z" (UTC, 0 to 9 fraction digits) -> ns since the epoch.
Result<int64_t> parse_rfc3339_utc_ns(std::string_view text);

struct TruthLine {
  std::string stream;  // "stdout" or "stderr"
  int64_t ts_ns = 0;   // of the line's first message
  std::string text;    // without '\n' (and, from a TTY, without the '\r' before it)
};

// GET /containers/{id}/logs?stdout=1&stderr=1&timestamps=1, follow=0.
// Without a TTY: 8-byte headers, one message per frame; messages without a
// trailing '\n' (the daemon's 16 KiB splits) continue the line. With a TTY:
// raw bytes, "TIMESTAMP text\r\n" per line (lines under 16 KiB only).
Result<std::vector<TruthLine>> decode_daemon_logs(std::string_view raw, bool tty);

// The lines of one container are leakcheck-loggen's for run `run_id` and
// container `name`, boot 1: complete, sequence numbers 0..n-1 each once, the
// stream letter matching the stream (all stdout from a TTY). `expected_lines`
// when the count is known (--count).
Status check_loggen_lines(const std::vector<TruthLine>& lines, std::string_view run_id, std::string_view name,
                          bool tty, std::optional<std::size_t> expected_lines = std::nullopt);

struct DeliveredLine {
  std::string container;     // name
  std::string container_id;  // full (NDJSON) or 12 hex (Loki)
  std::string stream;
  int64_t ts_ns = 0;
  std::string text;
  bool truncated = false;    // NDJSON only
};

// The collector's NDJSON, strictly: one object per line with exactly ts
// (decimal string), container, container_id, stream, line, truncated.
Result<std::vector<DeliveredLine>> parse_ndjson(std::string_view text);

// A Loki push body, strictly: {"streams":[{"stream":{labels},"values":[[ns, line], ...]}, ...]}
// with labels exactly container, container_id (12 hex), stream and `static_labels`.
Result<std::vector<DeliveredLine>> parse_loki_push(std::string_view body,
                                                   const std::map<std::string, std::string>& static_labels);

struct ContainerTruth {
  std::string id;  // full
  bool tty = false;
  std::vector<TruthLine> lines;
};

struct DeliveryReport {
  std::size_t expected = 0;    // lines in the ground truth
  std::size_t delivered = 0;   // lines received
  std::size_t matched = 0;     // ground-truth lines received at least once
  std::size_t missing = 0;     // ground-truth lines never received
  std::size_t duplicated = 0;  // receptions beyond the first
  std::size_t unexpected = 0;  // received, but no such line (container, stream, text) in the truth
  std::size_t wrong_ts = 0;    // matched, but not the daemon's timestamp
  std::size_t wrong_id = 0;    // container_id not that of the named container
  std::size_t truncated = 0;   // marked truncated (no test line is long enough to be)
  std::vector<std::string> examples;  // the first few problems, for the failure message

  std::string text() const;
};

// Compares by (container name, stream, text); `short_ids`: container_id is
// the 12-hex prefix (Loki) instead of the full id (NDJSON).
DeliveryReport check_exactly_once(const std::map<std::string, ContainerTruth>& truth,
                                  const std::vector<DeliveredLine>& delivered, bool short_ids);

}  // namespace leakcheck::testing
