#include "collector/line_pipeline.h"

namespace leakcheck::collector {

LinePipeline::LinePipeline(FollowTarget target, size_t max_line_bytes, const std::optional<Cursor>& resume,
                           RecordOutlet outlet, CollectorMetrics& metrics, Logger& log)
    : target_(std::move(target)),
      outlet_(std::move(outlet)),
      metrics_(metrics),
      log_(log),
      decoder_(FrameDecoderOptions{.raw = target_.tty}),
      assembler_(LineAssemblerOptions{.timestamps = true, .tty = target_.tty, .max_line_bytes = max_line_bytes}),
      dedup_(resume ? BoundaryDedup::restore(resume->timestamp_ns, resume->boundary) : BoundaryDedup()) {}

void LinePipeline::begin_stream() {
  decoder_.reset();
  assembler_.reset();
  dedup_.begin_replay();
}

Status LinePipeline::consume(std::string_view bytes) {
  chunk_.clear();
  auto decoded = decoder_.feed(bytes, chunk_);
  for (const std::string& message : chunk_.daemon_errors) {
    metrics_.daemon_errors.fetch_add(1, std::memory_order_relaxed);
    log_.warn("the Docker daemon reported an error in a log stream",
              {{"container", target_.name}, {"message", message}});
  }
  lines_.clear();
  for (const FramePiece& piece : chunk_.pieces) {
    if (piece.stream == LogStream::stdin_stream) continue;
    if (auto added = assembler_.add(piece, lines_); !added) return added;
  }
  if (auto delivered = deliver(lines_); !delivered) return delivered;
  return decoded;
}

Status LinePipeline::finish() {
  lines_.clear();
  auto finished = assembler_.finish(lines_);
  if (auto delivered = deliver(lines_); !delivered) return delivered;
  return finished;
}

Status LinePipeline::deliver(std::vector<LogLine>& lines) {
  std::vector<LogRecord> records;
  records.reserve(lines.size());
  for (LogLine& line : lines) {
    if (!dedup_.admit(line.timestamp_ns, line_hash(line.stream, line.text))) {
      metrics_.duplicates_dropped.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    size_t s = static_cast<size_t>(line.stream);
    metrics_.lines[s].fetch_add(1, std::memory_order_relaxed);
    metrics_.bytes[s].fetch_add(line.text.size(), std::memory_order_relaxed);
    if (line.truncated) metrics_.truncated_lines.fetch_add(1, std::memory_order_relaxed);
    records.push_back(LogRecord{target_.id, target_.name, line.stream, line.timestamp_ns, std::move(line.text),
                                line.truncated});
  }
  if (!records.empty()) outlet_(std::move(records));
  return Ok{};
}

std::optional<int64_t> LinePipeline::resume_since_ns() const {
  auto since = dedup_.resume_since_ns();
  auto pending = assembler_.pending_since_ns();
  if (since && pending) return std::min(*since, *pending);
  return since ? since : pending;
}

bool LinePipeline::long_line_pending() const {
  auto since = dedup_.resume_since_ns();
  auto pending = assembler_.pending_since_ns();
  return since && pending && *pending < *since;
}

}  // namespace leakcheck::collector
