#include "collector/managed_stream.h"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

namespace leakcheck::collector {

namespace asio = boost::asio;

// Shared with the reader coroutine, so that it stays valid until the reader
// has finished even if the owner is gone (only after a close timeout).
struct ManagedStream::State {
  State(asio::any_io_executor ex, docker::FollowStream s, std::shared_ptr<LinePipeline> p, RecordQueue& q,
        CollectorMetrics& m)
      : executor(ex), stream(std::move(s)), pipeline(std::move(p)), queue(q), metrics(m), finished_signal(ex) {}

  asio::any_io_executor executor;
  docker::FollowStream stream;
  std::shared_ptr<LinePipeline> pipeline;
  RecordQueue& queue;
  CollectorMetrics& metrics;
  std::vector<char> buffer = std::vector<char>(64 * 1024);
  asio::cancellation_signal cancel;
  asio::steady_timer finished_signal;  // a condition variable: cancelled when the reader ends
  bool started = false;
  bool finished = false;
  bool closing = false;
  StreamEnd end = StreamEnd::running;
  std::string error;
};

ManagedStream::ManagedStream(asio::any_io_executor executor, docker::FollowStream stream,
                             std::shared_ptr<LinePipeline> pipeline, RecordQueue& queue, CollectorMetrics& metrics)
    : state_(std::make_shared<State>(executor, std::move(stream), std::move(pipeline), queue, metrics)) {
  metrics.streams_opened.fetch_add(1, std::memory_order_relaxed);
  metrics.streams_open.fetch_add(1, std::memory_order_relaxed);
}

ManagedStream::~ManagedStream() {
  // Normally closed and finished already; this only makes sure the socket is gone.
  request_close();
  if (!state_->started) {  // no reader ever ran to account for the stream
    state_->metrics.streams_open.fetch_sub(1, std::memory_order_relaxed);
    state_->metrics.streams_closed.fetch_add(1, std::memory_order_relaxed);
  }
}

void ManagedStream::start() {
  auto s = state_;
  s->started = true;
  asio::co_spawn(s->executor, read_loop(s), asio::bind_cancellation_slot(s->cancel.slot(), [s](std::exception_ptr e) {
                   if (e && s->end == StreamEnd::running) {
                     s->end = StreamEnd::failed;
                     s->error = "reader failed with an exception";
                   }
                   s->finished = true;
                   s->stream.close();
                   s->metrics.streams_open.fetch_sub(1, std::memory_order_relaxed);
                   s->metrics.streams_closed.fetch_add(1, std::memory_order_relaxed);
                   s->finished_signal.cancel();
                 }));
}

asio::awaitable<bool> ManagedStream::wait_finished(std::chrono::steady_clock::time_point deadline) {
  auto s = state_;
  while (!s->finished && std::chrono::steady_clock::now() < deadline) {
    s->finished_signal.expires_at(deadline);
    boost::system::error_code ec;
    co_await s->finished_signal.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return s->finished;
}

void ManagedStream::request_close() {
  auto& s = *state_;
  if (s.closing) return;
  s.closing = true;
  s.stream.close();  // the fd is released here, and a pending read ends with ECANCELED
  if (s.started && !s.finished) s.cancel.emit(asio::cancellation_type::terminal);
}

asio::awaitable<void> ManagedStream::close() {
  request_close();
  if (!state_->started) co_return;
  bool finished_in_time = co_await wait_finished(std::chrono::steady_clock::now() + kCloseWait);
  if (!finished_in_time)
    state_->metrics.close_timeouts.fetch_add(1, std::memory_order_relaxed);
}

bool ManagedStream::finished() const { return state_->finished; }
StreamEnd ManagedStream::end() const { return state_->end; }
const std::string& ManagedStream::error() const { return state_->error; }

asio::awaitable<void> ManagedStream::read_loop(std::shared_ptr<State> s) {
  for (;;) {
    // 1. Room first: nothing is read that could not be queued at once.
    auto room = co_await s->queue.wait_for_room();
    if (!room || s->closing) {
      s->end = StreamEnd::closed;
      co_return;
    }
    // 2. Bytes, or why there are none.
    auto n = co_await s->stream.read_some(s->buffer);
    if (!n) {
      int code = n.error().code;
      if (s->closing || code == ECANCELED) s->end = StreamEnd::closed;
      else if (code == ETIMEDOUT) s->end = StreamEnd::idle;
      else {
        s->end = StreamEnd::failed;
        s->error = n.error().message();
      }
      co_return;
    }
    if (*n == 0) {
      s->end = StreamEnd::ended;
      if (auto flushed = s->pipeline->finish(); !flushed) s->error = flushed.error().message();
      co_return;
    }
    // 3. Into lines and the queue, synchronously.
    if (auto consumed = s->pipeline->consume(std::string_view(s->buffer.data(), *n)); !consumed) {
      s->end = StreamEnd::failed;
      s->error = consumed.error().message();
      co_return;
    }
  }
}

}  // namespace leakcheck::collector
