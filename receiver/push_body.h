#pragma once
// A Loki push body (POST /loki/api/v1/push, JSON form) taken apart:
//
//   {"streams": [{"stream": {"container": "web-1", "stream": "stdout", ...},
//                 "values": [["<ns since epoch>", "<line>"], ...]}, ...]}
//
// A value may carry a third element (Loki's structured metadata); it is
// ignored. Pure: no I/O; what the receiver and the tests call.

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace leakcheck::receiver {

// The Loki label `stream` of the values' stream, as leakcheck-collector and
// Docker's own drivers set it.
enum class StreamLabel { absent, stdout_stream, stderr_stream, other };

struct PushEntry {
  StreamLabel stream_label = StreamLabel::absent;
  std::string_view line;  // into the PushBody it came from
};

class PushBody {
 public:
  // The body as JSON text. A body that is not JSON or not shaped as above is
  // an error saying where ("streams[2].values[7][0] is not a timestamp in
  // ns"); nothing of it is used then, as Loki would store nothing of it.
  static Result<PushBody> parse(std::string_view json_text);

  PushBody(PushBody&&) noexcept;
  PushBody& operator=(PushBody&&) noexcept;
  ~PushBody();

  // Every value in body order. Views into this object: valid while it lives.
  const std::vector<PushEntry>& entries() const { return entries_; }
  size_t stream_count() const { return stream_count_; }

 private:
  PushBody();
  std::unique_ptr<nlohmann::json> doc_;  // owns the text the entries view
  std::vector<PushEntry> entries_;
  size_t stream_count_ = 0;
};

// "", "identity", "gzip", "x-gzip" (any case): what the receiver decodes.
bool supported_content_encoding(std::string_view content_encoding);

// Inflates gzip data (one or more members, RFC 1952). An error when the data
// is not gzip, is cut short, or inflates to more than max_output_bytes (a
// small body must not become gigabytes in memory).
Result<std::string> gunzip(std::string_view data, size_t max_output_bytes);

// Decodes `body` by its Content-Encoding (which must be supported), then parses.
Result<PushBody> parse_push_request(std::string_view body, std::string_view content_encoding,
                                    size_t max_decoded_bytes);

}  // namespace leakcheck::receiver
