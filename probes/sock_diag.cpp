#include "probes/sock_diag.h"

#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cstring>
#include <functional>
#include <vector>

#include "probes/proc_parse.h"
#include "util/file_io.h"

namespace leakcheck::probes {

namespace {

constexpr uint8_t kTcpListen = 10;
constexpr uint8_t kTcpTimeWait = 6;
constexpr uint32_t kAllStates = ~0u;

// Sends one dump request and calls on_message for every answer until DONE.
Status netlink_dump(int fd, uint32_t seq, void* request, size_t request_len,
                    const std::function<void(const nlmsghdr*)>& on_message) {
  auto* header = static_cast<nlmsghdr*>(request);
  header->nlmsg_len = static_cast<uint32_t>(request_len);
  header->nlmsg_type = SOCK_DIAG_BY_FAMILY;
  header->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  header->nlmsg_seq = seq;

  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd, request, request_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
    return errno_error("sock_diag: send dump request");

  // 32 KiB is what the kernel fills per recv for dumps at most page-size * 8.
  alignas(nlmsghdr) static thread_local char buffer[32768];
  for (;;) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("sock_diag: receive dump");
    }
    if (n == 0) return Error{0, "sock_diag: netlink socket closed"};
    int len = static_cast<int>(n);
    for (auto* msg = reinterpret_cast<nlmsghdr*>(buffer); NLMSG_OK(msg, len); msg = NLMSG_NEXT(msg, len)) {
      // A stale answer from an earlier, interrupted dump: not ours.
      if (msg->nlmsg_seq != seq) continue;
      if (msg->nlmsg_type == NLMSG_DONE) return Ok{};
      if (msg->nlmsg_type == NLMSG_ERROR) {
        auto* err = static_cast<nlmsgerr*>(NLMSG_DATA(msg));
        return Error{-err->error, "sock_diag: dump refused"};
      }
      on_message(msg);
    }
  }
}

Status dump_inet(int fd, uint32_t seq, uint8_t family, uint8_t protocol, NetnsTables& tables) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 body;
  } request{};
  request.body.sdiag_family = family;
  request.body.sdiag_protocol = protocol;
  request.body.idiag_states = kAllStates;
  return netlink_dump(fd, seq, &request, sizeof request, [&](const nlmsghdr* msg) {
    auto* diag = static_cast<const inet_diag_msg*>(NLMSG_DATA(msg));
    if (protocol == IPPROTO_UDP) {
      tables.udp_inodes.insert(diag->idiag_inode);
    } else if (diag->idiag_state == kTcpTimeWait) {
      ++tables.tcp_time_wait;
    } else {
      tables.tcp_state_by_inode[diag->idiag_inode] = diag->idiag_state;
    }
  });
}

Status dump_unix(int fd, uint32_t seq, NetnsTables& tables) {
  struct {
    nlmsghdr header;
    unix_diag_req body;
  } request{};
  request.body.sdiag_family = AF_UNIX;
  request.body.udiag_states = kAllStates;
  request.body.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER;
  return netlink_dump(fd, seq, &request, sizeof request, [&](const nlmsghdr* msg) {
    auto* diag = static_cast<const unix_diag_msg*>(NLMSG_DATA(msg));
    UnixEntry entry;
    entry.state = diag->udiag_state;
    int attr_len = static_cast<int>(msg->nlmsg_len - NLMSG_LENGTH(sizeof *diag));
    for (auto* attr = reinterpret_cast<const rtattr*>(diag + 1); RTA_OK(attr, attr_len);
         attr = RTA_NEXT(attr, attr_len)) {
      const char* data = static_cast<const char*>(RTA_DATA(attr));
      size_t size = RTA_PAYLOAD(attr);
      if (attr->rta_type == UNIX_DIAG_NAME && size > 0) {
        // Abstract names start with a NUL; show them as ss does, with '@'.
        entry.name = data[0] == '\0' ? "@" + std::string(data + 1, size - 1)
                                     : std::string(data, ::strnlen(data, size));
      } else if (attr->rta_type == UNIX_DIAG_PEER && size >= sizeof(uint32_t)) {
        uint32_t peer = 0;
        std::memcpy(&peer, data, sizeof peer);
        entry.peer_inode = peer;
      }
    }
    tables.unix_by_inode.emplace(diag->udiag_ino, std::move(entry));
  });
}

Result<NetnsTables> read_proc_net(int proc_pid_dir) {
  NetnsTables tables;
  tables.source = "proc_net";
  for (const char* file : {"net/tcp", "net/tcp6", "net/udp", "net/udp6"}) {
    auto text = read_file_at(proc_pid_dir, file);
    if (!text) {
      if (text.error().code == ENOENT) continue;  // no IPv6 in this kernel
      return text.error();
    }
    auto rows = parse_proc_net_inet(*text);
    if (!rows) return rows.error();
    bool udp = std::strstr(file, "udp") != nullptr;
    for (const auto& row : *rows) {
      if (udp) tables.udp_inodes.insert(row.inode);
      else if (row.state == kTcpTimeWait) ++tables.tcp_time_wait;
      else tables.tcp_state_by_inode[row.inode] = static_cast<uint8_t>(row.state);
    }
  }
  auto text = read_file_at(proc_pid_dir, "net/unix");
  if (!text) return text.error();
  auto rows = parse_proc_net_unix(*text);
  if (!rows) return rows.error();
  for (auto& row : *rows) {
    // SS_CONNECTED is 3; map to the TCP_* numbering sock_diag uses.
    uint8_t state = row.listening ? kTcpListen : row.state == 3 ? 1 : 7;
    tables.unix_by_inode.emplace(row.inode, UnixEntry{state, 0, std::move(row.path)});
  }
  return tables;
}

