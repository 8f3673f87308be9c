#include "probes/proc_parse.h"

#include <sys/stat.h>

#include <charconv>
#include <string>

namespace leakcheck::probes {

namespace {

Error parse_error(const char* what, std::string_view detail) {
  return Error{0, std::string("cannot parse ") + what + ": " + std::string(detail.substr(0, 80))};
}

// Splits off the next whitespace-separated field of `rest`.
std::string_view next_field(std::string_view& rest) {
  size_t start = rest.find_first_not_of(" \t");
  if (start == std::string_view::npos) {
    rest = {};
    return {};
  }
  size_t end = rest.find_first_of(" \t\n", start);
  std::string_view field = rest.substr(start, end == std::string_view::npos ? rest.npos : end - start);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  return field;
}

template <typename T>
bool to_number(std::string_view s, T& out, int base = 10) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// Iterates the lines of `text`, calling fn(line) for each.
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    fn(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

// The rows of a /proc/net table: every line after the header that is not
// blank. `parse_row` returns false for a row it cannot read, which ends the
// walk with an error naming `what` and quoting the row.
template <typename Row, typename Parse>
Result<std::vector<Row>> table_rows(std::string_view text, const char* what, Parse&& parse_row) {
  std::vector<Row> rows;
  bool header = true;
  std::optional<Error> error;
  for_each_line(text, [&](std::string_view line) {
    if (header || error) {
      header = false;
      return;
    }
    if (line.find_first_not_of(' ') == std::string_view::npos) return;
    Row row;
    if (!parse_row(line, row)) {
      error = parse_error(what, line);
      return;
    }
    rows.push_back(std::move(row));
  });
  if (error) return *error;
  return rows;
}

// "VmRSS:\t    1234 kB" -> 1234 * 1024, for the line starting with `key`.
std::optional<uint64_t> kib_field(std::string_view line, std::string_view key) {
  if (line.substr(0, key.size()) != key) return std::nullopt;
  std::string_view rest = line.substr(key.size());
  uint64_t kib = 0;
  if (!to_number(next_field(rest), kib)) return std::nullopt;
  return kib * 1024;
}

std::optional<uint64_t> bracketed_inode(std::string_view target, std::string_view prefix) {
  if (target.substr(0, prefix.size()) != prefix || target.back() != ']') return std::nullopt;
  uint64_t inode = 0;
  if (!to_number(target.substr(prefix.size(), target.size() - prefix.size() - 1), inode))
    return std::nullopt;
  return inode;
}

}  // namespace

Result<StatFields> parse_stat(std::string_view text) {
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return parse_error("stat", text);

  StatFields f;
  if (!to_number(text.substr(0, open > 0 ? open - 1 : 0), f.pid)) return parse_error("stat pid", text);
  f.comm = std::string(text.substr(open + 1, close - open - 1));

  // Fields after comm, numbered as in proc(5): 3 state, 4 ppid, 9 flags, 14 utime,
  // 15 stime, 20 num_threads, 22 starttime, 23 vsize.
  std::string_view rest = text.substr(close + 1);
  std::string_view fields[21];
  for (auto& field : fields) field = next_field(rest);
  if (fields[20].empty()) return parse_error("stat (too few fields)", text);

  f.state = fields[0].empty() ? '?' : fields[0][0];
  bool ok = to_number(fields[1], f.ppid) && to_number(fields[6], f.flags) && to_number(fields[11], f.utime_ticks) &&
            to_number(fields[12], f.stime_ticks) && to_number(fields[17], f.num_threads) &&
            to_number(fields[19], f.start_time_ticks) && to_number(fields[20], f.vsize_bytes);
  if (!ok) return parse_error("stat fields", text.substr(close + 1));
  return f;
}

bool is_exiting(const StatFields& stat) {
  constexpr uint32_t kPfExiting = 0x00000004;
  return stat.state == 'Z' || stat.state == 'X' || (stat.flags & kPfExiting) != 0;
}

Result<StatusFields> parse_status(std::string_view text) {
  // Kernel threads have no Vm* lines at all; that is an answer (0), not an
  // error. A status without its "Name:" line is not status text, though.
  if (!text.starts_with("Name:")) return parse_error("status", text);
  StatusFields f;
  for_each_line(text, [&](std::string_view line) {
    if (auto rss = kib_field(line, "VmRSS:")) f.rss_bytes = *rss;
    else if (auto hwm = kib_field(line, "VmHWM:")) f.peak_rss_bytes = *hwm;
    else if (auto size = kib_field(line, "VmSize:")) f.vm_size_bytes = *size;
  });
  return f;
}

Result<uint64_t> parse_smaps_rollup_pss(std::string_view text) {
  std::optional<uint64_t> pss;
  for_each_line(text, [&](std::string_view line) {
    if (!pss) pss = kib_field(line, "Pss:");
  });
  if (!pss) return parse_error("smaps_rollup (no Pss line)", text);
  return *pss;
}

Result<Limits> parse_limits(std::string_view text) {
  // "Max open files            1024                 1048576              files"
  // The name column is 26 characters wide and itself contains spaces.
  Limits limits;
  bool saw_nofile = false;
  bool bad = false;
  auto parse_pair = [&](std::string_view rest, std::optional<uint64_t>& soft,
                        std::optional<uint64_t>& hard) {
    for (auto* slot : {&soft, &hard}) {
      std::string_view v = next_field(rest);
      uint64_t n = 0;
      if (v == "unlimited") *slot = std::nullopt;
      else if (to_number(v, n)) *slot = n;
      else bad = true;
    }
  };
  for_each_line(text, [&](std::string_view line) {
    constexpr std::string_view kNofile = "Max open files";
    constexpr std::string_view kNproc = "Max processes";
    if (line.substr(0, kNofile.size()) == kNofile) {
      parse_pair(line.substr(kNofile.size()), limits.nofile_soft, limits.nofile_hard);
      saw_nofile = true;
    } else if (line.substr(0, kNproc.size()) == kNproc) {
      parse_pair(line.substr(kNproc.size()), limits.nproc_soft, limits.nproc_hard);
    }
  });
  if (!saw_nofile || bad) return parse_error("limits", text);
  return limits;
}

bool fd_target_is_path(std::string_view target) { return !target.empty() && target[0] == '/'; }

FdKind classify_fd_target(std::string_view target, mode_t mode) {
  if (socket_inode(target)) return FdKind::socket;
  if (target.starts_with("pipe:[")) return FdKind::pipe;
  if (target.starts_with("anon_inode:")) {
    // Both "anon_inode:[eventfd]" and "anon_inode:inotify" occur.
    std::string_view name = target.substr(11);
    if (name.starts_with('[') && name.ends_with(']')) name = name.substr(1, name.size() - 2);
    if (name == "eventfd") return FdKind::eventfd;
    if (name == "eventpoll") return FdKind::eventpoll;
    if (name == "timerfd") return FdKind::timerfd;
    if (name == "signalfd") return FdKind::signalfd;
    if (name == "inotify") return FdKind::inotify;
    if (name == "pidfd") return FdKind::pidfd;
    return FdKind::anon_inode;
  }
  // memfd_create files live on an internal mount: "/memfd:NAME (deleted)".
  if (target.starts_with("/memfd:")) return FdKind::memfd;
  if (!fd_target_is_path(target)) return FdKind::other;  // e.g. "net:[...]", "mnt:[...]"
  switch (mode & S_IFMT) {
    case S_IFREG: return FdKind::file;
    case S_IFDIR: return FdKind::dir;
    case S_IFCHR:
    case S_IFBLK: return FdKind::device;
    case S_IFIFO: return FdKind::pipe;
    case S_IFSOCK: return FdKind::socket;
    default: return FdKind::other;
  }
}

std::optional<uint64_t> socket_inode(std::string_view target) { return bracketed_inode(target, "socket:["); }
std::optional<uint64_t> namespace_inode(std::string_view target) { return bracketed_inode(target, "net:["); }

Result<std::vector<ProcNetInetRow>> parse_proc_net_inet(std::string_view text) {
  return table_rows<ProcNetInetRow>(text, "/proc/net tcp/udp row", [](std::string_view line, ProcNetInetRow& row) {
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    std::string_view rest = line;
    std::string_view f[10];
    for (auto& field : f) field = next_field(rest);
    return to_number(f[3], row.state, 16) && to_number(f[9], row.inode);
  });
}

Result<std::vector<ProcNetUnixRow>> parse_proc_net_unix(std::string_view text) {
  // Num RefCount Protocol Flags Type St Inode Path
  constexpr uint32_t kAcceptCon = 0x10000;  // __SO_ACCEPTCON: a listening socket
  return table_rows<ProcNetUnixRow>(text, "/proc/net/unix row", [](std::string_view line, ProcNetUnixRow& row) {
    std::string_view rest = line;
    std::string_view f[7];
    for (auto& field : f) field = next_field(rest);
    uint32_t flags = 0;
    if (!to_number(f[3], flags, 16) || !to_number(f[5], row.state, 16) || !to_number(f[6], row.inode)) return false;
    row.listening = (flags & kAcceptCon) != 0;
    // The path is the rest of the line and may itself contain spaces.
    size_t start = rest.find_first_not_of(' ');
    if (start != std::string_view::npos) row.path = std::string(rest.substr(start));
    return true;
  });
}

}  // namespace leakcheck::probes
