#include "probes/sampler.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <set>
#include <string>

#include "probes/proc_parse.h"
#include "probes/sock_diag.h"
#include "probes/threads.h"
#include "util/file_io.h"
#include "util/unique_fd.h"

namespace leakcheck::probes {

namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

// Takes ownership of `fd` (an open directory) for iteration.
DirPtr open_dir(UniqueFd fd) {
  DIR* d = ::fdopendir(fd.get());
  if (d) (void)fd.release();
  return DirPtr(d);
}

template <typename Fn>
void for_each_numeric_entry(DIR* dir, Fn&& fn) {
  while (dirent* e = ::readdir(dir)) {
    long n = 0;
    const char* end = e->d_name + std::char_traits<char>::length(e->d_name);
    auto [ptr, ec] = std::from_chars(e->d_name, end, n);
    if (ec == std::errc() && ptr == end) fn(e->d_name, n);
  }
}

bool means_gone(int code) { return code == ENOENT || code == ESRCH; }

std::string proc_path(pid_t pid, const char* file) {
  return "/proc/" + std::to_string(pid) + "/" + file;
}

// An error that names the /proc file it came from.
Error file_error(const Error& e, pid_t pid, const char* file) {
  return Error{e.code, "read " + proc_path(pid, file)};
}

struct OneProcess {
  ProcessResources resources;
  std::vector<uint64_t> socket_inodes;
  uint64_t netns_inode = 0;
  uint64_t start_time_ticks = 0;
  UniqueFd dir;  // /proc/PID, kept open until the sockets are tallied
};

using OneResult = std::variant<OneProcess, ProcessExited, Error>;

double ticks_to_seconds(uint64_t ticks) {
  static const double hertz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return static_cast<double>(ticks) / hertz;
}

// Lists /proc/PID/fd and classifies every entry. Returns an errno on failure.
int read_fds(int proc_dir, OneProcess& p) {
  UniqueFd fd_dir(::openat(proc_dir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd_dir) return errno;
  int fd_dir_fd = fd_dir.get();
  DirPtr dir = open_dir(std::move(fd_dir));
  if (!dir) return errno;

  FdCounts& fds = p.resources.fds;
  char target[4096];
  for_each_numeric_entry(dir.get(), [&](const char* name, long) {
    ++fds.total;
    ssize_t n = ::readlinkat(fd_dir_fd, name, target, sizeof target);
    if (n < 0) {
      ++fds.vanished;  // closed between the listing and now
      return;
    }
    std::string_view link(target, static_cast<size_t>(n));
    mode_t mode = 0;
    if (fd_target_is_path(link)) {
      struct stat st {};
      if (::fstatat(fd_dir_fd, name, &st, 0) == 0) mode = st.st_mode;
    }
    FdKind kind = classify_fd_target(link, mode);
    ++fds[kind];
    if (kind == FdKind::socket) {
      if (auto inode = socket_inode(link)) p.socket_inodes.push_back(*inode);
    }
  });
  return 0;
}

OneResult sample_one(pid_t pid, const SampleOptions& options, ThreadReader& threads) {
  OneProcess p;
  p.dir = UniqueFd(::open(("/proc/" + std::to_string(pid)).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!p.dir) {
    if (means_gone(errno)) return ProcessExited{pid};
    return errno_error("open /proc/" + std::to_string(pid));
  }
  int dir = p.dir.get();

  // 1. Identity and CPU from stat. A zombie holds no fds or memory.
  auto stat_text = read_file_at(dir, "stat");
  if (!stat_text) return means_gone(stat_text.error().code) ? OneResult(ProcessExited{pid}) : file_error(stat_text.error(), pid, "stat");
  auto stat = parse_stat(*stat_text);
  if (!stat) return Error{0, proc_path(pid, "stat") + ": " + stat.error().message()};
  if (is_exiting(*stat)) return ProcessExited{pid};
  ProcessResources& r = p.resources;
  r.pid = pid;
  r.ppid = stat->ppid;
  r.comm = stat->comm;
  r.state = stat->state;
  r.cpu.user_seconds = ticks_to_seconds(stat->utime_ticks);
  r.cpu.system_seconds = ticks_to_seconds(stat->stime_ticks);
  p.start_time_ticks = stat->start_time_ticks;

  // 2. File descriptors by kind.
  if (int err = read_fds(dir, p)) {
    if (means_gone(err)) return ProcessExited{pid};
    return Error{err, "list " + proc_path(pid, "fd")};
  }

  // 3. Memory.
  auto status_text = read_file_at(dir, "status");
  if (!status_text) return means_gone(status_text.error().code) ? OneResult(ProcessExited{pid}) : file_error(status_text.error(), pid, "status");
  auto status = parse_status(*status_text);
  if (!status) return Error{0, proc_path(pid, "status") + ": " + status.error().message()};
  r.memory.rss_bytes = status->rss_bytes;
  r.memory.peak_rss_bytes = status->peak_rss_bytes;
  r.memory.vm_size_bytes = status->vm_size_bytes;
  if (options.with_pss) {
    // Needs ptrace-read access; without it PSS is reported as unknown.
    if (auto rollup = read_file_at(dir, "smaps_rollup")) {
      if (auto pss = parse_smaps_rollup_pss(*rollup)) r.memory.pss_bytes = *pss;
    }
  }

  // 4. Threads by name.
  auto thread_counts = threads.read(pid);
  if (!thread_counts) return thread_counts.error();
  if (thread_counts->total == 0) return ProcessExited{pid};
  r.threads_total = thread_counts->total;
  r.threads_by_name = std::move(thread_counts->by_name);

  // 5. Which network namespace its sockets live in.
  if (!p.socket_inodes.empty()) {
    auto ns = read_link_at(dir, "ns/net");
    if (!ns) return means_gone(ns.error().code) ? OneResult(ProcessExited{pid}) : file_error(ns.error(), pid, "ns/net");
    p.netns_inode = namespace_inode(*ns).value_or(0);
  }

  // 6. Still the same process? If it exited (or the pid was reused) while we
  // read, what we have is half a sample: say so instead.
  auto again = read_file_at(dir, "stat");
  if (!again) return ProcessExited{pid};
  auto stat_again = parse_stat(*again);
  if (!stat_again || stat_again->start_time_ticks != p.start_time_ticks || is_exiting(*stat_again))
    return ProcessExited{pid};
  return p;
}

template <typename Map>
void add_counts(Map& into, const Map& from) {
  for (const auto& [key, n] : from) into[key] += n;
}

void add_resources(ProcessResources& into, const ProcessResources& from) {
  into.fds.total += from.fds.total;
  into.fds.vanished += from.fds.vanished;
  for (size_t k = 0; k < kFdKindCount; ++k) into.fds.by_kind[k] += from.fds.by_kind[k];
  Sockets& s = into.sockets;
  for (size_t st = 0; st < kTcpStateCount; ++st) s.tcp[st] += from.sockets.tcp[st];
  s.tcp_total += from.sockets.tcp_total;
  s.udp += from.sockets.udp;
  s.other += from.sockets.other;
  s.unix_sockets.total += from.sockets.unix_sockets.total;
  s.unix_sockets.unconnected += from.sockets.unix_sockets.unconnected;
  add_counts(s.unix_sockets.listening, from.sockets.unix_sockets.listening);
  add_counts(s.unix_sockets.connected_to, from.sockets.unix_sockets.connected_to);
  add_counts(s.unix_sockets.accepted_on, from.sockets.unix_sockets.accepted_on);
  if (s.source.empty()) s.source = from.sockets.source;
  into.threads_total += from.threads_total;
  add_counts(into.threads_by_name, from.threads_by_name);
  into.memory.rss_bytes += from.memory.rss_bytes;
  into.memory.peak_rss_bytes += from.memory.peak_rss_bytes;
  into.memory.vm_size_bytes += from.memory.vm_size_bytes;
  if (from.memory.pss_bytes) into.memory.pss_bytes = into.memory.pss_bytes.value_or(0) + *from.memory.pss_bytes;
  into.cpu.user_seconds += from.cpu.user_seconds;
  into.cpu.system_seconds += from.cpu.system_seconds;
}

Result<Limits> read_limits(int proc_dir, pid_t pid) {
  auto text = read_file_at(proc_dir, "limits");
  if (!text) return file_error(text.error(), pid, "limits");
  auto limits = parse_limits(*text);
  if (!limits) return Error{0, proc_path(pid, "limits") + ": " + limits.error().message()};
  if (auto max = read_file("/proc/sys/kernel/threads-max")) {
    uint64_t n = 0;
    std::from_chars(max->data(), max->data() + max->size(), n);
    limits->threads_max_system = n;
  }
  return limits;
}

bool kernel_lists_children() {
  static const bool yes = ::access("/proc/thread-self/children", F_OK) == 0;
  return yes;
}

// Children from /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN): each
// thread lists the children it forked.
std::vector<pid_t> children_from_task_files(pid_t pid) {
  std::vector<pid_t> out;
  UniqueFd task(::open(proc_path(pid, "task").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  int task_fd = task.get();
  DirPtr dir = open_dir(std::move(task));
  if (!dir) return out;  // gone: no children to report
  for_each_numeric_entry(dir.get(), [&](const char* tid, long) {
    auto text = read_file_at(task_fd, (std::string(tid) + "/children").c_str());
    if (!text) return;
    std::string_view rest = *text;
    while (!rest.empty()) {
      size_t space = rest.find(' ');
      std::string_view token = rest.substr(0, space);
      pid_t child = 0;
      if (std::from_chars(token.data(), token.data() + token.size(), child).ec == std::errc()) out.push_back(child);
      if (space == std::string_view::npos) break;
      rest.remove_prefix(space + 1);
    }
  });
  return out;
}

// ppid of every process, by scanning /proc: the fallback for old kernels.
std::multimap<pid_t, pid_t> children_by_parent() {
  std::multimap<pid_t, pid_t> result;
  UniqueFd proc(::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  int proc_fd = proc.get();
  DirPtr dir = open_dir(std::move(proc));
  if (!dir) return result;
  for_each_numeric_entry(dir.get(), [&](const char* name, long pid) {
    auto text = read_file_at(proc_fd, (std::string(name) + "/stat").c_str());
    if (!text) return;
    if (auto stat = parse_stat(*text)) result.emplace(stat->ppid, static_cast<pid_t>(pid));
  });
  return result;
}

}  // namespace

std::vector<pid_t> descendants(pid_t pid) {
  std::vector<pid_t> found;
  std::vector<pid_t> frontier{pid};
  std::multimap<pid_t, pid_t> scanned;
  if (!kernel_lists_children()) scanned = children_by_parent();
  while (!frontier.empty()) {
    pid_t parent = frontier.back();
    frontier.pop_back();
    std::vector<pid_t> children;
    if (kernel_lists_children()) {
      children = children_from_task_files(parent);
    } else {
      auto [begin, end] = scanned.equal_range(parent);
      for (auto it = begin; it != end; ++it) children.push_back(it->second);
    }
    for (pid_t child : children) {
      // Guard against a cycle from pid reuse mid-walk.
      if (child == pid || std::find(found.begin(), found.end(), child) != found.end()) continue;
      found.push_back(child);
      frontier.push_back(child);
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::vector<pid_t> find_processes_by_name(std::string_view name) {
  std::vector<pid_t> found;
  UniqueFd proc(::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  int proc_fd = proc.get();
  DirPtr dir = open_dir(std::move(proc));
  if (!dir) return found;
  for_each_numeric_entry(dir.get(), [&](const char* entry, long pid) {
    auto comm = read_file_at(proc_fd, (std::string(entry) + "/comm").c_str());
    if (!comm) return;
    std::string_view c = *comm;
    if (c.ends_with('\n')) c.remove_suffix(1);
    if (c == name) found.push_back(static_cast<pid_t>(pid));
  });
  std::sort(found.begin(), found.end());
  return found;
}

Result<uint64_t> count_fds(pid_t pid) {
  std::string path = proc_path(pid, "fd");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errno_error("stat " + path);
  if (st.st_size > 0) return static_cast<uint64_t>(st.st_size);
  // Older kernels report 0: count the entries.
  DirPtr dir = open_dir(UniqueFd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)));
  if (!dir) return errno_error("open " + path);
  uint64_t n = 0;
  for_each_numeric_entry(dir.get(), [&](const char*, long) { ++n; });
  return n;
}

Sampler::Sampler() : sock_diag_(std::make_unique<SockDiag>()), threads_(std::make_unique<ThreadReader>()) {}
Sampler::~Sampler() = default;

SampleResult Sampler::sample(pid_t pid, const SampleOptions& options) {
  auto started = std::chrono::steady_clock::now();
  ProcessSnapshot snap;
  snap.taken_at_unix_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  snap.root_pid = pid;

  std::vector<pid_t> pids{pid};
  if (options.include_descendants) {
    auto more = descendants(pid);
    pids.insert(pids.end(), more.begin(), more.end());
  }

  // Each process on its own; a descendant that exits meanwhile is simply
  // not part of this sample, the root exiting ends it.
  std::vector<OneProcess> processes;
  for (pid_t p : pids) {
    OneResult one = sample_one(p, options, *threads_);
    if (auto* error = std::get_if<Error>(&one)) {
      if (p == pid) return *error;
      continue;
    }
    if (std::holds_alternative<ProcessExited>(one)) {
      if (p == pid) return ProcessExited{pid};
      continue;
    }
    processes.push_back(std::move(std::get<OneProcess>(one)));
  }

  auto limits = read_limits(processes.front().dir.get(), pid);
  if (!limits) return means_gone(limits.error().code) ? SampleResult(ProcessExited{pid}) : limits.error();
  snap.limits = *limits;

  // Socket tables, read once per network namespace.
  std::map<uint64_t, NetnsTables> tables;
  for (OneProcess& p : processes) {
    if (p.socket_inodes.empty()) continue;
    auto it = tables.find(p.netns_inode);
    if (it == tables.end()) {
      auto read = sock_diag_->read(p.dir.get(), p.netns_inode);
      if (!read) {
        if (p.resources.pid == pid) return Error{read.error().code, read.error().context + " (sockets of " + std::to_string(pid) + ")"};
        continue;
      }
      it = tables.emplace(p.netns_inode, std::move(*read)).first;
    }
    p.resources.sockets = tally_sockets(p.socket_inodes, it->second);
    if (p.resources.pid == pid) snap.tcp_time_wait_in_netns = it->second.tcp_time_wait;
  }

  for (OneProcess& p : processes) {
    if (p.resources.pid == pid) {
      snap.total.pid = p.resources.pid;
      snap.total.ppid = p.resources.ppid;
      snap.total.comm = p.resources.comm;
      snap.total.state = p.resources.state;
    }
    add_resources(snap.total, p.resources);
    snap.processes.push_back(std::move(p.resources));
  }
  snap.sample_duration_us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started).count();
  return snap;
}

SampleResult sample(pid_t pid, const SampleOptions& options) { return Sampler().sample(pid, options); }

}  // namespace leakcheck::probes
