#pragma once
// The acknowledged position of every container, and its persistence.
//
// A container's cursor advances only after the sink accepted its lines:
// acknowledge() records each accepted line in a per-container BoundaryDedup
// (the "acked" copy, apart from the reader's) and saves the resulting cursor
// atomically. After a restart, reading resumes from there and the boundary
// drops what was already delivered. A save that fails leaves the previous
// file intact and is retried with the next acknowledgement.

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

  // The sink accepted `records`: move and persist their containers' cursors.
  // Returns the first save error (counted, logged by the caller).
  Status acknowledge(std::span<const LogRecord> records);

  // The container was removed: delete its cursor and stop tracking it, so a
  // late acknowledgement of lines still queued does not recreate the file.
  Status forget(const std::string& container_id);

  size_t size() const { return acked_.size(); }
  // The containers with a cursor or being tracked.
  std::vector<std::string> ids() const;

 private:
  CursorStore store_;
  CollectorMetrics& metrics_;
  std::map<std::string, BoundaryDedup> acked_;  // tracked containers only
};

}  // namespace leakcheck::collector
