#pragma once
// Durations as people write them in flags and scenario files: "500ms", "2s",
// "1.5m", "4h", "1d". A bare number is seconds.

#include <chrono>
#include <string>
#include <string_view>

#include "util/result.h"

namespace leakcheck {

using Nanos = std::chrono::nanoseconds;

// Parses a non-negative duration. Units: ns, us, ms, s, m, h, d; fractions allowed.
// The error names the offending text; the caller adds the flag, file or key.
Result<Nanos> parse_duration(std::string_view text);

// The shortest exact rendering in the largest unit that keeps it whole: "1500ms", "2s", "4h".
std::string format_duration(Nanos d);

}  // namespace leakcheck
