#include "collector/cursor_keeper.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "util/unique_fd.h"

namespace leakcheck::collector {

CursorKeeper::CursorKeeper(CursorStore store, CollectorMetrics& metrics)
    : store_(std::move(store)), metrics_(metrics) {}

Status CursorKeeper::load() {
  auto cursors = store_.load();
  if (!cursors) return cursors.error();
  for (const Cursor& c : *cursors)
    acked_.insert_or_assign(c.container_id, BoundaryDedup::restore(c.timestamp_ns, c.boundary));
  return Ok{};
}

Status CursorKeeper::check_writable() const {
  const std::string& dir = store_.state_dir();
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return errno_error("cannot create state dir " + dir);
  std::string probe = dir + "/.write-probe";
  UniqueFd fd(::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return errno_error("state dir " + dir + " is not writable");
  bool written = ::write(fd.get(), "ok\n", 3) == 3 && ::fsync(fd.get()) == 0;
  int write_errno = errno;
  fd.reset();
  ::unlink(probe.c_str());
  if (!written) return Error{write_errno, "state dir " + dir + " cannot be written to"};
  return Ok{};
}

std::optional<Cursor> CursorKeeper::cursor_for(const std::string& container_id) const {
  auto it = acked_.find(container_id);
  if (it == acked_.end()) return std::nullopt;
  auto since = it->second.resume_since_ns();
  if (!since) return std::nullopt;
  return Cursor{container_id, *since, it->second.boundary()};
}

void CursorKeeper::track(const std::string& container_id) { acked_.try_emplace(container_id); }

Status CursorKeeper::acknowledge(std::span<const LogRecord> records) {
  std::set<std::string> touched;
  for (const LogRecord& r : records) {
    auto it = acked_.find(r.container_id);
    if (it == acked_.end()) continue;  // removed meanwhile
    it->second.record(r.timestamp_ns, line_hash(r.stream, r.text));
    touched.insert(r.container_id);
  }
  Status first_error = Ok{};
  for (const std::string& id : touched) {
    auto cursor = cursor_for(id);
    if (!cursor) continue;
    if (auto saved = store_.save(*cursor); !saved) {
      metrics_.cursor_save_errors.fetch_add(1, std::memory_order_relaxed);
      if (first_error) first_error = saved;
    } else {
      metrics_.cursor_saves.fetch_add(1, std::memory_order_relaxed);
    }
  }
  return first_error;
}

std::vector<std::string> CursorKeeper::ids() const {
  std::vector<std::string> out;
  for (const auto& [id, dedup] : acked_) out.push_back(id);
  return out;
}

Status CursorKeeper::forget(const std::string& container_id) {
  acked_.erase(container_id);
  return store_.forget(container_id);
}

}  // namespace leakcheck::collector
