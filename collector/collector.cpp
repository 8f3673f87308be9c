#include "collector/collector.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "collector/cursor_keeper.h"
#include "collector/discovery.h"
#include "collector/metrics.h"
#include "collector/preflight.h"
#include "collector/record_queue.h"
#include "collector/shipper.h"
#include "collector/sinks.h"
#include "docker/client.h"
#include "httpd/server.h"
#include "probes/sampler.h"
#include "util/io_main.h"

namespace leakcheck::collector {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

struct StartError {
  int exit_code;
  std::string message;
};

// /metrics and /healthz.
httpd::Handler metrics_handler(CollectorMetrics& metrics, RecordQueue& queue, docker::Client& client,
                               const CollectorConfig& config) {
  auto sampler = std::make_shared<probes::Sampler>();
  return [&, sampler](httpd::Request request) -> asio::awaitable<httpd::Response> {
    if (request.target == "/healthz") co_return httpd::Response(200, "text/plain; charset=utf-8", "ok\n");
    if (request.target != "/metrics") co_return httpd::Response(404, "text/plain; charset=utf-8", "not found\n");
    ScrapeFigures f;
    f.queue_depth = queue.depth();
    f.queue_bytes = queue.bytes();
    f.queue_capacity = config.queue_max_lines;
    auto pool = client.pool_stats();
    f.docker_connections_opened = pool.opened;
    f.docker_connections_reused = pool.reused;
    f.docker_connections_idle = pool.idle;
    probes::SampleOptions own;
    own.with_pss = false;
    auto sampled = sampler->sample(::getpid(), own);
    if (auto* self = std::get_if<probes::ProcessSnapshot>(&sampled)) {
      f.own_fds = static_cast<int64_t>(self->total.fds.total);
      f.own_threads = static_cast<int64_t>(self->total.threads_total);
      f.own_rss_bytes = static_cast<int64_t>(self->total.memory.rss_bytes);
    }
    co_return httpd::Response(200, "text/plain; version=0.0.4; charset=utf-8", render_metrics(metrics, f));
  };
}

// How long cursors may stay unsaved (every save failing: a full or read-only
// state dir) before the collector stops with exit 3.
constexpr std::chrono::nanoseconds kCursorSaveGiveUp = 30s;

// Saves the cursors that moved, every `interval` (0: the shipper saves after
// every batch, and this retries failed saves every second), until
// `stopping`. A failed save leaves the previous file in place and is retried.
// Once cursors have stayed unsaved for kCursorSaveGiveUp (or 3 intervals, if
// longer) it sets `gave_up` and returns: shipping on would only let the
// persisted cursors fall further behind (nothing is lost, but every line
// shipped meanwhile is shipped again after a restart).
asio::awaitable<void> save_cursors(CursorKeeper& cursors, std::chrono::nanoseconds interval, const bool& stopping,
                                   asio::steady_timer& wake, bool& gave_up, const std::string& state_dir,
                                   Logger& log) {
  const std::chrono::nanoseconds tick = interval > 0ns ? interval : std::chrono::nanoseconds(1s);
  const std::chrono::nanoseconds give_up_after = std::max(kCursorSaveGiveUp, 3 * tick);
  std::optional<std::chrono::steady_clock::time_point> failing_since;
  std::string last_error = "an earlier save failed";
  while (!stopping) {
    wake.expires_after(tick);
    boost::system::error_code ec;
    co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (stopping) break;
    auto saved = cursors.flush();  // a no-op when nothing moved
    if (!saved) {
      last_error = saved.error().message();
      if (!failing_since)  // once per outage, not every tick
        log.error("cannot persist cursor; the previous one stays in place and is retried", {{"error", last_error}});
    }
    if (cursors.unsaved_lines() == 0) {
      if (failing_since) log.info("cursors persisted again", {{"state_dir", state_dir}});
      failing_since.reset();
      continue;
    }
    auto now = std::chrono::steady_clock::now();
    if (!failing_since) failing_since = now;
    if (now - *failing_since < give_up_after) continue;
    log.error("cursors could not be persisted; stopping (exit 3). The cursor files already saved are intact: "
              "after a restart nothing is lost, and lines since the last save are delivered again",
              {{"state_dir", state_dir}, {"for", format_duration(give_up_after)}, {"error", last_error}});
    gave_up = true;
    co_return;
  }
}

// Waits on a timer used as a condition variable until `done` or `deadline`.
asio::awaitable<void> wait_for(const bool& done, asio::steady_timer& signal, std::chrono::steady_clock::time_point deadline) {
  while (!done && std::chrono::steady_clock::now() < deadline) {
    signal.expires_at(deadline);
    boost::system::error_code ec;
    co_await signal.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<int> collector_main(const CollectorConfig& config, Logger& log) {
  auto executor = co_await asio::this_coro::executor;
  CollectorMetrics metrics;
  // Taken from the very start: a SIGTERM during start-up is a clean stop
  // once the collector runs, not a kill (asio holds it for the wait below).
  asio::signal_set signals(executor, SIGINT, SIGTERM);

  // 1. Everything that can be wrong at start, each with one clear message.
  auto endpoint = docker::parse_endpoint(config.docker_host);
  if (!endpoint) {
    log.error("bad docker host", {{"error", endpoint.error().message()}});
    co_return kCollectorConfigError;
  }
  CursorKeeper cursors(CursorStore(config.state_dir), metrics);
  if (auto writable = cursors.check_writable(); !writable) {
    log.error("cannot use the state dir", {{"error", writable.error().message()}});
    co_return kCollectorConfigError;  // a bad --state-dir, like any other bad setting
  }
  if (auto loaded = cursors.load(); !loaded) {
    log.error("cannot read the cursors", {{"error", loaded.error().message()}});
    co_return kCollectorStateError;
  }
  docker::Client client(executor, *endpoint);
  auto version = co_await client.negotiate();
  if (!version) {
    std::string hint = docker_access_hint(version.error(), *endpoint);
    log.error(hint.empty() ? "the Docker engine is unreachable" : hint,
              {{"docker_host", endpoint->text()}, {"error", version.error().message()}});
    co_await client.shutdown(1s);
    co_return kCollectorConfigError;
  }
  auto sink = make_sink(executor, config.sink);
  if (!sink) {
    log.error("cannot open the sink", {{"error", sink.error().message()}});
    co_await client.shutdown(1s);
    co_return kCollectorConfigError;
  }
  // A sink that does not answer now is most often a wrong URL: say so at
  // once, unless told it may come later.
  auto reachable = co_await probe_sink(executor, config.sink, kSinkProbeTimeout);
  if (!reachable && config.sink.wait) {
    log.warn("the sink does not answer yet; starting anyway (--sink-wait) and retrying until it does",
             {{"error", reachable.error().message()}});
  } else if (!reachable) {
    log.error("the sink is unreachable; start anyway with --sink-wait (config sink.wait: true)",
              {{"error", reachable.error().message()}});
    co_await (*sink)->shutdown();
    co_await client.shutdown(1s);
    co_return kCollectorConfigError;
  }
  RecordQueue queue(executor, QueueLimits{config.queue_max_lines, 64u << 20});
  std::unique_ptr<httpd::Server> server;
  if (config.metrics_listen != "off") {
    httpd::ServerOptions options;
    options.listen = config.metrics_listen;
    options.max_connections = 16;
    server = std::make_unique<httpd::Server>(executor, options, metrics_handler(metrics, queue, client, config));
    if (auto listening = server->start(); !listening) {
      log.error("cannot serve /metrics", {{"metrics_listen", config.metrics_listen}, {"error", listening.error().message()}});
      co_return kCollectorConfigError;
    }
  }

  // 2. Run: discovery feeds followers, followers feed the queue, the shipper drains it.
  CollectorContext context{executor, config, client, queue, cursors, metrics, log};
  Discovery discovery(context, config.strategy == "naive" ? &make_naive_follower : &make_managed_follower);
  auto listed = co_await discovery.initial();
  if (!listed) {
    log.error("cannot list containers", {{"error", listed.error().message()}});
    co_await discovery.stop();
    if (server) co_await server->stop();
    co_return kCollectorConfigError;
  }
  discovery.start();
  std::string dead_letter = config.sink.dead_letter_path.empty() ? config.state_dir + "/dead-letter.ndjson"
                                                                  : config.sink.dead_letter_path;
  Shipper shipper(queue, **sink, cursors, config.sink, config.cursor_save_interval, dead_letter, metrics, log);
  bool shipper_done = false;
  asio::steady_timer shipper_signal(executor);
  asio::cancellation_signal shipper_cancel;
  asio::co_spawn(executor, shipper.run(), asio::bind_cancellation_slot(shipper_cancel.slot(), [&](std::exception_ptr) {
                   shipper_done = true;
                   shipper_signal.cancel();
                 }));
  bool saver_stopping = false, saver_done = false, cursors_lost = false;
  asio::steady_timer saver_wake(executor), saver_signal(executor);
  asio::co_spawn(executor,
                 save_cursors(cursors, config.cursor_save_interval, saver_stopping, saver_wake, cursors_lost,
                              config.state_dir, log),
                 [&](std::exception_ptr) {
                   saver_done = true;
                   saver_signal.cancel();
                   if (cursors_lost) signals.cancel();  // ends the wait for a signal: shut down
                 });
  log.info("collector running",
           {{"strategy", config.strategy}, {"docker_host", endpoint->text()}, {"sink", config.sink.kind},
            {"containers", std::to_string(discovery.followed())},
            {"metrics", server ? "127.0.0.1:" + std::to_string(server->port()) : "off"},
            {"rotation_interval", format_duration(config.rotation_interval)}});

  // 3. Until SIGTERM/SIGINT, or cursors that cannot be saved; a second
  // signal ends the process at once.
  boost::system::error_code ec;
  int signo = co_await signals.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  signals.async_wait([](boost::system::error_code error, int second) {
    if (!error) ::_exit(128 + second);
  });
  log.info("shutting down", {{"reason", cursors_lost ? "cursors could not be persisted" : "signal " + std::to_string(signo)}});

  // 4. Stop intake, drain and flush, then close everything.
  auto deadline = std::chrono::steady_clock::now() + config.shutdown_timeout;
  co_await discovery.stop();
  queue.close();
  // With cursors that cannot be saved, every line shipped now would be
  // shipped again after the restart: stop at once rather than drain.
  if (cursors_lost) shipper_cancel.emit(asio::cancellation_type::terminal);
  co_await wait_for(shipper_done, shipper_signal, deadline);
  if (!shipper_done) {
    // The sink did not take everything in time: what is left stays
    // unacknowledged and is read again after a restart.
    log.warn("sink did not drain in time; unsent lines will be read again at the next start",
             {{"queued", std::to_string(queue.depth())}});
    shipper_cancel.emit(asio::cancellation_type::terminal);
    co_await wait_for(shipper_done, shipper_signal, std::chrono::steady_clock::now() + 1s);
  }
  // Everything the sink accepted is acknowledged now: save it all, so a
  // restart repeats nothing.
  saver_stopping = true;
  saver_wake.cancel();
  co_await wait_for(saver_done, saver_signal, std::chrono::steady_clock::now() + 1s);
  bool persisted = true;
  if (auto saved = cursors.flush(); !saved) {
    log.error("cannot persist cursors at shutdown; lines since the last save will be delivered again",
              {{"error", saved.error().message()}});
    persisted = false;
  }
  co_await (*sink)->shutdown();
  if (server) co_await server->stop(1s);
  co_await client.shutdown(1s);
  signals.cancel();
  log.info("stopped", {{"lines", std::to_string(metrics.sink_lines.load())},
                       {"rotations", std::to_string(metrics.rotations.load())},
                       {"close_timeouts", std::to_string(metrics.close_timeouts.load())}});
  co_return persisted && !cursors_lost ? kCollectorOk : kCollectorStateError;
}

}  // namespace

int run_collector(const CollectorConfig& config, Logger& log) {
  // Signals are taken by the io_context; nothing else may see them first.
  return run_io_main(collector_main(config, log), kCollectorFatal, log);
}

}  // namespace leakcheck::collector
