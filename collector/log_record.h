#pragma once
// A log line on its way from a container's stream to the sink.

#include <cstdint>
#include <string>

#include "collector/log_stream.h"

namespace leakcheck::collector {

struct LogRecord {
  std::string container_id;    // full 64-hex id
  std::string container_name;  // without Docker's leading '/'
  LogStream stream = LogStream::stdout_stream;
  int64_t timestamp_ns = 0;    // as the daemon stamped it
  std::string text;            // without the trailing newline
  bool truncated = false;      // cut at max_line_bytes (the rest was discarded)
};

}  // namespace leakcheck::collector
