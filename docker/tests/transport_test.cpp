// The transport against in-test HTTP servers on 127.0.0.1 (they run as
// coroutines on the test's io_context: no threads), and over TCP to the real
// engine through an in-test proxy.

#include <cerrno>
#include <functional>
#include <list>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "support.h"

namespace leakcheck::docker::testing {
namespace {

using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> sleep_for(Nanos d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(kAwait);
}

template <typename Pred>
asio::awaitable<bool> wait_until(Pred done, Nanos limit) {
  auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() >= deadline) co_return false;
    co_await sleep_for(2ms);
  }
  co_return true;
}

std::string reply(unsigned status, std::string reason, std::string body,
                  std::string extra_headers = "Content-Type: application/json\r\n") {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

struct Outcome {
  std::optional<Status> status;
  bool threw = false;
  Clock::time_point at;
};

// A coroutine function, not a capturing lambda: a lambda called on the spot
// would leave the coroutine with dangling captures.
asio::awaitable<void> ping_into(Client& c, Outcome& out) { out.status.emplace(co_await c.ping()); }

// A scripted HTTP/1.1 server. `respond(head, n)` gets each request head and
// its index on its connection (0, 1, ...) and says what to do.
class FakeServer {
 public:
  struct Action {
    std::string bytes;          // written as is
    bool close_after = false;   // then close the connection (an idle close)
    bool silent = false;        // write nothing, keep the connection open
    std::vector<std::string> then = {};  // written after `bytes`, each 20 ms after the one before
  };
  using Script = std::function<Action(const std::string& head, int index)>;
  static Action say(std::string bytes) { return Action{std::move(bytes), false, false}; }
  // `first`, then each of `pieces` 20 ms apart; the connection stays open.
  static Action say_in_pieces(std::string first, std::vector<std::string> pieces) {
    Action a = say(std::move(first));
    a.then = std::move(pieces);
    return a;
  }
  static Action say_and_close(std::string bytes) { return Action{std::move(bytes), true, false}; }
  static Action hang_up() { return Action{{}, true, false}; }
  static Action silence() { return Action{{}, false, true}; }

  FakeServer(asio::io_context& io, Script script)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), script_(std::move(script)) {
    asio::co_spawn(io, accept_loop(), [this](std::exception_ptr) { --live_; });
    ++live_;
  }
  ~FakeServer() { stop(); }

  Endpoint endpoint() const {
    return *parse_endpoint("tcp://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()));
  }
  // Closes the listener and every connection; run the io_context until live() is 0.
  void stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto& s : sockets_) s.close(ignored);
  }
  int live() const { return live_; }

  std::vector<std::string> request_lines;
  int accepted = 0;
  int closed = 0;

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kAwait);
      if (ec) co_return;
      ++accepted;
      sockets_.push_back(std::move(socket));
      ++live_;
      asio::co_spawn(acceptor_.get_executor(), session(sockets_.back()), [this](std::exception_ptr) { --live_; });
    }
  }

  asio::awaitable<void> session(tcp::socket& socket) {
    asio::streambuf in;
    for (int index = 0;; ++index) {
      auto [ec, n] = co_await asio::async_read_until(socket, in, "\r\n\r\n", kAwait);
      if (ec) break;
      std::string head(asio::buffers_begin(in.data()), asio::buffers_begin(in.data()) + n);
      in.consume(n);
      std::size_t length = 0;
      if (auto at = head.find("Content-Length: "); at != std::string::npos) length = std::stoul(head.substr(at + 16));
      if (length > in.size()) {
        auto [bec, bn] = co_await asio::async_read(socket, in, asio::transfer_exactly(length - in.size()), kAwait);
        if (bec) break;
      }
      in.consume(length);
      request_lines.push_back(head.substr(0, head.find("\r\n")));
      Action a = script_(head, index);
      if (a.silent) continue;  // the next read waits for EOF from the client
      auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(a.bytes), kAwait);
      for (const std::string& piece : a.then) {
        if (wec) break;
        co_await sleep_for(20ms);  // the client sees each piece in a read of its own
        auto [piece_ec, piece_n] = co_await asio::async_write(socket, asio::buffer(piece), kAwait);
        wec = piece_ec;
      }
      if (wec || a.close_after) break;
    }
    boost::system::error_code ignored;
    socket.close(ignored);
    ++closed;
  }

  tcp::acceptor acceptor_;
  Script script_;
  std::list<tcp::socket> sockets_;  // stable addresses for the sessions
  int live_ = 0;
};

