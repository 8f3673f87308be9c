#pragma once
// Docker's log timestamps: RFC 3339 with nanoseconds in, `since=` out.

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace leakcheck::collector {

// Nanoseconds since the Unix epoch of an RFC 3339 timestamp as `timestamps=1`
// prefixes each log message: "2026-11-27T05:34:02.778921306Z". Docker writes
// UTC with 'Z' and trims trailing zeros of the fraction (".5Z"), so 0 to 9
// fractional digits are accepted, and any "+hh:mm"/"-hh:mm" offset. Anything
// else (more than 9 digits, a field out of range, trailing bytes, a time
// outside int64 nanoseconds, i.e. 1677..2262) is an error naming the text.
Result<int64_t> parse_rfc3339_nanos(std::string_view text);

// Docker's `since=` query parameter for a timestamp: "<seconds>.<9-digit nanos>",
// e.g. "1795757642.778921306". The daemon reads it as inclusive.
// A negative timestamp is rendered as "0.000000000" (the epoch: everything).
std::string format_since(int64_t timestamp_ns);

}  // namespace leakcheck::collector
