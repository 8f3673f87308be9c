#include "harness/target.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

extern char** environ;

namespace leakcheck::harness {

namespace {

TargetExit from_status(int status) {
  TargetExit e;
  if (WIFEXITED(status)) e.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
  return e;
}

}  // namespace

TargetProcess::~TargetProcess() {
  if (pid_ > 0 && !exited_) kill_now();
}

Status TargetProcess::start(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                            const std::string& stdout_path, const std::string& stderr_path) {
  if (argv.empty()) return Error{0, "the target has no command"};
  if (pid_ > 0 && !poll()) return Error{0, "the target is still running (pid " + std::to_string(pid_) + ")"};
  exited_.reset();
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    if (!env.contains(entry.substr(0, entry.find('=')))) env_strings.push_back(entry);
  }
  for (const auto& [key, value] : env) env_strings.push_back(key + "=" + value);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& a : argv_copy) args.push_back(a.data());
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // Nothing else of ours: Asio opens its sockets without close-on-exec, so
  // the target would inherit the receiver's listening socket (keeping its
  // port open and counted among the target's fds) and our Docker connections.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so that stopping it reaches its children too and
  // a Ctrl-C at the terminal does not reach it before we decide to stop it.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  int rc = ::posix_spawnp(&pid_, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    pid_ = -1;
    return Error{rc, "cannot start the target " + argv[0]};
  }
  return Ok{};
}

std::optional<TargetExit> TargetProcess::poll() {
  if (exited_ || pid_ <= 0) return exited_;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) exited_ = from_status(status);
  return exited_;
}

boost::asio::awaitable<TargetExit> TargetProcess::stop(std::chrono::nanoseconds timeout) {
  return stop_with(SIGTERM, timeout);
}

boost::asio::awaitable<TargetExit> TargetProcess::stop_with(int signal, std::chrono::nanoseconds timeout) {
  if (pid_ <= 0) co_return TargetExit{};
  if (poll()) co_return *exited_;
  auto started = std::chrono::steady_clock::now();
  ::kill(-pid_, signal);
  boost::asio::steady_timer tick(co_await boost::asio::this_coro::executor);
  while (std::chrono::steady_clock::now() - started < timeout) {
    if (poll()) break;
    tick.expires_after(std::chrono::milliseconds(20));
    boost::system::error_code ec;
    co_await tick.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  bool killed = !exited_;
  if (killed) kill_now();
  ::kill(-pid_, SIGKILL);  // whatever it left behind in its group goes too
  exited_->stop_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  exited_->killed = killed;
  co_return *exited_;
}

TargetExit TargetProcess::kill_now() {
  if (pid_ <= 0) return TargetExit{};
  if (poll()) return *exited_;
  ::kill(-pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  exited_ = from_status(status);
  return *exited_;
}

}  // namespace leakcheck::harness