// Runs the io_context until the server's coroutines are gone.
void drain(asio::io_context& io, FakeServer& server) {
  server.stop();
  io.restart();
  auto deadline = Clock::now() + 5s;
  while (server.live() > 0 && Clock::now() < deadline) io.run_one_until(deadline);
  EXPECT_EQ(server.live(), 0);
}

Request make_request(std::string method, std::string target) {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  return r;
}

const std::string kVersion141 = reply(200, "OK", R"({"Version":"20.10","ApiVersion":"1.41"})");

// ---------------------------------------------------------------------------

TEST(Transport, MissingUnixSocketIsAClearError) {
  asio::io_context io;
  Client c(io.get_executor(), *parse_endpoint("unix:///nonexistent-leakcheck/docker.sock"));
  auto r = run_for(io, c.ping(), 10s);
  ASSERT_TRUE(r);
  ASSERT_FALSE(*r);
  EXPECT_EQ(r->error().code, ENOENT);
  EXPECT_EQ(r->error().message(),
            "unix:///nonexistent-leakcheck/docker.sock: GET /_ping: connecting: No such file or directory");
  EXPECT_EQ(c.pool_stats().in_use, 0u);
}

TEST(Transport, RefusedTcpConnection) {
  asio::io_context io;
  std::uint16_t port;
  {
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }  // closed: nobody listens there now
  Client c(io.get_executor(), *parse_endpoint("tcp://127.0.0.1:" + std::to_string(port)));
  auto r = run_for(io, c.ping(), 10s);
  ASSERT_TRUE(r);
  ASSERT_FALSE(*r);
  EXPECT_EQ(r->error().code, ECONNREFUSED) << r->error().message();
}

TEST(Transport, VersionIsNegotiatedAndPrefixed) {
  asio::io_context io;
  FakeServer server(io, [](const std::string& head, int) {
    if (head.starts_with("GET /version ")) return FakeServer::say(reply(200, "OK", R"({"ApiVersion":"1.45"})"));
    return FakeServer::say(reply(200, "OK", "[]"));
  });
  {
    Client c(io.get_executor(), server.endpoint());
    auto list = run_for(io, c.list_containers(), 10s);
    ASSERT_TRUE(list && *list) << (list ? list->error().message() : "");
    EXPECT_EQ(c.api_version(), kMaxApiVersion);
    ASSERT_EQ(server.request_lines.size(), 2u);
    EXPECT_EQ(server.request_lines[0], "GET /version HTTP/1.1");
    EXPECT_EQ(server.request_lines[1], "GET /v" + kMaxApiVersion.text() + "/containers/json HTTP/1.1");
    run_for(io, c.shutdown(), 5s);
  }
  drain(io, server);
}

TEST(Transport, EngineBelowTheFloorIsRefused) {
  asio::io_context io;
  FakeServer server(io, [](const std::string&, int) {
    return FakeServer::say(reply(200, "OK", R"({"ApiVersion":"1.40"})"));
  });
  {
    Client c(io.get_executor(), server.endpoint());
    auto list = run_for(io, c.list_containers(), 10s);
    ASSERT_TRUE(list);
    ASSERT_FALSE(*list);
    EXPECT_EQ(list->error().message(), server.endpoint().text() +
                                           ": Docker engine speaks API 1.40, leakcheck needs at least 1.41 "
                                           "(Docker 20.10)");
    EXPECT_EQ(server.request_lines.size(), 1u) << "nothing is sent after a failed negotiation";
    run_for(io, c.shutdown(), 5s);
  }
  drain(io, server);
}

