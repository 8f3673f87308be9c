// Integration tests against the real Docker engine. Each test's containers
// carry leakcheck.run=<test run id> and are removed by the fixture.

#include <algorithm>
#include <cerrno>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "docker/json.h"
#include "support.h"

namespace leakcheck::docker::testing {
namespace {

using Clock = std::chrono::steady_clock;
using DockerEngine = EngineTest;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> sleep_for(Nanos d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(kAwait);
}

// Polls `done` every 2 ms, at most `limit`. True once it holds.
template <typename Pred>
asio::awaitable<bool> wait_until(Pred done, Nanos limit) {
  auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() >= deadline) co_return false;
    co_await sleep_for(2ms);
  }
  co_return true;
}

// Reads one pending read_some on `stream` in its own coroutine, so that the
// test can act while it is blocked. The completion handler records the end.
struct PendingRead {
  std::optional<Result<std::size_t>> result;
  Clock::time_point finished_at;
  bool done = false;
  char buffer[4096];
};

asio::awaitable<void> read_once(FollowStream& stream, std::shared_ptr<PendingRead> p) {
  auto r = co_await stream.read_some(p->buffer);
  p->result.emplace(std::move(r));
  p->finished_at = Clock::now();
}

// `slot`: where a test can emit cancellation of the reader coroutine.
std::shared_ptr<PendingRead> spawn_read(asio::any_io_executor ex, FollowStream& stream,
                                        asio::cancellation_slot slot = {}) {
  auto p = std::make_shared<PendingRead>();
  asio::co_spawn(ex, read_once(stream, p),
                 asio::bind_cancellation_slot(slot, [p](std::exception_ptr) { p->done = true; }));
  return p;
}

// ---------------------------------------------------------------------------

TEST_F(DockerEngine, NegotiatesTheLowerOfServerAndOurVersion) {
  auto info = run(client_->version());
  ASSERT_TRUE(info && *info) << (info ? info->error().message() : "");
  EXPECT_GE((*info)->api_version, kMinApiVersion);
  ASSERT_TRUE(client_->api_version());
  EXPECT_EQ(*client_->api_version(), std::min((*info)->api_version, kMaxApiVersion));

  // Capped at the floor, a client speaks exactly that, with the path prefix.
  ClientOptions capped_options;
  capped_options.max_api_version = {1, 41};
  Client capped(io_.get_executor(), client_->endpoint(), capped_options);
  auto v = run(capped.negotiate());
  ASSERT_TRUE(v && *v) << (v ? v->error().message() : "");
  EXPECT_EQ(**v, (ApiVersion{1, 41}));
  Request info_request;
  info_request.target = "/info";
  auto r = run(capped.send(info_request));
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->status, 200u);
  EXPECT_EQ(capped.pool_stats().opened, 1u);  // /version and /info on one connection
  run(capped.shutdown());
}

