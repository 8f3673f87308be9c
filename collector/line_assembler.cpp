#include "collector/line_assembler.h"

#include <algorithm>
#include <utility>

#include "collector/timestamp.h"

namespace leakcheck::collector {

namespace {
// The longest timestamp Docker could write: "2026-11-27T05:34:02.778921306+05:30".
constexpr size_t kMaxTimestampBytes = 35;
}  // namespace

LineAssembler::LineAssembler(LineAssemblerOptions options) : options_(options) {
  // A split size of 0 would never let a raw message end.
  options_.daemon_split_bytes = std::max<size_t>(options_.daemon_split_bytes, 1);
  reset();
}

Status LineAssembler::add(const FramePiece& piece, std::vector<LogLine>& out) {
  StreamState& s = streams_[static_cast<size_t>(piece.stream)];
  if (auto taken = take_bytes(s, piece.stream, piece.payload, out); !taken) return taken;
  if (piece.frame_end && !options_.tty) {
    if (s.expect_timestamp && !s.timestamp_text.empty())
      return Error{0, std::string(stream_name(piece.stream)) +
                          " frame ended before the space after its timestamp: \"" + s.timestamp_text + "\""};
    // A frame is one message: the next frame of this stream has its own timestamp.
    start_message(s);
  }
  return Ok{};
}

Status LineAssembler::finish(std::vector<LogLine>& out) {
  Status status = Ok{};
  for (size_t i = 0; i < streams_.size() && status; ++i) {
    StreamState& s = streams_[i];
    const auto stream = static_cast<LogStream>(i);
    // Ended where a continuation's timestamp would start: the bytes held are text.
    if (s.split_continuation && !s.timestamp_text.empty())
      status = take_as_text(s, stream, std::exchange(s.timestamp_text, {}), out);
    if (status && s.line_open) end_line(s, stream, out);
  }
  reset();
  return status;
}

void LineAssembler::reset() {
  for (StreamState& s : streams_) {
    s = StreamState{};
    start_message(s);
  }
}

std::optional<int64_t> LineAssembler::pending_since_ns() const {
  std::optional<int64_t> earliest;
  for (const StreamState& s : streams_)
    if (s.line_open && (!earliest || s.line_ts_ns < *earliest)) earliest = s.line_ts_ns;
  return earliest;
}

void LineAssembler::start_message(StreamState& s) const {
  s.expect_timestamp = options_.timestamps;
  s.split_continuation = false;
  s.timestamp_text.clear();
  s.message_bytes = 0;
}

Status LineAssembler::take_bytes(StreamState& s, LogStream stream, std::string_view bytes,
                                 std::vector<LogLine>& out) {
  while (!bytes.empty()) {
    if (!s.expect_timestamp) {
      take_text(s, stream, bytes, out);
      continue;
    }
    if (auto taken = take_timestamp(s, stream, bytes, out); !taken) return taken;
  }
  return Ok{};
}

Status LineAssembler::take_timestamp(StreamState& s, LogStream stream, std::string_view& bytes,
                                     std::vector<LogLine>& out) {
  const size_t space = bytes.find(' ');
  const size_t take = std::min(space, bytes.size());
  if (space == std::string_view::npos && s.timestamp_text.size() + take <= kMaxTimestampBytes) {
    s.timestamp_text.append(bytes);  // the rest of the timestamp comes in the next piece
    bytes = {};
    return Ok{};
  }

  // Parse in place unless the timestamp was split across pieces.
  std::string_view candidate = bytes.substr(0, take);
  if (!s.timestamp_text.empty()) {
    s.timestamp_text.append(candidate);
    candidate = s.timestamp_text;
  }
  bytes.remove_prefix(take);
  Result<int64_t> timestamp_ns =
      candidate.size() <= kMaxTimestampBytes
          ? parse_rfc3339_nanos(candidate)
          : Result<int64_t>(Error{0, "no timestamp in \"" + std::string(candidate.substr(0, 64)) + "\""});

  if (!timestamp_ns) {
    if (!s.split_continuation)
      return Error{0, std::string(stream_name(stream)) + " log message: " + timestamp_ns.error().context};
    // The split rule did not hold here (another log driver, another buffer
    // size): these bytes are the line's own, keep them rather than fail.
    return take_as_text(s, stream, std::string(candidate), out);
  }

  bytes.remove_prefix(1);  // the space after the timestamp
  s.expect_timestamp = false;
  s.split_continuation = false;
  s.timestamp_text.clear();
  s.message_ts_ns = *timestamp_ns;
  s.message_bytes = 0;
  return Ok{};
}

// `held` is a copy: it may come from s.timestamp_text, which this clears.
Status LineAssembler::take_as_text(StreamState& s, LogStream stream, const std::string& held,
                                   std::vector<LogLine>& out) {
  s.timestamp_text.clear();
  s.expect_timestamp = false;
  s.split_continuation = false;
  s.message_bytes = 0;  // where the next cut falls is unknown: count from here
  return take_bytes(s, stream, held, out);
}

void LineAssembler::take_text(StreamState& s, LogStream stream, std::string_view& bytes,
                              std::vector<LogLine>& out) {
  size_t limit = bytes.size();
  if (raw_with_timestamps()) limit = std::min(limit, options_.daemon_split_bytes - s.message_bytes);
  const size_t newline = bytes.substr(0, limit).find('\n');
  const size_t take = std::min(newline, limit);
  append_text(s, stream, bytes.substr(0, take), out);
  s.message_bytes += take;

  if (newline != std::string_view::npos) {
    bytes.remove_prefix(take + 1);
    end_line(s, stream, out);
    // In a raw stream the next line is the next message; inside a frame, more
    // lines (not what Docker sends, but possible) share the frame's timestamp.
    if (options_.tty) start_message(s);
    return;
  }
  bytes.remove_prefix(take);
  if (raw_with_timestamps() && s.message_bytes == options_.daemon_split_bytes) {
    // The daemon cut the line here; its next message continues it.
    start_message(s);
    s.split_continuation = true;
  }
}

void LineAssembler::append_text(StreamState& s, LogStream stream, std::string_view text,
                                std::vector<LogLine>& out) {
  if (s.discarding || text.empty()) return;
  if (!s.line_open) {
    s.line_open = true;
    s.line_ts_ns = s.message_ts_ns;
  }
  // From a TTY the last byte may be the '\r' of "\r\n", which end_line strips: room for it.
  const size_t limit = options_.max_line_bytes + (options_.tty ? 1 : 0);
  if (s.text.size() + text.size() <= limit) {
    s.text.append(text);
    return;
  }

  // Too long: deliver the first max_line_bytes now, marked, and skip the rest
  // of the line up to its '\n' rather than hold an unbounded line in memory.
  const size_t room = s.text.size() < options_.max_line_bytes ? options_.max_line_bytes - s.text.size() : 0;
  s.text.append(text.substr(0, room));
  s.text.resize(options_.max_line_bytes);
  ++truncated_lines_;
  out.push_back(LogLine{stream, s.line_ts_ns, std::exchange(s.text, {}), true});
  s.line_open = false;
  s.discarding = true;
}

void LineAssembler::end_line(StreamState& s, LogStream stream, std::vector<LogLine>& out) {
  if (s.discarding) {  // already delivered, truncated
    s.discarding = false;
    return;
  }
  LogLine line{stream, s.line_open ? s.line_ts_ns : s.message_ts_ns, std::exchange(s.text, {}), false};
  s.line_open = false;
  if (options_.tty && !line.text.empty() && line.text.back() == '\r') line.text.pop_back();
  if (line.text.size() > options_.max_line_bytes) {  // a TTY line of exactly max + 1 bytes
    line.text.resize(options_.max_line_bytes);
    line.truncated = true;
    ++truncated_lines_;
  }
  out.push_back(std::move(line));
}

}  // namespace leakcheck::collector
