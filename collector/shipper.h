#pragma once
// Takes batches off the queue and gets them accepted by the sink: retries
// with exponential backoff and jitter (never drops), dead-letters batches the
// sink rejects for good, and moves the cursors once a batch is accepted.
// Saving them is the collector's, every cursor_save_interval; with an
// interval of 0 the shipper saves them after every batch.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <random>

#include "collector/config.h"
#include "collector/cursor_keeper.h"
#include "collector/metrics.h"
#include "collector/record_queue.h"
#include "collector/sinks.h"
#include "util/log.h"

namespace leakcheck::collector {

class Shipper {
 public:
  Shipper(RecordQueue& queue, Sink& sink, CursorKeeper& cursors, const SinkConfig& config,
          Nanos cursor_save_interval, std::string dead_letter_path, CollectorMetrics& metrics, Logger& log);

  // Until the queue is closed and drained, or the coroutine is cancelled (a
  // batch being retried then stays unacknowledged: its lines come again
  // after a restart, they are not lost).
  boost::asio::awaitable<void> run();

 private:
  boost::asio::awaitable<bool> deliver(std::vector<LogRecord>& batch);

  RecordQueue& queue_;
  Sink& sink_;
  CursorKeeper& cursors_;
  SinkConfig config_;
  bool save_every_batch_;
  std::string dead_letter_path_;
  CollectorMetrics& metrics_;
  Logger& log_;
  std::minstd_rand jitter_{std::random_device{}()};
};

}  // namespace leakcheck::collector