TEST_F(DockerEngine, CreateStartListInspectStopRemove) {
  auto s = spec({"sleep", "600"});
  s.name = run_id_ + "-web";
  auto flow = [&]() -> asio::awaitable<void> {
    Client& c = *client_;
    auto id = co_await c.create_container(s);
    EXPECT_TRUE(id) << id.error().message();
    if (!id) co_return;

    auto created = co_await c.inspect_container(*id);
    EXPECT_TRUE(created && *created);
    EXPECT_EQ((*created)->state.status, "created");
    EXPECT_FALSE((*created)->state.running);

    CO_EXPECT(c.start_container(*id));
    CO_EXPECT(c.start_container(*id));  // already started (304) is not an error

    auto info = co_await c.inspect_container(*id);
    EXPECT_TRUE(info && *info);
    EXPECT_EQ((*info)->id, *id);
    EXPECT_EQ((*info)->name, s.name);
    EXPECT_FALSE((*info)->tty);
    EXPECT_TRUE((*info)->state.running);
    EXPECT_GT((*info)->state.pid, 0);
    EXPECT_EQ((*info)->labels.at("leakcheck.run"), run_id_);

    auto by_label = co_await c.list_containers(list_options(false, our_label()));
    EXPECT_TRUE(by_label);
    EXPECT_EQ(by_label->size(), 1u);
    if (by_label->size() == 1) {
      EXPECT_EQ(by_label->front().id, *id);
      EXPECT_EQ(by_label->front().names, std::vector<std::string>{s.name});
      EXPECT_EQ(by_label->front().state, "running");
    }
    // (Option structs are built before co_await: g++ 12 rejects string
    // literals in a braced list inside a co_await expression.)
    ListOptions name_filter = list_options(false, {{"name", {s.name}}});
    auto by_name = co_await c.list_containers(name_filter);
    EXPECT_TRUE(by_name);
    EXPECT_EQ(by_name->size(), 1u);
    ListOptions nobody_filter = list_options(true, {{"label", {"leakcheck.run=" + run_id_ + "-nobody"}}});
    auto nobody = co_await c.list_containers(nobody_filter);
    EXPECT_TRUE(nobody);
    EXPECT_TRUE(nobody->empty());

    // busybox sleep as PID 1 ignores SIGTERM: SIGKILL after 1 s.
    CO_EXPECT(c.stop_container(*id, std::chrono::seconds(1)));
    CO_EXPECT(c.stop_container(*id, std::chrono::seconds(1)));  // already stopped (304)
    auto stopped = co_await c.inspect_container(*id);
    EXPECT_TRUE(stopped && *stopped);
    EXPECT_FALSE((*stopped)->state.running);
    auto running = co_await c.list_containers(list_options(false, our_label()));
    EXPECT_TRUE(running && running->empty());
    auto all = co_await c.list_containers(list_options(true, our_label()));
    EXPECT_TRUE(all && all->size() == 1u && all->front().state == "exited");

    auto removed = co_await c.remove_container(*id);
    EXPECT_TRUE(removed && *removed);
    auto again = co_await c.remove_container(*id);
    EXPECT_TRUE(again && !*again) << "a second remove finds nothing (404)";
    auto gone = co_await c.inspect_container(*id);
    EXPECT_TRUE(gone && !*gone);
  };
  run(flow(), 60s);
}

TEST_F(DockerEngine, ControlVerbs) {
  std::string id = start({"sleep", "600"});
  ASSERT_FALSE(id.empty());
  auto flow = [&]() -> asio::awaitable<void> {
    Client& c = *client_;
    CO_EXPECT(c.pause_container(id));
    auto paused = co_await c.inspect_container(id);
    EXPECT_TRUE(paused && *paused && (*paused)->state.paused);
    CO_EXPECT(c.unpause_container(id));
    CO_EXPECT(c.kill_container(id, "SIGKILL"));
    auto code = co_await c.wait_container(id, 30s);
    EXPECT_TRUE(code) << code.error().message();
    EXPECT_EQ(*code, 137);
    auto kill_again = co_await c.kill_container(id);
    EXPECT_FALSE(kill_again);
    if (!kill_again) {
      EXPECT_NE(kill_again.error().message().find(": 409 Conflict: "), std::string::npos)
          << kill_again.error().message();
    }
    CO_EXPECT(c.restart_container(id, std::chrono::seconds(1)));
    auto restarted = co_await c.inspect_container(id);
    EXPECT_TRUE(restarted && *restarted && (*restarted)->state.running);
  };
  run(flow(), 60s);
}

