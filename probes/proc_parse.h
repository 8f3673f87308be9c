#pragma once
// Pure parsers for /proc text. They touch no files, so the unit tests feed
// them literal kernel output (probes/tests/proc_parse_test.cpp).

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "probes/snapshot.h"
#include "util/result.h"

namespace leakcheck::probes {

// /proc/PID/stat. comm may hold spaces and parentheses ("(a) b)"), so it is
// everything between the first '(' and the LAST ')'.
struct StatFields {
  pid_t pid = 0;
  std::string comm;
  char state = '?';
  pid_t ppid = 0;
  uint32_t flags = 0;  // PF_* task flags
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  int64_t num_threads = 0;
  uint64_t start_time_ticks = 0;  // since boot; with pid, identifies a process
  uint64_t vsize_bytes = 0;
};
Result<StatFields> parse_stat(std::string_view text);

// True once the kernel has begun tearing the process down (PF_EXITING is set
// before its files are closed) or it is a zombie: what is read now is not a
// whole sample.
bool is_exiting(const StatFields& stat);

// /proc/PID/status: the memory lines we report, in bytes.
struct StatusFields {
  uint64_t rss_bytes = 0;       // VmRSS
  uint64_t peak_rss_bytes = 0;  // VmHWM
  uint64_t vm_size_bytes = 0;   // VmSize
};
Result<StatusFields> parse_status(std::string_view text);

// /proc/PID/smaps_rollup: the Pss line, in bytes.
Result<uint64_t> parse_smaps_rollup_pss(std::string_view text);

// /proc/PID/limits: "Max open files" and "Max processes" (threads count
// against RLIMIT_NPROC). "unlimited" becomes nullopt.
Result<Limits> parse_limits(std::string_view text);

// Classifies the target of a /proc/PID/fd/N link. For path targets the kind
// depends on the file's mode (from stat of the link); pass 0 when unknown.
FdKind classify_fd_target(std::string_view target, mode_t mode);
// True when classify_fd_target needs the mode to tell file, dir and device apart.
bool fd_target_is_path(std::string_view target);

// The inode N of "socket:[N]"; nullopt for any other target.
std::optional<uint64_t> socket_inode(std::string_view target);
// The inode N of "net:[N]" as read from /proc/PID/ns/net.
std::optional<uint64_t> namespace_inode(std::string_view target);

// One row of /proc/PID/net/{tcp,tcp6,udp,udp6}.
struct ProcNetInetRow {
  int state = 0;  // kernel TCP state number
  uint64_t inode = 0;
};
Result<std::vector<ProcNetInetRow>> parse_proc_net_inet(std::string_view text);

// One row of /proc/PID/net/unix: no peer information is available there.
struct ProcNetUnixRow {
  uint64_t inode = 0;
  int state = 0;  // 1 unconnected, 3 connected (SS_* numbering)
  bool listening = false;
  std::string path;
};
Result<std::vector<ProcNetUnixRow>> parse_proc_net_unix(std::string_view text);

}  // namespace leakcheck::probes
