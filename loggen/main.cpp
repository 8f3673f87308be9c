// leakcheck-loggen: numbered log lines for leakcheck's test containers.
// Exit codes: 0 done or stopped by SIGTERM/SIGINT, 1 a write or the boot file
// failed, 2 bad flags.

#include <unistd.h>

#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "loggen/boot_counter.h"
#include "loggen/flags.h"
#include "loggen/runner.h"

namespace {

void print(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n <= 0) return;  // nowhere left to report to
    text.remove_prefix(static_cast<size_t>(n));
  }
}

void print_error(const std::string& message) { print(STDERR_FILENO, "leakcheck-loggen: " + message + "\n"); }

int run_main(int argc, char** argv) {
  using namespace leakcheck::loggen;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  auto options = parse_flags(args);
  if (!options) {
    print_error(options.error().message() + " (see --help)");
    return 2;
  }
  if (options->help) {
    print(STDOUT_FILENO, usage());
    return 0;
  }

  uint32_t boot = options->boot.value_or(1);
  if (!options->boot_file.empty()) {
    auto next = next_boot(options->boot_file);
    if (!next) {
      print_error(next.error().message());
      return 1;
    }
    boot = *next;
  }

  auto status = run(RunConfig{options->run_id, options->container, boot, options->profile, options->alloc_after,
                              options->alloc_mb});
  if (!status) {
    print_error(status.error().message());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run_main(argc, argv);
  } catch (const std::exception& e) {
    print_error(e.what());
    return 1;
  }
}