TEST_F(DockerEngine, NonFollowLogsAreTheExactMultiplexedBytes) {
  std::string id = start({"sh", "-c", "seq 1 3; echo oops >&2; exit 3"});
  ASSERT_FALSE(id.empty());
  auto code = run(client_->wait_container(id, 30s));
  ASSERT_TRUE(code && *code) << (code ? code->error().message() : "");
  EXPECT_EQ(**code, 3);

  LogsOptions out_only;
  out_only.include_stderr = false;
  auto out = run(client_->container_logs(id, out_only));
  ASSERT_TRUE(out && *out) << (out ? out->error().message() : "");
  EXPECT_EQ(**out, frame(1, "1\n") + frame(1, "2\n") + frame(1, "3\n"));

  LogsOptions err_only;
  err_only.include_stdout = false;
  auto err = run(client_->container_logs(id, err_only));
  ASSERT_TRUE(err && *err);
  EXPECT_EQ(**err, frame(2, "oops\n"));

  // Both: the same frames; stdout and stderr are not ordered between them.
  auto both = run(client_->container_logs(id));
  ASSERT_TRUE(both && *both);
  std::string bytes = **both;
  auto frames = take_frames(bytes);
  EXPECT_TRUE(bytes.empty());
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(std::count_if(frames.begin(), frames.end(), [](const Frame& f) { return f.stream == 2; }), 1);
}

TEST_F(DockerEngine, TtyLogsAreARawStream) {
  std::string id = start({"sh", "-c", "echo hi"}, /*tty=*/true);
  ASSERT_FALSE(id.empty());
  auto code = run(client_->wait_container(id, 30s));
  ASSERT_TRUE(code && *code);
  auto info = run(client_->inspect_container(id));
  ASSERT_TRUE(info && *info && **info);
  EXPECT_TRUE((**info)->tty);
  auto logs = run(client_->container_logs(id));
  ASSERT_TRUE(logs && *logs);
  EXPECT_EQ(**logs, "hi\r\n");  // the terminal's newline, no frame header
}

TEST_F(DockerEngine, LogsBodyLimitIsEnforced) {
  std::string id = start({"sh", "-c", "seq 1 1000"});
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(run(client_->wait_container(id, 30s)));
  ClientOptions small;
  small.logs_limit_bytes = 1000;
  Client c(io_.get_executor(), client_->endpoint(), small);
  auto logs = run(c.container_logs(id));
  ASSERT_TRUE(logs);
  ASSERT_FALSE(*logs);
  EXPECT_EQ(logs->error().code, EMSGSIZE) << logs->error().message();
  EXPECT_NE(logs->error().message().find("larger than 1000 bytes"), std::string::npos);
  run(c.shutdown());
}

TEST_F(DockerEngine, NotFoundCarriesDockersMessage) {
  const std::string nobody = "leakcheck-no-such-container";
  auto logs = run(client_->container_logs(nobody));
  ASSERT_TRUE(logs);
  ASSERT_FALSE(*logs);
  std::string prefix = "/v" + client_->api_version()->text();
  EXPECT_EQ(logs->error().message(), "GET " + prefix + "/containers/" + nobody +
                                         "/logs?stdout=1&stderr=1: 404 Not Found: No such container: " + nobody);
  auto follow = run(client_->follow_logs(nobody));
  ASSERT_TRUE(follow);
  ASSERT_FALSE(*follow);
  EXPECT_NE(follow->error().message().find("404 Not Found: No such container: " + nobody), std::string::npos)
      << follow->error().message();
  auto inspect = run(client_->inspect_container(nobody));
  ASSERT_TRUE(inspect && *inspect);
  EXPECT_FALSE(**inspect);
}

