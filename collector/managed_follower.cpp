// The managed strategy: per container one coroutine that opens a follow
// stream, hands it to a ManagedStream, and closes and reopens it every
// rotation_interval (or when it goes idle or fails) from the cursor.

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "collector/follower.h"
#include "collector/managed_stream.h"
#include "docker/client.h"

namespace leakcheck::collector {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// A long line still being read may postpone a rotation this often (1 s each).
constexpr int kMaxRotationPostponements = 10;

class ManagedFollower : public Follower {
 public:
  ManagedFollower(CollectorContext& context, FollowTarget target)
      : ctx_(context),
        pipeline_(std::make_shared<LinePipeline>(target, context.config.max_line_bytes,
                                                 context.cursors.cursor_for(target.id),
                                                 [&queue = context.queue](std::vector<LogRecord>&& records) {
                                                   queue.push(std::move(records));
                                                 },
                                                 context.metrics, context.log)),
        wake_(context.executor),
        done_signal_(context.executor) {
    ctx_.cursors.track(target.id);
  }

  void start() override {
    ctx_.metrics.containers_followed.fetch_add(1, std::memory_order_relaxed);
    asio::co_spawn(ctx_.executor, run(), [this](std::exception_ptr e) {
      if (e) ctx_.log.error("follower ended by an exception", {{"container", name()}});
      done_ = true;
      ctx_.metrics.containers_followed.fetch_sub(1, std::memory_order_relaxed);
      done_signal_.cancel();
    });
  }

  void container_started() override {
    running_ = true;
    wake_.cancel();
  }

  asio::awaitable<void> stop() override {
    stopping_ = true;
    if (current_) current_->request_close();
    wake_.cancel();
    // The reader ends within ManagedStream::kCloseWait; allow for the
    // request in flight to fail (its connect/header deadlines) on top.
    auto deadline = std::chrono::steady_clock::now() + ManagedStream::kCloseWait + 5s;
    while (!done_ && std::chrono::steady_clock::now() < deadline) {
      done_signal_.expires_at(deadline);
      boost::system::error_code ec;
      co_await done_signal_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (!done_) ctx_.log.error("follower did not stop in time", {{"container", name()}});
  }

 private:
  const std::string& name() const { return pipeline_->target().name; }
  const std::string& id() const { return pipeline_->target().id; }

  // Sleeps until `deadline`, container_started() or stop(); false when stopping.
  asio::awaitable<bool> pause(std::chrono::steady_clock::time_point deadline) {
    wake_.expires_at(deadline);
    boost::system::error_code ec;
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_return !stopping_;
  }

  asio::awaitable<void> run() {
    auto backoff = 1s;
    while (!stopping_) {
      if (!running_) {
        // Stopped container: hold no stream, wait for its next start.
        co_await pause(std::chrono::steady_clock::time_point::max());
        continue;
      }
      // 1. Open a stream from where reading stopped.
      docker::LogsOptions logs;
      logs.timestamps = true;
      if (auto since = pipeline_->resume_since_ns()) logs.since = std::chrono::nanoseconds(*since);
      docker::FollowOptions follow;
      follow.idle_timeout = ctx_.config.idle_timeout;
      auto opened = co_await ctx_.docker.follow_logs(id(), logs, follow);
      if (stopping_) break;
      if (!opened) {
        ctx_.metrics.stream_errors.fetch_add(1, std::memory_order_relaxed);
        bool gone = co_await container_gone();
        if (gone) break;
        ctx_.log.warn("cannot open log stream; retrying",
                      {{"container", name()}, {"error", opened.error().message()}});
        bool keep_going = co_await pause(std::chrono::steady_clock::now() + backoff);
        if (!keep_going) break;
        backoff = std::min(backoff * 2, std::chrono::seconds(30));
        continue;
      }
      backoff = 1s;

      // 2. Read until the rotation is due, or the stream ends by itself.
      pipeline_->begin_stream();
      current_ = std::make_unique<ManagedStream>(ctx_.executor, std::move(*opened), pipeline_, ctx_.queue,
                                                 ctx_.metrics);
      current_->start();
      auto due = std::chrono::steady_clock::now() + ctx_.config.rotation_interval;
      int postponed = 0;
      for (;;) {
        bool finished = co_await current_->wait_finished(due);
        if (finished || stopping_) break;
        if (pipeline_->long_line_pending() && postponed++ < kMaxRotationPostponements) {
          due += 1s;
          continue;
        }
        break;
      }
      bool rotation = !current_->finished() && !stopping_;
      co_await current_->close();
      StreamEnd end = current_->end();
      std::string error = current_->error();
      current_.reset();

      // 3. Why it ended decides what comes next.
      if (rotation) {
        ctx_.metrics.rotations.fetch_add(1, std::memory_order_relaxed);
      } else if (end == StreamEnd::idle) {
        ctx_.metrics.idle_reopens.fetch_add(1, std::memory_order_relaxed);
      } else if (end == StreamEnd::failed) {
        ctx_.metrics.stream_errors.fetch_add(1, std::memory_order_relaxed);
        ctx_.log.warn("log stream failed; reopening", {{"container", name()}, {"error", error}});
        bool keep_going = co_await pause(std::chrono::steady_clock::now() + 1s);
        if (!keep_going) break;
      } else if (end == StreamEnd::ended) {
        // The daemon ends a follow stream when the container stops, and a
        // follower racing the container's exit can end before the last lines
        // (seen with 200 busy containers stopping at once). So a stopped
        // container's log is read once more from the cursor - a stream on a
        // stopped container sends what is there and ends - before the
        // follower rests; the dedup drops what comes twice.
        bool gone = co_await container_gone();
        if (gone) break;
        bool running = co_await container_running();
        if (running) {
          swept_after_stop_ = false;
        } else if (!swept_after_stop_) {
          swept_after_stop_ = true;
        } else {
          running_ = false;
          swept_after_stop_ = false;
        }
      }
    }
  }

  asio::awaitable<bool> container_running() {
    auto info = co_await ctx_.docker.inspect_container(id());
    // On an error, assume running: a reopen that fails is retried with backoff.
    co_return !info || !*info || (*info)->state.running;
  }

  asio::awaitable<bool> container_gone() {
    auto info = co_await ctx_.docker.inspect_container(id());
    co_return info && !*info;
  }

  CollectorContext& ctx_;
  std::shared_ptr<LinePipeline> pipeline_;
  std::unique_ptr<ManagedStream> current_;
  asio::steady_timer wake_;         // a condition variable: wakes pause()
  asio::steady_timer done_signal_;  // a condition variable: run() has ended
  bool running_ = true;
  bool swept_after_stop_ = false;  // the stopped container's log was read once more
  bool stopping_ = false;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<Follower> make_managed_follower(CollectorContext& context, FollowTarget target) {
  return std::make_unique<ManagedFollower>(context, std::move(target));
}

}  // namespace leakcheck::collector
