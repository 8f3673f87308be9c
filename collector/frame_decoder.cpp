#include "collector/frame_decoder.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace leakcheck::collector {

Status FrameDecoder::feed(std::string_view chunk, DecodedChunk& out) {
  if (error_) return *error_;
  if (options_.raw) {
    bytes_fed_ += chunk.size();
    if (!chunk.empty()) out.pieces.push_back({LogStream::stdout_stream, chunk, false});
    return Ok{};
  }

  while (!chunk.empty()) {
    if (payload_left_ == 0) {
      // A header, possibly split across reads: collect its 8 bytes first.
      size_t take = std::min(kHeaderBytes - header_bytes_, chunk.size());
      std::memcpy(header_ + header_bytes_, chunk.data(), take);
      header_bytes_ += take;
      bytes_fed_ += take;
      chunk.remove_prefix(take);
      if (header_bytes_ < kHeaderBytes) break;
      if (auto started = start_frame(out); !started) return started;
      continue;
    }
    size_t take = std::min<size_t>(payload_left_, chunk.size());
    payload_left_ -= static_cast<uint32_t>(take);
    bytes_fed_ += take;
    take_payload(chunk.substr(0, take), out);
    chunk.remove_prefix(take);
  }
  return Ok{};
}

Status FrameDecoder::start_frame(DecodedChunk& out) {
  header_bytes_ = 0;
  const uint64_t header_offset = bytes_fed_ - kHeaderBytes;
  auto fail = [&](const std::string& why) -> Status {
    error_ =
        Error{0, "docker log stream: bad frame header at byte " + std::to_string(header_offset) + ": " + why};
    return *error_;
  };

  stream_type_ = header_[0];
  if (stream_type_ > kSystemErr) return fail("unknown stream type " + std::to_string(stream_type_));
  if (header_[1] != 0 || header_[2] != 0 || header_[3] != 0) return fail("nonzero padding");
  const uint32_t size = uint32_t{header_[4]} << 24 | uint32_t{header_[5]} << 16 | uint32_t{header_[6]} << 8 |
                        uint32_t{header_[7]};
  if (size > options_.max_frame_bytes)
    return fail("frame of " + std::to_string(size) + " bytes, more than the limit of " +
                std::to_string(options_.max_frame_bytes));

  payload_left_ = size;
  // An empty systemerr frame still reports that something failed; an empty
  // log frame carries nothing.
  if (size == 0 && stream_type_ == kSystemErr) out.daemon_errors.emplace_back();
  return Ok{};
}

void FrameDecoder::take_payload(std::string_view payload, DecodedChunk& out) {
  const bool frame_end = payload_left_ == 0;
  if (stream_type_ == kSystemErr) {
    daemon_error_.append(payload);
    if (frame_end) out.daemon_errors.push_back(std::exchange(daemon_error_, {}));
    return;
  }
  out.pieces.push_back({static_cast<LogStream>(stream_type_), payload, frame_end});
}

void FrameDecoder::reset() {
  header_bytes_ = 0;
  payload_left_ = 0;
  stream_type_ = 0;
  daemon_error_.clear();
  bytes_fed_ = 0;
  error_.reset();
}

}  // namespace leakcheck::collector