TEST(Transport, ResponseHeaderDeadline) {
  asio::io_context io;
  FakeServer server(io, [](const std::string&, int) { return FakeServer::silence(); });
  {
    ClientOptions o;
    o.limits.header_timeout = 200ms;
    Client c(io.get_executor(), server.endpoint(), o);
    auto t0 = Clock::now();
    auto r = run_for(io, c.ping(), 10s);
    auto elapsed = Clock::now() - t0;
    ASSERT_TRUE(r);
    ASSERT_FALSE(*r);
    EXPECT_EQ(r->error().code, ETIMEDOUT);
    EXPECT_NE(r->error().message().find("waiting for response header (deadline 200ms)"), std::string::npos)
        << r->error().message();
    EXPECT_GE(elapsed, 200ms);
    EXPECT_LT(elapsed, 2s);
    auto s = c.pool_stats();
    EXPECT_EQ(s.opened, 1u);
    EXPECT_EQ(s.closed, 1u) << "a timed-out connection is not reused";
    EXPECT_EQ(s.in_use + s.idle, 0u);
    run_for(io, c.shutdown(), 5s);
  }
  drain(io, server);
}

TEST(Transport, BodyLimit) {
  asio::io_context io;
  FakeServer server(io, [](const std::string& head, int) {
    if (head.starts_with("GET /version ")) return FakeServer::say(kVersion141);
    return FakeServer::say(reply(200, "OK", std::string(2000, 'x')));
  });
  {
    ClientOptions o;
    o.limits.body_limit_bytes = 100;
    Client c(io.get_executor(), server.endpoint(), o);
    auto r = run_for(io, c.list_containers(), 10s);
    ASSERT_TRUE(r);
    ASSERT_FALSE(*r);
    EXPECT_EQ(r->error().code, EMSGSIZE);
    EXPECT_NE(r->error().message().find("response body larger than 100 bytes"), std::string::npos)
        << r->error().message();
    run_for(io, c.shutdown(), 5s);
  }
  drain(io, server);
}

TEST(Transport, IdleConnectionClosedByTheServerIsDetectedAndDiscarded) {
  asio::io_context io;
  FakeServer server(io, [](const std::string&, int) { return FakeServer::say_and_close(kVersion141); });
  {
    Client c(io.get_executor(), server.endpoint());
    auto flow = [&]() -> asio::awaitable<void> {
      CO_EXPECT(c.ping());
      CO_EXPECT(wait_until([&] { return server.closed == 1; }, 2s));
      EXPECT_EQ(c.pool_stats().idle, 1u) << "the client has not noticed yet";
      CO_EXPECT(c.ping());
    };
    run_for(io, flow(), 10s);
    auto s = c.pool_stats();
    EXPECT_EQ(s.stale, 1u);
    EXPECT_EQ(s.opened, 2u);
    EXPECT_EQ(s.reused, 0u);
    run_for(io, c.shutdown(), 5s);
  }
  drain(io, server);
}

TEST(Transport, ReadOnlyRequestIsRetriedOnceWhenAReusedConnectionDies) {
  asio::io_context io;
  // The second request on a connection is met with a close, as when the
  // daemon's idle close crosses our request on the wire.
  FakeServer server(io, [](const std::string&, int index) {
    if (index == 1) return FakeServer::hang_up();
    return FakeServer::say(kVersion141);
  });
  {
    Client c(io.get_executor(), server.endpoint());
    const Request post_x = make_request("POST", "/x");
    auto flow = [&]() -> asio::awaitable<void> {
      CO_EXPECT(c.negotiate());
      auto again = co_await c.ping();  // reused, closed without reply, retried on a new connection
      EXPECT_TRUE(again) << again.error().message();
      auto post = co_await c.send(post_x);  // reused, dies: no retry
      EXPECT_FALSE(post);
      if (!post) {
        EXPECT_EQ(post.error().code, ECONNRESET) << post.error().message();
      }
    };
    run_for(io, flow(), 10s);
    EXPECT_EQ(c.pool_stats().opened, 2u);
    EXPECT_EQ(server.request_lines,
              (std::vector<std::string>{"GET /version HTTP/1.1", "GET /_ping HTTP/1.1", "GET /_ping HTTP/1.1",
                                        "POST /v1.41/x HTTP/1.1"}));
    run_for(io, c.shutdown(), 5s);
  }
  drain(io, server);
}

