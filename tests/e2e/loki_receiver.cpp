#include "tests/e2e/loki_receiver.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace leakcheck::testing {

namespace asio = boost::asio;

namespace {

asio::awaitable<httpd::Response> receive(std::shared_ptr<LokiReceiver::State> state, httpd::Request request) {
  unsigned status = 0;
  {
    std::lock_guard lock(state->mutex);
    status = state->answer(state->pushes.size());
    state->pushes.push_back(ReceivedPush{request.method, request.target, request.header("content-type"),
                                         std::move(request.body), status});
  }
  std::string text = status == 503 ? "overloaded: try again later\n"
                     : status == 400 ? "entry for stream has timestamp too old\n"
                     : status == 429 ? "ingestion rate limit exceeded\n"
                                     : "";
  httpd::Response response(status, "text/plain; charset=utf-8", text);
  co_return response;
}

}  // namespace

LokiReceiver::LokiReceiver(std::function<unsigned(std::size_t)> answer)
    : work_(io_.get_executor()), state_(std::make_shared<State>()) {
  state_->answer = std::move(answer);
  httpd::ServerOptions options;
  options.listen = "127.0.0.1:0";
  auto state = state_;
  server_ = std::make_unique<httpd::Server>(io_.get_executor(), options,
                                            [state](httpd::Request r) { return receive(state, std::move(r)); });
  auto started = server_->start();
  listening_ = started.ok();
  if (!started) ADD_FAILURE() << "the Loki receiver cannot listen: " << started.error().message();
  thread_ = std::thread([this] { io_.run(); });
}

LokiReceiver::~LokiReceiver() {
  if (listening_) asio::co_spawn(io_, server_->stop(std::chrono::seconds(2)), asio::use_future).get();
  work_.reset();
  io_.stop();
  thread_.join();
}

std::string LokiReceiver::push_url() const {
  if (!listening_) return "";
  return "http://127.0.0.1:" + std::to_string(server_->port()) + "/loki/api/v1/push";
}

std::vector<ReceivedPush> LokiReceiver::pushes() const {
  std::lock_guard lock(state_->mutex);
  return state_->pushes;
}

}  // namespace leakcheck::testing
