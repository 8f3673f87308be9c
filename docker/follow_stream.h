#pragma once
// A streaming reply (logs?follow=1, /events) on a connection of its own.
// Implemented in transport.cpp.
//
// Threading: every member is called from the executor the stream was opened on
// (one io_context thread or one strand), as STYLE.md asks of stream owners.
//
// Lifetime: close() is synchronous. It shuts the socket down and closes it, so
// the fd is released before close() returns; a pending read_some() then
// completes with ECANCELED as soon as the executor runs it. The owner waits for
// its reader coroutine to finish (the co_spawn completion handler, or
// read_pending() turning false) before it destroys anything the reader uses.
// The stream's own buffers are shared with a pending read, so destroying a
// FollowStream while a read is pending is safe for the stream itself.

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "docker/endpoint.h"
#include "docker/http.h"
#include "util/result.h"

namespace leakcheck::docker {

struct FollowOptions {
  FollowOptions() = default;  // not an aggregate: see types.h
  std::chrono::nanoseconds connect_timeout = 5s;
  // From the start of writing the request to the end of the response header.
  std::chrono::nanoseconds header_timeout = 30s;
  // No byte at all for this long fails the read with ETIMEDOUT and closes the
  // stream. A silent container is silent for ever, so a follower of idle
  // containers must expect this and reopen; zero disables the watchdog. There
  // is deliberately no total deadline.
  std::chrono::nanoseconds idle_timeout = 60s;
};

class FollowStream {
 public:
  FollowStream();  // a closed stream
  FollowStream(FollowStream&&) noexcept;
  FollowStream& operator=(FollowStream&&) noexcept;
  FollowStream(const FollowStream&) = delete;
  FollowStream& operator=(const FollowStream&) = delete;
  ~FollowStream();  // close()

  // Connects, sends `request`, reads the response header. A non-2xx reply is
  // an error carrying the status and Docker's message. Cancellable with the
  // awaiting coroutine's cancellation slot (terminal): ECANCELED, nothing left open.
  // (Parameters by value: a coroutine must not hold references to its caller's temporaries.)
  static boost::asio::awaitable<Result<FollowStream>> open(boost::asio::any_io_executor executor,
                                                           Endpoint endpoint, Request request,
                                                           FollowOptions options);

  // Reads the next bytes of the de-chunked body into `out` (not empty):
  // returns how many (> 0) as soon as any are buffered, or 0 once the body
  // has ended (the container stopped, the daemon ended the stream). One
  // socket read takes up to 64 KiB, many log messages; the socket is read
  // again only once they are all handed out. Bytes that came before an
  // error are returned first, the error by the next call. Any error closes
  // the stream: ETIMEDOUT (idle watchdog), ECANCELED (close() or terminal
  // cancellation of the awaiting coroutine), ECONNRESET (daemon went away),
  // EPROTO (bad HTTP), EBUSY (a read is already pending), EBADF (stream
  // closed). Bytes are raw: the 8-byte frame headers of non-TTY logs are left
  // to the caller.
  boost::asio::awaitable<Result<std::size_t>> read_some(std::span<char> out);

  // See "Lifetime" above. Idempotent.
  void close();

  bool is_open() const;
  bool read_pending() const;
  void set_idle_timeout(std::chrono::nanoseconds idle_timeout);

  unsigned status() const;
  const std::string& content_type() const;  // e.g. application/vnd.docker.raw-stream

 private:
  struct Impl;
  explicit FollowStream(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace leakcheck::docker
