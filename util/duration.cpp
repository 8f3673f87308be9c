#include "util/duration.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <utility>

namespace leakcheck {

namespace {
struct Unit {
  std::string_view suffix;
  int64_t nanos;
};
// Longest suffixes first, so "ms" is not read as "m" followed by junk.
constexpr std::array<Unit, 7> kUnits{{
    {"ns", 1},
    {"us", 1'000},
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
    {"d", 86'400'000'000'000},
}};
}  // namespace

Result<Nanos> parse_duration(std::string_view text) {
  auto bad = [&](const char* why) {
    return Error{0, "invalid duration \"" + std::string(text) + "\": " + why};
  };
  if (text.empty()) return bad("empty");
  if (text.front() == '-') return bad("must not be negative");

  size_t digits_end = 0;
  while (digits_end < text.size() &&
         ((text[digits_end] >= '0' && text[digits_end] <= '9') || text[digits_end] == '.'))
    ++digits_end;
  std::string_view number = text.substr(0, digits_end);
  std::string_view suffix = text.substr(digits_end);
  if (number.empty()) return bad("expected a number, e.g. 30s, 500ms, 4h");

  double value = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || ptr != number.data() + number.size()) return bad("not a number");

  int64_t scale = 1'000'000'000;  // a bare number is seconds
  if (!suffix.empty()) {
    scale = 0;
    for (const Unit& u : kUnits)
      if (suffix == u.suffix) scale = u.nanos;
    if (scale == 0) return bad("unknown unit (use ns, us, ms, s, m, h or d)");
  }
  double nanos = value * static_cast<double>(scale);
  if (!std::isfinite(nanos) || nanos > 9.2e18) return bad("too large");
  return Nanos(static_cast<int64_t>(std::llround(nanos)));
}

std::string format_duration(Nanos d) {
  int64_t n = d.count();
  if (n == 0) return "0s";
  for (auto it = kUnits.rbegin(); it != kUnits.rend(); ++it) {
    if (n % it->nanos == 0) return std::to_string(n / it->nanos) + std::string(it->suffix);
  }
  return std::to_string(n) + "ns";
}

}  // namespace leakcheck
