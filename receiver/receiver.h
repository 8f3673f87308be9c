#pragma once
// The verifying Loki receiver of `leakcheck run`: an httpd::Server that takes
// pushes, accounts every line in a Ledger, and can misbehave on demand so the
// harness can see how the target copes (issue 6).
//
//   POST /loki/api/v1/push   JSON, optionally gzip   204; 400 with a reason for
//                                                   a malformed body; 415 for
//                                                   protobuf or another encoding
//   GET  /ready              200 "ready"
//
// Faults apply to pushes only (/ready keeps answering, so the harness can tell
// a faulting receiver from a dead one):
//   fail_with(status, d)   answer `status` to every push for d, storing nothing
//   set_delay(d)           wait d before handling each push; its lines count
//                          as received when the wait is over, as a slow Loki
//                          acknowledges them
//   pause_accepting()      refuse new connections (ECONNREFUSED), as a
//                          receiver that is down; open ones are still served
//   close_connections()    abort every open connection (a push in progress
//                          gets no answer); with pause_accepting, down for all
//
// Threading: everything, including every member function here and the
// ledger, on the executor given (one io_context thread).
// Lifetime: start(), then co_await stop() before destroying.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "httpd/server.h"
#include "receiver/ledger.h"
#include "util/result.h"

namespace leakcheck::receiver {

inline constexpr const char* kPushPath = "/loki/api/v1/push";

struct ReceiverOptions {
  httpd::ServerOptions http;                     // listen 127.0.0.1:0 by default
  size_t max_decoded_body_bytes = 64u << 20;  // a gzip body inflated; Loki allows 100 MB
  LedgerOptions ledger;
};

struct ReceiverStats {
  uint64_t push_requests = 0;     // POSTs to the push path, whatever the answer
  uint64_t push_bytes = 0;        // their bodies as sent (compressed or not)
  uint64_t bodies_accepted = 0;   // answered 204
  uint64_t bodies_rejected = 0;   // answered 400 or 415
  uint64_t answered_by_fault = 0; // answered with fail_with's status
  std::string last_rejection;     // the reason given for the latest 400/415
  httpd::ServerStats http;        // connections, all requests
};

class Receiver {
 public:
  Receiver(boost::asio::any_io_executor executor, ReceiverOptions options);
  ~Receiver();
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  Status start();
  uint16_t port() const;
  // "http://127.0.0.1:<port>/loki/api/v1/push": the target's {sink_url}.
  std::string push_url() const;

  void fail_with(unsigned status, std::chrono::nanoseconds duration);
  void set_delay(std::chrono::nanoseconds per_request);
  void clear_faults();  // no failing status, no delay (a paused listener stays paused)
  void pause_accepting();
  Status resume_accepting();
  void close_connections();

  boost::asio::awaitable<void> stop(std::chrono::nanoseconds max_wait = std::chrono::seconds(5));

  const Ledger& ledger() const;
  Ledger& ledger();
  ReceiverStats stats() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
  std::unique_ptr<httpd::Server> server_;
};

}  // namespace leakcheck::receiver
