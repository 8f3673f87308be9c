// `leakcheck probe` against fd_zoo, a process holding a known set of
// resources: the probe must report exactly those counts, and agree with
// ss and ls run in the same moment.

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/e2e/subprocess.h"

namespace leakcheck::testing {
namespace {

using nlohmann::json;

const std::string kLeakcheck = LEAKCHECK_BIN;
const std::string kZoo = FD_ZOO_BIN;

std::string unix_path() { return "/tmp/leakcheck-zoo-" + std::to_string(::getpid()) + ".sock"; }

std::vector<std::string> zoo_argv(int children = 0) {
  return {kZoo,         "pipes=3",     "files=4",       "dirs=2",         "devices=1",
          "eventfds=2", "timerfds=1",  "epolls=1",      "inotify=1",      "memfds=1",
          "pidfds=1",   "signalfds=1", "tcp_established_pairs=3",         "tcp_close_wait=2",
          "socketpairs=2",             "unix_clients=3", "unix_path=" + unix_path(),
          "threads=4",  "children=" + std::to_string(children)};
}

json probe_json(pid_t pid, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv{kLeakcheck, "probe", std::to_string(pid), "--json"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  CommandOutput r = run_command(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out);
}

// Lines of `ss` output that belong to pid, counted by their first column.
std::map<std::string, int> ss_states_of(pid_t pid, const std::vector<std::string>& argv) {
  CommandOutput r = run_command(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, int> counts;
  std::istringstream lines(r.out);
  std::string line;
  std::string needle = "pid=" + std::to_string(pid) + ",";
  while (std::getline(lines, line)) {
    if (line.find(needle) == std::string::npos) continue;
    std::istringstream fields(line);
    std::string first;
    fields >> first;
    ++counts[first];
  }
  return counts;
}

int ls_fd_count(pid_t pid) {
  CommandOutput r = run_command({"ls", "/proc/" + std::to_string(pid) + "/fd"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  int n = 0;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) ++n;
  return n;
}

TEST(ProbeE2E, ReportsExactlyTheResourcesHeld) {
  Child zoo(zoo_argv());
  ASSERT_EQ(zoo.read_line(), "ready " + std::to_string(zoo.pid()));

  json p = probe_json(zoo.pid());
  const json& kinds = p["fds"]["by_kind"];
  // fds 0 and 1 are pipes from this test, fd 2 is /dev/null (see fd_zoo.cpp).
  EXPECT_EQ(kinds["pipe"], 2 + 2 * 3);
  EXPECT_EQ(kinds["file"], 4);
  EXPECT_EQ(kinds["dir"], 2);
  EXPECT_EQ(kinds["device"], 2);
  EXPECT_EQ(kinds["eventfd"], 2);
  EXPECT_EQ(kinds["timerfd"], 1);
  EXPECT_EQ(kinds["eventpoll"], 1);
  EXPECT_EQ(kinds["inotify"], 1);
  EXPECT_EQ(kinds["memfd"], 1);
  EXPECT_EQ(kinds["pidfd"], 1);
  EXPECT_EQ(kinds["signalfd"], 1);
  // 1 TCP listener + 3 pairs + 2 CLOSE_WAIT + 2 socketpairs + unix listener,
  // 3 clients and the 3 connections it accepted.
  EXPECT_EQ(kinds["socket"], 1 + 6 + 2 + 4 + 1 + 3 + 3);
  EXPECT_EQ(kinds["other"], 0);
  EXPECT_EQ(kinds["anon_inode"], 0);
  EXPECT_EQ(p["fds"]["total"], 44);
  EXPECT_EQ(p["fds"]["vanished"], 0);

  const json& sockets = p["sockets"];
  EXPECT_EQ(sockets["source"], "sock_diag");
  EXPECT_EQ(sockets["tcp"]["total"], 9);
  EXPECT_EQ(sockets["tcp"]["by_state"]["listen"], 1);
  EXPECT_EQ(sockets["tcp"]["by_state"]["established"], 6);
  EXPECT_EQ(sockets["tcp"]["by_state"]["close_wait"], 2);
  EXPECT_EQ(sockets["unix"]["total"], 11);
  EXPECT_EQ(sockets["unix"]["listening"][unix_path()], 1);
  EXPECT_EQ(sockets["unix"]["connected_to"][unix_path()], 3);
  EXPECT_EQ(sockets["unix"]["accepted_on"][unix_path()], 3);
  EXPECT_EQ(sockets["unix"]["connected_to"]["(unnamed)"], 4);
  EXPECT_EQ(sockets["unix"]["unconnected"], 0);
  EXPECT_EQ(sockets["udp"], 0);
  EXPECT_EQ(sockets["other"], 0);

  EXPECT_EQ(p["threads"]["total"], 5);
  EXPECT_EQ(p["threads"]["by_name"]["fd_zoo"], 1);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(p["threads"]["by_name"]["zoo-worker-" + std::to_string(i)], 1);

  EXPECT_GT(p["memory"]["rss_bytes"].get<uint64_t>(), 0u);
  EXPECT_TRUE(p["memory"]["pss_bytes"].is_number());
  EXPECT_TRUE(p["limits"]["nofile"]["soft"].is_number());
  EXPECT_EQ(p["processes"].size(), 1u);

  // The same moment, seen by the standard tools.
  EXPECT_EQ(ls_fd_count(zoo.pid()), p["fds"]["total"].get<int>());
  auto tcp = ss_states_of(zoo.pid(), {"ss", "-tanp"});
  EXPECT_EQ(tcp["LISTEN"], 1);
  EXPECT_EQ(tcp["ESTAB"], 6);
  EXPECT_EQ(tcp["CLOSE-WAIT"], 2);
  auto unix_rows = ss_states_of(zoo.pid(), {"ss", "-xap"});
  int unix_total = 0;
  for (auto& [type, n] : unix_rows) unix_total += n;
  EXPECT_EQ(unix_total, 11);

  EXPECT_EQ(zoo.finish(), 0);
}

TEST(ProbeE2E, ChildrenAreIncludedPerProcessAndInTotals) {
  Child zoo(zoo_argv(/*children=*/2));
  ASSERT_EQ(zoo.read_line(), "ready " + std::to_string(zoo.pid()));

  json alone = probe_json(zoo.pid());
  json tree = probe_json(zoo.pid(), {"--children"});
  EXPECT_EQ(alone["processes"].size(), 1u);
  ASSERT_EQ(tree["processes"].size(), 3u);
  EXPECT_EQ(tree["processes"][0]["pid"], zoo.pid());
  for (int i : {1, 2}) {
    EXPECT_EQ(tree["processes"][i]["ppid"], zoo.pid());
    EXPECT_EQ(tree["processes"][i]["fds"]["total"], 0);  // children close everything
    EXPECT_EQ(tree["processes"][i]["threads"]["total"], 1);
  }
  EXPECT_EQ(tree["fds"]["total"], 44);
  EXPECT_EQ(tree["threads"]["total"], 5 + 2);
  EXPECT_EQ(zoo.finish(), 0);
}

TEST(ProbeE2E, ByNameWatchAndErrors) {
  Child zoo(zoo_argv());
  ASSERT_EQ(zoo.read_line(), "ready " + std::to_string(zoo.pid()));

  // --watch: exactly --count JSON lines, each a whole snapshot.
  CommandOutput watch =
      run_command({kLeakcheck, "probe", std::to_string(zoo.pid()), "--watch", "50ms", "--count", "3", "--no-pss"});
  ASSERT_EQ(watch.exit_code, 0) << watch.err;
  std::istringstream lines(watch.out);
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    json doc = json::parse(line);
    EXPECT_EQ(doc["fds"]["total"], 44);
    EXPECT_TRUE(doc["memory"]["pss_bytes"].is_null());
  }
  EXPECT_EQ(n, 3);

  // The readable summary names what it found.
  CommandOutput text = run_command({kLeakcheck, "probe", std::to_string(zoo.pid())});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("close_wait"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("connected to " + unix_path()), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("zoo-worker-3"), std::string::npos) << text.out;
  EXPECT_EQ(zoo.finish(), 0);

  // Bad arguments: one line, exit 2. No such process: exit 3.
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {kLeakcheck, "probe"},
           {kLeakcheck, "probe", "1", "--watch"},
           {kLeakcheck, "probe", "1", "--watch", "soon"},
           {kLeakcheck, "probe", "1", "--count", "3"},
           {kLeakcheck, "probe", "1", "--bogus"},
           {kLeakcheck, "frobnicate"}}) {
    CommandOutput r = run_command(bad);
    EXPECT_EQ(r.exit_code, 2) << bad.back();
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  CommandOutput missing = run_command({kLeakcheck, "probe", "no-such-process-name"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_EQ(missing.err, "leakcheck probe: no process named no-such-process-name\n");
  CommandOutput gone = run_command({kLeakcheck, "probe", "999999999"});
  EXPECT_EQ(gone.exit_code, 3) << gone.err;
  CommandOutput help = run_command({kLeakcheck, "probe", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--watch INTERVAL"), std::string::npos);
}

}  // namespace
}  // namespace leakcheck::testing
