#include "util/log.h"

#include <time.h>
#include <unistd.h>

#include <cstdio>

namespace leakcheck {

namespace {

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
  }
  return "info";
}

// Quotes a value when it holds spaces, quotes, '=' or control characters.
void append_value(std::string& out, std::string_view value) {
  bool plain = !value.empty();
  for (char c : value)
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) plain = false;
  if (plain) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\', out += c;
    else if (c == '\n') out += "\\n";
    else if (static_cast<unsigned char>(c) < 0x20) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(c));
      out += hex;
    } else out += c;
  }
  out += '"';
}

std::string now_rfc3339_millis() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  tm utc{};
  ::gmtime_r(&ts.tv_sec, &utc);
  char buf[96];  // generous: the compiler cannot bound tm_year
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, ts.tv_nsec / 1'000'000);
  return buf;
}

}  // namespace

Result<LogLevel> parse_log_level(std::string_view text) {
  for (auto level : {LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error})
    if (text == level_name(level)) return level;
  return Error{0, "unknown log level \"" + std::string(text) + "\" (debug, info, warn or error)"};
}

std::string format_log_line(std::string_view timestamp, LogLevel level, std::string_view message, LogFields fields) {
  std::string line = "ts=";
  line += timestamp;
  line += " level=";
  line += level_name(level);
  line += " msg=";
  append_value(line, message);
  for (const auto& [key, value] : fields) {
    line += ' ';
    line += key;
    line += '=';
    append_value(line, value);
  }
  return line;
}

void Logger::log(LogLevel level, std::string_view message, LogFields fields) {
  if (!enabled(level)) return;
  std::string line = format_log_line(now_rfc3339_millis(), level, message, fields);
  line += '\n';
  std::lock_guard lock(mutex_);
  // A log line that cannot be written has nowhere else to go.
  (void)!::write(fd_, line.data(), line.size());
}

}  // namespace leakcheck
