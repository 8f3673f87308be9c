// leakcheck-collector: ships container logs with no loss and no leaks.
// Thin: everything is in the collector library.

#include <cstdlib>
#include <iostream>

#include "collector/collector.h"
#include "collector/config.h"

int main(int argc, char** argv) {
  using namespace leakcheck;
  auto config = collector::parse_command_line(argc, argv, std::getenv("DOCKER_HOST"));
  if (!config) {
    if (config.error().code == collector::kHelpRequested) {
      std::cout << collector::kCollectorUsage;
      return 0;
    }
    std::cerr << "leakcheck-collector: " << config.error().message() << " (see --help)\n";
    return collector::kCollectorConfigError;
  }
  Logger log(*parse_log_level(config->log_level));
  return collector::run_collector(*config, log);
}
