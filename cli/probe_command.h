#pragma once
// `leakcheck probe PID|NAME [--children] [--json] [--watch INTERVAL] [--count N] [--no-pss]`

namespace leakcheck::cli {

int probe_command(int argc, char** argv);  // argv[0] is "probe"

}  // namespace leakcheck::cli
