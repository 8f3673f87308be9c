#pragma once
// The bounded queue between the container readers and the sink.
//
// Backpressure without loss: a reader waits for room *before* it reads from
// its socket (wait_for_room), then hands over what that read produced in one
// synchronous push. Nothing a reader holds is ever waiting, so a reader can be
// cancelled at either await point without losing or half-delivering a line.
// The price is a bounded overshoot: a push may take the queue past its
// capacity by what one read produced (one read buffer's worth of lines).
//
// Threading: all members on the queue's executor (one io_context thread).

#include <chrono>
#include <cstddef>
#include <deque>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "collector/log_record.h"
#include "util/result.h"

namespace leakcheck::collector {

struct QueueLimits {
  size_t max_lines = 10000;
  size_t max_bytes = 64u << 20;
};

class RecordQueue {
 public:
  RecordQueue(boost::asio::any_io_executor executor, QueueLimits limits);

  // Waits until the queue is below its limits. ECANCELED when the awaiting
  // coroutine is cancelled or the queue is closed.
  boost::asio::awaitable<Status> wait_for_room();
  // Never waits, never drops.
  void push(std::vector<LogRecord>&& records);

  // Up to max_lines records and max_bytes of text (at least one record), in
  // order. Waits for a first record, then for more until the batch is full,
  // `max_age` has passed since the first was there, or the queue is closed.
  // Empty only when the queue is closed and drained, or the awaiting
  // coroutine was cancelled.
  boost::asio::awaitable<std::vector<LogRecord>> pop_batch(size_t max_lines, size_t max_bytes,
                                                           std::chrono::nanoseconds max_age);

  // Wakes every waiter; wait_for_room fails from now on, pop_batch drains
  // what is left and then returns empty.
  void close();
  bool closed() const { return closed_; }

  size_t depth() const { return records_.size(); }
  size_t bytes() const { return bytes_; }
  bool has_room() const { return records_.size() < limits_.max_lines && bytes_ < limits_.max_bytes; }

 private:
  QueueLimits limits_;
  std::deque<LogRecord> records_;
  size_t bytes_ = 0;
  bool closed_ = false;
  // What wakes pop_batch: a first record, then only a full batch (its age is
  // its own timer). Waking it for every push would cost a wake-up and a
  // timer re-arm per read.
  size_t wake_at_lines_ = 1;
  size_t wake_at_bytes_ = 0;
  // Used as condition variables: waiters wait on a timer that never expires;
  // a notification cancels the wait, and waiters re-check their condition.
  boost::asio::steady_timer room_;
  boost::asio::steady_timer data_;
};

}  // namespace leakcheck::collector
