#pragma once
// The Docker engine as a process on this machine, for the dockerd_restart
// fault: found by name in /proc (exactly one), its argv, environment,
// working directory and log file read from /proc/<pid>, stopped with
// SIGTERM (SIGKILL after a bound) and started again exactly as it ran:
// posix_spawn with the same argv and environment, in a session of its own
// so that it outlives the harness, its output appended to the same log.
// No shell anywhere.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "util/result.h"

namespace leakcheck::harness {

// How a running engine was started.
struct EngineProcess {
  pid_t pid = -1;
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "KEY=value"
  std::string cwd;
  std::string exe;               // the binary it runs; "" if unknown or deleted
  std::string log_path;          // where its stdout went; "" if not a regular file
};

// The NUL-separated fields of /proc/<pid>/cmdline or environ (pure).
std::vector<std::string> split_nul(std::string_view text);

// The one live (not zombie) process whose comm is `name`. Errors: none, or
// more than one (which one would be restarted?), or /proc unreadable.
Result<EngineProcess> find_engine(const std::string& name = "dockerd");

struct EngineStop {
  double stop_seconds = 0;
  bool killed = false;  // did not exit within the timeout: SIGKILLed
};

// SIGTERM, then waits (polling /proc every 100 ms) until it exits or is a
// zombie; SIGKILL after `timeout`, then at most 10 s more. Errors: the
// signal could not be sent, or it is still there after SIGKILL.
boost::asio::awaitable<Result<EngineStop>> stop_engine(pid_t pid, std::chrono::nanoseconds timeout);

// Starts `engine.argv` again with its environment and working directory,
// stdin /dev/null, stdout and stderr appended to `log_path`, in a new
// session. Returns the new pid.
Result<pid_t> start_engine(const EngineProcess& engine, const std::string& log_path);

}  // namespace leakcheck::harness
