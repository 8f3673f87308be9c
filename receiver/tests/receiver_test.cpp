// The receiver over real loopback TCP, with plain sockets as the client.

#include "receiver/receiver.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>

#include "receiver/tests/test_lines.h"
#include "util/unique_fd.h"

namespace leakcheck::receiver {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace testing;

int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// A line stamped now, as loggen would write it.
std::string fresh_line(uint64_t seq) {
  loggen::LineHeader h{kRun, "web", 1, seq, now_ns(), loggen::Stream::out};
  return loggen::format_line(h, 100);
}

struct Reply {
  unsigned status = 0;
  std::string body;
};

class ReceiverFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ReceiverOptions options;
    options.ledger.run_id = kRun;
    receiver_ = std::make_unique<Receiver>(ioc_.get_executor(), options);
    ASSERT_TRUE(receiver_->start().ok());
    thread_ = std::thread([this] { ioc_.run(); });
  }
  void TearDown() override {
    asio::co_spawn(ioc_, receiver_->stop(2s), asio::use_future).get();
    work_.reset();
    thread_.join();
  }
  // Runs f on the receiver's thread and returns its result.
  template <typename F>
  auto on_receiver(F f) {
    return asio::co_spawn(ioc_, [f]() -> asio::awaitable<decltype(f())> { co_return f(); }, asio::use_future).get();
  }

  UniqueFd connect_client() {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(receiver_->port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return UniqueFd();
    return fd;
  }

  // One request on a new connection; the response read whole (Content-Length framed).
  Reply request(const std::string& method, const std::string& target, const std::string& body = "",
                const std::string& extra_headers = "") {
    UniqueFd fd = connect_client();
    if (!fd) return Reply{};
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + extra_headers +
                      "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    if (::write(fd.get(), req.data(), req.size()) != static_cast<ssize_t>(req.size())) return Reply{};
    std::string in;
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
    }
    Reply reply;
    if (in.starts_with("HTTP/1.1 ")) reply.status = static_cast<unsigned>(std::stoul(in.substr(9, 3)));
    auto header_end = in.find("\r\n\r\n");
    if (header_end != std::string::npos) reply.body = in.substr(header_end + 4);
    return reply;
  }
  Reply push(const std::string& body, const std::string& extra_headers = "Content-Type: application/json\r\n") {
    return request("POST", kPushPath, body, extra_headers);
  }
  uint64_t delivered() {
    return on_receiver([this] { return receiver_->ledger().totals().boots.delivered; });
  }

  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{ioc_.get_executor()};
  std::unique_ptr<Receiver> receiver_;
  std::thread thread_;
};

TEST_F(ReceiverFixture, PushIsAcceptedAndAccounted) {
  Reply r = push(push_body({{"stdout", {fresh_line(0), fresh_line(1), fresh_line(1)}}}));
  EXPECT_EQ(r.status, 204u);
  EXPECT_EQ(delivered(), 2u);
  auto counts = on_receiver([this] { return receiver_->ledger().find("web", 1)->counts(); });
  EXPECT_EQ(counts.duplicates, 1u);
  auto stats = on_receiver([this] { return receiver_->stats(); });
  EXPECT_EQ(stats.push_requests, 1u);
  EXPECT_EQ(stats.bodies_accepted, 1u);
  EXPECT_EQ(stats.bodies_rejected, 0u);
  EXPECT_GT(stats.push_bytes, 300u);
  EXPECT_EQ(stats.http.requests, 1u);
  EXPECT_EQ(receiver_->push_url(), "http://127.0.0.1:" + std::to_string(receiver_->port()) + "/loki/api/v1/push");
}

TEST_F(ReceiverFixture, GzipPush) {
  std::string body = gzip(push_body({{"stdout", {fresh_line(0), fresh_line(1)}}}));
  Reply r = push(body, "Content-Type: application/json\r\nContent-Encoding: gzip\r\n");
  EXPECT_EQ(r.status, 204u);
  EXPECT_EQ(delivered(), 2u);
  EXPECT_EQ(on_receiver([this] { return receiver_->stats().push_bytes; }), body.size());
}

TEST_F(ReceiverFixture, MalformedBodyIs400WithAReason) {
  Reply r = push("{\"streams\": [1]}");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.body, "malformed push body: streams[0] is not an object\n");
  Reply proto = push("\x0a\x02", "Content-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\n");
  EXPECT_EQ(proto.status, 415u);
  Reply br = push("x", "Content-Encoding: br\r\n");
  EXPECT_EQ(br.status, 415u);
  auto stats = on_receiver([this] { return receiver_->stats(); });
  EXPECT_EQ(stats.bodies_rejected, 3u);
  EXPECT_EQ(stats.bodies_accepted, 0u);
  EXPECT_EQ(stats.last_rejection, "unsupported Content-Encoding \"br\": send identity or gzip");
  EXPECT_EQ(delivered(), 0u);
}

