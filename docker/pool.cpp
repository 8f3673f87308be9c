#include "docker/pool.h"

#include <algorithm>
#include <cerrno>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "util/duration.h"

namespace leakcheck::docker {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
}  // namespace

// ---------------------------------------------------------------------------
// Lease

ConnectionPool::Lease::Lease(ConnectionPool* pool, std::unique_ptr<Connection> connection, bool reused)
    : pool_(pool), connection_(std::move(connection)), reused_(reused) {}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      connection_(std::move(other.connection_)),
      reused_(other.reused_) {}

ConnectionPool::Lease& ConnectionPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    give_back();
    pool_ = std::exchange(other.pool_, nullptr);
    connection_ = std::move(other.connection_);
    reused_ = other.reused_;
  }
  return *this;
}

ConnectionPool::Lease::~Lease() { give_back(); }

void ConnectionPool::Lease::give_back() {
  if (pool_ && connection_) pool_->give_back(std::move(connection_));
  pool_ = nullptr;
}

// ---------------------------------------------------------------------------
// ConnectionPool

ConnectionPool::ConnectionPool(asio::any_io_executor executor, Endpoint endpoint, PoolOptions options)
    : executor_(executor),
      endpoint_(std::move(endpoint)),
      options_(options),
      sweep_timer_(executor) {
  if (options_.max_connections == 0) options_.max_connections = 1;
}

ConnectionPool::~ConnectionPool() {
  // Leases and acquires must be gone (see header); what is idle closes here.
  for (auto& idle : idle_) idle.connection->close();
}

asio::awaitable<Result<ConnectionPool::Lease>> ConnectionPool::acquire(std::string what) {
  const std::string context = endpoint_.text() + (what.empty() ? "" : ": " + what);
  const auto deadline = Clock::now() + options_.acquire_timeout;
  for (;;) {
    if (shut_down_) co_return Error{ECANCELED, context + ": connection pool is shut down"};

    // 1. An idle connection that is still good.
    if (auto connection = take_idle()) {
      ++counters_.reused;
      in_use_.push_back(connection.get());
      co_return Lease(this, std::move(connection), /*reused=*/true);
    }

    // 2. A new connection while below the bound (the idle list is empty here).
    if (busy() < options_.max_connections) {
      ++connecting_;
      auto opened = co_await Connection::open(executor_, endpoint_, options_.connect_timeout, what);
      --connecting_;
      if (!opened) {
        wake_one_waiter();  // the slot we held is free again
        notify_if_drained();
        co_return opened.error();
      }
      ++counters_.opened;
      if (shut_down_) {
        discard(std::move(*opened));
        notify_if_drained();
        co_return Error{ECANCELED, context + ": connection pool is shut down"};
      }
      in_use_.push_back(opened->get());
      co_return Lease(this, std::move(*opened), /*reused=*/false);
    }

    // 3. Wait for a connection to be given back, up to the deadline.
    if (waiters_.size() >= options_.max_waiters)
      co_return Error{EAGAIN, context + ": " + std::to_string(waiters_.size()) +
                                  " requests already waiting for a connection (the limit)"};
    Waiter waiter{asio::steady_timer(executor_, deadline)};
    waiters_.push_back(&waiter);
    co_await waiter.timer.async_wait(kAwait);  // woken, timed out or cancelled: see below
    std::erase(waiters_, &waiter);
    notify_if_drained();
    auto cancellation = co_await asio::this_coro::cancellation_state;
    if (cancellation.cancelled() != asio::cancellation_type::none)
      co_return Error{ECANCELED, context + ": cancelled while waiting for a connection"};
    if (waiter.woken) continue;
    co_return Error{ETIMEDOUT, context + ": no free connection within " +
                                   format_duration(options_.acquire_timeout) + " (all " +
                                   std::to_string(options_.max_connections) + " in use)"};
  }
}

std::unique_ptr<Connection> ConnectionPool::take_idle() {
  const auto now = Clock::now();
  while (!idle_.empty()) {
    Idle idle = std::move(idle_.back());
    idle_.pop_back();
    if (now - idle.since >= options_.idle_timeout) {
      ++counters_.expired;
      discard(std::move(idle.connection));
    } else if (idle.connection->peer_closed_or_dirty()) {
      ++counters_.stale;
      discard(std::move(idle.connection));
    } else {
      return std::move(idle.connection);
    }
  }
  return nullptr;
}

void ConnectionPool::give_back(std::unique_ptr<Connection> connection) {
  std::erase(in_use_, connection.get());
  if (!shut_down_ && connection->reusable()) {
    idle_.push_back(Idle{std::move(connection), Clock::now()});
    arm_sweep();
  } else {
    discard(std::move(connection));
  }
  wake_one_waiter();
  notify_if_drained();
}

void ConnectionPool::discard(std::unique_ptr<Connection> connection) {
  connection->close();
  ++counters_.closed;
}

void ConnectionPool::arm_sweep() {
  if (sweep_armed_ || idle_.empty() || shut_down_) return;
  sweep_armed_ = true;
  sweep_timer_.expires_at(idle_.front().since + options_.idle_timeout);
  sweep_timer_.async_wait([this, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (alive.expired() || ec == asio::error::operation_aborted) return;
    sweep_armed_ = false;
    sweep();
  });
}

void ConnectionPool::sweep() {
  const auto now = Clock::now();
  while (!idle_.empty() && now - idle_.front().since >= options_.idle_timeout) {
    ++counters_.expired;
    discard(std::move(idle_.front().connection));
    idle_.pop_front();
  }
  arm_sweep();
}

void ConnectionPool::wake_one_waiter() {
  if (waiters_.empty()) return;
  Waiter* waiter = waiters_.front();
  waiters_.pop_front();
  waiter->woken = true;
  waiter->timer.cancel();
}

void ConnectionPool::notify_if_drained() {
  if (busy() != 0 || !waiters_.empty()) return;
  for (auto* timer : drain_waiters_) timer->cancel();
}

void ConnectionPool::shutdown() {
  shut_down_ = true;
  sweep_timer_.cancel();
  sweep_armed_ = false;
  while (!idle_.empty()) {
    discard(std::move(idle_.back().connection));
    idle_.pop_back();
  }
  // In-use connections stay owned by their leases; closing them ends the
  // exchanges, and the leases then give them back to be counted as closed.
  for (auto* connection : in_use_) connection->close();
  while (!waiters_.empty()) wake_one_waiter();  // they see shut_down_ and fail
  notify_if_drained();
}

asio::awaitable<bool> ConnectionPool::wait_drained(std::chrono::nanoseconds max_wait) {
  if (busy() == 0 && waiters_.empty()) co_return true;
  asio::steady_timer timer(executor_, max_wait);
  drain_waiters_.push_back(&timer);
  co_await timer.async_wait(kAwait);
  std::erase(drain_waiters_, &timer);
  co_return busy() == 0 && waiters_.empty();
}

PoolStats ConnectionPool::stats() const {
  PoolStats s = counters_;
  s.idle = idle_.size();
  s.in_use = busy();
  s.waiting = waiters_.size();
  return s;
}

}  // namespace leakcheck::docker