std::string display_path(const std::string& name) { return name.empty() ? "(unnamed)" : name; }

}  // namespace

Sockets tally_sockets(std::span<const uint64_t> socket_inodes, const NetnsTables& tables) {
  Sockets s;
  s.source = tables.source;
  for (uint64_t inode : socket_inodes) {
    if (auto tcp = tables.tcp_state_by_inode.find(inode); tcp != tables.tcp_state_by_inode.end()) {
      if (tcp->second < kTcpStateCount) ++s.tcp[tcp->second];
      ++s.tcp_total;
      continue;
    }
    if (tables.udp_inodes.contains(inode)) {
      ++s.udp;
      continue;
    }
    auto unix_it = tables.unix_by_inode.find(inode);
    if (unix_it == tables.unix_by_inode.end()) {
      ++s.other;
      continue;
    }
    const UnixEntry& entry = unix_it->second;
    UnixSockets& u = s.unix_sockets;
    ++u.total;
    if (entry.state == kTcpListen) {
      ++u.listening[display_path(entry.name)];
    } else if (entry.peer_inode != 0) {
      // An accepted connection carries the listener's name; a client's socket
      // is unnamed and its peer carries the name.
      if (!entry.name.empty()) {
        ++u.accepted_on[entry.name];
      } else {
        auto peer = tables.unix_by_inode.find(entry.peer_inode);
        ++u.connected_to[peer == tables.unix_by_inode.end() ? "(unknown)" : display_path(peer->second.name)];
      }
    } else if (entry.state == 1 && tables.source == "proc_net") {
      ++u.connected_to["(peer unknown)"];
    } else {
      ++u.unconnected;
    }
  }
  return s;
}

Result<int> SockDiag::netlink_socket_for(int proc_pid_dir, uint64_t netns_inode) {
  if (auto it = sockets_by_netns_.find(netns_inode); it != sockets_by_netns_.end()) return it->second.get();
  if (netns_without_netlink_.contains(netns_inode)) return Error{EPERM, "setns"};

  auto own = read_link_at(AT_FDCWD, "/proc/thread-self/ns/net");
  if (!own) return own.error();
  bool same_namespace = namespace_inode(*own) == netns_inode;

  UniqueFd restore;
  if (!same_namespace) {
    // A socket belongs to the namespace it was created in: step into the
    // target's namespace (this thread only), create it, step back.
    UniqueFd target(::openat(proc_pid_dir, "ns/net", O_RDONLY | O_CLOEXEC));
    restore = UniqueFd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!target || !restore) return errno_error("open ns/net");
    if (::setns(target.get(), CLONE_NEWNET) != 0) {
      netns_without_netlink_.insert(netns_inode);
      return errno_error("setns into the target's network namespace");
    }
  }
  UniqueFd sock(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  int socket_errno = errno;
  if (restore && ::setns(restore.get(), CLONE_NEWNET) != 0) {
    // Staying in a foreign namespace would silently corrupt every later
    // network call of this thread: this is not recoverable.
    std::perror("leakcheck: setns back to our own network namespace");
    std::abort();
  }
  if (!sock) return Error{socket_errno, "socket(AF_NETLINK, NETLINK_SOCK_DIAG)"};
  // A dump never blocks for long; a stuck one must not stall the sampler.
  timeval timeout{2, 0};
  ::setsockopt(sock.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (sockets_by_netns_.size() >= 16) sockets_by_netns_.clear();  // bound the cache
  int fd = sock.get();
  sockets_by_netns_.emplace(netns_inode, std::move(sock));
  return fd;
}

Result<NetnsTables> SockDiag::read(int proc_pid_dir, uint64_t netns_inode) {
  auto fd = netlink_socket_for(proc_pid_dir, netns_inode);
  if (!fd) return read_proc_net(proc_pid_dir);

  NetnsTables tables;
  tables.source = "sock_diag";
  Status status = Ok{};
  for (uint8_t family : {AF_INET, AF_INET6}) {
    for (uint8_t protocol : {IPPROTO_TCP, IPPROTO_UDP}) {
      if (status) status = dump_inet(*fd, ++sequence_, family, protocol, tables);
    }
  }
  if (status) status = dump_unix(*fd, ++sequence_, tables);
  if (!status) {
    // A socket that failed mid-dump may hold stale answers: start afresh next time.
    sockets_by_netns_.erase(netns_inode);
    return status.error();
  }
  return tables;
}

}  // namespace leakcheck::probes
