#pragma once
// Builds Docker's multiplexed log stream, byte for byte, for the tests.

#include <cstdint>
#include <string>
#include <string_view>

namespace leakcheck::collector::testing {

// One frame: [stream_type, 0, 0, 0, size as big-endian uint32] + payload.
inline std::string frame(uint8_t stream_type, std::string_view payload) {
  const auto size = static_cast<uint32_t>(payload.size());
  std::string bytes{static_cast<char>(stream_type),
                    0,
                    0,
                    0,
                    static_cast<char>(size >> 24),
                    static_cast<char>(size >> 16),
                    static_cast<char>(size >> 8),
                    static_cast<char>(size)};
  bytes.append(payload);
  return bytes;
}

inline std::string stdout_frame(std::string_view payload) { return frame(1, payload); }
inline std::string stderr_frame(std::string_view payload) { return frame(2, payload); }
inline std::string systemerr_frame(std::string_view payload) { return frame(3, payload); }

}  // namespace leakcheck::collector::testing
