#include "collector/cursor_keeper.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/unique_fd.h"

namespace leakcheck::collector {

CursorKeeper::CursorKeeper(CursorStore store, CollectorMetrics& metrics)
    : store_(std::move(store)), metrics_(metrics) {}

Status CursorKeeper::load() {
  auto cursors = store_.load();
  if (!cursors) return cursors.error();
  for (const Cursor& c : *cursors)
    tracked_.insert_or_assign(c.container_id, Tracked{BoundaryDedup::restore(c.timestamp_ns, c.boundary), 0});
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
  auto it = tracked_.find(container_id);
  if (it == tracked_.end()) return std::nullopt;
  auto since = it->second.acked.resume_since_ns();
  if (!since) return std::nullopt;
  return Cursor{container_id, *since, it->second.acked.boundary()};
}

void CursorKeeper::track(const std::string& container_id) { tracked_.try_emplace(container_id); }

void CursorKeeper::acknowledge(std::span<const LogRecord> records) {
  // A batch comes in runs of one container: one lookup per run.
  const LogSource* source = nullptr;
  Tracked* tracked = nullptr;
  uint64_t added = 0;
  for (const LogRecord& r : records) {
    if (r.source.get() != source) {
      source = r.source.get();
      auto it = tracked_.find(r.container_id());
      tracked = it == tracked_.end() ? nullptr : &it->second;  // null: removed meanwhile
    }
    if (tracked == nullptr) continue;
    tracked->acked.record(r.timestamp_ns, r.hash);
    ++tracked->unsaved_lines;
    ++added;
  }
  set_unsaved(unsaved_lines_ + added);
}

Status CursorKeeper::flush() {
  Status first_error = Ok{};
  uint64_t unsaved = 0;
  for (auto& [id, tracked] : tracked_) {
    if (tracked.unsaved_lines == 0) continue;
    auto cursor = cursor_for(id);
    if (!cursor) {  // nothing at or after a resume point to save
      tracked.unsaved_lines = 0;
      continue;
    }
    if (auto saved = store_.save(*cursor); !saved) {
      metrics_.cursor_save_errors.fetch_add(1, std::memory_order_relaxed);
      if (first_error) first_error = saved;
      unsaved += tracked.unsaved_lines;
    } else {
      metrics_.cursor_saves.fetch_add(1, std::memory_order_relaxed);
      tracked.unsaved_lines = 0;
    }
  }
  set_unsaved(unsaved);
  return first_error;
}

std::vector<std::string> CursorKeeper::ids() const {
  std::vector<std::string> out;
  for (const auto& [id, tracked] : tracked_) out.push_back(id);
  return out;
}

Status CursorKeeper::forget(const std::string& container_id) {
  if (auto it = tracked_.find(container_id); it != tracked_.end()) {
    set_unsaved(unsaved_lines_ - it->second.unsaved_lines);
    tracked_.erase(it);
  }
  return store_.forget(container_id);
}

void CursorKeeper::set_unsaved(uint64_t lines) {
  unsaved_lines_ = lines;
  metrics_.cursor_unsaved_lines.store(static_cast<int64_t>(lines), std::memory_order_relaxed);
}

}  // namespace leakcheck::collector
