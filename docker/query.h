#pragma once
// Request targets of the Engine API: URL encoding, filters and query strings.
// Pure: no I/O. The client puts "/v1.41" in front of what these return.

#include <chrono>
#include <string>
#include <string_view>

#include "docker/types.h"

namespace leakcheck::docker {

// Percent-encodes everything but RFC 3986 unreserved characters
// (A-Z a-z 0-9 - . _ ~): safe in a query value and in a path segment.
std::string url_encode(std::string_view text);

// A Unix time the way `since`/`until` take it: "1700000000.000000001".
// Negative times (before 1970) are clamped to 0.
std::string format_unix_time(std::chrono::nanoseconds since_epoch);

// Builds "?k=v&k2=v2" with encoded values; "" when nothing was added.
class Query {
 public:
  Query& add(std::string_view key, std::string_view value);
  Query& add_flag(std::string_view key, bool value) { return add(key, value ? "1" : "0"); }
  Query& add_filters(const Filters& filters);  // nothing when empty
  std::string str() const { return text_; }

 private:
  std::string text_;
};

// Targets without the version prefix.
std::string list_containers_target(const ListOptions& options);
std::string container_target(std::string_view id, std::string_view action = {});  // /containers/{id}[/action]
// /images/{name}[/action]; '/', ':' and '@' of a reference stay as they are.
std::string image_target(std::string_view name, std::string_view action = {});
std::string logs_target(std::string_view id, const LogsOptions& options, bool follow);
std::string events_target(const EventsOptions& options);

}  // namespace leakcheck::docker
