#include "harness/engine_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace leakcheck::harness {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

std::string proc_path(pid_t pid, const char* what) { return "/proc/" + std::to_string(pid) + "/" + what; }

bool read_whole(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), {});
  return true;
}

std::string read_link(const std::string& path) {
  char target[4096];
  ssize_t n = ::readlink(path.c_str(), target, sizeof target - 1);
  return n > 0 ? std::string(target, static_cast<size_t>(n)) : std::string();
}

// The state letter of /proc/<pid>/stat ('Z' zombie); 0 if the process is gone.
char process_state(pid_t pid) {
  std::string stat;
  if (!read_whole(proc_path(pid, "stat"), stat)) return 0;
  size_t paren = stat.rfind(')');  // comm may hold spaces and parentheses
  return paren != std::string::npos && paren + 2 < stat.size() ? stat[paren + 2] : 0;
}

bool exited(pid_t pid) {
  char state = process_state(pid);
  return state == 0 || state == 'Z' || state == 'X';
}

asio::awaitable<void> sleep_for(std::chrono::nanoseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(d);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

// Until `pid` has exited or `deadline`; true if it exited.
asio::awaitable<bool> wait_exit(pid_t pid, Clock::time_point deadline) {
  while (!exited(pid)) {
    if (Clock::now() >= deadline) co_return false;
    co_await sleep_for(100ms);
  }
  co_return true;
}

}  // namespace

std::vector<std::string> split_nul(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\0', start);
    if (end == std::string_view::npos) end = text.size();
    out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Result<EngineProcess> find_engine(const std::string& name) {
  DIR* proc = ::opendir("/proc");
  if (!proc) return errno_error("cannot list /proc");
  std::vector<pid_t> found;
  while (dirent* entry = ::readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    std::string comm;
    if (!read_whole(proc_path(static_cast<pid_t>(pid), "comm"), comm)) continue;  // exited meanwhile
    if (!comm.empty() && comm.back() == '\n') comm.pop_back();
    if (comm == name && !exited(static_cast<pid_t>(pid))) found.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(proc);
  if (found.empty()) return Error{0, "no running " + name + " process"};
  if (found.size() > 1) {
    std::string pids;
    for (pid_t p : found) pids += (pids.empty() ? "" : ", ") + std::to_string(p);
    return Error{0, "more than one " + name + " process (pids " + pids + "): which one is the engine?"};
  }
  EngineProcess e;
  e.pid = found.front();
  std::string cmdline, environ_text;
  if (!read_whole(proc_path(e.pid, "cmdline"), cmdline) || !read_whole(proc_path(e.pid, "environ"), environ_text))
    return errno_error("cannot read the command line and environment of " + name + " (pid " + std::to_string(e.pid) + ")");
  e.argv = split_nul(cmdline);
  e.env = split_nul(environ_text);
  if (e.argv.empty()) return Error{0, name + " (pid " + std::to_string(e.pid) + ") exited while being read"};
  e.cwd = read_link(proc_path(e.pid, "cwd"));
  // The binary it ran from: its argv[0] was found through its own PATH, not ours.
  e.exe = read_link(proc_path(e.pid, "exe"));
  if (e.exe.find(" (deleted)") != std::string::npos) e.exe.clear();
  // Its log: the file its stdout goes to (a pipe or a terminal is no log).
  std::string out = read_link(proc_path(e.pid, "fd/1"));
  if (!out.empty() && out.front() == '/' && out.find(" (deleted)") == std::string::npos) e.log_path = out;
  return e;
}

asio::awaitable<Result<EngineStop>> stop_engine(pid_t pid, std::chrono::nanoseconds timeout) {
  auto begin = Clock::now();
  if (::kill(pid, SIGTERM) != 0) co_return errno_error("cannot send SIGTERM to the engine (pid " + std::to_string(pid) + ")");
  EngineStop stop;
  bool gone = co_await wait_exit(pid, begin + timeout);
  if (!gone) {
    stop.killed = true;
    if (::kill(pid, SIGKILL) != 0 && errno != ESRCH)
      co_return errno_error("cannot send SIGKILL to the engine (pid " + std::to_string(pid) + ")");
    gone = co_await wait_exit(pid, Clock::now() + 10s);
    if (!gone) co_return Error{ETIMEDOUT, "the engine (pid " + std::to_string(pid) + ") is still there after SIGKILL"};
  }
  stop.stop_seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  co_return stop;
}

Result<pid_t> start_engine(const EngineProcess& engine, const std::string& log_path) {
  if (engine.argv.empty()) return Error{EINVAL, "the engine has no command line"};
  std::vector<std::string> argv = engine.argv, env = engine.env;
  std::vector<char*> args, envp;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string& exe = engine.exe;
  bool exe_known = !exe.empty();

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!engine.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, engine.cwd.c_str());
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  // Asio's sockets are not close-on-exec: the engine must not keep the
  // receiver's port or our pipes open after we are gone.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // A session of its own (like the bootstrap's `setsid dockerd`): it
  // outlives the harness, and no Ctrl-C at our terminal reaches it.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigfillset(&defaults);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  pid_t pid = -1;
  int rc = exe_known ? ::posix_spawn(&pid, exe.c_str(), &actions, &attr, args.data(), envp.data())
                     : ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Error{rc, "cannot start the engine " + (exe_known ? exe : argv[0])};
  return pid;
}

}  // namespace leakcheck::harness
