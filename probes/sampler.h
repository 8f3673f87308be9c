#pragma once
// sample(pid, options) -> ProcessSnapshot: one exact, classified look at a
// process (and optionally its descendants), cheap enough to take every second.

#include <sys/types.h>

#include <memory>
#include <string_view>
#include <variant>
#include <vector>

#include "probes/snapshot.h"
#include "util/result.h"

namespace leakcheck::probes {

struct SampleOptions {
  bool include_descendants = false;
  // smaps_rollup walks every mapping of the process; skip it when sampling a
  // huge process very often.
  bool with_pss = true;
};

// The process is gone (or a zombie, which holds no resources), or its pid now
// names another process. An ordinary outcome: targets exit.
struct ProcessExited {
  pid_t pid = 0;
};

using SampleResult = std::variant<ProcessSnapshot, ProcessExited, Error>;

class SockDiag;
class ThreadReader;

// Keeps what is worth keeping between samples: netlink sockets per network
// namespace and the libproc2 context. Not thread-safe; one per sampling loop.
class Sampler {
 public:
  Sampler();
  ~Sampler();
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  SampleResult sample(pid_t pid, const SampleOptions& options = {});

 private:
  std::unique_ptr<SockDiag> sock_diag_;
  std::unique_ptr<ThreadReader> threads_;
};

// A one-off sample with a fresh Sampler.
SampleResult sample(pid_t pid, const SampleOptions& options = {});

// The number of open fds alone: stat("/proc/PID/fd").st_size, which Linux
// (6.2 and later) sets to the count; counts the entries on older kernels.
Result<uint64_t> count_fds(pid_t pid);

// Children, grandchildren, ... of pid (not pid itself), in ascending order.
std::vector<pid_t> descendants(pid_t pid);

// Processes whose name (comm, as in `ps -o comm`) is exactly `name`, ascending.
std::vector<pid_t> find_processes_by_name(std::string_view name);

}  // namespace leakcheck::probes
