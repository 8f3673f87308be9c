#pragma once
// Test-only: the real leakcheck-loggen as a child with its stdout and stderr
// on pipes, so a test can signal it and read what it wrote to each.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "util/unique_fd.h"

namespace leakcheck::loggen::testing {

struct ChildOutput {
  bool timed_out = false;  // the deadline passed: the child was killed
  bool exited = false;     // it called exit; else a signal ended it
  int exit_code = -1;
  int signal = 0;
  std::string out;
  std::string err;
};

class ChildProcess {
 public:
  // Starts argv[0] (a path) with stdin from /dev/null. Throws if it cannot.
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();  // kills and reaps a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void close_stdout() { out_.reset(); }

  // Waits until the child catches `signal` (its /proc status says so), so a
  // signal sent then meets the handler, not the default action. False on timeout.
  bool wait_for_handler(int signal, std::chrono::milliseconds timeout) const;

  // Reads stdout and stderr to their end, then reaps the child. Past the
  // timeout the child is killed and the result says timed_out.
  ChildOutput finish(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  UniqueFd out_;
  UniqueFd err_;
};

// Runs argv to completion (see finish).
ChildOutput run_child(const std::vector<std::string>& argv,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace leakcheck::loggen::testing
