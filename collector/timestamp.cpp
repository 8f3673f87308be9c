#include "collector/timestamp.h"

#include <charconv>
#include <chrono>

namespace leakcheck::collector {

namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr size_t kMaxFractionDigits = 9;

// Reads exactly `width` decimal digits at `pos`. An unsigned target makes
// from_chars refuse a sign, so "-1" is not a two-digit field.
bool read_digits(std::string_view text, size_t pos, size_t width, unsigned& out) {
  if (pos + width > text.size()) return false;
  const char* first = text.data() + pos;
  const char* last = first + width;
  auto [ptr, ec] = std::from_chars(first, last, out);
  return ec == std::errc() && ptr == last;
}

bool has_char(std::string_view text, size_t pos, char c) { return pos < text.size() && text[pos] == c; }

// Parses the zone at `pos` ("Z", "+hh:mm" or "-hh:mm") into seconds east of UTC.
bool read_offset(std::string_view text, size_t pos, int64_t& offset_s) {
  if (pos >= text.size()) return false;
  char sign = text[pos];
  if (sign == 'Z' || sign == 'z') {
    offset_s = 0;
    return pos + 1 == text.size();
  }
  if (sign != '+' && sign != '-') return false;
  unsigned hours = 0;
  unsigned minutes = 0;
  if (!read_digits(text, pos + 1, 2, hours) || !has_char(text, pos + 3, ':') ||
      !read_digits(text, pos + 4, 2, minutes) || pos + 6 != text.size())
    return false;
  if (hours > 23 || minutes > 59) return false;
  offset_s = static_cast<int64_t>(hours) * 3600 + static_cast<int64_t>(minutes) * 60;
  if (sign == '-') offset_s = -offset_s;
  return true;
}

}  // namespace

Result<int64_t> parse_rfc3339_nanos(std::string_view text) {
  auto bad = [&](const char* why) {
    return Error{0, "invalid timestamp \"" + std::string(text.substr(0, 64)) + "\": " + why};
  };

  // The fixed-width part: YYYY-MM-DDThh:mm:ss
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(text, 0, 4, year) || !has_char(text, 4, '-') || !read_digits(text, 5, 2, month) ||
      !has_char(text, 7, '-') || !read_digits(text, 8, 2, day) ||
      !(has_char(text, 10, 'T') || has_char(text, 10, 't')) || !read_digits(text, 11, 2, hour) ||
      !has_char(text, 13, ':') || !read_digits(text, 14, 2, minute) || !has_char(text, 16, ':') ||
      !read_digits(text, 17, 2, second))
    return bad("expected YYYY-MM-DDThh:mm:ss");

  const std::chrono::year_month_day date{std::chrono::year(static_cast<int>(year)), std::chrono::month(month),
                                         std::chrono::day(day)};
  if (!date.ok()) return bad("no such date");
  // Go, which formats Docker's timestamps, never writes a leap second (60).
  if (hour > 23 || minute > 59 || second > 59) return bad("time of day out of range");

  // Optional fraction: Go trims trailing zeros, so 1 to 9 digits after the dot.
  size_t pos = 19;
  int64_t fraction_ns = 0;
  if (has_char(text, pos, '.')) {
    size_t digits = 0;
    ++pos;
    while (pos + digits < text.size() && text[pos + digits] >= '0' && text[pos + digits] <= '9') {
      if (digits == kMaxFractionDigits) return bad("more than 9 fractional digits");
      fraction_ns = fraction_ns * 10 + (text[pos + digits] - '0');
      ++digits;
    }
    if (digits == 0) return bad("no digits after the decimal point");
    for (size_t scale = digits; scale < kMaxFractionDigits; ++scale) fraction_ns *= 10;
    pos += digits;
  }

  int64_t offset_s = 0;
  if (!read_offset(text, pos, offset_s)) return bad("expected 'Z' or an offset +hh:mm at the end");

  // Years 0000..9999 in seconds fit an int64 with room to spare; nanoseconds do not.
  const int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  const int64_t seconds =
      days * 86'400 + int64_t{hour} * 3600 + int64_t{minute} * 60 + int64_t{second} - offset_s;
  int64_t result_ns = 0;
  if (__builtin_mul_overflow(seconds, kNanosPerSecond, &result_ns) ||
      __builtin_add_overflow(result_ns, fraction_ns, &result_ns))
    return bad("outside the range of int64 nanoseconds (1677..2262)");
  return result_ns;
}

std::string format_since(int64_t timestamp_ns) {
  if (timestamp_ns < 0) timestamp_ns = 0;
  const int64_t seconds = timestamp_ns / kNanosPerSecond;
  int64_t nanos = timestamp_ns % kNanosPerSecond;

  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, seconds);
  (void)ec;  // 19 digits at most: cannot overflow 32 bytes
  *end++ = '.';
  // Zero-padded to 9 digits: "5.000000001", not "5.1".
  for (char* digit = end + kMaxFractionDigits - 1; digit >= end; --digit) {
    *digit = static_cast<char>('0' + nanos % 10);
    nanos /= 10;
  }
  return std::string(buf, end + kMaxFractionDigits);
}

}  // namespace leakcheck::collector
