#pragma once
// Where accepted lines go: Loki's push API, an NDJSON file, or stdout.
// A sink says whether a batch was accepted, rejected for good (it will never
// be accepted: the shipper dead-letters it), or should be retried.

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "collector/config.h"
#include "collector/http_url.h"  // parse_http_url, the Loki sink's URL
#include "collector/log_record.h"
#include "util/result.h"

namespace leakcheck::collector {

enum class SinkOutcome { accepted, rejected, retry };

struct SinkResult {
  // Not an aggregate: GCC 12 may destroy an aggregate temporary twice in a
  // coroutine (see docker/types.h).
  SinkResult() = default;
  SinkResult(SinkOutcome o, std::string d) : outcome(o), detail(std::move(d)) {}
  SinkOutcome outcome = SinkOutcome::accepted;
  std::string detail;  // why, for logs: "503 Service Unavailable", "connection refused"
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual boost::asio::awaitable<SinkResult> send(std::span<const LogRecord> batch) = 0;
  // Releases connections; waits (bounded) for nothing in flight.
  virtual boost::asio::awaitable<void> shutdown() { co_return; }
};

// The sink the configuration asks for. Opening the file (append, create) or
// parsing the URL happens here, so a bad path fails at start, by name.
Result<std::unique_ptr<Sink>> make_sink(boost::asio::any_io_executor executor, const SinkConfig& config);

// Appends NDJSON to `path` (the dead-letter file): a plain blocking write and
// fdatasync, for the rare rejected batch.
Status append_ndjson(const std::string& path, std::span<const LogRecord> records);

}  // namespace leakcheck::collector
