// The server against real loopback connections made with plain sockets.

#include "httpd/server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>

#include "util/unique_fd.h"

namespace leakcheck::httpd {
namespace {

namespace asio = boost::asio;

int open_fds() {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  while (readdir(d)) ++n;
  closedir(d);
  return n;
}

// A server on its own io_context thread; the test talks to it over TCP.
class ServerFixture : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}) {
    server_ = std::make_unique<Server>(ioc_.get_executor(), options, [this](Request r) { return handle(std::move(r)); });
    ASSERT_TRUE(server_->start().ok());
    thread_ = std::thread([this] { ioc_.run(); });
  }
  void TearDown() override {
    if (server_) {
      asio::co_spawn(ioc_, server_->stop(2s), asio::use_future).get();
      work_.reset();
      thread_.join();
    }
  }
  asio::awaitable<Response> handle(Request r) {
    if (r.target == "/slow") {
      asio::steady_timer t(co_await asio::this_coro::executor, 30s);
      co_await t.async_wait(asio::use_awaitable);
    }
    Response response(200, "text/plain", r.method + " " + r.target + " " + std::to_string(r.body.size()) + " " +
                                             r.header("x-test"));
    response.headers = {{"X-Seen", "yes"}};
    co_return response;
  }
  template <typename F>
  auto on_server(F f) {
    return asio::co_spawn(ioc_, [f]() -> asio::awaitable<decltype(f())> { co_return f(); }, asio::use_future).get();
  }

  UniqueFd connect_client() {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server_->port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return UniqueFd();
    return fd;
  }
  // Sends one request and reads one whole response (Content-Length framed).
  static std::string exchange(int fd, const std::string& request) {
    if (::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) return "";
    std::string in;
    char buf[4096];
    for (;;) {
      auto header_end = in.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        auto cl = in.find("Content-Length: ");
        size_t length = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
        if (in.size() >= header_end + 4 + length) return in;
      }
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) return in;
      in.append(buf, static_cast<size_t>(n));
    }
  }

  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{ioc_.get_executor()};
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST(ListenAddress, Parses) {
  auto a = parse_listen_address("127.0.0.1:9464");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9464);
  EXPECT_EQ(parse_listen_address("localhost:80")->host, "127.0.0.1");
  EXPECT_EQ(parse_listen_address(":80")->host, "127.0.0.1");  // loopback unless told otherwise
  EXPECT_EQ(parse_listen_address("[::1]:80")->host, "::1");
  EXPECT_EQ(parse_listen_address("0.0.0.0:1")->host, "0.0.0.0");
  for (const char* bad : {"9464", "host.example:80", "127.0.0.1:99999", "127.0.0.1:x"}) {
    auto r = parse_listen_address(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message().find(bad), std::string::npos);
  }
}

TEST_F(ServerFixture, KeepAliveRequestsOnOneConnection) {
  start();
  UniqueFd c = connect_client();
  ASSERT_TRUE(c);
  std::string r1 = exchange(c.get(), "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Test: a\r\n\r\n");
  EXPECT_NE(r1.find("HTTP/1.1 200 OK"), std::string::npos) << r1;
  EXPECT_NE(r1.find("X-Seen: yes"), std::string::npos);
  EXPECT_NE(r1.find("GET /metrics 0 a"), std::string::npos) << r1;
  std::string r2 = exchange(c.get(), "POST /push HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_NE(r2.find("POST /push 5 "), std::string::npos) << r2;
  auto stats = on_server([this] { return server_->stats(); });
  EXPECT_EQ(stats.connections_accepted, 1u);
  EXPECT_EQ(stats.requests, 2u);
}

TEST_F(ServerFixture, BodyLimitAnswers413) {
  ServerOptions options;
  options.body_limit_bytes = 10;
  start(options);
  UniqueFd c = connect_client();
  std::string r = exchange(c.get(), "POST /push HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world");
  EXPECT_NE(r.find("HTTP/1.1 413"), std::string::npos) << r;
}

TEST_F(ServerFixture, PausedRefusesConnectionsThenResumes) {
  start();
  on_server([this] { server_->pause_accepting(); return 0; });
  EXPECT_FALSE(connect_client());  // ECONNREFUSED, as a sink that is down
  EXPECT_TRUE(on_server([this] { return server_->resume_accepting().ok(); }));
  UniqueFd c = connect_client();
  ASSERT_TRUE(c);
  EXPECT_NE(exchange(c.get(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n").find("200 OK"), std::string::npos);
}

TEST_F(ServerFixture, ClosingConnectionsCutsKeepAliveOnesAndTheServerGoesOn) {
  start();
  UniqueFd kept = connect_client();
  ASSERT_TRUE(kept);
  EXPECT_NE(exchange(kept.get(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n").find("200 OK"), std::string::npos);
  ASSERT_EQ(on_server([this] { return server_->stats().connections_open; }), 1u);
  // Down: new connections refused and the keep-alive one cut, as a Loki
  // that went away (a client would otherwise go on pushing through it).
  on_server([this] {
    server_->pause_accepting();
    server_->close_connections();
    return 0;
  });
  char c;
  EXPECT_EQ(::read(kept.get(), &c, 1), 0);  // the server closed it
  EXPECT_FALSE(connect_client());
  for (int i = 0; i < 200 && on_server([this] { return server_->stats().connections_open; }) > 0; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(on_server([this] { return server_->stats().connections_open; }), 0u);
  EXPECT_TRUE(on_server([this] { return server_->resume_accepting().ok(); }));
  UniqueFd again = connect_client();
  ASSERT_TRUE(again);
  EXPECT_NE(exchange(again.get(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n").find("200 OK"), std::string::npos);
}

TEST_F(ServerFixture, StopCancelsSlowHandlersAndReleasesEveryFd) {
  start();
  // Asio's reactor (epoll, eventfd, timerfd) exists from here on; the listener is one more fd.
  int with_listener = open_fds();
  std::vector<UniqueFd> clients;
  for (int i = 0; i < 50; ++i) {
    clients.push_back(connect_client());
    std::string req = "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(::write(clients.back().get(), req.data(), req.size()), static_cast<ssize_t>(req.size()));
  }
  // Wait until all 50 are being served (handlers blocked in their 30 s timer).
  for (int i = 0; i < 500 && on_server([this] { return server_->stats().requests; }) < 50; ++i)
    std::this_thread::sleep_for(10ms);
  ASSERT_EQ(on_server([this] { return server_->stats().connections_open; }), 50u);
  auto started = std::chrono::steady_clock::now();
  asio::co_spawn(ioc_, server_->stop(5s), asio::use_future).get();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s) << "stop() had to give up waiting";
  EXPECT_EQ(on_server([this] { return server_->stats().connections_open; }), 0u);
  // Each client sees its connection closed.
  char c;
  for (auto& client : clients) EXPECT_EQ(::read(client.get(), &c, 1), 0);
  clients.clear();
  EXPECT_EQ(open_fds(), with_listener - 1);  // the listener and all 50 connections released
}

}  // namespace
}  // namespace leakcheck::httpd
