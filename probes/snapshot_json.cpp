#include "probes/snapshot_json.h"

#include <nlohmann/json.hpp>

namespace leakcheck::probes {

namespace {

using json = nlohmann::ordered_json;

// TCP states a socket with an fd can be in; TIME_WAIT has none and is
// reported per network namespace instead.
constexpr TcpState kOwnedTcpStates[] = {
    TcpState::established, TcpState::syn_sent,   TcpState::syn_recv, TcpState::fin_wait1,
    TcpState::fin_wait2,   TcpState::close,      TcpState::close_wait, TcpState::last_ack,
    TcpState::listen,      TcpState::closing};

json optional_number(const std::optional<uint64_t>& v) { return v ? json(*v) : json(nullptr); }

json resources_json(const ProcessResources& r) {
  json fds_by_kind = json::object();
  for (size_t k = 0; k < kFdKindCount; ++k) fds_by_kind[fd_kind_name(static_cast<FdKind>(k))] = r.fds.by_kind[k];

  json tcp_by_state = json::object();
  for (TcpState s : kOwnedTcpStates) tcp_by_state[tcp_state_name(static_cast<int>(s))] = r.sockets.tcp_in(s);

  const UnixSockets& u = r.sockets.unix_sockets;
  return {
      {"fds", {{"total", r.fds.total}, {"vanished", r.fds.vanished}, {"by_kind", fds_by_kind}}},
      {"sockets",
       {{"source", r.sockets.source.empty() ? json(nullptr) : json(r.sockets.source)},
        {"tcp", {{"total", r.sockets.tcp_total}, {"by_state", tcp_by_state}}},
        {"udp", r.sockets.udp},
        {"unix",
         {{"total", u.total},
          {"unconnected", u.unconnected},
          {"listening", u.listening},
          {"connected_to", u.connected_to},
          {"accepted_on", u.accepted_on}}},
        {"other", r.sockets.other}}},
      {"threads", {{"total", r.threads_total}, {"by_name", r.threads_by_name}}},
      {"memory",
       {{"rss_bytes", r.memory.rss_bytes},
        {"peak_rss_bytes", r.memory.peak_rss_bytes},
        {"pss_bytes", optional_number(r.memory.pss_bytes)},
        {"vm_size_bytes", r.memory.vm_size_bytes}}},
      {"cpu", {{"user_seconds", r.cpu.user_seconds}, {"system_seconds", r.cpu.system_seconds}}},
  };
}

}  // namespace

json to_json(const ProcessSnapshot& s) {
  json doc = {
      {"schema", kProbeSchema},
      {"taken_at_unix_ns", s.taken_at_unix_ns},
      {"sample_duration_us", s.sample_duration_us},
      {"pid", s.root_pid},
      {"comm", s.total.comm},
  };
  doc.update(resources_json(s.total));
  doc["sockets"]["tcp_time_wait_in_netns"] = optional_number(s.tcp_time_wait_in_netns);
  doc["limits"] = {
      {"nofile", {{"soft", optional_number(s.limits.nofile_soft)}, {"hard", optional_number(s.limits.nofile_hard)}}},
      {"nproc", {{"soft", optional_number(s.limits.nproc_soft)}, {"hard", optional_number(s.limits.nproc_hard)}}},
      {"threads_max_system", s.limits.threads_max_system},
  };
  json processes = json::array();
  for (const ProcessResources& p : s.processes) {
    json entry = {{"pid", p.pid}, {"ppid", p.ppid}, {"comm", p.comm}, {"state", std::string(1, p.state)}};
    entry.update(resources_json(p));
    processes.push_back(std::move(entry));
  }
  doc["processes"] = std::move(processes);
  return doc;
}

std::vector<std::pair<std::string, double>> to_series(const ProcessSnapshot& s) {
  const ProcessResources& r = s.total;
  std::vector<std::pair<std::string, double>> out;
  auto add = [&](std::string name, double value) { out.emplace_back(std::move(name), value); };

  add("fds.total", static_cast<double>(r.fds.total));
  for (size_t k = 0; k < kFdKindCount; ++k)
    add(std::string("fds.") + fd_kind_name(static_cast<FdKind>(k)), static_cast<double>(r.fds.by_kind[k]));

  add("threads.total", static_cast<double>(r.threads_total));
  for (const auto& [name, n] : r.threads_by_name) add("threads." + name, static_cast<double>(n));

  add("sockets.tcp.total", static_cast<double>(r.sockets.tcp_total));
  for (TcpState st : kOwnedTcpStates)
    add(std::string("sockets.tcp.") + tcp_state_name(static_cast<int>(st)), static_cast<double>(r.sockets.tcp_in(st)));
  if (s.tcp_time_wait_in_netns) add("sockets.tcp.time_wait_in_netns", static_cast<double>(*s.tcp_time_wait_in_netns));
  add("sockets.udp", static_cast<double>(r.sockets.udp));
  const UnixSockets& u = r.sockets.unix_sockets;
  add("sockets.unix.total", static_cast<double>(u.total));
  add("sockets.unix.unconnected", static_cast<double>(u.unconnected));
  // Peer paths start with '/', '@' or '(', so they never clash with the names above.
  for (const auto& [path, n] : u.connected_to) add("sockets.unix." + path, static_cast<double>(n));
  for (const auto& [path, n] : u.listening) add("sockets.unix.listen." + path, static_cast<double>(n));
  for (const auto& [path, n] : u.accepted_on) add("sockets.unix.accepted." + path, static_cast<double>(n));
  add("sockets.other", static_cast<double>(r.sockets.other));

  add("rss_bytes", static_cast<double>(r.memory.rss_bytes));
  add("peak_rss_bytes", static_cast<double>(r.memory.peak_rss_bytes));
  if (r.memory.pss_bytes) add("pss_bytes", static_cast<double>(*r.memory.pss_bytes));
  add("cpu_seconds", r.cpu.user_seconds + r.cpu.system_seconds);
  add("cpu.user_seconds", r.cpu.user_seconds);
  add("cpu.system_seconds", r.cpu.system_seconds);
  if (s.processes.size() > 1) add("processes", static_cast<double>(s.processes.size()));
  return out;
}

}  // namespace leakcheck::probes
