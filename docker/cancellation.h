#pragma once
// Between two steps of one operation.
//
// A terminal cancellation of the awaiting coroutine that arrives while an
// I/O is pending ends that I/O with operation_aborted, which the client turns
// into an ECANCELED result. One that arrives while no I/O is pending (its
// completion is queued) only marks the coroutine cancelled, and Asio then
// throws operation_aborted at the next co_await. The client's operations check
// here before each further step, so cancellation always comes back as the
// ECANCELED result, never as an exception:
//
//   if (cancelled(co_await asio::this_coro::cancellation_state)) co_return ...;

#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/this_coro.hpp>

namespace leakcheck::docker {

inline bool cancelled(const boost::asio::cancellation_state& state) {
  return state.cancelled() != boost::asio::cancellation_type::none;
}

}  // namespace leakcheck::docker
