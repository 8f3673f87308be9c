#include "collector/line_pipeline.h"

#include <array>

namespace leakcheck::collector {

LinePipeline::LinePipeline(FollowTarget target, size_t max_line_bytes, const std::optional<Cursor>& resume,
                           RecordOutlet outlet, CollectorMetrics& metrics, Logger& log)
    : target_(std::move(target)),
      source_(std::make_shared<const LogSource>(LogSource{target_.id, target_.name})),
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
  // Counted here and added once: the counters are atomics shared with /metrics.
  std::array<uint64_t, kLogStreamCount> line_counts{}, byte_counts{};
  uint64_t duplicates = 0, truncated = 0;
  for (LogLine& line : lines) {
    // The hash goes with the record: the acknowledgement needs it too.
    const uint64_t hash = line_hash(line.stream, line.text);
    if (!dedup_.admit(line.timestamp_ns, hash)) {
      ++duplicates;
      continue;
    }
    const size_t s = static_cast<size_t>(line.stream);
    ++line_counts[s];
    byte_counts[s] += line.text.size();
    truncated += line.truncated;
    LogRecord& record = records.emplace_back();
    record.source = source_;
    record.stream = line.stream;
    record.timestamp_ns = line.timestamp_ns;
    record.text = std::move(line.text);
    record.truncated = line.truncated;
    record.hash = hash;
  }
  for (size_t s = 0; s < kLogStreamCount; ++s) {
    if (line_counts[s] == 0) continue;
    metrics_.lines[s].fetch_add(line_counts[s], std::memory_order_relaxed);
    metrics_.bytes[s].fetch_add(byte_counts[s], std::memory_order_relaxed);
  }
  if (duplicates > 0) metrics_.duplicates_dropped.fetch_add(duplicates, std::memory_order_relaxed);
  if (truncated > 0) metrics_.truncated_lines.fetch_add(truncated, std::memory_order_relaxed);
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
