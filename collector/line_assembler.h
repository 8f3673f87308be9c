#pragma once
// Log lines of one container from the payload pieces of its log stream.
//
// The daemon stores a container's output as messages: one per line, and a line
// longer than its 16 KiB buffer becomes several messages, all but the last
// without a trailing '\n'. With `timestamps=1` every message starts with an
// RFC 3339 timestamp and a space. This joins the messages back into lines, the
// timestamp of a line being that of its first message, and bounds the length
// of a line.
//
// A multiplexed stream (no TTY) shows where messages start: each frame is one.
// A raw stream (TTY) does not, so there a message starts after a '\n' and after
// every `daemon_split_bytes` bytes of a line, the size at which the daemon's
// copier cuts a line it has no room for (daemon/logger/copier.go).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/frame_decoder.h"
#include "collector/log_stream.h"
#include "util/result.h"

namespace leakcheck::collector {

inline constexpr size_t kDefaultMaxLineBytes = 256 * 1024;
inline constexpr size_t kDaemonSplitBytes = 16 * 1024;

struct LogLine {
  LogStream stream = LogStream::stdout_stream;
  int64_t timestamp_ns = 0;  // of the line's first message; 0 without timestamps
  std::string text;          // without the '\n' (and, from a TTY, without the '\r' before it)
  bool truncated = false;    // text holds the first max_line_bytes; the rest was discarded

  bool operator==(const LogLine&) const = default;
};

struct LineAssemblerOptions {
  bool timestamps = true;  // the stream was requested with timestamps=1
  bool tty = false;        // raw stream; lines end in "\r\n"
  size_t max_line_bytes = kDefaultMaxLineBytes;
  size_t daemon_split_bytes = kDaemonSplitBytes;  // raw stream with timestamps only
};

class LineAssembler {
 public:
  explicit LineAssembler(LineAssemblerOptions options = {});

  // Appends to `out` the lines `piece` completes (and a line that has just
  // outgrown max_line_bytes, truncated). A message that does not start with a
  // timestamp when timestamps are on is an error naming the bytes found; the
  // stream is then out of step, the caller reopens it and calls reset().
  Status add(const FramePiece& piece, std::vector<LogLine>& out);

  // The daemon ended the stream (the container stopped): appends the lines
  // still waiting for a '\n', which will never come. Then as after reset().
  // Fails as add() does if bytes held back from the last piece are malformed.
  Status finish(std::vector<LogLine>& out);

  // For a reopened stream: drops unfinished lines and any message in progress.
  void reset();

  // Earliest timestamp of a line begun but not yet delivered, if any. Reopening
  // with a `since` after it loses that line's beginning: the daemon resends a
  // message only when its timestamp is >= since (all messages of a long line
  // carry the first one's timestamp in current Docker releases).
  std::optional<int64_t> pending_since_ns() const;

  // Lines cut at max_line_bytes since construction.
  uint64_t truncated_lines() const { return truncated_lines_; }

 private:
  struct StreamState {
    // Where a message starts: the bytes are its timestamp, up to a space.
    bool expect_timestamp = false;
    // Raw stream only: the message start was inferred from the split size, not
    // seen after a '\n', so bytes that are no timestamp are still line text.
    bool split_continuation = false;
    std::string timestamp_text;  // a timestamp split across pieces
    int64_t message_ts_ns = 0;
    size_t message_bytes = 0;  // text bytes of the current message (raw stream)
    bool line_open = false;    // part of the current line has arrived
    int64_t line_ts_ns = 0;
    std::string text;
    bool discarding = false;  // the line was delivered truncated: skip to its '\n'
  };

  Status take_bytes(StreamState& s, LogStream stream, std::string_view bytes, std::vector<LogLine>& out);
  Status take_timestamp(StreamState& s, LogStream stream, std::string_view& bytes, std::vector<LogLine>& out);
  Status take_as_text(StreamState& s, LogStream stream, const std::string& held, std::vector<LogLine>& out);
  void take_text(StreamState& s, LogStream stream, std::string_view& bytes, std::vector<LogLine>& out);
  void append_text(StreamState& s, LogStream stream, std::string_view text, std::vector<LogLine>& out);
  void end_line(StreamState& s, LogStream stream, std::vector<LogLine>& out);
  void start_message(StreamState& s) const;
  bool raw_with_timestamps() const { return options_.tty && options_.timestamps; }

  LineAssemblerOptions options_;
  std::array<StreamState, kLogStreamCount> streams_;
  uint64_t truncated_lines_ = 0;
};

}  // namespace leakcheck::collector
