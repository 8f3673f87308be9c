#pragma once
// Test-only: a Loki push endpoint on 127.0.0.1 (httpd::Server on an
// io_context thread of its own) that keeps every request and answers each
// with the status a test scripts for it.

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "httpd/server.h"

namespace leakcheck::testing {

struct ReceivedPush {
  std::string method;
  std::string target;
  std::string content_type;
  std::string body;
  unsigned answered = 0;  // the status sent back
};

class LokiReceiver {
 public:
  // `answer(i)`: the status for the i-th request (from 0): 204 accepts, 503,
  // 429 or 400 refuse with a short text body, as Loki does.
  explicit LokiReceiver(std::function<unsigned(std::size_t)> answer);
  ~LokiReceiver();  // stops the server and joins its thread
  LokiReceiver(const LokiReceiver&) = delete;
  LokiReceiver& operator=(const LokiReceiver&) = delete;

  // "" after ADD_FAILURE when the server could not listen.
  std::string push_url() const;
  std::vector<ReceivedPush> pushes() const;

  struct State {
    std::function<unsigned(std::size_t)> answer;
    mutable std::mutex mutex;
    std::vector<ReceivedPush> pushes;
  };

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::shared_ptr<State> state_;
  std::unique_ptr<httpd::Server> server_;
  bool listening_ = false;
  std::thread thread_;
};

}  // namespace leakcheck::testing
