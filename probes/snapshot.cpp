#include "probes/snapshot.h"

namespace leakcheck::probes {

const char* fd_kind_name(FdKind kind) {
  switch (kind) {
    case FdKind::socket: return "socket";
    case FdKind::pipe: return "pipe";
    case FdKind::file: return "file";
    case FdKind::dir: return "dir";
    case FdKind::device: return "device";
    case FdKind::memfd: return "memfd";
    case FdKind::eventfd: return "eventfd";
    case FdKind::eventpoll: return "eventpoll";
    case FdKind::timerfd: return "timerfd";
    case FdKind::signalfd: return "signalfd";
    case FdKind::inotify: return "inotify";
    case FdKind::pidfd: return "pidfd";
    case FdKind::anon_inode: return "anon_inode";
    case FdKind::other: return "other";
    case FdKind::count_: break;
  }
  return "other";
}

const char* tcp_state_name(int state) {
  static constexpr const char* kNames[kTcpStateCount] = {
      "unknown",   "established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2", "time_wait",
      "close",     "close_wait",  "last_ack", "listen",   "closing",   "new_syn_recv"};
  if (state < 0 || static_cast<size_t>(state) >= kTcpStateCount) return "unknown";
  return kNames[state];
}

}  // namespace leakcheck::probes
