#include "receiver/receiver.h"

#include <time.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "receiver/push_body.h"

namespace leakcheck::receiver {

namespace asio = boost::asio;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kText = "text/plain; charset=utf-8";

int64_t realtime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

bool is_protobuf(const std::string& content_type) {
  return content_type.find("application/x-protobuf") != std::string::npos;
}

}  // namespace

struct Receiver::State {
  State(asio::any_io_executor ex, ReceiverOptions opts)
      : executor(std::move(ex)), options(std::move(opts)), ledger(options.ledger) {}

  asio::any_io_executor executor;
  ReceiverOptions options;
  Ledger ledger;
  ReceiverStats stats;
  unsigned fault_status = 0;
  Clock::time_point fault_until;
  std::chrono::nanoseconds delay{0};

  httpd::Response reject(unsigned status, std::string reason) {
    ++stats.bodies_rejected;
    stats.last_rejection = reason;
    return httpd::Response(status, kText, reason + "\n");
  }

  // The push itself, once faults are past: decode, parse, account.
  httpd::Response accept_push(const httpd::Request& request) {
    std::string encoding = request.header("content-encoding");
    if (is_protobuf(request.header("content-type")))
      return reject(415, "protobuf push bodies are not supported: send JSON (Content-Type: application/json)");
    if (!supported_content_encoding(encoding))
      return reject(415, "unsupported Content-Encoding \"" + encoding + "\": send identity or gzip");
    auto body = parse_push_request(request.body, encoding, options.max_decoded_body_bytes);
    if (!body) return reject(400, body.error().message());
    ledger.add_push(*body, realtime_ns());
    ++stats.bodies_accepted;
    return httpd::Response(204, kText, "");
  }

  static asio::awaitable<httpd::Response> handle(std::shared_ptr<State> self, httpd::Request request) {
    std::string path = path_of(request.target);
    if (path == "/ready") co_return httpd::Response(200, kText, "ready\n");
    if (path != kPushPath) co_return httpd::Response(404, kText, "not found\n");
    if (request.method != "POST") co_return httpd::Response(405, kText, "use POST\n");
    ++self->stats.push_requests;
    self->stats.push_bytes += request.body.size();

    std::chrono::nanoseconds delay = self->delay;
    if (delay > std::chrono::nanoseconds::zero()) {
      asio::steady_timer timer(self->executor, delay);
      error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      // Cancelled by stop(): the lines were never acknowledged, so not received.
      if (ec) co_return httpd::Response(503, kText, "shutting down\n");
    }
    if (self->fault_status != 0 && Clock::now() < self->fault_until) {
      ++self->stats.answered_by_fault;
      co_return httpd::Response(self->fault_status, kText, "fault injected by leakcheck\n");
    }
    co_return self->accept_push(request);
  }
};

Receiver::Receiver(asio::any_io_executor executor, ReceiverOptions options)
    : state_(std::make_shared<State>(executor, std::move(options))) {
  auto state = state_;
  server_ = std::make_unique<httpd::Server>(executor, state_->options.http, [state](httpd::Request request) {
    return State::handle(state, std::move(request));
  });
}

Receiver::~Receiver() = default;

Status Receiver::start() { return server_->start(); }

uint16_t Receiver::port() const { return server_->port(); }

std::string Receiver::push_url() const {
  auto address = httpd::parse_listen_address(state_->options.http.listen);
  std::string host = address ? address->host : "127.0.0.1";
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port()) + kPushPath;
}

void Receiver::fail_with(unsigned status, std::chrono::nanoseconds duration) {
  state_->fault_status = status;
  // Saturate: "for ever" is nanoseconds::max().
  auto now = Clock::now();
  state_->fault_until = duration >= Clock::time_point::max() - now ? Clock::time_point::max()
                                                                   : now + std::chrono::duration_cast<Clock::duration>(duration);
}

void Receiver::set_delay(std::chrono::nanoseconds per_request) { state_->delay = per_request; }

void Receiver::clear_faults() {
  state_->fault_status = 0;
  state_->delay = std::chrono::nanoseconds::zero();
}

void Receiver::pause_accepting() { server_->pause_accepting(); }

Status Receiver::resume_accepting() { return server_->resume_accepting(); }

void Receiver::close_connections() { server_->close_connections(); }

asio::awaitable<void> Receiver::stop(std::chrono::nanoseconds max_wait) { co_await server_->stop(max_wait); }

const Ledger& Receiver::ledger() const { return state_->ledger; }
Ledger& Receiver::ledger() { return state_->ledger; }

ReceiverStats Receiver::stats() const {
  ReceiverStats s = state_->stats;
  s.http = server_->stats();
  return s;
}

}  // namespace leakcheck::receiver
