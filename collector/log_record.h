#pragma once
// A log line on its way from a container's stream to the sink.

#include <cstdint>
#include <memory>
#include <string>

#include "collector/log_stream.h"

namespace leakcheck::collector {

// The container a record comes from. Shared by every record of the
// container, so that a line carries no copy of its id and name.
struct LogSource {
  std::string container_id;    // full 64-hex id
  std::string container_name;  // without Docker's leading '/'
};

struct LogRecord {
  std::shared_ptr<const LogSource> source;  // never null
  LogStream stream = LogStream::stdout_stream;
  int64_t timestamp_ns = 0;    // as the daemon stamped it
  std::string text;            // without the trailing newline
  bool truncated = false;      // cut at max_line_bytes (the rest was discarded)
  uint64_t hash = 0;           // line_hash(stream, text), computed once when the line was read

  const std::string& container_id() const { return source->container_id; }
  const std::string& container_name() const { return source->container_name; }
};

}  // namespace leakcheck::collector