TEST_F(DockerEngine, FollowDeliversLinesAsTheContainerWritesThem) {
  std::string id = start({"sh", "-c", "for i in 1 2 3 4 5; do echo line$i; sleep 0.4; done"});
  ASSERT_FALSE(id.empty());
  struct Seen {
    std::string line;
    Clock::time_point at;
  };
  auto flow = [&]() -> asio::awaitable<std::vector<Seen>> {
    std::vector<Seen> seen;
    LogsOptions o;
    o.include_stderr = false;
    auto stream = co_await client_->follow_logs(id, o);
    EXPECT_TRUE(stream) << stream.error().message();
    if (!stream) co_return seen;
    EXPECT_EQ(stream->status(), 200u);
    std::string pending;
    char buf[256];
    for (;;) {
      auto n = co_await stream->read_some(buf);
      EXPECT_TRUE(n) << n.error().message();
      if (!n || *n == 0) break;
      pending.append(buf, *n);
      for (auto& f : take_frames(pending)) {
        seen.push_back({f.payload, Clock::now()});
        if (seen.size() == 1) {  // the stream is live: the container still runs
          auto info = co_await client_->inspect_container(id);
          EXPECT_TRUE(info && *info && (*info)->state.running);
        }
      }
    }
    EXPECT_TRUE(pending.empty());
    EXPECT_FALSE(stream->is_open()) << "the end of the body closes the stream";
    co_return seen;
  };
  auto seen = run(flow(), 30s);
  ASSERT_TRUE(seen);
  std::vector<std::string> lines;
  for (auto& s : *seen) lines.push_back(s.line);
  EXPECT_EQ(lines, (std::vector<std::string>{"line1\n", "line2\n", "line3\n", "line4\n", "line5\n"}));
  if (seen->size() == 5) {
    EXPECT_GE(seen->back().at - seen->front().at, 800ms) << "lines arrived in one batch";
  }
}

TEST_F(DockerEngine, IdleWatchdogFiresOnASilentContainer) {
  std::string id = start({"sleep", "600"});
  ASSERT_FALSE(id.empty());
  auto flow = [&]() -> asio::awaitable<void> {
    FollowOptions f;
    f.idle_timeout = 300ms;
    auto stream = co_await client_->follow_logs(id, {}, f);
    EXPECT_TRUE(stream) << stream.error().message();
    if (!stream) co_return;
    char buf[512];
    auto t0 = Clock::now();
    auto n = co_await stream->read_some(buf);
    auto elapsed = Clock::now() - t0;
    EXPECT_FALSE(n);
    if (!n) {
      EXPECT_EQ(n.error().code, ETIMEDOUT) << n.error().message();
      EXPECT_NE(n.error().message().find("no data for 300ms (idle watchdog)"), std::string::npos)
          << n.error().message();
    }
    EXPECT_GE(elapsed, 300ms);
    EXPECT_LT(elapsed, 3s);
    EXPECT_FALSE(stream->is_open());
    auto after = co_await stream->read_some(buf);
    EXPECT_TRUE(!after && after.error().code == EBADF);
  };
  run(flow(), 30s);
}

TEST_F(DockerEngine, CloseEndsABlockedReadPromptlyAndReleasesTheFd) {
  std::string id = start({"sleep", "600"});
  ASSERT_FALSE(id.empty());
  const std::size_t fds_before = count_open_fds();
  auto flow = [&]() -> asio::awaitable<void> {
    auto stream = co_await client_->follow_logs(id);  // idle watchdog 60 s: it will not fire
    EXPECT_TRUE(stream) << stream.error().message();
    if (!stream) co_return;
    EXPECT_EQ(count_open_fds(), fds_before + 1);
    auto read = spawn_read(co_await asio::this_coro::executor, *stream);
    co_await sleep_for(200ms);
    EXPECT_FALSE(read->done) << "a silent container's stream has nothing to read";
    EXPECT_TRUE(stream->read_pending());

    auto closed_at = Clock::now();
    stream->close();
    EXPECT_EQ(count_open_fds(), fds_before) << "close() releases the fd before it returns";
    CO_EXPECT(wait_until([&] { return read->done; }, 2s));
    EXPECT_TRUE(read->result && !*read->result);
    if (read->result && !*read->result) {
      EXPECT_EQ(read->result->error().code, ECANCELED);
    }
    EXPECT_LT(read->finished_at - closed_at, 100ms);
    EXPECT_FALSE(stream->read_pending());
  };
  run(flow(), 30s);
  EXPECT_EQ(count_open_fds(), fds_before);
}

