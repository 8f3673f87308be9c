#pragma once
// The process under test: started from an argv (never a shell) in its own
// process group, stdout and stderr to files in the run directory, stopped
// with SIGTERM then SIGKILL. (posix_spawn: a few lines of the system's own
// API do what Boost.Process would, without its filesystem dependency.)

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "util/result.h"

namespace leakcheck::harness {

struct TargetExit {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  double stop_seconds = 0;  // from SIGTERM to exit
  bool killed = false;      // did not exit within the stop timeout: SIGKILL
};

class TargetProcess {
 public:
  TargetProcess() = default;
  ~TargetProcess();  // kills the group if still running
  TargetProcess(const TargetProcess&) = delete;
  TargetProcess& operator=(const TargetProcess&) = delete;

  // Starts argv[0] (a path, or a name looked up in PATH) with `env` added to
  // ours. The error names the program. Once the previous process has exited
  // (stop, kill_now), starts it anew: a planned restart.
  Status start(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
               const std::string& stdout_path, const std::string& stderr_path);
  pid_t pid() const { return pid_; }

  // Exited on its own (a crash mid-run)? Reaps it if so.
  std::optional<TargetExit> poll();
  // SIGTERM to the group, wait up to `timeout`, then SIGKILL. Asynchronous:
  // the receiver on the same thread must keep taking the target's last pushes.
  boost::asio::awaitable<TargetExit> stop(std::chrono::nanoseconds timeout);
  // The same with another first signal (SIGKILL: a crash, nothing saved).
  boost::asio::awaitable<TargetExit> stop_with(int signal, std::chrono::nanoseconds timeout);
  // The same, blocking: for destructors and error paths only.
  TargetExit kill_now();

 private:
  pid_t pid_ = -1;
  std::optional<TargetExit> exited_;
};

}  // namespace leakcheck::harness
