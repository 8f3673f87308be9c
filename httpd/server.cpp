// The whole Beast-heavy part of httpd in one translation unit.

#include "httpd/server.h"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <map>
#include <optional>

namespace leakcheck::httpd {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

Result<ListenAddress> parse_listen_address(std::string_view text) {
  auto bad = [&](const char* why) {
    return Error{0, "invalid listen address \"" + std::string(text) + "\": " + why + " (expected HOST:PORT, e.g. 127.0.0.1:9464)"};
  };
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad("no port");
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  if (host.empty() || host == "localhost") host = "127.0.0.1";
  uint16_t port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size()) return bad("bad port");
  error_code address_error;
  asio::ip::make_address(std::string(host), address_error);
  if (address_error) return bad("the host must be a numeric IP address");
  return ListenAddress{std::string(host), port};
}

struct Server::State : std::enable_shared_from_this<State> {
  struct Connection {
    asio::cancellation_signal cancel;
    beast::tcp_stream* stream = nullptr;
  };

  State(asio::any_io_executor ex, ServerOptions opts, Handler h)
      : executor(std::move(ex)), options(std::move(opts)), handler(std::move(h)), drained(executor) {}

  asio::any_io_executor executor;
  ServerOptions options;
  Handler handler;
  std::optional<tcp::acceptor> acceptor;
  tcp::endpoint bound;
  ServerStats stats;
  std::map<uint64_t, Connection> connections;
  uint64_t next_id = 0;
  bool stopping = false;
  asio::steady_timer drained;  // a condition variable: cancelled when a connection ends

  Status listen(const tcp::endpoint& at) {
    error_code ec;
    tcp::acceptor a(executor);
    a.open(at.protocol(), ec);
    if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) a.bind(at, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Error{ec.value(), "listen on " + at.address().to_string() + ":" + std::to_string(at.port())};
    bound = a.local_endpoint();
    acceptor.emplace(std::move(a));
    asio::co_spawn(executor, accept_loop(shared_from_this()), asio::detached);
    return Ok{};
  }

  static asio::awaitable<void> accept_loop(std::shared_ptr<State> self) {
    // The loop ends when its acceptor is closed (pause, stop).
    tcp::acceptor* acceptor = &*self->acceptor;
    asio::steady_timer backoff(self->executor);
    while (acceptor->is_open()) {
      error_code ec;
      tcp::socket socket = co_await acceptor->async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) break;
      if (ec) {
        // EMFILE and the like: do not spin; a leak checker must not leak-loop.
        backoff.expires_after(100ms);
        co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      if (self->stopping || self->connections.size() >= self->options.max_connections) {
        ++self->stats.connections_refused;
        socket.close(ec);
        continue;
      }
      ++self->stats.connections_accepted;
      uint64_t id = self->next_id++;
      Connection& c = self->connections[id];
      asio::co_spawn(self->executor, serve(self, id, std::move(socket)),
                     asio::bind_cancellation_slot(c.cancel.slot(), [self, id](std::exception_ptr) {
                       self->connections.erase(id);
                       self->drained.cancel();
                     }));
    }
  }

  static Request to_request(http::request<http::string_body>&& r) {
    Request req;
    req.method = std::string(r.method_string());
    req.target = std::string(r.target());
    for (const auto& field : r) {
      std::string name(field.name_string());
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      req.headers[name] = std::string(field.value());
    }
    req.body = std::move(r.body());
    return req;
  }

  static asio::awaitable<void> serve(std::shared_ptr<State> self, uint64_t id, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    self->connections[id].stream = &stream;
    beast::flat_buffer buffer;
    bool first = true;
    for (;;) {
      error_code ec;
      http::request_parser<http::string_body> parser;
      parser.body_limit(self->options.body_limit_bytes);
      // A keep-alive connection may wait idle_timeout for its next request;
      // once bytes flow, the header must be complete within header_timeout.
      stream.expires_after(first ? self->options.header_timeout : self->options.idle_timeout);
      co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (ec && ec != http::error::body_limit) break;  // a declared length over the limit fails here
      if (!ec) {
        stream.expires_after(self->options.body_timeout);
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      }
      Response response;
      bool keep_alive = false;
      if (ec == http::error::body_limit) {
        response = Response(413, "text/plain; charset=utf-8", "request body too large\n");
        response.close = true;
      } else if (ec) {
        break;
      } else {
        keep_alive = parser.get().keep_alive();
        ++self->stats.requests;
        stream.expires_never();  // the handler may take its time (a slow sink on purpose)
        try {
          response = co_await self->handler(to_request(parser.release()));
        } catch (const std::exception& e) {
          response = Response(500, "text/plain; charset=utf-8", std::string("internal error: ") + e.what() + "\n");
        }
      }
      auto state = co_await asio::this_coro::cancellation_state;
      if (state.cancelled() != asio::cancellation_type::none) break;

      http::response<http::string_body> out{static_cast<http::status>(response.status), 11};
      out.set(http::field::server, "leakcheck");
      out.set(http::field::content_type, response.content_type);
      for (const auto& [name, value] : response.headers) out.set(name, value);
      out.keep_alive(keep_alive && !response.close);
      out.body() = std::move(response.body);
      out.prepare_payload();
      stream.expires_after(self->options.body_timeout);
      co_await http::async_write(stream, out, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !out.keep_alive()) break;
      first = false;
    }
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    self->connections[id].stream = nullptr;
  }
};

Server::Server(asio::any_io_executor executor, ServerOptions options, Handler handler)
    : state_(std::make_shared<State>(std::move(executor), std::move(options), std::move(handler))) {}

Server::~Server() {
  // stop() should have run; if not, at least stop accepting.
  if (state_->acceptor) {
    error_code ec;
    state_->acceptor->close(ec);
  }
}

Status Server::start() {
  auto address = parse_listen_address(state_->options.listen);
  if (!address) return address.error();
  return state_->listen(tcp::endpoint(asio::ip::make_address(address->host), address->port));
}

std::uint16_t Server::port() const { return state_->bound.port(); }

void Server::pause_accepting() {
  if (!state_->acceptor) return;
  error_code ec;
  state_->acceptor->close(ec);
}

Status Server::resume_accepting() {
  if (state_->acceptor && state_->acceptor->is_open()) return Ok{};
  return state_->listen(state_->bound);
}

void Server::close_connections() {
  for (auto& [id, connection] : state_->connections) {
    connection.cancel.emit(asio::cancellation_type::terminal);
    if (connection.stream) {
      error_code ec;
      connection.stream->socket().close(ec);
    }
  }
}

asio::awaitable<void> Server::stop(std::chrono::nanoseconds max_wait) {
  auto self = state_;
  self->stopping = true;
  pause_accepting();
  close_connections();
  auto deadline = std::chrono::steady_clock::now() + max_wait;
  while (!self->connections.empty() && std::chrono::steady_clock::now() < deadline) {
    self->drained.expires_at(deadline);
    error_code ec;
    co_await self->drained.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

ServerStats Server::stats() const {
  ServerStats s = state_->stats;
  s.connections_open = state_->connections.size();
  return s;
}

}  // namespace leakcheck::httpd
