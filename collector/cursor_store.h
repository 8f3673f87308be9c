#pragma once
// Where each container's log stream resumes, kept across restarts.
//
// One file per container, <state-dir>/<container id>.cursor.json, rather than
// one file for all: a save rewrites only the container whose lines the sink
// just accepted (its boundary can hold thousands of entries), a damaged file
// costs one container's cursor and names it, and forgetting a removed
// container is an unlink. Cursors of different containers are independent, so
// nothing needs one atomic snapshot of them all.
//
// A file, one line of JSON:
//   {"format":1,"container_id":"<64 hex>","timestamp_ns":<int>,
//    "boundary":[[<timestamp_ns>,"<hash, 16 hex>",<count>],...]}
// timestamp_ns is the `since` to reopen with; boundary holds the delivered
// lines at or after it (see boundary_dedup.h). Nanoseconds are JSON integers
// (exact up to 2^63 with nlohmann_json; tools that read numbers as doubles,
// like old jq, round them).

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collector/boundary_dedup.h"
#include "util/result.h"

namespace leakcheck::collector {

struct Cursor {
  std::string container_id;             // the full 64-hex-digit id
  int64_t timestamp_ns = 0;             // reopen the stream with since=timestamp_ns
  std::vector<BoundaryEntry> boundary;  // delivered lines with timestamp >= timestamp_ns

  bool operator==(const Cursor&) const = default;
};

// A full Docker container id: 64 lowercase hex digits. Short ids are refused:
// "abc123" and its full form would be two cursors for one container.
bool is_container_id(std::string_view id);

// The file's text, and back. parse_cursor checks types, ranges and that each
// entry is at or after timestamp_ns; its error says what is wrong but not
// where, the store adds the path.
std::string format_cursor(const Cursor& cursor);
Result<Cursor> parse_cursor(std::string_view text);

class CursorStore {
 public:
  explicit CursorStore(std::string state_dir);

  // Every container's cursor, sorted by id. A missing state dir is a fresh
  // start (no cursors); an unreadable or corrupt file is an error naming its
  // path, never a silent reset (that would ship the whole log again).
  Result<std::vector<Cursor>> load() const;

  // Replaces the container's file atomically: write a temp file beside it,
  // fsync, rename over, fsync the directory. On any failure the previous file
  // is left as it was. Creates the state dir if missing.
  Status save(const Cursor& cursor) const;

  // Deletes the container's cursor (the container was removed). Succeeds if
  // there was none.
  Status forget(std::string_view container_id) const;

  std::string path_for(std::string_view container_id) const;
  const std::string& state_dir() const { return state_dir_; }

 private:
  std::string state_dir_;
};

}  // namespace leakcheck::collector
