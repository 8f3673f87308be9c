#pragma once
// Test-only process helpers: argv in, no shell, every fd owned.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "util/unique_fd.h"

namespace leakcheck::testing {

struct CommandOutput {
  int exit_code = -1;  // -1: killed by a signal
  std::string out;     // stdout
  std::string err;     // stderr
};

// Runs argv[0] (looked up in PATH) to completion, capturing stdout and stderr.
CommandOutput run_command(const std::vector<std::string>& argv);

// A child with a pipe to its stdin and from its stdout. Closing stdin (or
// destroying the object) asks it to exit; the destructor kills and reaps it.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv);
  // A child with stdin from /dev/null and stdout and stderr both appended to
  // the file `output_path` (created if missing); read_line() then gives "".
  Child(const std::vector<std::string>& argv, const std::string& output_path);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  // One line of stdout, without the newline; empty at EOF.
  std::string read_line();
  // Closes its stdin and waits for it to exit; returns the exit code.
  int finish();

  // Sends `signo`; false when the child was already reaped or kill(2) failed.
  bool send_signal(int signo);
  // Waits at most `timeout` for the child to exit and reaps it: its exit
  // code, -1 when a signal ended it, nullopt when it is still running.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
  UniqueFd stdin_;
  UniqueFd stdout_;
};

}  // namespace leakcheck::testing
