#include "loggen/runner.h"

#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "loggen/line_format.h"

namespace leakcheck::loggen {

namespace {

volatile sig_atomic_t g_stop_requested = 0;

extern "C" void on_stop_signal(int) { g_stop_requested = 1; }

Nanos clock_now(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return Nanos(static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec);
}

timespec to_timespec(Nanos d) {
  return timespec{static_cast<time_t>(d.count() / 1'000'000'000), static_cast<long>(d.count() % 1'000'000'000)};
}

enum class Written { whole, stopped };

// SIGTERM and SIGINT stay blocked except while the process waits: in a sleep
// (ppoll swaps the mask atomically, so a signal that came just before the
// sleep ends it at once) and in a write that may block on a full pipe.
class StopSignals {
 public:
  Status install() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: a blocked write returns EINTR
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    if (::sigaction(SIGTERM, &action, nullptr) != 0 || ::sigaction(SIGINT, &action, nullptr) != 0 ||
        ::sigaction(SIGPIPE, &ignore, nullptr) != 0)
      return errno_error("sigaction");

    sigemptyset(&stop_set_);
    sigaddset(&stop_set_, SIGTERM);
    sigaddset(&stop_set_, SIGINT);
    if (::sigprocmask(SIG_BLOCK, &stop_set_, &waiting_mask_) != 0) return errno_error("sigprocmask");
    sigdelset(&waiting_mask_, SIGTERM);
    sigdelset(&waiting_mask_, SIGINT);
    return Ok{};
  }

  // Sleeps until the monotonic `deadline` (nullopt: for ever). False when a
  // stop signal came first.
  bool sleep_until(std::optional<Nanos> deadline) const {
    for (;;) {
      if (g_stop_requested) return false;
      std::optional<timespec> timeout;
      if (deadline) {
        Nanos left = *deadline - clock_now(CLOCK_MONOTONIC);
        if (left.count() <= 0) return true;
        timeout = to_timespec(left);
      }
      ::ppoll(nullptr, 0, timeout ? &*timeout : nullptr, &waiting_mask_);  // EINTR or timeout: look again
    }
  }

  // Writes all of `bytes` to `fd`. On a blocking pipe or terminal one
  // write(2) takes the whole line; the loop is for a write a signal cut short
  // and for a non-blocking fd. A stop signal while the write is blocked ends
  // it, possibly after part of the line: a stopped container should not wait
  // on its reader.
  Result<Written> write_all(int fd, std::string_view bytes) const {
    while (!bytes.empty()) {
      if (g_stop_requested) return Written::stopped;
      ::sigprocmask(SIG_SETMASK, &waiting_mask_, nullptr);
      ssize_t n = ::write(fd, bytes.data(), bytes.size());
      int write_errno = errno;
      ::sigprocmask(SIG_BLOCK, &stop_set_, nullptr);
      if (n >= 0) {
        bytes.remove_prefix(static_cast<size_t>(n));
      } else if (write_errno == EAGAIN) {
        pollfd pfd{fd, POLLOUT, 0};
        ::ppoll(&pfd, 1, nullptr, &waiting_mask_);
      } else if (write_errno != EINTR) {
        return Error{write_errno, fd == STDOUT_FILENO ? "write stdout" : "write stderr"};
      }
    }
    return Written::whole;
  }

 private:
  sigset_t stop_set_{};
  sigset_t waiting_mask_{};  // the mask to wait with: the original, stop signals allowed
};

// Allocates `mib` MiB and writes to every page, so the memory is resident
// and charged to the cgroup; held in `held` until the process exits.
void hog_memory(uint64_t mib, std::vector<std::unique_ptr<char[]>>& held) {
  constexpr size_t kChunk = 1 << 20;
  constexpr size_t kPage = 4096;
  for (uint64_t i = 0; i < mib; ++i) {
    auto chunk = std::make_unique_for_overwrite<char[]>(kChunk);
    for (size_t at = 0; at < kChunk; at += kPage) chunk[at] = static_cast<char>(at / kPage + 1);
    held.push_back(std::move(chunk));
  }
}

}  // namespace

Status run(const RunConfig& config) {
  StopSignals signals;
  if (auto installed = signals.install(); !installed) return installed;

  // Each line at start + its offset on the monotonic clock; behind schedule
  // (a blocked write, a paused container) lines go out back to back until
  // caught up, none skipped, so counts stay exact and nothing drifts.
  Schedule schedule(config.profile);
  const Nanos start = clock_now(CLOCK_MONOTONIC);
  std::optional<Nanos> alloc_at;
  if (config.alloc_after && config.alloc_mb > 0) alloc_at = start + *config.alloc_after;
  std::vector<std::unique_ptr<char[]>> held;
  // Sleeps until `deadline` (nullopt: for ever), allocating on the way if
  // that is due first. False when a stop signal came.
  auto wait_until = [&](std::optional<Nanos> deadline) {
    if (alloc_at && (!deadline || *alloc_at <= *deadline)) {
      if (!signals.sleep_until(*alloc_at)) return false;
      hog_memory(config.alloc_mb, held);
      alloc_at.reset();
    }
    return signals.sleep_until(deadline);
  };
  std::string line;
  while (auto event = schedule.next()) {
    if (!wait_until(start + event->offset)) return Ok{};
    LineHeader header{config.run_id, config.container, config.boot,
                      event->seq,    clock_now(CLOCK_REALTIME).count(), event->stream};
    line.clear();
    if (config.profile.content == Content::pathological) {
      append_pathological_line(line, header);  // its '\n' and any empty line after it included
    } else {
      append_line(line, header, event->size_bytes);
      line += '\n';
    }
    auto written = signals.write_all(event->stream == Stream::out ? STDOUT_FILENO : STDERR_FILENO, line);
    if (!written) return written.error();
    if (*written == Written::stopped) return Ok{};
  }

  // Nothing left to write: done if the count is, else silent until the
  // duration is over or for ever (an idle container).
  const Profile& profile = config.profile;
  if (profile.count && schedule.emitted() == *profile.count) return Ok{};
  std::optional<Nanos> end;
  if (profile.duration) end = start + *profile.duration;
  wait_until(end);
  return Ok{};
}

}  // namespace leakcheck::loggen
