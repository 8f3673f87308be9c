#pragma once
// Threads of a process, total and by name, read with libproc2 (procps-ng 4).

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

#include "util/result.h"

struct pids_info;

namespace leakcheck::probes {

struct ThreadCounts {
  uint64_t total = 0;
  std::map<std::string, uint64_t> by_name;
};

// Owns one libproc2 context, reused for every sample.
class ThreadReader {
 public:
  ThreadReader();
  ~ThreadReader();
  ThreadReader(const ThreadReader&) = delete;
  ThreadReader& operator=(const ThreadReader&) = delete;

  // total == 0 means the process is gone.
  Result<ThreadCounts> read(pid_t pid);

 private:
  pids_info* info_ = nullptr;
  int init_error_ = 0;
};

}  // namespace leakcheck::probes
