#pragma once
// A small HTTP/1.1 server on Boost.Beast for leakcheck's own endpoints: the
// collector's /metrics and /healthz, and the harness's verifying Loki
// receiver. Listens on loopback unless told otherwise.
//
// Threading: everything runs on the executor given (one io_context thread);
// the handler is called there, one request at a time per connection.
// Lifetime: start(), then co_await stop() before destroying the server: it
// stops accepting, aborts every connection (a handler in progress is
// cancelled at its next await) and waits until all have finished.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "util/result.h"

namespace leakcheck::httpd {

using namespace std::chrono_literals;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, e.g. "/loki/api/v1/push"
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Response {
  // Not an aggregate: GCC 12 may destroy an aggregate temporary twice in a
  // coroutine (see docker/types.h).
  Response() = default;
  Response(unsigned s, std::string type, std::string text) : status(s), content_type(std::move(type)), body(std::move(text)) {}
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  // Close the connection after this response (e.g. to simulate a flaky peer).
  bool close = false;
};

using Handler = std::function<boost::asio::awaitable<Response>(Request)>;

struct ServerOptions {
  std::string listen = "127.0.0.1:0";  // HOST:PORT, numeric host; port 0 picks one
  std::size_t body_limit_bytes = 64u << 20;
  std::chrono::nanoseconds header_timeout = 10s;  // first byte to end of header
  std::chrono::nanoseconds idle_timeout = 60s;    // between requests on a keep-alive connection
  std::chrono::nanoseconds body_timeout = 60s;    // reading a body
  std::size_t max_connections = 512;              // beyond: accepted and closed at once
};

struct ServerStats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_refused = 0;  // over max_connections, or while paused
  std::uint64_t requests = 0;
  std::size_t connections_open = 0;
};

// "127.0.0.1:9464", "[::1]:80", "localhost:80" (taken as 127.0.0.1): the
// address to bind, without name resolution.
struct ListenAddress {
  std::string host;  // numeric
  std::uint16_t port = 0;
};
Result<ListenAddress> parse_listen_address(std::string_view text);

class Server {
 public:
  Server(boost::asio::any_io_executor executor, ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting. The error names the address.
  Status start();
  std::uint16_t port() const;

  // Stop accepting new connections, but keep serving open ones: a peer
  // connecting now is refused (connection refused), as if the server were
  // down. resume() listens again on the same port.
  void pause_accepting();
  Status resume_accepting();
  // Aborts every open connection (a handler in progress is cancelled at its
  // next await, its answer never sent), as a server that went down would;
  // the server goes on. With pause_accepting: a peer that is down.
  void close_connections();

  boost::asio::awaitable<void> stop(std::chrono::nanoseconds max_wait = 5s);

  ServerStats stats() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace leakcheck::httpd