TEST_F(DockerEngine, CancellationSignalEndsABlockedRead) {
  std::string id = start({"sleep", "600"});
  ASSERT_FALSE(id.empty());
  const std::size_t fds_before = count_open_fds();
  auto flow = [&]() -> asio::awaitable<void> {
    auto stream = co_await client_->follow_logs(id);
    EXPECT_TRUE(stream) << stream.error().message();
    if (!stream) co_return;
    asio::cancellation_signal cancel;
    auto read = spawn_read(co_await asio::this_coro::executor, *stream, cancel.slot());
    co_await sleep_for(100ms);
    EXPECT_TRUE(stream->read_pending());
    auto cancelled_at = Clock::now();
    cancel.emit(asio::cancellation_type::terminal);
    CO_EXPECT(wait_until([&] { return read->done; }, 2s));
    EXPECT_TRUE(read->result && !*read->result);
    if (read->result && !*read->result) {
      EXPECT_EQ(read->result->error().code, ECANCELED);
    }
    EXPECT_LT(read->finished_at - cancelled_at, 100ms);
    EXPECT_FALSE(stream->is_open()) << "a cancelled read closes the stream";
    EXPECT_EQ(count_open_fds(), fds_before);
  };
  run(flow(), 30s);
}

TEST_F(DockerEngine, HundredFollowStreamsOpenedAndClosedLeaveNoFd) {
  std::string id = start({"sleep", "600"});
  ASSERT_FALSE(id.empty());
  const auto pool_before = client_->pool_stats();
  const std::size_t fds_before = count_open_fds();
  auto flow = [&]() -> asio::awaitable<int> {
    int clean = 0;
    for (int i = 0; i < 100; ++i) {
      auto stream = co_await client_->follow_logs(id);
      if (!stream) {
        ADD_FAILURE() << "stream " << i << ": " << stream.error().message();
        co_return clean;
      }
      auto read = spawn_read(co_await asio::this_coro::executor, *stream);
      if (!co_await wait_until([&] { return stream->read_pending(); }, 2s)) co_return clean;
      stream->close();
      if (!co_await wait_until([&] { return read->done; }, 2s)) co_return clean;
      if (read->result && !*read->result && read->result->error().code == ECANCELED &&
          count_open_fds() == fds_before)
        ++clean;
    }
    co_return clean;
  };
  auto clean = run(flow(), 60s);
  ASSERT_TRUE(clean);
  EXPECT_EQ(*clean, 100) << "streams that ended with ECANCELED and left the fd count as before";
  EXPECT_EQ(count_open_fds(), fds_before);
  EXPECT_EQ(client_->pool_stats().opened, pool_before.opened) << "follow streams never use the pool";
}

TEST_F(DockerEngine, EventsStreamReportsAStart) {
  const ContainerSpec sleeper = spec({"sleep", "600"});
  auto flow = [&]() -> asio::awaitable<void> {
    EventsOptions o;
    o.filters = {{"type", {"container"}}, {"event", {"start"}}, {"label", {"leakcheck.run=" + run_id_}}};
    FollowOptions f;
    f.idle_timeout = 20s;
    auto events = co_await client_->events(o, f);
    EXPECT_TRUE(events) << events.error().message();
    if (!events) co_return;
    auto id = co_await client_->create_container(sleeper);
    EXPECT_TRUE(id) << id.error().message();
    if (!id) co_return;
    CO_EXPECT(client_->start_container(*id));
    std::string line;
    char buf[1024];
    while (line.find('\n') == std::string::npos) {
      auto n = co_await events->read_some(buf);
      EXPECT_TRUE(n && *n > 0) << (n ? std::string("end of stream") : n.error().message());
      if (!n || *n == 0) co_return;
      line.append(buf, *n);
    }
    auto event = parse_event(line.substr(0, line.find('\n')));
    EXPECT_TRUE(event) << event.error().message();
    if (!event) co_return;
    EXPECT_EQ(event->type, "container");
    EXPECT_EQ(event->action, "start");
    EXPECT_EQ(event->actor_id, *id);
    EXPECT_EQ(event->attributes["leakcheck.run"], run_id_);
    EXPECT_GT(event->time_nano, 0);
  };
  run(flow(), 30s);
}

