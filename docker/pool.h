#pragma once
// A bounded pool of keep-alive connections for short requests.
//
// At most max_connections exist at once (idle + in use + connecting); a request
// beyond that waits up to acquire_timeout, and at most max_waiters may wait.
// Idle connections are reused most-recent-first; before reuse each is checked
// without blocking for a close by the daemon (discarded, counted as stale).
// A connection idle for idle_timeout is closed by a timer, so an idle client
// holds no fds beyond that.
//
// Threading: all members on the pool's executor (one thread or strand).
// Shutdown: shutdown() then co_await wait_drained() before destroying the pool;
// leases and waiting acquires refer to it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "docker/connection.h"
#include "docker/endpoint.h"
#include "util/result.h"

namespace leakcheck::docker {

struct PoolOptions {
  std::size_t max_connections = 4;
  std::chrono::nanoseconds idle_timeout = 30s;
  std::chrono::nanoseconds connect_timeout = 5s;
  std::chrono::nanoseconds acquire_timeout = 10s;  // waiting for a free slot
  std::size_t max_waiters = 256;
};

struct PoolStats {
  std::uint64_t opened = 0;   // connections established
  std::uint64_t closed = 0;   // connections closed, whatever the reason
  std::uint64_t reused = 0;   // acquires served by an already open connection
  std::uint64_t stale = 0;    // idle ones found closed by the daemon (part of closed)
  std::uint64_t expired = 0;  // idle ones closed after idle_timeout (part of closed)
  std::size_t idle = 0;
  std::size_t in_use = 0;  // leased or connecting
  std::size_t waiting = 0;
};

class ConnectionPool {
 public:
  // Exclusive use of one connection. Returns it on destruction: to the idle
  // list when the last exchange left it reusable, closed otherwise.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    Connection& connection() { return *connection_; }
    bool reused() const { return reused_; }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> connection, bool reused);
    void give_back();

    ConnectionPool* pool_ = nullptr;
    std::unique_ptr<Connection> connection_;
    bool reused_ = false;
  };

  ConnectionPool(boost::asio::any_io_executor executor, Endpoint endpoint, PoolOptions options);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // An idle connection, a new one, or, when max_connections are busy, the
  // next one freed. Errors: connect errors, ETIMEDOUT (no slot within
  // acquire_timeout), EAGAIN (max_waiters already waiting), ECANCELED
  // (shutdown, or cancellation of the awaiting coroutine). `what` (e.g.
  // "GET /v1.41/containers/json") goes into error messages after the endpoint.
  boost::asio::awaitable<Result<Lease>> acquire(std::string what = {});

  // Stops intake: closes idle connections, closes in-use ones under their
  // exchanges (which end with ECANCELED), fails waiting acquires.
  void shutdown();
  // Until nothing is in use or waiting, at most `max_wait`. True if drained.
  boost::asio::awaitable<bool> wait_drained(std::chrono::nanoseconds max_wait);

  PoolStats stats() const;
  const Endpoint& endpoint() const { return endpoint_; }

 private:
  struct Idle {
    std::unique_ptr<Connection> connection;
    std::chrono::steady_clock::time_point since;
  };
  struct Waiter {
    boost::asio::steady_timer timer;
    bool woken = false;
  };

  std::unique_ptr<Connection> take_idle();
  void give_back(std::unique_ptr<Connection> connection);
  void discard(std::unique_ptr<Connection> connection);
  void arm_sweep();
  void sweep();
  void wake_one_waiter();
  void notify_if_drained();
  std::size_t busy() const { return in_use_.size() + connecting_; }

  boost::asio::any_io_executor executor_;
  Endpoint endpoint_;
  PoolOptions options_;
  std::deque<Idle> idle_;  // oldest at the front
  std::vector<Connection*> in_use_;
  std::size_t connecting_ = 0;
  std::deque<Waiter*> waiters_;
  std::vector<boost::asio::steady_timer*> drain_waiters_;
  boost::asio::steady_timer sweep_timer_;
  bool sweep_armed_ = false;
  bool shut_down_ = false;
  PoolStats counters_;
  // A completion already queued when the pool dies still runs: its handler
  // checks this token instead of touching a dead pool.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace leakcheck::docker
