// tally_sockets: a process's socket inodes against hand-built namespace tables.

#include <gtest/gtest.h>

#include <vector>

#include "probes/sock_diag.h"

namespace leakcheck::probes {
namespace {

NetnsTables docker_like_tables() {
  NetnsTables t;
  t.source = "sock_diag";
  t.tcp_state_by_inode = {{100, 1}, {101, 8}, {102, 8}, {103, 10}, {900, 1}};
  t.tcp_time_wait = 4;
  t.udp_inodes = {200};
  // 300: dockerd's listener; 301/302: connections it accepted (they carry the
  // listener's name); 401/402: our clients, peers of 301/302; 403/404: a socketpair.
  t.unix_by_inode = {
      {300, {10, 0, "/var/run/docker.sock"}},
      {301, {1, 401, "/var/run/docker.sock"}},
      {302, {1, 402, "/var/run/docker.sock"}},
      {401, {1, 301, ""}},
      {402, {1, 302, ""}},
      {403, {1, 404, ""}},
      {404, {1, 403, ""}},
      {405, {7, 0, ""}},
      {406, {1, 999999, ""}},  // peer not in the table (e.g. another namespace)
  };
  return t;
}

TEST(TallySockets, ClientOfDockerSock) {
  std::vector<uint64_t> inodes{100, 101, 102, 103, 200, 401, 402, 403, 404, 405, 406, 777};
  Sockets s = tally_sockets(inodes, docker_like_tables());
  EXPECT_EQ(s.source, "sock_diag");
  EXPECT_EQ(s.tcp_total, 4u);
  EXPECT_EQ(s.tcp_in(TcpState::established), 1u);
  EXPECT_EQ(s.tcp_in(TcpState::close_wait), 2u);
  EXPECT_EQ(s.tcp_in(TcpState::listen), 1u);
  EXPECT_EQ(s.tcp_in(TcpState::time_wait), 0u);  // never attributed to a process
  EXPECT_EQ(s.udp, 1u);
  EXPECT_EQ(s.other, 1u);  // 777: in no table (netlink, packet, ...)
  const UnixSockets& u = s.unix_sockets;
  EXPECT_EQ(u.total, 6u);
  EXPECT_EQ(u.connected_to.at("/var/run/docker.sock"), 2u);
  EXPECT_EQ(u.connected_to.at("(unnamed)"), 2u);
  EXPECT_EQ(u.connected_to.at("(unknown)"), 1u);
  EXPECT_EQ(u.unconnected, 1u);
  EXPECT_TRUE(u.listening.empty());
  EXPECT_TRUE(u.accepted_on.empty());
}

TEST(TallySockets, TheDaemonSide) {
  std::vector<uint64_t> inodes{300, 301, 302};
  Sockets s = tally_sockets(inodes, docker_like_tables());
  EXPECT_EQ(s.unix_sockets.listening.at("/var/run/docker.sock"), 1u);
  EXPECT_EQ(s.unix_sockets.accepted_on.at("/var/run/docker.sock"), 2u);
  EXPECT_TRUE(s.unix_sockets.connected_to.empty());
}

TEST(TallySockets, ProcNetFallbackKnowsNoPeers) {
  NetnsTables t;
  t.source = "proc_net";
  t.unix_by_inode = {{1, {1, 0, ""}}, {2, {7, 0, ""}}, {3, {10, 0, "/run/x.sock"}}};
  std::vector<uint64_t> inodes{1, 2, 3};
  Sockets s = tally_sockets(inodes, t);
  EXPECT_EQ(s.unix_sockets.connected_to.at("(peer unknown)"), 1u);
  EXPECT_EQ(s.unix_sockets.unconnected, 1u);
  EXPECT_EQ(s.unix_sockets.listening.at("/run/x.sock"), 1u);
}

}  // namespace
}  // namespace leakcheck::probes