TEST_F(DockerEngine, SequentialRequestsReuseOneConnection) {
  Client c(io_.get_executor(), client_->endpoint());
  auto flow = [&]() -> asio::awaitable<void> {
    CO_EXPECT(c.negotiate());
    for (int i = 0; i < 10; ++i) {
      CO_EXPECT(c.list_containers(list_options(true, our_label())));
      CO_EXPECT(c.version());
    }
    CO_EXPECT(c.inspect_container("leakcheck-no-such-container"));  // a 404 keeps the connection
  };
  run(flow(), 30s);
  auto s = c.pool_stats();
  EXPECT_EQ(s.opened, 1u);
  EXPECT_EQ(s.reused, 21u);
  EXPECT_EQ(s.closed, 0u);
  EXPECT_EQ(s.idle, 1u);
  EXPECT_EQ(s.in_use, 0u);
  auto down = run(c.shutdown());
  ASSERT_TRUE(down && *down);
  EXPECT_EQ(c.pool_stats().closed, 1u);
  EXPECT_EQ(c.pool_stats().idle, 0u);
}

TEST_F(DockerEngine, ConcurrentRequestsStayWithinThePoolBound) {
  ClientOptions o;
  o.pool.max_connections = 2;
  Client c(io_.get_executor(), client_->endpoint(), o);
  ASSERT_TRUE(run(c.negotiate()));
  auto flow = [&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    int ok = 0, finished = 0;
    auto one = [&]() -> asio::awaitable<void> {
      if (co_await c.list_containers(list_options(true, our_label()))) ++ok;
    };
    for (int i = 0; i < 10; ++i) asio::co_spawn(ex, one(), [&](std::exception_ptr) { ++finished; });
    co_await asio::post(ex, asio::use_awaitable);  // every request has reached the pool
    auto busy = c.pool_stats();
    EXPECT_EQ(busy.in_use, 2u);
    EXPECT_EQ(busy.idle, 0u);
    EXPECT_EQ(busy.waiting, 8u);
    CO_EXPECT(wait_until([&] { return finished == 10; }, 20s));
    EXPECT_EQ(ok, 10);
  };
  run(flow(), 30s);
  auto s = c.pool_stats();
  EXPECT_EQ(s.opened, 2u);  // the one from negotiate() was idle and taken first
  EXPECT_EQ(s.reused, 9u);
  EXPECT_EQ(s.closed, 0u);
  EXPECT_EQ(s.idle, 2u);
  EXPECT_EQ(s.waiting, 0u);
  run(c.shutdown());
}

TEST_F(DockerEngine, IdleConnectionsCloseAfterTheIdleTimeout) {
  ClientOptions o;
  o.pool.idle_timeout = 200ms;
  Client c(io_.get_executor(), client_->endpoint(), o);
  auto flow = [&]() -> asio::awaitable<void> {
    CO_EXPECT(c.ping());
    EXPECT_EQ(c.pool_stats().idle, 1u);
    co_await sleep_for(400ms);  // the sweep timer closes it; no request needed
    auto s = c.pool_stats();
    EXPECT_EQ(s.idle, 0u);
    EXPECT_EQ(s.closed, 1u);
    EXPECT_EQ(s.expired, 1u);
    CO_EXPECT(c.ping());
    EXPECT_EQ(c.pool_stats().opened, 2u);
  };
  run(flow(), 30s);
  run(c.shutdown());
}

}  // namespace
}  // namespace leakcheck::docker::testing