TEST(Transport, WaitingForAFreeConnectionIsBounded) {
  asio::io_context io;
  FakeServer server(io, [](const std::string&, int) { return FakeServer::silence(); });
  {
    ClientOptions o;
    o.pool.max_connections = 1;
    o.pool.acquire_timeout = 100ms;
    o.limits.header_timeout = 2s;
    Client c(io.get_executor(), server.endpoint(), o);
    auto flow = [&]() -> asio::awaitable<void> {
      auto ex = co_await asio::this_coro::executor;
      bool first_done = false;
      Outcome first;
      asio::co_spawn(ex, ping_into(c, first), [&](std::exception_ptr) { first_done = true; });
      co_await sleep_for(20ms);
      auto t0 = Clock::now();
      auto second = co_await c.ping();
      auto waited = Clock::now() - t0;
      EXPECT_FALSE(second);
      if (!second) {
        EXPECT_EQ(second.error().code, ETIMEDOUT);
        EXPECT_NE(second.error().message().find("no free connection within 100ms (all 1 in use)"),
                  std::string::npos)
            << second.error().message();
      }
      EXPECT_GE(waited, 100ms);
      EXPECT_LT(waited, 1s);
      // Shutdown aborts the request in flight at once and waits for it.
      auto t1 = Clock::now();
      auto down = co_await c.shutdown(2s);
      EXPECT_TRUE(down) << down.error().message();
      EXPECT_LT(Clock::now() - t1, 500ms);
      CO_EXPECT(wait_until([&] { return first_done; }, 1s));
      EXPECT_EQ(c.pool_stats().in_use, 0u);
    };
    run_for(io, flow(), 10s);
  }
  drain(io, server);
}

TEST(Transport, CancellingARequestEndsItWithECANCELED) {
  asio::io_context io;
  FakeServer server(io, [](const std::string&, int) { return FakeServer::silence(); });
  {
    ClientOptions o;
    o.pool.max_connections = 1;
    Client c(io.get_executor(), server.endpoint(), o);
    auto flow = [&]() -> asio::awaitable<void> {
      auto ex = co_await asio::this_coro::executor;
      // One request blocked on the silent server, one waiting for the only connection.
      asio::cancellation_signal cancel_sent, cancel_waiting;
      Outcome sent, waiting;
      auto spawn = [&](asio::cancellation_signal& sig, Outcome& out) {
        asio::co_spawn(
            ex, ping_into(c, out),
            asio::bind_cancellation_slot(sig.slot(), [&](std::exception_ptr e) {
              out.threw = e != nullptr;
              out.at = Clock::now();
            }));
      };
      spawn(cancel_sent, sent);
      spawn(cancel_waiting, waiting);
      co_await sleep_for(50ms);
      EXPECT_EQ(c.pool_stats().in_use, 1u);
      EXPECT_EQ(c.pool_stats().waiting, 1u);

      auto t0 = Clock::now();
      cancel_waiting.emit(asio::cancellation_type::terminal);
      cancel_sent.emit(asio::cancellation_type::terminal);
      CO_EXPECT(wait_until([&] { return sent.status && waiting.status; }, 1s));
      for (Outcome* outcome : {&sent, &waiting}) {
        EXPECT_FALSE(outcome->threw);
        EXPECT_TRUE(outcome->status && !*outcome->status);
        if (outcome->status && !*outcome->status) {
          EXPECT_EQ(outcome->status->error().code, ECANCELED) << outcome->status->error().message();
        }
        EXPECT_LT(outcome->at - t0, 100ms);
      }
      auto s = c.pool_stats();
      EXPECT_EQ(s.in_use + s.idle + s.waiting, 0u);
      EXPECT_EQ(s.closed, 1u) << "a connection with a cancelled request is not reused";
    };
    run_for(io, flow(), 10s);
    run_for(io, c.shutdown(), 5s);
  }
  drain(io, server);
}

