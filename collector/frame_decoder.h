#pragma once
// Docker's multiplexed log stream, decoded incrementally.
//
// GET /containers/{id}/logs of a container without a TTY answers with frames:
// an 8-byte header [stream_type, 0, 0, 0, size as big-endian uint32] and then
// `size` payload bytes, one log message per frame. A container with a TTY
// answers with raw bytes, all of them stdout. A read can end at any byte, so
// the decoder carries the state of the frame it is in from one feed() to the
// next and hands out payload as views into the fed chunk: log bytes are never
// copied here (systemerr messages, rare and small, excepted).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/log_stream.h"
#include "util/result.h"

namespace leakcheck::collector {

// A frame's payload is one log message: 16 KiB plus a timestamp with the
// default copier buffer; a driver may ask for a bigger buffer (SizedLogger),
// and 1 MiB covers those in practice, the slack the timestamp prefix. A bigger
// announced size means the reader is out of step with the stream (e.g. it
// reads a TTY's raw bytes as headers), not that a message is that big.
inline constexpr uint32_t kDefaultMaxFrameBytes = 1024 * 1024 + 64 * 1024;

// A contiguous part of one frame's payload.
struct FramePiece {
  LogStream stream = LogStream::stdout_stream;
  std::string_view payload;  // into the chunk given to feed(): valid while that chunk is
  bool frame_end = false;    // completes its frame; never set in raw mode (no frames there)
};

// What one or more feed() calls produced; feed() appends, the caller clears.
struct DecodedChunk {
  std::vector<FramePiece> pieces;  // stdin/stdout/stderr payload, in stream order
  // Whole payloads of stream type 3 (systemerr): an error the daemon reports
  // about the log request itself, e.g. the log driver failing. Not a log line.
  std::vector<std::string> daemon_errors;

  void clear() {
    pieces.clear();
    daemon_errors.clear();
  }
};

struct FrameDecoderOptions {
  bool raw = false;  // TTY container: no headers, every byte is stdout
  uint32_t max_frame_bytes = kDefaultMaxFrameBytes;
};

class FrameDecoder {
 public:
  explicit FrameDecoder(FrameDecoderOptions options = {}) : options_(options) {}

  // Decodes `chunk`, appending to `out`. A protocol error (unknown stream
  // type, nonzero padding byte, a size over max_frame_bytes) is returned with
  // the byte offset of the bad header. It sticks: the reader has lost the frame
  // boundaries, so the connection must be reopened and the decoder reset().
  Status feed(std::string_view chunk, DecodedChunk& out);

  // True between frames, false inside a header or a payload. When the daemon
  // ends the stream (EOF), anything else means the last frame was cut short.
  bool at_frame_boundary() const { return header_bytes_ == 0 && payload_left_ == 0; }

  // Total bytes fed since construction or reset().
  uint64_t bytes_fed() const { return bytes_fed_; }

  // For a new connection: forgets the partial frame and any error.
  void reset();

 private:
  static constexpr size_t kHeaderBytes = 8;
  static constexpr uint8_t kSystemErr = 3;

  Status start_frame(DecodedChunk& out);
  void take_payload(std::string_view payload, DecodedChunk& out);

  FrameDecoderOptions options_;
  uint8_t header_[kHeaderBytes] = {};
  size_t header_bytes_ = 0;    // of the current header received so far
  uint32_t payload_left_ = 0;  // of the current frame still to come
  uint8_t stream_type_ = 0;    // of the current frame
  std::string daemon_error_;   // a systemerr payload being collected
  uint64_t bytes_fed_ = 0;
  std::optional<Error> error_;
};

}  // namespace leakcheck::collector
