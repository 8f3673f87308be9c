#pragma once
// Docker Engine API versions ("1.41") and the choice of the one to speak.

#include <compare>
#include <string>
#include <string_view>

#include "util/result.h"

namespace leakcheck::docker {

struct ApiVersion {
  int major = 0;
  int minor = 0;

  auto operator<=>(const ApiVersion&) const = default;
  std::string text() const;  // "1.41"
};

// Below 1.41 (Docker 20.10) the client refuses to talk: what it relies on
// (label and name filters, `since` with nanoseconds, the 8-byte frame format)
// is what 20.10 does, and older engines are out of support.
inline constexpr ApiVersion kMinApiVersion{1, 41};
// The newest version whose behaviour this client is written for. Nothing it
// sends or parses changed between 1.41 and 1.43; 1.42 renamed the non-TTY logs
// Content-Type to application/vnd.docker.multiplexed-stream, same framing.
inline constexpr ApiVersion kMaxApiVersion{1, 43};

// "1.41" -> {1, 41}. Error names the text.
Result<ApiVersion> parse_api_version(std::string_view text);

// min(server, ours), or an error when that is below kMinApiVersion.
Result<ApiVersion> negotiate_api_version(ApiVersion server, ApiVersion ours = kMaxApiVersion);

}  // namespace leakcheck::docker
