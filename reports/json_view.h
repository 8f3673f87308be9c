#pragma once
// Tolerant reads of a report document: a missing key or a value of another
// type gives an empty default, so a report from an older leakcheck (or a run
// that stopped early) renders what it has instead of throwing.

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace leakcheck::reports {

inline const nlohmann::json& empty_json() {
  static const nlohmann::json empty;
  return empty;
}

inline const nlohmann::json& at(const nlohmann::json& j, std::string_view key) {
  if (!j.is_object()) return empty_json();
  auto it = j.find(key);
  return it == j.end() ? empty_json() : *it;
}

inline const nlohmann::json& object_at(const nlohmann::json& j, std::string_view key) {
  static const nlohmann::json empty_object = nlohmann::json::object();
  const nlohmann::json& v = at(j, key);
  return v.is_object() ? v : empty_object;
}

inline const nlohmann::json& array_at(const nlohmann::json& j, std::string_view key) {
  static const nlohmann::json empty_array = nlohmann::json::array();
  const nlohmann::json& v = at(j, key);
  return v.is_array() ? v : empty_array;
}

inline std::string string_at(const nlohmann::json& j, std::string_view key) {
  const nlohmann::json& v = at(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

inline bool is_number(const nlohmann::json& j, std::string_view key) { return at(j, key).is_number(); }

// NaN when absent or null (a report writes non-finite numbers as null).
inline double number_at(const nlohmann::json& j, std::string_view key) {
  const nlohmann::json& v = at(j, key);
  return v.is_number() ? v.get<double>() : std::nan("");
}

inline int64_t int_at(const nlohmann::json& j, std::string_view key) {
  const nlohmann::json& v = at(j, key);
  return v.is_number() ? v.get<int64_t>() : 0;
}

// Up to `digits` significant digits; "n/a" for a missing or null number.
inline std::string format_number(double v, int digits = 4) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

inline std::string number_text(const nlohmann::json& j, std::string_view key, int digits = 4) {
  return format_number(number_at(j, key), digits);
}

}  // namespace leakcheck::reports
