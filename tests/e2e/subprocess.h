#pragma once
// Test-only process helpers: argv in, no shell, every fd owned.

#include <sys/types.h>

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
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  // One line of stdout, without the newline; empty at EOF.
  std::string read_line();
  // Closes its stdin and waits for it to exit; returns the exit code.
  int finish();

 private:
  pid_t pid_ = -1;
  UniqueFd stdin_;
  UniqueFd stdout_;
};

}  // namespace leakcheck::testing
