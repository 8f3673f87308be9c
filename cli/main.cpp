// leakcheck: finds resource leaks in long-running daemons.
// A thin dispatcher: each subcommand lives in the cli library.

#include <cstring>
#include <exception>
#include <iostream>
#include <string_view>

#include "cli/exit_codes.h"
#include "cli/probe_command.h"
#include "cli/report_command.h"
#include "cli/run_command.h"

namespace {

constexpr const char* kUsage = R"(usage: leakcheck COMMAND [ARGS]

commands:
  run SCENARIO.yaml  start the scenario's containers and target, sample it,
                     verify every log line, judge the criteria (PASS/FAIL)
  clean              remove containers left over by earlier runs
  report RUN_DIR     render report.html and junit.xml again from report.json
  compare BASE CANDIDATE | RUNS_DIR
                     regressions between runs, beyond the noise (exit 1 on one)
  probe PID|NAME     fds by kind, sockets by state, threads by name, memory,
                     CPU and limits of a process (--help for options)
  version            print the version

Run `leakcheck COMMAND --help` for a command's options.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace leakcheck::cli;
  if (argc < 2) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  std::string_view command = argv[1];
  try {
    if (command == "probe") return probe_command(argc - 1, argv + 1);
    if (command == "run") return run_command(argc - 1, argv + 1);
    if (command == "clean") return clean_command(argc - 1, argv + 1);
    if (command == "report") return report_command(argc - 1, argv + 1);
    if (command == "compare") return compare_command(argc - 1, argv + 1);
    if (command == "version" || command == "--version") {
      std::cout << "leakcheck " << LEAKCHECK_VERSION << " (" << LEAKCHECK_GIT_COMMIT << ")\n";
      return kExitOk;
    }
    if (command == "-h" || command == "--help" || command == "help") {
      std::cout << kUsage;
      return kExitOk;
    }
    std::cerr << "leakcheck: unknown command " << command << " (see leakcheck --help)\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    // Only the fatal ends up here: one clear line.
    std::cerr << "leakcheck: " << e.what() << "\n";
    return kExitSystem;
  }
}
