#include "collector/shipper.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace leakcheck::collector {

namespace asio = boost::asio;

Shipper::Shipper(RecordQueue& queue, Sink& sink, CursorKeeper& cursors, const SinkConfig& config,
                 Nanos cursor_save_interval, std::string dead_letter_path, CollectorMetrics& metrics, Logger& log)
    : queue_(queue),
      sink_(sink),
      cursors_(cursors),
      config_(config),
      save_every_batch_(cursor_save_interval == Nanos::zero()),
      dead_letter_path_(std::move(dead_letter_path)),
      metrics_(metrics),
      log_(log) {}

asio::awaitable<void> Shipper::run() {
  for (;;) {
    auto batch = co_await queue_.pop_batch(config_.batch_max_lines, config_.batch_max_bytes, config_.batch_max_age);
    if (batch.empty()) co_return;  // closed and drained, or cancelled
    bool delivered = co_await deliver(batch);
    if (!delivered) co_return;
    cursors_.acknowledge(batch);
    if (!save_every_batch_) continue;
    if (auto saved = cursors_.flush(); !saved)
      log_.error("cannot persist cursor; the previous one stays in place and is retried", {{"error", saved.error().message()}});
  }
}

// True once the batch was accepted or dead-lettered; false when cancelled.
asio::awaitable<bool> Shipper::deliver(std::vector<LogRecord>& batch) {
  auto backoff = config_.retry_initial_backoff;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    SinkResult result = co_await sink_.send(batch);
    if (result.outcome == SinkOutcome::accepted) {
      metrics_.sink_batches.fetch_add(1, std::memory_order_relaxed);
      metrics_.sink_lines.fetch_add(batch.size(), std::memory_order_relaxed);
      co_return true;
    }
    metrics_.sink_errors.fetch_add(1, std::memory_order_relaxed);
    if (result.outcome == SinkOutcome::rejected) {
      // It would be refused for ever; keep it where a person can find it and move on.
      log_.error("sink rejected a batch for good; written to the dead-letter file",
                 {{"lines", std::to_string(batch.size())}, {"detail", result.detail}, {"file", dead_letter_path_}});
      if (auto kept = append_ndjson(dead_letter_path_, batch); !kept)
        log_.error("cannot write the dead-letter file", {{"error", kept.error().message()}});
      metrics_.dead_lettered_lines.fetch_add(batch.size(), std::memory_order_relaxed);
      co_return true;
    }
    // Exponential backoff with full jitter in [backoff/2, backoff], capped.
    auto wait = backoff / 2 + std::chrono::nanoseconds(std::uniform_int_distribution<int64_t>(
                                  0, std::max<int64_t>(1, (backoff / 2).count()))(jitter_));
    log_.warn("sink failed; retrying", {{"detail", result.detail}, {"in_ms", std::to_string(wait.count() / 1'000'000)}});
    timer.expires_after(wait);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return false;  // cancelled: shutting down without the sink
    metrics_.sink_retries.fetch_add(1, std::memory_order_relaxed);
    backoff = std::min(backoff * 2, config_.retry_max_backoff);
  }
}

}  // namespace leakcheck::collector
