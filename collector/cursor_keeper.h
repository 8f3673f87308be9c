#pragma once
// The acknowledged position of every container, and its persistence.
//
// A container's cursor advances only after the sink accepted its lines:
// acknowledge() records each accepted line in a per-container BoundaryDedup
// (the "acked" copy, apart from the reader's). flush() saves the cursors that
// moved since their last save, each atomically (cursor_store.h). The
// collector flushes every cursor_save_interval and once more at shutdown, so
// a busy container costs one save per interval rather than one per batch.
// After a restart, reading resumes from the saved cursor and its boundary
// drops what was already delivered. A save that fails leaves the previous
// file intact and is retried at the next flush.
//
// What a crash costs: after SIGTERM the shutdown flush saves everything
// acknowledged, so nothing is repeated. After SIGKILL the lines acknowledged
// since the last flush (unsaved_lines(), at most one interval's worth) and the
// batch the sink was given but had not acknowledged are delivered again.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>

#include "collector/boundary_dedup.h"
#include "collector/cursor_store.h"
#include "collector/log_record.h"
#include "collector/metrics.h"
#include "util/result.h"

namespace leakcheck::collector {

class CursorKeeper {
 public:
  CursorKeeper(CursorStore store, CollectorMetrics& metrics);

  // Reads every cursor file; a corrupt one is an error naming it.
  Status load();
  // Creates the state dir if needed and proves it writable (a probe file
  // written, synced and removed), so a bad --state-dir fails at start.
  Status check_writable() const;

  std::optional<Cursor> cursor_for(const std::string& container_id) const;

  // A container is being followed: its acknowledgements count from now on.
  // (Loaded cursors are tracked already.)
  void track(const std::string& container_id);

  // The sink accepted `records`: move their containers' cursors, in memory.
  void acknowledge(std::span<const LogRecord> records);

  // Saves every cursor that moved since it was last saved. Returns the first
  // save error (each is counted; the caller logs it); those cursors stay
  // unsaved and are tried again at the next flush.
  Status flush();

  // Lines acknowledged but not yet saved, all containers together.
  uint64_t unsaved_lines() const { return unsaved_lines_; }

  // The container was removed: delete its cursor and stop tracking it, so a
  // late acknowledgement of lines still queued does not recreate the file.
  Status forget(const std::string& container_id);

  size_t size() const { return tracked_.size(); }
  // The containers with a cursor or being tracked.
  std::vector<std::string> ids() const;

 private:
  struct Tracked {
    BoundaryDedup acked;
    uint64_t unsaved_lines = 0;  // acknowledged since the last save
  };
  void set_unsaved(uint64_t lines);

  CursorStore store_;
  CollectorMetrics& metrics_;
  std::map<std::string, Tracked> tracked_;  // tracked containers only
  uint64_t unsaved_lines_ = 0;
};

}  // namespace leakcheck::collector
