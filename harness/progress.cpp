#include "harness/progress.h"

#include <cstdio>

namespace leakcheck::harness {

namespace {
std::string clock_text(double seconds) {
  auto s = static_cast<long>(seconds);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}
std::string figure(const char* label, double v) {
  if (v < 0) return "";
  char buf[48];
  std::snprintf(buf, sizeof buf, " %s %.0f", label, v);
  return buf;
}
}  // namespace

std::string format_progress(const ProgressFigures& f) {
  return "[" + clock_text(f.elapsed_seconds) + " / " + clock_text(f.total_seconds) + "]" + figure("fds", f.fds) +
         figure("threads", f.threads) + figure("tcp", f.tcp) + figure("unix", f.unix_sockets) +
         figure("lines", static_cast<double>(f.lines_received)) + " " + f.phase;
}

void Progress::update(const ProgressFigures& f) {
  if (terminal_) {
    std::fprintf(stderr, "\r\033[K%s", format_progress(f).c_str());
    std::fflush(stderr);
    drawn_ = true;
    return;
  }
  auto now = std::chrono::steady_clock::now();
  if (now - last_plain_ < plain_every_) return;
  last_plain_ = now;
  std::fprintf(stderr, "%s\n", format_progress(f).c_str());
}

void Progress::finish() {
  if (terminal_ && drawn_) std::fprintf(stderr, "\n");
  drawn_ = false;
}

}  // namespace leakcheck::harness
