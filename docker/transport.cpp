// Connection and FollowStream: the only translation unit that includes
// Boost.Beast, so the project pays for its templates once.

#include <sys/socket.h>

#include <cerrno>
#include <optional>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "docker/cancellation.h"
#include "docker/connection.h"
#include "docker/follow_stream.h"
#include "util/duration.h"

namespace leakcheck::docker {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Nanos = std::chrono::nanoseconds;

namespace {

// One socket type for unix and TCP endpoints: a generic stream socket is
// opened with the family of the endpoint it connects to.
using Protocol = asio::generic::stream_protocol;
using Stream = beast::basic_stream<Protocol, asio::any_io_executor, beast::unlimited_rate_policy>;

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
// The read buffer holds the response header and what one read brings in;
// Beast's parser moves body bytes out of it, so this bounds memory per
// connection whatever the body size. A header larger than this is an error.
constexpr std::size_t kReadBufferBytes = 64 * 1024;
// How much of a non-2xx body of a follow request is read for its message.
constexpr std::size_t kErrorBodyBytes = 64 * 1024;
constexpr char kUserAgent[] = "leakcheck-docker/0.1";

int errno_of(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return ETIMEDOUT;
  if (ec == asio::error::operation_aborted) return ECANCELED;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == asio::error::eof)
    return ECONNRESET;
  if (ec == http::error::body_limit || ec == http::error::header_limit ||
      ec == http::error::buffer_overflow)
    return EMSGSIZE;
  if (ec.category() == http::make_error_code(http::error::bad_version).category()) return EPROTO;
  if (ec.category() == boost::system::system_category()) return ec.value();
  return EIO;
}

// "unix:///var/run/docker.sock: GET /v1.41/...: reading response header (30s)".
Error transport_error(const beast::error_code& ec, const std::string& what, const char* step,
                      Nanos deadline = Nanos::zero()) {
  std::string context = what + ": " + step;
  if (ec == beast::error::timeout && deadline > Nanos::zero())
    context += " (deadline " + format_duration(deadline) + ")";
  int code = errno_of(ec);
  if (code == EPROTO || code == EIO || ec == http::error::body_limit)
    context += " (" + ec.message() + ")";  // strerror alone would hide which protocol rule broke
  return Error{code, context};
}

Error cancelled_error(const std::string& what) { return Error{ECANCELED, what + ": cancelled"}; }

Error body_limit_error(const std::string& what, std::size_t limit) {
  return Error{EMSGSIZE, what + ": response body larger than " + std::to_string(limit) + " bytes"};
}

Protocol::endpoint to_asio(const Endpoint& endpoint) {
  if (endpoint.kind == Endpoint::Kind::unix_socket)
    return Protocol::endpoint(asio::local::stream_protocol::endpoint(endpoint.path));
  boost::system::error_code ignored;  // parse_endpoint only lets numeric addresses through
  return Protocol::endpoint(
      asio::ip::tcp::endpoint(asio::ip::make_address(endpoint.address, ignored), endpoint.port));
}

asio::awaitable<beast::error_code> connect(Stream& stream, const Endpoint& endpoint, Nanos timeout) {
  stream.expires_after(timeout);
  auto [ec] = co_await stream.async_connect(to_asio(endpoint), kAwait);
  stream.expires_never();
  co_return ec;
}

Result<http::request<http::string_body>> make_request(const Request& r, const Endpoint& endpoint) {
  http::verb verb = http::string_to_verb(r.method);
  if (verb == http::verb::unknown) return Error{EINVAL, "unknown HTTP method \"" + r.method + "\""};
  http::request<http::string_body> req{verb, r.target, 11};
  req.set(http::field::host, endpoint.host_header());
  req.set(http::field::user_agent, kUserAgent);
  if (!r.body.empty()) {
    req.set(http::field::content_type, r.content_type);
    req.body() = r.body;
  }
  req.keep_alive(true);
  req.prepare_payload();  // Content-Length, 0 for a POST without body
  return req;
}

void shutdown_and_close(Stream& stream) {
  beast::error_code ignored;  // a peer that is already gone is what we want anyway
  if (stream.socket().is_open()) stream.socket().shutdown(Protocol::socket::shutdown_both, ignored);
  stream.close();  // cancels pending operations and timers, closes the fd now
}

}  // namespace

// ---------------------------------------------------------------------------
// Connection

