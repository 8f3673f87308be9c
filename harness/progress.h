#pragma once
// What a run shows while it runs: on a terminal one status line redrawn in
// place; otherwise (CI) a plain line every `plain_every`.

#include <chrono>
#include <cstdint>
#include <string>

namespace leakcheck::harness {

struct ProgressFigures {
  double elapsed_seconds = 0;
  double total_seconds = 0;
  double fds = -1;
  double threads = -1;
  double tcp = -1;
  double unix_sockets = -1;
  uint64_t lines_received = 0;
  std::string phase;  // "running", "draining", "verifying"
};

// One line, without a newline: "[ 1:05 / 2:00] fds 21 threads 1 tcp 0 unix 6 lines 12034 running".
std::string format_progress(const ProgressFigures& f);

class Progress {
 public:
  Progress(bool terminal, std::chrono::seconds plain_every = std::chrono::seconds(10))
      : terminal_(terminal), plain_every_(plain_every) {}
  void update(const ProgressFigures& f);
  void finish();  // ends the status line on a terminal

 private:
  bool terminal_;
  std::chrono::seconds plain_every_;
  std::chrono::steady_clock::time_point last_plain_{};
  bool drawn_ = false;
};

}  // namespace leakcheck::harness
