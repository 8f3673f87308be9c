#pragma once
// Engine API JSON to and from the structs in types.h. Pure: the unit tests feed
// literal daemon replies. Missing optional fields keep their defaults; a reply
// that is not JSON, or lacks what identifies it (an Id), is an error.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docker/types.h"
#include "util/result.h"

namespace leakcheck::docker {

Result<VersionInfo> parse_version(std::string_view body);
Result<std::vector<ContainerSummary>> parse_container_list(std::string_view body);
Result<ContainerInfo> parse_container_inspect(std::string_view body);
Result<std::string> parse_create_response(std::string_view body);  // the new container's id
Result<int> parse_wait_response(std::string_view body);            // the exit code
Result<Event> parse_event(std::string_view line);

// The JSON the daemon expects in `filters=`: {"label":["a=b"],"name":["x"]}.
// (Here rather than in query.h so that one file pays for nlohmann/json.)
std::string filters_json(const Filters& filters);

// The body of POST /containers/create.
std::string container_spec_json(const ContainerSpec& spec);

// Docker answers errors with {"message": "..."}; anything else is returned
// trimmed and cut to `max_bytes` so a proxy's HTML page cannot flood a log line.
std::string error_message_from_body(std::string_view body, std::size_t max_bytes = 512);

// POST /images/create (import, pull) answers 200 and then reports failure inside
// its stream of JSON progress lines: {"error": "..."}. The first such error, if any.
std::optional<std::string> progress_error(std::string_view body);

}  // namespace leakcheck::docker
