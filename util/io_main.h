#pragma once
// The one-thread main loop of leakcheck's programs: run `main` on a fresh
// io_context until it returns its exit code. An exception escaping it is
// the fatal case: one log line, and `exit_on_exception`.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>

#include "util/log.h"

namespace leakcheck {

inline int run_io_main(boost::asio::awaitable<int> main, int exit_on_exception, Logger& log) {
  boost::asio::io_context ioc(1);
  int exit_code = exit_on_exception;
  boost::asio::co_spawn(ioc, std::move(main), [&](std::exception_ptr e, int code) {
    if (!e) {
      exit_code = code;
      return;
    }
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log.error("fatal", {{"error", ex.what()}});
    }
  });
  ioc.run();
  return exit_code;
}

}  // namespace leakcheck
