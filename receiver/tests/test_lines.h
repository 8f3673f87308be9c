#pragma once
// Literal loggen lines and push bodies for the receiver's tests.

#include <zlib.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "loggen/line_format.h"

namespace leakcheck::receiver::testing {

inline constexpr const char* kRun = "run1";
inline constexpr int64_t kT0 = 1'700'000'000'000'000'000;  // generation time of seq 0
inline constexpr int64_t kMs = 1'000'000;

// Line `seq` of container/boot, generated at kT0 + seq ms.
inline std::string line(const std::string& container, uint32_t boot, uint64_t seq,
                        loggen::Stream stream = loggen::Stream::out, const std::string& run = kRun,
                        size_t size_bytes = 100) {
  loggen::LineHeader h{run, container, boot, seq, kT0 + static_cast<int64_t>(seq) * kMs, stream};
  return loggen::format_line(h, size_bytes);
}

// A Loki stream: labels and lines (timestamps are the collector's; any decimal).
struct TestStream {
  std::string stream_label;  // "" for none
  std::vector<std::string> lines;
};

inline std::string push_body(const std::vector<TestStream>& streams) {
  nlohmann::json out = {{"streams", nlohmann::json::array()}};
  for (const TestStream& s : streams) {
    nlohmann::json labels = {{"container", "c"}, {"job", "leakcheck"}};
    if (!s.stream_label.empty()) labels["stream"] = s.stream_label;
    nlohmann::json values = nlohmann::json::array();
    for (size_t i = 0; i < s.lines.size(); ++i) values.push_back({std::to_string(1000 + i), s.lines[i]});
    out["streams"].push_back({{"stream", labels}, {"values", values}});
  }
  return out.dump();
}

inline std::string gzip(const std::string& data) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate");
  return out;
}

}  // namespace leakcheck::receiver::testing
