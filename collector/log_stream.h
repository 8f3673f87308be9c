#pragma once
// The output streams of a container, numbered as the first byte of a frame
// header in Docker's multiplexed log stream numbers them.

#include <cstdint>
#include <string_view>

namespace leakcheck::collector {

enum class LogStream : std::uint8_t {
  stdin_stream = 0,
  stdout_stream = 1,
  stderr_stream = 2,
};
inline constexpr size_t kLogStreamCount = 3;

// "stdin", "stdout", "stderr": public API, they become the Loki label `stream`.
constexpr std::string_view stream_name(LogStream stream) {
  switch (stream) {
    case LogStream::stdin_stream:
      return "stdin";
    case LogStream::stdout_stream:
      return "stdout";
    case LogStream::stderr_stream:
      return "stderr";
  }
  return "unknown";
}

}  // namespace leakcheck::collector