struct Connection::Impl {
  Impl(asio::any_io_executor executor, const Endpoint& ep) : stream(std::move(executor)), endpoint(ep) {}
  Stream stream;
  beast::flat_buffer buffer{kReadBufferBytes};
  Endpoint endpoint;
  bool reusable = false;
};

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::~Connection() { close(); }

asio::awaitable<Result<std::unique_ptr<Connection>>> Connection::open(asio::any_io_executor executor,
                                                                      const Endpoint& endpoint,
                                                                      Nanos connect_timeout,
                                                                      std::string what) {
  auto impl = std::make_unique<Impl>(std::move(executor), endpoint);
  if (auto ec = co_await connect(impl->stream, endpoint, connect_timeout))
    co_return transport_error(ec, endpoint.text() + (what.empty() ? "" : ": " + what), "connecting",
                              connect_timeout);
  impl->reusable = true;
  co_return std::unique_ptr<Connection>(new Connection(std::move(impl)));
}

asio::awaitable<Result<Response>> Connection::exchange(const Request& request,
                                                       const RequestLimits& limits, Failure& failure) {
  Impl& c = *impl_;  // the pool's lease keeps *this alive until we return
  failure = {};
  c.reusable = false;  // until a complete keep-alive reply says otherwise
  const std::string what = c.endpoint.text() + ": " + describe(request);

  auto req = make_request(request, c.endpoint);
  if (!req) co_return Error{req.error().code, what + ": " + req.error().context};

  // Step 1: the header deadline covers sending the request and the daemon's
  // time to answer.
  c.stream.expires_after(limits.header_timeout);
  if (auto [ec, n] = co_await http::async_write(c.stream, *req, kAwait); ec) {
    failure.write_failed = true;
    shutdown_and_close(c.stream);
    co_return transport_error(ec, what, "sending request", limits.header_timeout);
  }

  // Step 2: the response header.
  if (cancelled(co_await asio::this_coro::cancellation_state)) {
    shutdown_and_close(c.stream);  // the request is out, its reply unread
    co_return cancelled_error(what);
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(limits.body_limit_bytes);
  if (auto [ec, n] = co_await http::async_read_header(c.stream, c.buffer, parser, kAwait); ec) {
    failure.nothing_received = !parser.got_some();
    shutdown_and_close(c.stream);
    // A Content-Length above the limit is refused as soon as the header is in.
    if (ec == http::error::body_limit) co_return body_limit_error(what, limits.body_limit_bytes);
    co_return transport_error(ec, what, "waiting for response header", limits.header_timeout);
  }

  // Step 3: the body, bounded in size and time.
  if (!parser.is_done()) {
    if (cancelled(co_await asio::this_coro::cancellation_state)) {
      shutdown_and_close(c.stream);
      co_return cancelled_error(what);
    }
    c.stream.expires_after(limits.body_timeout);
    if (auto [ec, n] = co_await http::async_read(c.stream, c.buffer, parser, kAwait); ec) {
      shutdown_and_close(c.stream);
      if (ec == http::error::body_limit) co_return body_limit_error(what, limits.body_limit_bytes);
      co_return transport_error(ec, what, "reading response body", limits.body_timeout);
    }
  }
  c.stream.expires_never();

  auto message = parser.release();
  Response res;
  res.status = message.result_int();
  res.reason = std::string(message.reason());
  res.content_type = std::string(message[http::field::content_type]);
  res.body = std::move(message.body());
  // Leftover bytes would belong to no request of ours: not reusable.
  c.reusable = message.keep_alive() && c.buffer.size() == 0;
  co_return res;
}

bool Connection::reusable() const { return impl_->reusable && impl_->stream.socket().is_open(); }

bool Connection::peer_closed_or_dirty() const {
  auto& socket = impl_->stream.socket();
  if (!socket.is_open()) return true;
  char byte = 0;
  ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  // EAGAIN: nothing to read, the connection is quietly alive. 0: EOF, the
  // daemon closed it. > 0: bytes nobody asked for. < 0 otherwise: broken.
  return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

void Connection::close() {
  if (!impl_) return;
  impl_->reusable = false;
  shutdown_and_close(impl_->stream);
}

// ---------------------------------------------------------------------------
// FollowStream

struct FollowStream::Impl {
  explicit Impl(asio::any_io_executor executor) : stream(std::move(executor)) {
    parser.body_limit(boost::none);  // a follow body is endless by design
  }
  void close() {
    open = false;
    shutdown_and_close(stream);
  }

  Stream stream;
  beast::flat_buffer buffer{kReadBufferBytes};
  http::response_parser<http::buffer_body> parser;
  Nanos idle_timeout{};
  std::string what;  // "unix:///var/run/docker.sock: GET /v1.41/containers/x/logs?..."
  std::string content_type;
  unsigned status = 0;
  bool open = false;
  bool ended = false;  // the body is complete: reads return 0 from now on
  bool reading = false;
  std::optional<Error> failure;  // to return once the bytes before it are handed out
};

namespace {

// Reads up to `limit` bytes of a (short) error body, within `deadline`.
// Best effort: whatever arrived is used for the message.
asio::awaitable<std::string> read_error_body(Stream& stream, beast::flat_buffer& buffer,
                                             http::response_parser<http::buffer_body>& parser,
                                             Nanos deadline) {
  std::string body;
  char chunk[4096];
  stream.expires_after(deadline);
  while (!parser.is_done() && body.size() < kErrorBodyBytes) {
    if (cancelled(co_await asio::this_coro::cancellation_state)) break;
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, kAwait);
    body.append(chunk, sizeof chunk - parser.get().body().size);
    if (ec && ec != http::error::need_buffer) break;
  }
  co_return body;
}

}  // namespace

FollowStream::FollowStream() = default;
FollowStream::FollowStream(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
FollowStream::FollowStream(FollowStream&&) noexcept = default;
FollowStream& FollowStream::operator=(FollowStream&& other) noexcept {
  if (this != &other) {
    close();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
FollowStream::~FollowStream() { close(); }

asio::awaitable<Result<FollowStream>> FollowStream::open(asio::any_io_executor executor,
                                                         Endpoint endpoint, Request request,
                                                         FollowOptions options) {
  auto s = std::make_shared<Impl>(std::move(executor));
  s->what = endpoint.text() + ": " + describe(request);
  s->idle_timeout = options.idle_timeout;

  auto req = make_request(request, endpoint);
  if (!req) co_return Error{req.error().code, s->what + ": " + req.error().context};

  // Step 1: a connection of its own, never from the pool: its lifetime is
  // the stream's, and closing it must not disturb anyone else.
  if (auto ec = co_await connect(s->stream, endpoint, options.connect_timeout))
    co_return transport_error(ec, s->what, "connecting", options.connect_timeout);

  // Step 2: request and response header under one deadline.
  if (cancelled(co_await asio::this_coro::cancellation_state)) co_return cancelled_error(s->what);
  s->stream.expires_after(options.header_timeout);
  if (auto [ec, n] = co_await http::async_write(s->stream, *req, kAwait); ec) {
    s->close();
    co_return transport_error(ec, s->what, "sending request", options.header_timeout);
  }
  if (cancelled(co_await asio::this_coro::cancellation_state)) co_return cancelled_error(s->what);
  if (auto [ec, n] = co_await http::async_read_header(s->stream, s->buffer, s->parser, kAwait); ec) {
    s->close();
    co_return transport_error(ec, s->what, "waiting for response header", options.header_timeout);
  }
  s->stream.expires_never();

  // Step 3: a non-2xx reply carries Docker's {"message": ...}.
  const auto& header = s->parser.get();
  s->status = header.result_int();
  s->content_type = std::string(header[http::field::content_type]);
  if (!is_success(s->status)) {
    std::string reason(header.reason());
    std::string body = co_await read_error_body(s->stream, s->buffer, s->parser, options.header_timeout);
    s->close();
    co_return http_error(request, s->status, reason, body);
  }
  // From here on one put() takes everything buffered (see read_some).
  s->parser.eager(true);
  s->open = true;
  co_return FollowStream(std::move(s));
}

asio::awaitable<Result<std::size_t>> FollowStream::read_some(std::span<char> out) {
  // The pending read shares the buffers, parser and socket, so they outlive
  // it even if *this is closed, moved from or destroyed meanwhile. After the
  // co_await only `s` is touched, never `this`.
  std::shared_ptr<Impl> s = impl_;
  if (s && s->ended) co_return std::size_t{0};
  if (s && s->failure) co_return *std::exchange(s->failure, std::nullopt);
  if (!s || !s->open) co_return Error{EBADF, (s ? s->what : std::string("follow stream")) + ": read after close"};
  if (s->reading) co_return Error{EBUSY, s->what + ": a read is already pending"};
  if (out.empty()) co_return Error{EINVAL, s->what + ": read into an empty buffer"};

  // The parser is eager: one put() de-chunks everything buffered, so one
  // socket read serves many log lines. Beast's http::async_read_some is not
  // used because with an eager parser it keeps reading the socket after body
  // bytes were handed out whenever the buffer ends inside a chunk header, as
  // it does after nearly every chunk: those bytes would wait for the next
  // chunk (a quiet container's last line for ever), and be lost if the read
  // then failed or was closed. Here bytes are returned as soon as there are any.
  s->reading = true;
  for (;;) {
    // 1. What is buffered already: body bytes, the end of the body, or the
    // need for more.
    if (s->parser.is_done()) {  // the daemon ended the body: the container stopped
      s->reading = false;
      s->ended = true;
      s->close();
      co_return std::size_t{0};
    }
    if (s->buffer.size() > 0) {
      auto& body = s->parser.get().body();
      body.data = out.data();
      body.size = out.size();
      beast::error_code ec;
      s->buffer.consume(s->parser.put(s->buffer.data(), ec));
      const std::size_t got = out.size() - s->parser.get().body().size;
      if (ec == http::error::need_buffer) ec = {};  // `out` is full: a normal return
      if (ec && ec != http::error::need_more) {
        // The bytes before the bad framing were good: they are handed out first.
        s->failure = transport_error(ec, s->what, "reading");
        s->close();
      }
      if (got > 0) {
        s->reading = false;
        co_return got;
      }
      if (s->failure) {
        s->reading = false;
        co_return *std::exchange(s->failure, std::nullopt);
      }
      // Only framing (a chunk header) was taken, and more is buffered.
      if (s->parser.is_done() || (ec != http::error::need_more && s->buffer.size() > 0)) continue;
    }

    // 2. More bytes from the socket.
    auto state = co_await asio::this_coro::cancellation_state;
    if (cancelled(state) || !s->open) {
      s->reading = false;
      s->close();
      co_return cancelled_error(s->what);
    }
    // All the room there is: a busy container's messages pile up in the
    // socket, and each read should take as many as it can. (Beast's
    // read_size would offer the buffer's current capacity, as little as 512
    // bytes: three or four log lines per read.)
    const std::size_t room = s->buffer.max_size() - s->buffer.size();
    if (room == 0) {  // a chunk header as large as the buffer: not Docker
      s->reading = false;
      s->close();
      co_return Error{EMSGSIZE, s->what + ": reading: a chunk header over " + std::to_string(kReadBufferBytes) +
                                    " bytes"};
    }
    // The idle watchdog: re-armed for every read, so only silence trips it.
    if (s->idle_timeout > Nanos::zero())
      s->stream.expires_after(s->idle_timeout);
    else
      s->stream.expires_never();
    auto [ec, n] = co_await s->stream.async_read_some(s->buffer.prepare(room), kAwait);
    s->buffer.commit(n);
    if (ec == asio::error::eof && s->parser.got_some()) {
      // A body that runs to the close ends here; a chunked one is cut short.
      ec = {};
      s->parser.put_eof(ec);
      if (!ec) continue;  // done: step 1 says so
    }
    if (ec) {
      s->reading = false;
      bool closed_by_owner = !s->open;  // close() ran while we waited
      s->close();
      if (closed_by_owner) co_return Error{ECANCELED, s->what + ": closed while reading"};
      if (ec == beast::error::timeout)
        co_return Error{ETIMEDOUT, s->what + ": no data for " + format_duration(s->idle_timeout) +
                                       " (idle watchdog)"};
      if (ec == asio::error::eof) ec = http::error::end_of_stream;
      co_return transport_error(ec, s->what, "reading");
    }
  }
}

void FollowStream::close() {
  if (impl_) impl_->close();
}

bool FollowStream::is_open() const { return impl_ && impl_->open; }
bool FollowStream::read_pending() const { return impl_ && impl_->reading; }
void FollowStream::set_idle_timeout(Nanos idle_timeout) {
  if (impl_) impl_->idle_timeout = idle_timeout;
}
unsigned FollowStream::status() const { return impl_ ? impl_->status : 0; }
const std::string& FollowStream::content_type() const {
  static const std::string kNone;
  return impl_ ? impl_->content_type : kNone;
}

}  // namespace leakcheck::docker
