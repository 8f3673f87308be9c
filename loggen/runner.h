#pragma once
// The writing loop: a schedule's lines to fds 1 and 2 on time, until the
// profile ends or a stop signal comes.

#include <cstdint>
#include <optional>
#include <string>

#include "loggen/schedule.h"
#include "util/result.h"

namespace leakcheck::loggen {

struct RunConfig {
  std::string run_id;
  std::string container;
  uint32_t boot = 1;
  Profile profile;
  std::optional<Nanos> alloc_after;  // then allocate and touch alloc_mb MiB, once
  uint64_t alloc_mb = 0;
};

// Installs handlers for SIGTERM and SIGINT (a stopped container: end at once,
// successfully) and ignores SIGPIPE (a closed reader is a write error), then
// writes every line of the schedule at its offset from now, one write(2) per
// line. Returns when the count is reached, the duration is over, or a stop
// signal came; otherwise, with nothing left to write, waits for a signal.
// An error is a failed write (e.g. EPIPE): the caller exits 1.
//
// One write per line keeps lines whole: a pipe write of at most PIPE_BUF
// (4096) bytes is atomic, and a longer one only lacks atomicity against other
// writers, of which each pipe has none (fds 1 and 2 are separate pipes under
// Docker, or one terminal written by this one thread). The daemon itself
// cuts a line longer than 16 KiB into several log messages (json-file: all
// but the last without '\n'); joining them is the collector's job.
//
// With alloc_after, the memory is allocated between two lines (never in the
// middle of one), 1 MiB at a time, each page written so that it is really
// charged to the container's memory cgroup; it is held until exit. Under a
// memory limit below it the kernel kills the process there: every line
// written before is whole in the daemon's log.
Status run(const RunConfig& config);

}  // namespace leakcheck::loggen
