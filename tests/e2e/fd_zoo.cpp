// fd_zoo: a process that holds a known set of resources, for the probe's
// exact-count test. It prints "ready" once everything is in place, then
// waits for EOF on stdin and exits.
//
// fds 0 and 1 are whatever the test gives it (pipes); fd 2 becomes /dev/null
// and everything else inherited is closed, so the expected counts are exact.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "fd_zoo: %s: %s\n", what, std::strerror(errno));
  std::_Exit(1);
}

int check(int fd, const char* what) {
  if (fd < 0) die(what);
  return fd;
}

sockaddr_in loopback_listener(int& listen_fd) {
  listen_fd = check(::socket(AF_INET, SOCK_STREAM, 0), "socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("bind");
  if (::listen(listen_fd, 128) != 0) die("listen");
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return addr;
}

int tcp_connect(const sockaddr_in& addr) {
  int fd = check(::socket(AF_INET, SOCK_STREAM, 0), "socket");
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) die("connect");
  return fd;
}

void* idle_thread(void*) {
  for (;;) ::pause();
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  // name=count pairs; every kind defaults to 0.
  std::map<std::string, int> n;
  std::string unix_path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto eq = arg.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "fd_zoo: arguments are kind=count\n");
      return 2;
    }
    if (arg.substr(0, eq) == "unix_path") unix_path = arg.substr(eq + 1);
    else n[arg.substr(0, eq)] = std::atoi(arg.c_str() + eq + 1);
  }

  // Exactly fds 0, 1 and 2 to start with.
  int devnull = check(::open("/dev/null", O_WRONLY), "open /dev/null");
  ::dup2(devnull, 2);
  ::close_range(3, ~0u, 0);

  // Everything below is held until exit: never closed on purpose.
  for (int i = 0; i < n["pipes"]; ++i) {
    int p[2];
    if (::pipe(p) != 0) die("pipe");
  }
  char tmpl[] = "/tmp/fd_zoo.XXXXXX";
  for (int i = 0; i < n["files"]; ++i) {
    int fd = check(::mkstemp(tmpl), "mkstemp");
    ::unlink(tmpl);  // still a regular file, shown as "(deleted)"
    std::strcpy(tmpl, "/tmp/fd_zoo.XXXXXX");
    (void)fd;
  }
  for (int i = 0; i < n["dirs"]; ++i) check(::open("/tmp", O_RDONLY | O_DIRECTORY), "open dir");
  for (int i = 0; i < n["devices"]; ++i) check(::open("/dev/zero", O_RDONLY), "open /dev/zero");
  for (int i = 0; i < n["eventfds"]; ++i) check(::eventfd(0, 0), "eventfd");
  for (int i = 0; i < n["timerfds"]; ++i) check(::timerfd_create(CLOCK_MONOTONIC, 0), "timerfd");
  for (int i = 0; i < n["epolls"]; ++i) check(::epoll_create1(0), "epoll");
  for (int i = 0; i < n["inotify"]; ++i) check(::inotify_init1(0), "inotify");
  for (int i = 0; i < n["memfds"]; ++i) check(::memfd_create("zoo", 0), "memfd");
  for (int i = 0; i < n["pidfds"]; ++i) check(static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0)), "pidfd");
  if (n["signalfds"] > 0) {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    for (int i = 0; i < n["signalfds"]; ++i) check(::signalfd(-1, &mask, 0), "signalfd");
  }

  // TCP: one listener; established pairs (both ends here); CLOSE_WAIT sockets:
  // the accepted end is closed, so our connecting end got a FIN it never answered.
  if (n["tcp_established_pairs"] > 0 || n["tcp_close_wait"] > 0) {
    int listener = -1;
    sockaddr_in addr = loopback_listener(listener);
    for (int i = 0; i < n["tcp_established_pairs"]; ++i) {
      tcp_connect(addr);
      check(::accept(listener, nullptr, nullptr), "accept");
    }
    for (int i = 0; i < n["tcp_close_wait"]; ++i) {
      tcp_connect(addr);
      ::close(check(::accept(listener, nullptr, nullptr), "accept"));
    }
  }

  // Unix: socketpairs, and clients of a listener at a known path (the
  // accepted ends live here too).
  for (int i = 0; i < n["socketpairs"]; ++i) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) die("socketpair");
  }
  if (!unix_path.empty()) {
    int listener = check(::socket(AF_UNIX, SOCK_STREAM, 0), "socket");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", unix_path.c_str());
    ::unlink(unix_path.c_str());
    if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("bind unix");
    if (::listen(listener, 128) != 0) die("listen unix");
    for (int i = 0; i < n["unix_clients"]; ++i) {
      int c = check(::socket(AF_UNIX, SOCK_STREAM, 0), "socket");
      if (::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("connect unix");
      check(::accept(listener, nullptr, nullptr), "accept unix");
    }
  }

  for (int i = 0; i < n["threads"]; ++i) {
    pthread_t t;
    if (pthread_create(&t, nullptr, idle_thread, nullptr) != 0) die("pthread_create");
    // Thread names are at most 15 bytes.
    std::string name = "zoo-worker-" + std::to_string(i % 10000);
    pthread_setname_np(t, name.c_str());
  }
  // Children hold nothing: every fd closed, one thread each.
  std::vector<pid_t> children;
  for (int i = 0; i < n["children"]; ++i) {
    pid_t child = ::fork();
    if (child < 0) die("fork");
    if (child == 0) {
      ::close_range(0, ~0u, 0);
      for (;;) ::pause();
    }
    children.push_back(child);
  }

  std::printf("ready %d\n", ::getpid());
  std::fflush(stdout);
  char c;
  while (::read(0, &c, 1) > 0) {
  }
  if (!unix_path.empty()) ::unlink(unix_path.c_str());
  for (pid_t child : children) {
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
  }
  std::_Exit(0);
}
