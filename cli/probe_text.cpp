#include "cli/probe_text.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace leakcheck::cli {

namespace {

using probes::FdKind;
using probes::ProcessResources;
using probes::ProcessSnapshot;

constexpr size_t kMaxRows = 12;  // per section; the rest is summarised

std::string format(const char* fmt, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

std::string human_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, ++u;
  return u == 0 ? format("%llu B", static_cast<unsigned long long>(bytes)) : format("%.1f %s", v, units[u]);
}

std::string limit_text(const std::optional<uint64_t>& v) {
  return v ? std::to_string(*v) : std::string("unlimited");
}

// Rows of (label, count), largest first, at most kMaxRows, then "… N more".
void add_rows(std::string& out, std::vector<std::pair<std::string, uint64_t>> rows, const char* prefix = "") {
  std::stable_sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.second > b.second; });
  size_t shown = std::min(rows.size(), kMaxRows);
  for (size_t i = 0; i < shown; ++i) {
    std::string label = *prefix ? std::string(prefix) + (rows[i].first.empty() ? "" : " " + rows[i].first) : rows[i].first;
    out += format("  %-54s %7llu\n", label.c_str(), static_cast<unsigned long long>(rows[i].second));
  }
  if (rows.size() > shown) out += format("  … %zu more\n", rows.size() - shown);
}

template <typename Map>
std::vector<std::pair<std::string, uint64_t>> rows_of(const Map& m) {
  return {m.begin(), m.end()};
}

void fds_section(std::string& out, const ProcessSnapshot& s) {
  const auto& fds = s.total.fds;
  out += format("FDS        %llu", static_cast<unsigned long long>(fds.total));
  if (s.limits.nofile_soft && *s.limits.nofile_soft > 0)
    out += format("  (%.1f%% of the soft limit %llu)", 100.0 * static_cast<double>(fds.total) / static_cast<double>(*s.limits.nofile_soft),
                  static_cast<unsigned long long>(*s.limits.nofile_soft));
  out += "\n";
  std::vector<std::pair<std::string, uint64_t>> rows;
  for (size_t k = 0; k < probes::kFdKindCount; ++k)
    if (fds.by_kind[k]) rows.emplace_back(probes::fd_kind_name(static_cast<FdKind>(k)), fds.by_kind[k]);
  if (fds.vanished) rows.emplace_back("(closed while sampled)", fds.vanished);
  add_rows(out, std::move(rows));
}

void sockets_section(std::string& out, const ProcessSnapshot& s) {
  const auto& sk = s.total.sockets;
  out += format("TCP        %llu", static_cast<unsigned long long>(sk.tcp_total));
  if (s.tcp_time_wait_in_netns)
    out += format("  (+%llu in TIME_WAIT in its network namespace: they hold no fd and no owner)",
                  static_cast<unsigned long long>(*s.tcp_time_wait_in_netns));
  out += "\n";
  std::vector<std::pair<std::string, uint64_t>> states;
  for (size_t st = 1; st < probes::kTcpStateCount; ++st)
    if (sk.tcp[st]) states.emplace_back(probes::tcp_state_name(static_cast<int>(st)), sk.tcp[st]);
  add_rows(out, std::move(states));

  const auto& u = sk.unix_sockets;
  out += format("UNIX       %llu%s\n", static_cast<unsigned long long>(u.total),
                sk.source == "proc_net" ? "  (peers unknown: netlink sock_diag was not available)" : "");
  add_rows(out, rows_of(u.listening), "listening");
  add_rows(out, rows_of(u.accepted_on), "accepted on");
  add_rows(out, rows_of(u.connected_to), "connected to");
  if (u.unconnected) add_rows(out, {{"", u.unconnected}}, "unconnected");
  if (sk.udp || sk.other)
    out += format("OTHER      udp %llu, other sockets %llu\n", static_cast<unsigned long long>(sk.udp),
                  static_cast<unsigned long long>(sk.other));
}

void processes_section(std::string& out, const ProcessSnapshot& s) {
  if (s.processes.size() < 2) return;
  out += format("PROCESSES  %zu (totals above include all of them)\n", s.processes.size());
  out += format("  %8s %8s %-16s %8s %8s %12s\n", "PID", "PPID", "NAME", "FDS", "THREADS", "RSS");
  for (const ProcessResources& p : s.processes)
    out += format("  %8d %8d %-16s %8llu %8llu %12s\n", p.pid, p.ppid, p.comm.c_str(),
                  static_cast<unsigned long long>(p.fds.total), static_cast<unsigned long long>(p.threads_total),
                  human_bytes(p.memory.rss_bytes).c_str());
}

}  // namespace

std::string render_probe_text(const ProcessSnapshot& s) {
  const ProcessResources& t = s.total;
  std::string out = format("PROCESS    %s (pid %d), sampled in %.2f ms\n", t.comm.c_str(), s.root_pid,
                           s.sample_duration_us / 1000.0);
  fds_section(out, s);
  sockets_section(out, s);
  out += format("THREADS    %llu\n", static_cast<unsigned long long>(t.threads_total));
  add_rows(out, rows_of(t.threads_by_name));
  out += format("MEMORY     rss %s, pss %s, peak rss %s\n", human_bytes(t.memory.rss_bytes).c_str(),
                t.memory.pss_bytes ? human_bytes(*t.memory.pss_bytes).c_str() : "unknown",
                human_bytes(t.memory.peak_rss_bytes).c_str());
  out += format("CPU        user %.2f s, system %.2f s\n", t.cpu.user_seconds, t.cpu.system_seconds);
  out += format("LIMITS     open files %s soft / %s hard; processes %s soft; threads-max (system) %llu\n",
                limit_text(s.limits.nofile_soft).c_str(), limit_text(s.limits.nofile_hard).c_str(),
                limit_text(s.limits.nproc_soft).c_str(), static_cast<unsigned long long>(s.limits.threads_max_system));
  processes_section(out, s);
  return out;
}

}  // namespace leakcheck::cli
