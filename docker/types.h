#pragma once
// What the client sends to and gets from the Docker Engine API: passive data.
// Only the fields leakcheck uses; the JSON has many more.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "docker/api_version.h"

namespace leakcheck::docker {

// About the `T() = default;` constructors below: g++ 12 destroys an
// aggregate-initialized temporary twice when it appears in a co_await
// expression (`co_await c.list_containers({.all = true})`: a double free).
// A user-declared constructor makes these types non-aggregates, so such code
// does not compile instead of corrupting the heap; set fields on a named
// object, or pass `{}`.

// A Docker filter set: key -> accepted values, e.g. {"label", {"leakcheck.run=abc"}}.
// Values of one key are ORed, keys are ANDed (the daemon's rule).
using Filters = std::map<std::string, std::vector<std::string>>;
using Labels = std::map<std::string, std::string>;

struct VersionInfo {
  std::string version;  // engine release, e.g. "20.10.24+dfsg1"
  ApiVersion api_version;
  ApiVersion min_api_version;
  std::string os;
  std::string arch;
  std::string kernel_version;
};

// One entry of GET /containers/json.
struct ContainerSummary {
  std::string id;
  std::vector<std::string> names;  // without Docker's leading '/'
  std::string image;
  std::string state;   // "running", "exited", "created", "paused", ...
  std::string status;  // human text: "Up 3 seconds"
  Labels labels;
  std::int64_t created = 0;  // unix seconds
};

struct ContainerState {
  std::string status;  // "created", "running", "paused", "restarting", "removing", "exited", "dead"
  bool running = false;
  bool paused = false;
  bool restarting = false;
  bool oom_killed = false;
  bool dead = false;
  int pid = 0;
  int exit_code = 0;
  std::string error;
  std::string started_at;   // RFC 3339 with nanoseconds, as Docker writes it
  std::string finished_at;  // "0001-01-01T00:00:00Z" while it never finished
};

// GET /containers/{id}/json.
struct ContainerInfo {
  std::string id;
  std::string name;  // without Docker's leading '/'
  std::string image;
  std::string created;
  bool tty = false;  // Config.Tty: logs are a raw stream, not 8-byte frames
  Labels labels;     // Config.Labels
  ContainerState state;
  std::string log_path;
  int restart_count = 0;
};

// POST /containers/create. Defaults are the harness's: no network, json-file logs.
struct ContainerSpec {
  ContainerSpec() = default;  // not an aggregate: see the top of this file
  std::string name;  // empty: Docker picks one
  std::string image;
  std::vector<std::string> cmd;
  std::vector<std::string> entrypoint;  // empty: the image's
  std::vector<std::string> env;         // "KEY=value"
  Labels labels;
  bool tty = false;
  std::string user;
  std::string network_mode = "none";
  std::int64_t memory_bytes = 0;  // 0: no limit
  std::string log_driver = "json-file";
  std::map<std::string, std::string> log_options;  // e.g. {"max-size", "10m"}
  bool auto_remove = false;
};

// GET /containers/json.
struct ListOptions {
  ListOptions() = default;  // not an aggregate: see the top of this file
  bool all = false;  // also stopped containers
  Filters filters;   // e.g. label, name, status, id
};

// GET /containers/{id}/logs. Times are since the Unix epoch.
struct LogsOptions {
  LogsOptions() = default;  // not an aggregate: see the top of this file
  bool include_stdout = true;
  bool include_stderr = true;
  bool timestamps = false;  // each line prefixed with RFC 3339 nanosecond time and a space
  // Inclusive: the line at exactly `since` is returned again.
  std::optional<std::chrono::nanoseconds> since;
  std::optional<std::chrono::nanoseconds> until;
  std::optional<int> tail;  // last N lines; unset: all
};

// GET /events. Times are since the Unix epoch.
struct EventsOptions {
  EventsOptions() = default;  // not an aggregate: see the top of this file
  Filters filters;  // e.g. {"type", {"container"}}, {"event", {"start", "die", "destroy"}}
  std::optional<std::chrono::nanoseconds> since;
  std::optional<std::chrono::nanoseconds> until;
};

// One line of the /events stream.
struct Event {
  std::string type;     // "container", "image", "network", ...
  std::string action;   // "start", "die", "destroy", "exec_start: sh", "health_status: healthy"
  std::string actor_id; // container id for container events
  Labels attributes;    // container labels plus "name", "image", "exitCode", ...
  std::int64_t time_nano = 0;
};

}  // namespace leakcheck::docker
