#pragma once
// Text for the HTML report and its SVG charts: escaping and number formatting.
// Header-only: a handful of small functions shared by html.cpp and
// svg_chart.cpp.

#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>

namespace leakcheck::reports {

// Every string that comes from a report goes through here, in element text
// and in attribute values alike (both quote characters are escaped, so an
// attribute may use either).
inline std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// `v` with `decimals` digits after the point and thousands separated by
// commas: format_fixed(20000, 0) == "20,000".
inline std::string format_fixed(double v, int decimals) {
  if (!std::isfinite(v)) return std::isnan(v) ? "n/a" : (v > 0 ? "∞" : "-∞");
  if (decimals < 0) decimals = 0;
  if (decimals > 12) decimals = 12;
  char buf[400];  // DBL_MAX has 309 digits before the point
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string digits = buf;
  // No "-0" for a value that rounds to zero.
  if (digits[0] == '-' && digits.find_first_not_of("-0.") == std::string::npos) digits.erase(0, 1);
  std::size_t start = digits[0] == '-' ? 1 : 0;
  std::size_t point = digits.find('.');
  std::size_t int_end = point == std::string::npos ? digits.size() : point;
  std::string out = digits.substr(0, start);
  for (std::size_t i = start; i < int_end; ++i) {
    out += digits[i];
    std::size_t left = int_end - i - 1;
    if (left > 0 && left % 3 == 0) out += ',';
  }
  out += digits.substr(int_end);
  return out;
}

// A measured figure, readable at a glance: integers exactly (with thousands
// separators), others to about three significant digits without trailing
// zeros, tiny ones (p-values) in scientific notation: 71.99979 -> "72",
// 0.258998 -> "0.259", 1.57e-22 -> "1.6e-22". NaN (a null in the report)
// -> "n/a".
inline std::string format_value(double v) {
  if (!std::isfinite(v)) return format_fixed(v, 0);
  double a = std::fabs(v);
  if (a < 1e15 && v == std::round(v)) return format_fixed(v, 0);
  if (a >= 1000) return format_fixed(v, 0);
  if (a < 0.001) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2g", v);
    return buf;
  }
  // Three significant digits.
  int decimals = 2 - static_cast<int>(std::floor(std::log10(a)));
  std::string s = format_fixed(v, decimals);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

// A duration for people: "45 s", "2 min 30 s", "4 h 12 min", "3 d 2 h".
inline std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "n/a";
  if (seconds < 10) return format_value(seconds) + " s";
  auto s = static_cast<long long>(std::llround(seconds));
  auto part = [](long long a, const char* ua, long long b, const char* ub) {
    std::string out = std::to_string(a) + " " + ua;
    if (b > 0) out += " " + std::to_string(b) + " " + ub;
    return out;
  };
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3600) return part(s / 60, "min", s % 60, "s");
  if (s < 86400) return part(s / 3600, "h", s % 3600 / 60, "min");
  return part(s / 86400, "d", s % 86400 / 3600, "h");
}

}  // namespace leakcheck::reports
