#pragma once
// From the bytes of one container's log stream to records in the queue:
// frame decoding, line joining, boundary dedup. It lives as long as the
// container is followed, across every stream reopened for it, because the
// dedup state and any half-read line must survive a rotation.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "collector/boundary_dedup.h"
#include "collector/cursor_store.h"
#include "collector/frame_decoder.h"
#include "collector/line_assembler.h"
#include "collector/metrics.h"
#include "collector/log_record.h"
#include "util/log.h"
#include "util/result.h"

namespace leakcheck::collector {

struct FollowTarget {
  std::string id;    // full id
  std::string name;  // without the leading '/'
  bool tty = false;  // raw stream: no frame headers
};

// Where finished records go: the queue (managed strategy), or a hand-off to
// the queue's thread (naive strategy, whose readers are threads of their own).
using RecordOutlet = std::function<void(std::vector<LogRecord>&&)>;

class LinePipeline {
 public:
  LinePipeline(FollowTarget target, size_t max_line_bytes, const std::optional<Cursor>& resume,
               RecordOutlet outlet, CollectorMetrics& metrics, Logger& log);

  const FollowTarget& target() const { return target_; }

  // A stream was (re)opened with since=resume_since_ns(): start decoding
  // afresh and drop what was already delivered.
  void begin_stream();
  // Bytes from the stream; the records they complete go to the outlet at
  // once (see RecordQueue on why this never waits). An error means the
  // stream is out of step: reopen it.
  Status consume(std::string_view bytes);
  // The daemon ended the stream (the container stopped): deliver the lines
  // still waiting for a newline.
  Status finish();

  // The `since` for the next open; none: from the beginning of the log.
  std::optional<int64_t> resume_since_ns() const;
  // A long line is half read and began before resume_since_ns(): reopening
  // now would lose its beginning, so a rotation should wait a little.
  bool long_line_pending() const;

 private:
  Status deliver(std::vector<LogLine>& lines);

  FollowTarget target_;
  std::shared_ptr<const LogSource> source_;  // shared by every record
  RecordOutlet outlet_;
  CollectorMetrics& metrics_;
  Logger& log_;
  FrameDecoder decoder_;
  LineAssembler assembler_;
  BoundaryDedup dedup_;
  DecodedChunk chunk_;           // reused between reads
  std::vector<LogLine> lines_;   // reused between reads
};

}  // namespace leakcheck::collector
