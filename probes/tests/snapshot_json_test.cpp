// The JSON document and the series names are public API: pin them down.

#include "probes/snapshot_json.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

namespace leakcheck::probes {
namespace {

ProcessSnapshot example() {
  ProcessSnapshot s;
  s.root_pid = 42;
  s.taken_at_unix_ns = 1'700'000'000'000'000'000;
  s.total.pid = 42;
  s.total.comm = "collector";
  s.total.fds.total = 9;
  s.total.fds[FdKind::socket] = 5;
  s.total.fds[FdKind::eventfd] = 1;
  s.total.fds[FdKind::file] = 3;
  s.total.sockets.source = "sock_diag";
  s.total.sockets.tcp_in(TcpState::close_wait) = 2;
  s.total.sockets.tcp_in(TcpState::established) = 1;
  s.total.sockets.tcp_total = 3;
  s.total.sockets.unix_sockets.total = 2;
  s.total.sockets.unix_sockets.connected_to["/var/run/docker.sock"] = 2;
  s.total.threads_total = 3;
  s.total.threads_by_name = {{"collector", 1}, {"io", 2}};
  s.total.memory.rss_bytes = 4096;
  s.total.cpu.user_seconds = 1.5;
  s.total.cpu.system_seconds = 0.5;
  s.limits.nofile_soft = 1024;
  s.tcp_time_wait_in_netns = 7;
  s.processes.push_back(s.total);
  return s;
}

TEST(SnapshotJson, DocumentShape) {
  auto doc = to_json(example());
  EXPECT_EQ(doc["schema"], "leakcheck.probe/1");
  EXPECT_EQ(doc["pid"], 42);
  EXPECT_EQ(doc["fds"]["total"], 9);
  EXPECT_EQ(doc["fds"]["by_kind"]["socket"], 5);
  EXPECT_EQ(doc["fds"]["by_kind"]["pidfd"], 0);  // every kind present, zero or not
  EXPECT_EQ(doc["sockets"]["tcp"]["by_state"]["close_wait"], 2);
  EXPECT_FALSE(doc["sockets"]["tcp"]["by_state"].contains("time_wait"));
  EXPECT_EQ(doc["sockets"]["tcp_time_wait_in_netns"], 7);
  EXPECT_EQ(doc["sockets"]["unix"]["connected_to"]["/var/run/docker.sock"], 2);
  EXPECT_EQ(doc["threads"]["by_name"]["io"], 2);
  EXPECT_TRUE(doc["memory"]["pss_bytes"].is_null());
  EXPECT_EQ(doc["limits"]["nofile"]["soft"], 1024);
  EXPECT_TRUE(doc["limits"]["nofile"]["hard"].is_null());  // unlimited
  ASSERT_EQ(doc["processes"].size(), 1u);
  EXPECT_EQ(doc["processes"][0]["comm"], "collector");
}

TEST(SnapshotSeries, StableNames) {
  std::map<std::string, double> series;
  for (auto& [name, value] : to_series(example())) series[name] = value;
  EXPECT_EQ(series.at("fds.total"), 9);
  EXPECT_EQ(series.at("fds.socket"), 5);
  EXPECT_EQ(series.at("fds.eventfd"), 1);
  EXPECT_EQ(series.at("fds.pipe"), 0);
  EXPECT_EQ(series.at("threads.total"), 3);
  EXPECT_EQ(series.at("threads.io"), 2);
  EXPECT_EQ(series.at("sockets.tcp.close_wait"), 2);
  EXPECT_EQ(series.at("sockets.tcp.established"), 1);
  EXPECT_EQ(series.at("sockets.tcp.time_wait_in_netns"), 7);
  EXPECT_EQ(series.at("sockets.unix./var/run/docker.sock"), 2);
  EXPECT_EQ(series.at("rss_bytes"), 4096);
  EXPECT_EQ(series.at("cpu_seconds"), 2.0);
  EXPECT_FALSE(series.contains("pss_bytes"));  // unknown is absent, not zero
}

}  // namespace
}  // namespace leakcheck::probes