TEST_F(ReceiverFixture, ReadyAndOtherPaths) {
  Reply ready = request("GET", "/ready");
  EXPECT_EQ(ready.status, 200u);
  EXPECT_EQ(ready.body, "ready\n");
  EXPECT_EQ(request("GET", kPushPath).status, 405u);
  EXPECT_EQ(request("POST", "/api/v1/push").status, 404u);
}

TEST_F(ReceiverFixture, FailingStatusForAPeriod) {
  on_receiver([this] { receiver_->fail_with(503, 1h); return 0; });
  Reply r = push(push_body({{"stdout", {fresh_line(0)}}}));
  EXPECT_EQ(r.status, 503u);
  EXPECT_EQ(delivered(), 0u);  // a refused push stores nothing
  EXPECT_EQ(request("GET", "/ready").status, 200u);  // faults are for pushes only
  on_receiver([this] { receiver_->fail_with(500, 300ms); return 0; });
  EXPECT_EQ(push(push_body({{"stdout", {fresh_line(0)}}})).status, 500u);
  std::this_thread::sleep_for(400ms);  // the period is over
  EXPECT_EQ(push(push_body({{"stdout", {fresh_line(0)}}})).status, 204u);
  EXPECT_EQ(delivered(), 1u);
  auto stats = on_receiver([this] { return receiver_->stats(); });
  EXPECT_EQ(stats.answered_by_fault, 2u);
  EXPECT_EQ(stats.push_requests, 3u);
}

TEST_F(ReceiverFixture, ClearFaultsEndsThePeriod) {
  on_receiver([this] { receiver_->fail_with(429, std::chrono::nanoseconds::max()); return 0; });
  EXPECT_EQ(push(push_body({{"stdout", {fresh_line(0)}}})).status, 429u);
  on_receiver([this] { receiver_->clear_faults(); return 0; });
  EXPECT_EQ(push(push_body({{"stdout", {fresh_line(0)}}})).status, 204u);
}

TEST_F(ReceiverFixture, SlowModeDelaysEveryPushAndItsLines) {
  on_receiver([this] { receiver_->set_delay(300ms); return 0; });
  auto started = std::chrono::steady_clock::now();
  Reply r = push(push_body({{"stdout", {fresh_line(0)}}}));
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.status, 204u);
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 5s);
  // The line counts as received when the wait is over.
  int64_t latency_min = on_receiver([this] { return receiver_->ledger().latency().min(); });
  EXPECT_GE(latency_min, 300'000'000);
  on_receiver([this] { receiver_->set_delay(0ns); return 0; });
  started = std::chrono::steady_clock::now();
  EXPECT_EQ(push(push_body({{"stdout", {fresh_line(1)}}})).status, 204u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 300ms);
}

TEST_F(ReceiverFixture, StopCancelsADelayedPushWithoutAccountingIt) {
  on_receiver([this] { receiver_->set_delay(30s); return 0; });
  std::thread client([this] { push(push_body({{"stdout", {fresh_line(0)}}})); });
  for (int i = 0; i < 500 && on_receiver([this] { return receiver_->stats().push_requests; }) < 1; ++i)
    std::this_thread::sleep_for(10ms);
  auto started = std::chrono::steady_clock::now();
  asio::co_spawn(ioc_, receiver_->stop(5s), asio::use_future).get();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  client.join();
  EXPECT_EQ(delivered(), 0u);
  EXPECT_EQ(on_receiver([this] { return receiver_->stats().http.connections_open; }), 0u);
}

TEST_F(ReceiverFixture, PausedRefusesConnectionsThenResumes) {
  on_receiver([this] { receiver_->pause_accepting(); return 0; });
  EXPECT_FALSE(connect_client());  // ECONNREFUSED: a receiver that is down
  EXPECT_EQ(push(push_body({{"stdout", {fresh_line(0)}}})).status, 0u);
  EXPECT_TRUE(on_receiver([this] { return receiver_->resume_accepting().ok(); }));
  EXPECT_EQ(push(push_body({{"stdout", {fresh_line(0)}}})).status, 204u);
  EXPECT_EQ(delivered(), 1u);
}

}  // namespace
}  // namespace leakcheck::receiver
