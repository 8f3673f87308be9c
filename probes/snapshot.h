#pragma once
// What one sample of a process (or a process tree) holds. Plain data: the
// sampler fills it, the JSON and text renderers read it.

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace leakcheck::probes {

// Kinds of file descriptor, from the target of /proc/PID/fd/N. The names
// (fd_kind_name) are public API: they become the series `fds.<name>`.
enum class FdKind {
  socket,
  pipe,
  file,        // regular file
  dir,
  device,      // character or block device
  memfd,
  eventfd,
  eventpoll,
  timerfd,
  signalfd,
  inotify,
  pidfd,
  anon_inode,  // any other anon_inode:[...] (io_uring, userfaultfd, bpf-map, ...)
  other,       // anything else (e.g. a fifo on disk, a deleted file's kind unknown)
  count_       // not a kind: the number of kinds
};
inline constexpr size_t kFdKindCount = static_cast<size_t>(FdKind::count_);
const char* fd_kind_name(FdKind kind);

struct FdCounts {
  uint64_t total = 0;  // what the kernel reports, or what we counted
  std::array<uint64_t, kFdKindCount> by_kind{};
  // Descriptors listed but closed before they could be classified: a live
  // process churns; these are in `total` but in no kind.
  uint64_t vanished = 0;

  uint64_t& operator[](FdKind k) { return by_kind[static_cast<size_t>(k)]; }
  uint64_t operator[](FdKind k) const { return by_kind[static_cast<size_t>(k)]; }
};

// TCP states as the kernel numbers them (include/net/tcp_states.h).
enum class TcpState : uint8_t {
  established = 1,
  syn_sent,
  syn_recv,
  fin_wait1,
  fin_wait2,
  time_wait,
  close,
  close_wait,
  last_ack,
  listen,
  closing,
  new_syn_recv,
};
inline constexpr size_t kTcpStateCount = 13;  // indexed by the kernel's number, 0 unused
// "established", "close_wait", ...: public API as the series `sockets.tcp.<name>`.
const char* tcp_state_name(int state);

struct UnixSockets {
  uint64_t total = 0;
  uint64_t unconnected = 0;  // neither listening nor connected
  // Listening sockets by bound path ("@name" for abstract, "(unnamed)").
  std::map<std::string, uint64_t> listening;
  // Connected sockets by the path their peer is bound to: a client connected
  // to /var/run/docker.sock shows there, since the daemon's accepted socket
  // carries the listener's address. Socketpairs show as "(unnamed)".
  std::map<std::string, uint64_t> connected_to;
  // Connections this process accepted, by the listening path they came in on.
  std::map<std::string, uint64_t> accepted_on;
};

struct Sockets {
  // The process's own TCP sockets (v4 and v6) by state, indexed by TcpState.
  std::array<uint64_t, kTcpStateCount> tcp{};
  uint64_t tcp_total = 0;
  uint64_t udp = 0;
  UnixSockets unix_sockets;
  uint64_t other = 0;  // netlink, packet, raw, or not found in any table

  // Where the socket details came from: "sock_diag" (netlink, exact, peers
  // known) or "proc_net" (the /proc/PID/net fallback: no unix peers).
  std::string source;

  uint64_t& tcp_in(TcpState s) { return tcp[static_cast<size_t>(s)]; }
  uint64_t tcp_in(TcpState s) const { return tcp[static_cast<size_t>(s)]; }
};

struct Memory {
  uint64_t rss_bytes = 0;
  uint64_t peak_rss_bytes = 0;
  std::optional<uint64_t> pss_bytes;  // smaps_rollup needs ptrace read access
  uint64_t vm_size_bytes = 0;
};

struct Cpu {
  double user_seconds = 0;
  double system_seconds = 0;
};

struct Limits {
  // nullopt means "unlimited".
  std::optional<uint64_t> nofile_soft, nofile_hard;
  std::optional<uint64_t> nproc_soft, nproc_hard;
  uint64_t threads_max_system = 0;  // /proc/sys/kernel/threads-max
};

// One process's own resources.
struct ProcessResources {
  pid_t pid = 0;
  pid_t ppid = 0;
  std::string comm;
  char state = '?';
  FdCounts fds;
  Sockets sockets;
  uint64_t threads_total = 0;
  std::map<std::string, uint64_t> threads_by_name;
  Memory memory;
  Cpu cpu;
};

struct ProcessSnapshot {
  int64_t taken_at_unix_ns = 0;
  double sample_duration_us = 0;  // how long sampling took: the probe's own cost
  pid_t root_pid = 0;
  // Sums over `processes` (just the root when descendants are not included).
  ProcessResources total;
  Limits limits;  // of the root process
  // TIME_WAIT sockets have no fd and no owner: they are counted for the
  // whole network namespace of the root process, not per process.
  std::optional<uint64_t> tcp_time_wait_in_netns;
  std::vector<ProcessResources> processes;  // root first, then descendants by pid
};

}  // namespace leakcheck::probes
