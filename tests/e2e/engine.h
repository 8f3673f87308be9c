#pragma once
// Test-only: the real Docker engine, driven synchronously from a test.
//
// A TestEngine owns an io_context and a docker::Client; each call runs one
// coroutine to completion (with a deadline) on the calling thread. Every
// container it starts carries leakcheck.run=<run id> and network none, and
// the destructor removes all containers with that label through the API,
// whatever happened in the test.

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "docker/client.h"
#include "util/result.h"

namespace leakcheck::testing {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Runs `work` on `io` until it finishes, at most `timeout`; on timeout it is
// cancelled (terminal) and given 5 s to unwind, and the result says so.
template <typename T>
Result<T> run_sync(asio::io_context& io, asio::awaitable<Result<T>> work, std::chrono::nanoseconds timeout) {
  // Shared with the coroutine, so nothing dangles if it outlives the wait.
  struct State {
    std::optional<Result<T>> out;
    std::exception_ptr thrown;
    bool done = false;
    asio::cancellation_signal cancel;
  };
  auto state = std::make_shared<State>();
  // Result<T> has no default constructor, which co_spawn of awaitable<Result<T>>
  // would need: wrap it in an awaitable<void>.
  auto wrapper = [](asio::awaitable<Result<T>> w, std::shared_ptr<State> s) -> asio::awaitable<void> {
    s->out.emplace(co_await std::move(w));
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
    state->cancel.emit(asio::cancellation_type::terminal);
    auto grace = std::chrono::steady_clock::now() + 5s;
    while (!state->done && std::chrono::steady_clock::now() < grace) io.run_one_until(grace);
    return Error{ETIMEDOUT, "engine operation did not finish within " +
                                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) + " s"};
  }
  if (state->thrown) std::rethrow_exception(state->thrown);
  if (!state->out) return Error{0, "engine operation ended without a result"};
  return std::move(*state->out);
}

class TestEngine {
 public:
  explicit TestEngine(std::string run_id);
  ~TestEngine();  // removes every container labelled leakcheck.run=<run id>
  TestEngine(const TestEngine&) = delete;
  TestEngine& operator=(const TestEngine&) = delete;

  // Negotiates the API version: an error names the endpoint when no engine answers.
  Status connect();
  const std::string& run_id() const { return run_id_; }
  // "leakcheck.run=<run id>": the label of this test's containers.
  std::string label() const { return "leakcheck.run=" + run_id_; }
  std::string endpoint_text() const { return client_->endpoint().text(); }
  docker::Client& client() { return *client_; }
  asio::io_context& io() { return io_; }

  // harness::ensure_loggen_image; later start() calls use that image.
  Result<std::string> use_loggen_image(const std::string& loggen_path);

  // Creates and starts a container of the image named by use_loggen_image;
  // its id. `name` is the container's name.
  Result<std::string> start(const std::string& name, std::vector<std::string> cmd, bool tty = false);
  Status stop(const std::string& id, std::chrono::seconds timeout = 10s);
  // Waits for the container to exit: its exit code.
  Result<int> wait_exit(const std::string& id, std::chrono::nanoseconds timeout);
  // The daemon's whole log of the container so far, with timestamps=1.
  Result<std::string> logs(const std::string& id);
  Result<std::optional<docker::ContainerInfo>> inspect(const std::string& id);
  // Removes this run's containers now (the destructor does it too).
  Status remove_all();

  template <typename T>
  Result<T> run(asio::awaitable<Result<T>> work, std::chrono::nanoseconds timeout = 60s) {
    return run_sync(io_, std::move(work), timeout);
  }

 private:
  asio::io_context io_;
  std::unique_ptr<docker::Client> client_;
  std::string run_id_;
  std::string image_;
  bool connected_ = false;
};

// A run id unique on this host: prefix, pid, a counter and the time.
std::string unique_run_id(const std::string& prefix);

}  // namespace leakcheck::testing
