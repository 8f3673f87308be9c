#pragma once
// The Loki sink's URL, parsed without I/O: shared by the configuration's
// checks (an error names the file, line and key) and the sink itself.

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace leakcheck::collector {

// "http://127.0.0.1:3100/loki/api/v1/push" -> host, port, path. Numeric hosts
// and localhost only (no resolver threads). Errors name the URL.
struct HttpUrl {
  std::string host;
  uint16_t port = 80;
  std::string path;
};
Result<HttpUrl> parse_http_url(std::string_view url);

}  // namespace leakcheck::collector
