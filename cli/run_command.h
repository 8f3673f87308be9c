#pragma once
// `leakcheck run SCENARIO [options]` and `leakcheck clean`.

namespace leakcheck::cli {

int run_command(int argc, char** argv);    // argv[0] is "run"
int clean_command(int argc, char** argv);  // argv[0] is "clean"

}  // namespace leakcheck::cli
