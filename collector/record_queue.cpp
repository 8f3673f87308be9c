#include "collector/record_queue.h"

#include <algorithm>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace leakcheck::collector {

namespace asio = boost::asio;

namespace {

// Waits on a timer used as a condition variable. False when the awaiting
// coroutine itself was cancelled (as opposed to a notification or expiry).
asio::awaitable<bool> wait_on(asio::steady_timer& timer) {
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  auto state = co_await asio::this_coro::cancellation_state;
  co_return state.cancelled() == asio::cancellation_type::none;
}

size_t text_bytes(const LogRecord& r) { return r.text.size(); }

}  // namespace

RecordQueue::RecordQueue(asio::any_io_executor executor, QueueLimits limits)
    : limits_(limits), room_(executor), data_(executor) {}

asio::awaitable<Status> RecordQueue::wait_for_room() {
  while (!has_room() && !closed_) {
    room_.expires_at(asio::steady_timer::time_point::max());
    bool woken = co_await wait_on(room_);
    if (!woken) co_return Error{ECANCELED, "waiting for room in the queue"};
  }
  if (closed_) co_return Error{ECANCELED, "queue closed"};
  co_return Ok{};
}

void RecordQueue::push(std::vector<LogRecord>&& records) {
  if (records.empty()) return;
  for (auto& r : records) {
    bytes_ += text_bytes(r);
    records_.push_back(std::move(r));
  }
  if (records_.size() >= wake_at_lines_ || (wake_at_bytes_ > 0 && bytes_ >= wake_at_bytes_)) data_.cancel();
}

asio::awaitable<std::vector<LogRecord>> RecordQueue::pop_batch(size_t max_lines, size_t max_bytes,
                                                               std::chrono::nanoseconds max_age) {
  std::vector<LogRecord> batch;
  wake_at_lines_ = 1;
  wake_at_bytes_ = 0;
  while (records_.empty() && !closed_) {
    data_.expires_at(asio::steady_timer::time_point::max());
    bool woken = co_await wait_on(data_);
    if (!woken) co_return batch;
  }
  // A batch fills for at most max_age from when its first record was there.
  auto deadline = asio::steady_timer::clock_type::now() +
                  std::chrono::duration_cast<asio::steady_timer::duration>(max_age);
  size_t batch_bytes = 0;
  auto full = [&] { return records_.size() >= max_lines || bytes_ >= max_bytes; };
  wake_at_lines_ = max_lines;
  wake_at_bytes_ = max_bytes;
  while (!closed_ && !full() && asio::steady_timer::clock_type::now() < deadline) {
    data_.expires_at(deadline);
    bool woken = co_await wait_on(data_);
    if (!woken) co_return batch;  // cancelled: leave everything queued
  }
  wake_at_lines_ = 1;
  wake_at_bytes_ = 0;
  batch.reserve(std::min(records_.size(), max_lines));
  while (!records_.empty() && batch.size() < max_lines &&
         (batch.empty() || batch_bytes + text_bytes(records_.front()) <= max_bytes)) {
    batch_bytes += text_bytes(records_.front());
    bytes_ -= text_bytes(records_.front());
    batch.push_back(std::move(records_.front()));
    records_.pop_front();
  }
  if (has_room()) room_.cancel();
  co_return batch;
}

void RecordQueue::close() {
  closed_ = true;
  room_.cancel();
  data_.cancel();
}

}  // namespace leakcheck::collector
