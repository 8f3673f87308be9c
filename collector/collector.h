#pragma once
// leakcheck-collector as a whole: wires the Docker client, discovery,
// followers, queue, shipper, sink and /metrics on one io_context thread, and
// shuts them down in order.

#include "collector/config.h"
#include "util/log.h"

namespace leakcheck::collector {

// Exit codes, documented in --help and the README.
enum CollectorExit : int {
  kCollectorOk = 0,
  kCollectorConfigError = 2,  // bad configuration; engine, state dir, sink or /metrics address unusable at start
  kCollectorStateError = 3,   // cursors could not be persisted while running, or a cursor file is corrupt
  kCollectorFatal = 4,
};

// Runs until SIGTERM or SIGINT, then stops intake, flushes the sink, persists
// cursors and returns (within config.shutdown_timeout). A second signal ends
// the process at once.
int run_collector(const CollectorConfig& config, Logger& log);

}  // namespace leakcheck::collector
