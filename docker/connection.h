#pragma once
// One keep-alive HTTP/1.1 connection to the daemon, for short requests. The
// pool owns these; nothing else should need them. Implemented in transport.cpp.
//
// Threading: every member is called from the executor it was opened on (one
// io_context thread or one strand); one exchange at a time.

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "docker/endpoint.h"
#include "docker/http.h"
#include "util/result.h"

namespace leakcheck::docker {

class Connection {
 public:
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects within `connect_timeout`. Errors: ETIMEDOUT, ECONNREFUSED, ENOENT
  // (no socket file), EACCES (socket permissions), ECANCELED; their context is
  // "<endpoint>: <what>: connecting".
  static boost::asio::awaitable<Result<std::unique_ptr<Connection>>> open(
      boost::asio::any_io_executor executor, const Endpoint& endpoint,
      std::chrono::nanoseconds connect_timeout, std::string what = {});

  // How a failed exchange failed, for the retry decision: a request that
  // never reached a daemon still listening can be sent again.
  struct Failure {
    bool write_failed = false;      // the request was not (completely) written
    bool nothing_received = false;  // the peer closed before any byte of a reply
  };

  // Sends `request`, reads the reply whole (any status). After a failure, or a
  // reply that does not allow keep-alive, reusable() is false.
  boost::asio::awaitable<Result<Response>> exchange(const Request& request,
                                                    const RequestLimits& limits, Failure& failure);

  bool reusable() const;
  // A non-blocking look at an idle connection: true when the daemon has
  // closed it (EOF pending) or sent bytes nobody asked for. Either way it must
  // not be reused.
  bool peer_closed_or_dirty() const;
  // Shuts down and closes the socket now. A pending exchange completes with
  // ECANCELED.
  void close();

 private:
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace leakcheck::docker
