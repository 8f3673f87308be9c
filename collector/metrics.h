#pragma once
// The collector's counters, shared by the readers, the sink and (for the naive
// strategy) reader threads: atomics, relaxed. Rendered for /metrics.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "collector/log_stream.h"

namespace leakcheck::collector {

struct CollectorMetrics {
  using Counter = std::atomic<uint64_t>;
  using Gauge = std::atomic<int64_t>;

  Gauge containers_followed{0};
  Gauge streams_open{0};
  Counter streams_opened{0};
  Counter streams_closed{0};
  Counter rotations{0};
  Counter idle_reopens{0};     // a stream silent for idle_timeout was reopened
  Counter stream_errors{0};    // opening or reading a stream failed
  Counter close_timeouts{0};   // a reader that did not finish within 5 s of close(): must stay 0
  Counter abandoned_readers{0};  // naive strategy only: readers left blocked at a rotation
  std::array<Counter, kLogStreamCount> lines{};  // read, by stream (after dedup)
  std::array<Counter, kLogStreamCount> bytes{};
  Counter duplicates_dropped{0};  // boundary repeats after a reopen
  Counter truncated_lines{0};
  Counter daemon_errors{0};       // systemerr frames: an error message from the daemon
  Counter sink_batches{0};        // accepted by the sink
  Counter sink_lines{0};
  Counter sink_errors{0};         // failed attempts (each is retried)
  Counter sink_retries{0};
  Counter dead_lettered_lines{0};  // rejected for good (4xx): written to the dead-letter file
  Counter cursor_saves{0};
  Counter cursor_save_errors{0};
  // Lines the sink accepted whose cursors are not saved yet: what a SIGKILL
  // at this moment would deliver a second time after the restart.
  Gauge cursor_unsaved_lines{0};
  Counter events_reconnects{0};
};

// Figures read at scrape time rather than counted.
struct ScrapeFigures {
  uint64_t queue_depth = 0;
  uint64_t queue_bytes = 0;
  uint64_t queue_capacity = 0;
  uint64_t docker_connections_opened = 0;
  uint64_t docker_connections_reused = 0;
  uint64_t docker_connections_idle = 0;
  int64_t own_fds = -1;      // -1: unknown
  int64_t own_threads = -1;
  int64_t own_rss_bytes = -1;
};

// Prometheus text; metric names start with leakcheck_collector_.
std::string render_metrics(const CollectorMetrics& m, const ScrapeFigures& f);

}  // namespace leakcheck::collector
