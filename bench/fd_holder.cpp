#include "bench/fd_holder.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace leakcheck::bench {

namespace {

[[noreturn]] void fail(const char* what) {
  std::perror(what);
  std::_Exit(1);
}

void hold(int total_fds, int ready_fd) {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);

  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 4096) != 0)
    fail("fd_holder: listen");
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  for (int i = 0; i < total_fds / 4; ++i) {
    int client = ::socket(AF_INET, SOCK_STREAM, 0);
    if (client < 0 || ::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("fd_holder: connect");
    if (::accept(listener, nullptr, nullptr) < 0) fail("fd_holder: accept");
  }
  char path[] = "/tmp/leakcheck-bench.XXXXXX";
  int file = ::mkstemp(path);
  if (file < 0) fail("fd_holder: mkstemp");
  ::unlink(path);
  for (int i = 0; i < total_fds / 2; ++i)
    if (::open(("/proc/self/fd/" + std::to_string(file)).c_str(), O_RDONLY) < 0) fail("fd_holder: open");
  (void)!::write(ready_fd, "r", 1);
  for (;;) ::pause();
}

}  // namespace

FdHolder::FdHolder(int total_fds) {
  int ready[2];
  if (::pipe(ready) != 0) fail("pipe");
  pid_ = ::fork();
  if (pid_ == 0) {
    ::close(ready[0]);
    hold(total_fds, ready[1]);
  }
  ::close(ready[1]);
  char c = 0;
  if (::read(ready[0], &c, 1) != 1) fail("fd_holder did not start");
  ::close(ready[0]);
}

FdHolder::~FdHolder() {
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

}  // namespace leakcheck::bench
