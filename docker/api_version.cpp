#include "docker/api_version.h"

#include <algorithm>
#include <charconv>

namespace leakcheck::docker {

namespace {

bool parse_int(std::string_view s, int& out) {
  if (s.empty() || s.size() > 6) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size() && out >= 0;
}

}  // namespace

std::string ApiVersion::text() const { return std::to_string(major) + "." + std::to_string(minor); }

Result<ApiVersion> parse_api_version(std::string_view text) {
  auto dot = text.find('.');
  ApiVersion v;
  if (dot == std::string_view::npos || !parse_int(text.substr(0, dot), v.major) ||
      !parse_int(text.substr(dot + 1), v.minor))
    return Error{0, "invalid Docker API version \"" + std::string(text) + "\": expected MAJOR.MINOR"};
  return v;
}

Result<ApiVersion> negotiate_api_version(ApiVersion server, ApiVersion ours) {
  ApiVersion chosen = std::min(server, ours);
  if (chosen < kMinApiVersion)
    return Error{0, "Docker engine speaks API " + server.text() + ", leakcheck needs at least " +
                        kMinApiVersion.text() + " (Docker 20.10)"};
  return chosen;
}

}  // namespace leakcheck::docker
