#pragma once
// The exit codes of `leakcheck`, documented in README.md ("Exit codes").

namespace leakcheck::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFail = 1,           // a verdict failed (run, compare)
  kExitUsage = 2,          // bad arguments or bad input files
  kExitNoProcess = 3,      // the process to probe does not exist or exited
  kExitSystem = 4,         // a system error: permission denied, /proc unreadable, ...
};

}  // namespace leakcheck::cli
