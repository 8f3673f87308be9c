#include "util/file_io.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include "util/unique_fd.h"

namespace leakcheck {

namespace {
std::string describe(int dirfd, const char* path) {
  if (dirfd == AT_FDCWD || path[0] == '/') return path;
  return std::string("<dir>/") + path;
}
}  // namespace

Result<std::string> read_file_at(int dirfd, const char* path) {
  UniqueFd fd(::openat(dirfd, path, O_RDONLY | O_CLOEXEC));
  if (!fd) return errno_error("open " + describe(dirfd, path));
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("read " + describe(dirfd, path));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<std::string> read_link_at(int dirfd, const char* path) {
  char buf[PATH_MAX];
  ssize_t n = ::readlinkat(dirfd, path, buf, sizeof buf);
  if (n < 0) return errno_error("readlink " + describe(dirfd, path));
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace leakcheck
