#pragma once
// How records look on the wire: a Loki push body, or NDJSON lines.
// Pure: the sinks send or write what these return. Strings are escaped by
// json_text.h: bytes that are not valid UTF-8 become U+FFFD, as JSON text
// requires. Keys are in alphabetical order.

#include <map>
#include <span>
#include <string>

#include "collector/log_record.h"

namespace leakcheck::collector {

// Appended to the text of a truncated line, so a reader of the log sees it was cut.
inline constexpr const char* kTruncationMark = " [truncated by leakcheck-collector]";

// The JSON body of POST /loki/api/v1/push: one Loki stream per (container,
// stream) with labels container, container_id (12 hex), stream, and
// `static_labels`; values ["<ns since epoch as a string>", "<line>"] in the
// order given (the order read, which is timestamp order within a stream).
std::string loki_push_body(std::span<const LogRecord> records,
                           const std::map<std::string, std::string>& static_labels);

// One JSON object per line, followed by '\n':
// {"container":...,"container_id":"<64 hex>","line":...,"stream":"stdout",
//  "truncated":false,"ts":"<ns>"}
std::string ndjson_lines(std::span<const LogRecord> records);
// The same, appended to `out` (a buffer the caller reuses).
void append_ndjson_lines(std::string& out, std::span<const LogRecord> records);

}  // namespace leakcheck::collector
