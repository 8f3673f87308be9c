#pragma once
// Structured log lines in logfmt, one write(2) per line:
//   ts=2026-11-27T06:01:02.123Z level=info msg="stream opened" container=web
// Thread-safe (the naive strategy logs from its reader threads).

#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "util/result.h"

namespace leakcheck {

enum class LogLevel { debug = 0, info, warn, error };

Result<LogLevel> parse_log_level(std::string_view text);

using LogFields = std::initializer_list<std::pair<std::string_view, std::string>>;

class Logger {
 public:
  explicit Logger(LogLevel min_level = LogLevel::info, int fd = 2) : min_(min_level), fd_(fd) {}

  bool enabled(LogLevel level) const { return level >= min_; }
  void log(LogLevel level, std::string_view message, LogFields fields = {});
  void debug(std::string_view m, LogFields f = {}) { log(LogLevel::debug, m, f); }
  void info(std::string_view m, LogFields f = {}) { log(LogLevel::info, m, f); }
  void warn(std::string_view m, LogFields f = {}) { log(LogLevel::warn, m, f); }
  void error(std::string_view m, LogFields f = {}) { log(LogLevel::error, m, f); }

 private:
  LogLevel min_;
  int fd_;
  std::mutex mutex_;
};

// A logfmt line without the trailing newline (exposed for tests).
std::string format_log_line(std::string_view timestamp, LogLevel level, std::string_view message, LogFields fields);

}  // namespace leakcheck