TEST(Transport, FollowStreamDechunksAndReportsDockerErrors) {
  asio::io_context io;
  FakeServer server(io, [](const std::string& head, int) {
    if (head.starts_with("GET /bad "))
      return FakeServer::say(reply(500, "Internal Server Error", R"({"message":"boom"})"));
    return FakeServer::say_and_close(
        "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
        "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\n\r\n");
  });
  const Request bad_request = make_request("GET", "/bad"), good_request = make_request("GET", "/good");
  auto flow = [&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto bad = co_await FollowStream::open(ex, server.endpoint(), bad_request, {});
    EXPECT_FALSE(bad);
    if (!bad) {
      EXPECT_EQ(bad.error().message(), "GET /bad: 500 Internal Server Error: boom");
    }

    auto good = co_await FollowStream::open(ex, server.endpoint(), good_request, {});
    EXPECT_TRUE(good) << good.error().message();
    if (!good) co_return;
    EXPECT_EQ(good->content_type(), "application/vnd.docker.raw-stream");
    std::string body;
    char small[3];  // smaller than a chunk: a chunk comes in pieces
    for (;;) {
      auto n = co_await good->read_some(small);
      EXPECT_TRUE(n) << n.error().message();
      if (!n || *n == 0) break;
      EXPECT_LE(*n, sizeof small);
      body.append(small, *n);
    }
    EXPECT_EQ(body, "hello world");
    auto after = co_await good->read_some(small);
    EXPECT_TRUE(after && *after == 0) << "the end stays the end";
  };
  run_for(io, flow(), 10s);
  drain(io, server);
}

constexpr const char* kChunkedHead =
    "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
    "Transfer-Encoding: chunked\r\n\r\n";

// Reads `stream` to its end into `into`; false if a read failed.
asio::awaitable<bool> read_to_end(FollowStream& stream, std::span<char> buffer, std::string& into) {
  for (;;) {
    auto n = co_await stream.read_some(buffer);
    EXPECT_TRUE(n) << n.error().message();
    if (!n) co_return false;
    if (*n == 0) co_return true;
    EXPECT_LE(*n, buffer.size());
    into.append(buffer.data(), *n);
  }
}

// The daemon sends each log message as a chunk and keeps the connection open
// after the last one. Whatever the reads bring - a chunk header cut anywhere,
// the last chunk with the end of the body, the end alone - every byte comes
// out, in order, and then the end.
TEST(Transport, FollowStreamDeliversEveryByteWhereverTheReadsSplitTheBody) {
  const std::string body = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  // Two reads split at every offset, then one read per byte.
  std::vector<std::vector<std::string>> splits;
  for (size_t at = 0; at <= body.size(); ++at) splits.push_back({body.substr(0, at), body.substr(at)});
  std::vector<std::string> bytes;
  for (char c : body) bytes.emplace_back(1, c);
  splits.push_back(bytes);
  asio::io_context io;
  size_t next = 0;
  FakeServer server(io, [&](const std::string&, int) {
    const std::vector<std::string>& pieces = splits[next++ / 2];  // each split twice: two buffer sizes
    return FakeServer::say_in_pieces(kChunkedHead + pieces.front(), {pieces.begin() + 1, pieces.end()});
  });
  const Request request = make_request("GET", "/containers/x/logs?follow=1");
  auto flow = [&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    for (size_t i = 0; i < 2 * splits.size(); ++i) {
      FollowOptions options;
      options.idle_timeout = 5s;
      auto stream = co_await FollowStream::open(ex, server.endpoint(), request, options);
      EXPECT_TRUE(stream) << stream.error().message();
      if (!stream) co_return;
      std::vector<char> buffer(i % 2 == 0 ? 64 * 1024 : 3);
      std::string got;
      bool ended = co_await read_to_end(*stream, buffer, got);
      EXPECT_TRUE(ended) << "split " << i / 2;
      EXPECT_EQ(got, "hello world") << "split " << i / 2 << ", buffer of " << buffer.size() << " bytes";
    }
  };
  run_for(io, flow(), 60s);
  drain(io, server);
}

// A chunk is handed out as soon as it is in, even though the bytes after it
// (here the start of the next chunk's header) cannot be parsed yet: the last
// line of a container that then falls silent must not wait for a next line,
// nor be lost when the idle watchdog or a rotation ends the read.
TEST(Transport, FollowStreamHandsOutAChunkWithoutWaitingForTheNextOne) {
  asio::io_context io;
  FakeServer server(io, [](const std::string&, int) {
    return FakeServer::say(std::string(kChunkedHead) + "5\r\nhello\r\n5\r");
  });
  const Request request = make_request("GET", "/containers/x/logs?follow=1");
  auto flow = [&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    FollowOptions options;
    options.idle_timeout = 1s;
    auto stream = co_await FollowStream::open(ex, server.endpoint(), request, options);
    EXPECT_TRUE(stream) << stream.error().message();
    if (!stream) co_return;
    char buffer[64];
    auto first = co_await stream->read_some(buffer);
    EXPECT_TRUE(first) << first.error().message();
    if (first) {
      EXPECT_EQ(std::string(buffer, *first), "hello");
    }
    auto second = co_await stream->read_some(buffer);  // then silence: the watchdog
    EXPECT_FALSE(second);
    if (!second) {
      EXPECT_EQ(second.error().code, ETIMEDOUT) << second.error().message();
    }
  };
  run_for(io, flow(), 20s);
  drain(io, server);
}

