#pragma once
// Socket tables of a network namespace, from netlink sock_diag (exact, with
// unix peers), falling back to /proc/PID/net when netlink in the target's
// namespace is not allowed (setns needs CAP_SYS_ADMIN).

#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "probes/snapshot.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace leakcheck::probes {

struct UnixEntry {
  uint8_t state = 0;       // kernel TCP_* numbering: 1 established, 7 close, 10 listen
  uint64_t peer_inode = 0; // 0: no peer, or peers unknown (proc_net source)
  std::string name;        // bound path; "@..." for abstract; empty when unbound
};

// Every socket of one network namespace, keyed by inode.
struct NetnsTables {
  std::unordered_map<uint64_t, uint8_t> tcp_state_by_inode;
  std::unordered_set<uint64_t> udp_inodes;
  std::unordered_map<uint64_t, UnixEntry> unix_by_inode;
  uint64_t tcp_time_wait = 0;  // no inode, no owner: counted for the namespace
  std::string source;          // "sock_diag" or "proc_net"
};

// Classifies a process's sockets (inodes from its fd links) with the tables of
// its namespace. Pure: the unit tests build tables by hand.
Sockets tally_sockets(std::span<const uint64_t> socket_inodes, const NetnsTables& tables);

// Reads socket tables. Keeps one netlink socket per network namespace it has
// seen, so sampling every second opens nothing new.
class SockDiag {
 public:
  SockDiag() = default;
  SockDiag(const SockDiag&) = delete;
  SockDiag& operator=(const SockDiag&) = delete;

  // The tables of the namespace the process whose /proc directory is
  // `proc_pid_dir` (an open fd) lives in. `netns_inode` comes from its ns/net.
  Result<NetnsTables> read(int proc_pid_dir, uint64_t netns_inode);

 private:
  Result<int> netlink_socket_for(int proc_pid_dir, uint64_t netns_inode);

  std::unordered_map<uint64_t, UniqueFd> sockets_by_netns_;
  std::unordered_set<uint64_t> netns_without_netlink_;  // setns refused: use /proc
  uint32_t sequence_ = 0;
};

}  // namespace leakcheck::probes
