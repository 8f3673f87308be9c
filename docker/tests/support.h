#pragma once
// Shared by the integration tests: running coroutines with a deadline, a
// fixture that owns the test's containers, the busybox test image, frames.

#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "docker/client.h"
#include "util/result.h"

namespace leakcheck::docker::testing {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Nanos = std::chrono::nanoseconds;

inline constexpr const char* kTestImage = "leakcheck-docker-test:busybox";

// Runs `work` on `io` until it finishes, at most `timeout`. On timeout it is
// cancelled (terminal) and given 5 s more to unwind, so nothing it holds
// outlives the test; the test fails. nullopt unless it finished normally.
template <typename T>
struct RunResult {
  using type = std::optional<T>;
};
template <>
struct RunResult<void> {
  using type = bool;  // finished in time
};

template <typename T>
typename RunResult<T>::type run_for(asio::io_context& io, asio::awaitable<T> work, Nanos timeout) {
  // Shared with the coroutine: if it never finishes, nothing it touches dangles.
  struct State {
    std::conditional_t<std::is_void_v<T>, bool, std::optional<T>> out{};
    std::exception_ptr thrown;
    bool done = false;
    asio::cancellation_signal cancel;
  };
  auto state = std::make_shared<State>();
  // Result<T> has no default constructor, which co_spawn of an awaitable<T>
  // would need: wrap it in an awaitable<void>.
  auto wrapper = [](asio::awaitable<T> w, std::shared_ptr<State> s) -> asio::awaitable<void> {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(w);
      s->out = true;
    } else {
      s->out.emplace(co_await std::move(w));
    }
  };
  asio::co_spawn(io, wrapper(std::move(work), state),
                 asio::bind_cancellation_slot(state->cancel.slot(), [state](std::exception_ptr e) {
                   state->thrown = e;
                   state->done = true;
                 }));
  io.restart();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!state->done && std::chrono::steady_clock::now() < deadline) io.run_one_until(deadline);
  if (!state->done) {
    ADD_FAILURE() << "timed out after " << std::chrono::duration<double>(timeout).count() << " s";
    state->cancel.emit(asio::cancellation_type::terminal);
    auto grace = std::chrono::steady_clock::now() + 5s;
    while (!state->done && std::chrono::steady_clock::now() < grace) io.run_one_until(grace);
    if (!state->done) ADD_FAILURE() << "and did not finish within 5 s of cancellation";
    return {};
  }
  if (state->thrown) std::rethrow_exception(state->thrown);
  return std::move(state->out);
}

template <typename T>
std::string failure_text(const Result<T>& r) {
  return r ? std::string() : r.error().message();
}
inline std::string failure_text(bool) { return {}; }

// EXPECT_TRUE(co_await f()) trips g++ 12 ("array used as initializer") in
// coroutine lambdas; this keeps the co_await in a statement of its own.
#define CO_EXPECT(...)                                                                    \
  do {                                                                                    \
    auto co_expect_value_ = co_await __VA_ARGS__;                                         \
    EXPECT_TRUE(co_expect_value_) << #__VA_ARGS__ ": "                                     \
                                  << ::leakcheck::docker::testing::failure_text(co_expect_value_); \
  } while (0)

inline ListOptions list_options(bool all, Filters filters) {
  ListOptions o;
  o.all = all;
  o.filters = std::move(filters);
  return o;
}

// The endpoint the integration tests use: DOCKER_HOST or the default socket.
Endpoint test_endpoint();

// A root filesystem tarball: /bin/busybox (the host's, statically linked) and
// symlinks for the applets the tests run.
Result<std::string> busybox_rootfs_tar(const std::string& busybox_path = "/bin/busybox");

// Docker's 8-byte frame header (stream, 0, 0, 0, big-endian size) + payload.
std::string frame(int stream, std::string_view payload);
struct Frame {
  int stream = 0;
  std::string payload;
};
// Removes the complete frames at the front of `bytes` and returns them.
std::vector<Frame> take_frames(std::string& bytes);

std::size_t count_open_fds();

// Each test gets a run id; its containers carry leakcheck.run=<id> and the
// destructor removes them through the API, whatever happened in the test.
class EngineTest : public ::testing::Test {
 protected:
  EngineTest();
  ~EngineTest() override;
  void SetUp() override;

  template <typename T>
  typename RunResult<T>::type run(asio::awaitable<T> work, Nanos timeout = 30s) {
    return run_for(io_, std::move(work), timeout);
  }

  // Our image, network none, our label.
  ContainerSpec spec(std::vector<std::string> cmd, bool tty = false) const;
  // Creates and starts; the id, or "" after ADD_FAILURE.
  std::string start(std::vector<std::string> cmd, bool tty = false);
  Filters our_label() const { return {{"label", {"leakcheck.run=" + run_id_}}}; }

  asio::io_context io_;
  std::unique_ptr<Client> client_;
  std::string run_id_;
  bool engine_reachable_ = false;  // no cleanup to attempt otherwise
};

}  // namespace leakcheck::docker::testing
