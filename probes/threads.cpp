#include "probes/threads.h"

#include <libproc2/pids.h>

#include <array>
#include <string>

namespace leakcheck::probes {

namespace {
// The order of items is the order of results in each stack.
constexpr std::array<pids_item, 2> kItems{PIDS_ID_TGID, PIDS_CMD};
}  // namespace

ThreadReader::ThreadReader() {
  auto items = kItems;
  int rc = procps_pids_new(&info_, items.data(), static_cast<int>(items.size()));
  if (rc < 0) {
    init_error_ = -rc;
    info_ = nullptr;
  }
}

ThreadReader::~ThreadReader() {
  if (info_) procps_pids_unref(&info_);
}

Result<ThreadCounts> ThreadReader::read(pid_t pid) {
  if (!info_) return Error{init_error_, "libproc2: procps_pids_new"};
  unsigned these = static_cast<unsigned>(pid);
  // PIDS_SELECT_PID_THREADS yields one stack per thread of the given process.
  pids_fetch* fetched = procps_pids_select(info_, &these, 1, PIDS_SELECT_PID_THREADS);
  if (!fetched) return errno_error("libproc2: read threads of " + std::to_string(pid));

  ThreadCounts counts;
  for (int i = 0; i < fetched->counts->total; ++i) {
    pids_stack* stack = fetched->stacks[i];
    // A pid that is a thread id of another process selects that thread alone.
    if (PIDS_VAL(0, s_int, stack, info_) != pid) continue;
    const char* name = PIDS_VAL(1, str, stack, info_);
    ++counts.by_name[name ? name : "?"];
    ++counts.total;
  }
  return counts;
}

}  // namespace leakcheck::probes
