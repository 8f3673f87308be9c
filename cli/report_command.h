#pragma once
// `leakcheck report RUN_DIR...` and `leakcheck compare BASE CANDIDATE`.

namespace leakcheck::cli {

int report_command(int argc, char** argv);
int compare_command(int argc, char** argv);

}  // namespace leakcheck::cli
