#pragma once
// A child process holding `total_fds` descriptors: half TCP sockets (loopback
// pairs, both ends held), half regular files. Killed and reaped on destruction.

#include <sys/types.h>

namespace leakcheck::bench {

class FdHolder {
 public:
  explicit FdHolder(int total_fds);
  ~FdHolder();
  FdHolder(const FdHolder&) = delete;
  FdHolder& operator=(const FdHolder&) = delete;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

}  // namespace leakcheck::bench