// A TCP listener that forwards every connection to the engine's unix socket:
// the TCP transport against the real daemon.
class TcpToUnixProxy {
 public:
  TcpToUnixProxy(asio::io_context& io, std::string unix_path)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), path_(std::move(unix_path)) {
    ++live_;
    asio::co_spawn(io, accept_loop(), [this](std::exception_ptr) { --live_; });
  }
  Endpoint endpoint() const {
    return *parse_endpoint("tcp://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()));
  }
  // Drops every proxied connection, as a daemon closing idle connections would.
  void drop_connections() {
    boost::system::error_code ignored;
    for (auto& p : pairs_) {
      p.client.close(ignored);
      p.engine.close(ignored);
    }
  }
  void stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    drop_connections();
  }
  int live() const { return live_; }

 private:
  struct Pair {
    tcp::socket client;
    asio::local::stream_protocol::socket engine;
  };

  asio::awaitable<void> accept_loop() {
    auto ex = acceptor_.get_executor();
    for (;;) {
      auto [ec, client] = co_await acceptor_.async_accept(kAwait);
      if (ec) co_return;
      pairs_.push_back(Pair{std::move(client), asio::local::stream_protocol::socket(ex)});
      Pair& p = pairs_.back();
      auto [cec] = co_await p.engine.async_connect(asio::local::stream_protocol::endpoint(path_), kAwait);
      if (cec) {  // no engine: the client sees its connection reset
        boost::system::error_code ignored;
        p.client.close(ignored);
        continue;
      }
      live_ += 2;
      asio::co_spawn(ex, pump(p.client, p.engine), [this](std::exception_ptr) { --live_; });
      asio::co_spawn(ex, pump(p.engine, p.client), [this](std::exception_ptr) { --live_; });
    }
  }

  template <typename From, typename To>
  asio::awaitable<void> pump(From& from, To& to) {
    char buf[16384];
    for (;;) {
      auto [ec, n] = co_await from.async_read_some(asio::buffer(buf), kAwait);
      if (ec) break;
      auto [wec, wn] = co_await asio::async_write(to, asio::buffer(buf, n), kAwait);
      if (wec) break;
    }
    boost::system::error_code ignored;
    from.close(ignored);
    to.close(ignored);
  }

  tcp::acceptor acceptor_;
  std::string path_;
  std::list<Pair> pairs_;
  int live_ = 0;
};

TEST(TcpTransport, TalksToTheRealEngineThroughAProxy) {
  asio::io_context io;
  Endpoint engine = test_endpoint();
  ASSERT_EQ(engine.kind, Endpoint::Kind::unix_socket) << "this test proxies TCP to the engine's unix socket";
  TcpToUnixProxy proxy(io, engine.path);
  {
    Client c(io.get_executor(), proxy.endpoint());
    auto flow = [&]() -> asio::awaitable<void> {
      auto v = co_await c.version();
      EXPECT_TRUE(v) << "Docker engine not reachable through " << proxy.endpoint().text() << ": "
                     << v.error().message();
      CO_EXPECT(c.list_containers());
      EXPECT_EQ(c.pool_stats().opened, 1u);
      proxy.drop_connections();
      co_await sleep_for(20ms);
      CO_EXPECT(c.list_containers());
    };
    run_for(io, flow(), 20s);
    auto s = c.pool_stats();
    EXPECT_EQ(s.opened, 2u);
    EXPECT_EQ(s.stale, 1u);
    run_for(io, c.shutdown(), 5s);
  }
  proxy.stop();
  io.restart();
  auto deadline = Clock::now() + 5s;
  while (proxy.live() > 0 && Clock::now() < deadline) io.run_one_until(deadline);
  EXPECT_EQ(proxy.live(), 0);
}

}  // namespace
}  // namespace leakcheck::docker::testing
