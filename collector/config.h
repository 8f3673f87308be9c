#pragma once
// leakcheck-collector's configuration: a YAML file (--config) and flags over
// it. Parsing is pure; every error names the file and line or the flag.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "util/duration.h"
#include "util/result.h"

namespace leakcheck::collector {

using namespace std::chrono_literals;

struct SinkConfig {
  std::string kind = "stdout";  // "loki", "file" or "stdout"
  std::string url;              // loki: http://HOST:PORT/loki/api/v1/push
  std::string path;             // file: NDJSON, appended to
  std::map<std::string, std::string> labels;  // static labels on every Loki stream
  uint64_t batch_max_lines = 1000;
  uint64_t batch_max_bytes = 1 << 20;
  // A batch is sent when it is this old, full or not: a bound on the
  // latency the collector adds (the analysis asks for P99 < 1 s end to end).
  Nanos batch_max_age = 250ms;
  Nanos request_timeout = 10s;
  Nanos retry_initial_backoff = 250ms;
  Nanos retry_max_backoff = 30s;
  std::string dead_letter_path;  // empty: <state_dir>/dead-letter.ndjson
  // At start a Loki sink must accept a TCP connection (within a few seconds),
  // else the collector exits 2 naming the URL. true: start anyway and retry
  // until it answers (the lines wait in the containers' logs).
  bool wait = false;
};

// Which containers to follow. A container is followed when it matches every
// include list that is not empty (any entry of a list) and no exclude entry.
// Labels are "key" (present) or "key=value"; names are shell globs.
struct FilterConfig {
  std::vector<std::string> include_labels, exclude_labels;
  std::vector<std::string> include_names, exclude_names;
};

struct CollectorConfig {
  std::string docker_host = "unix:///var/run/docker.sock";
  SinkConfig sink;
  std::string strategy = "managed";  // or "naive": the deliberately leaky baseline
  Nanos rotation_interval = 30s;     // reopen every stream this often, as the analysis's collector did
  // A follow stream with no byte for this long is reopened from its cursor
  // (the daemon is never trusted to say a stream is dead).
  Nanos idle_timeout = 60s;
  Nanos reconcile_interval = 30s;  // re-list containers: events can be missed
  std::string state_dir = "/var/lib/leakcheck-collector";
  // Cursors that moved are saved this often (and at shutdown), not after
  // every batch: after a SIGKILL up to this long's acknowledged lines come
  // again. 0: after every batch.
  Nanos cursor_save_interval = 1s;
  std::string metrics_listen = "127.0.0.1:9464";  // "off" disables /metrics and /healthz
  uint64_t max_line_bytes = 256 * 1024;
  uint64_t queue_max_lines = 10000;  // between the readers and the sink; full means backpressure
  FilterConfig filters;
  std::string log_level = "info";  // debug, info, warn, error
  Nanos shutdown_timeout = 10s;
};

// The keys of a config file, read strictly: unknown keys are errors.
Result<CollectorConfig> parse_config(const YAML::Node& root, const std::string& file, CollectorConfig base = {});

// Flags over defaults (and over --config FILE when given; DOCKER_HOST from
// `docker_host_env` when set and no flag says otherwise). argv[0] is the
// program. "--help" yields an Error with code kHelpRequested.
inline constexpr int kHelpRequested = -1;
Result<CollectorConfig> parse_command_line(int argc, const char* const* argv, const char* docker_host_env);

// The checks of values after the flags: a loki sink needs a valid URL, bounds
// above zero, and so on. The error names the flag (parse_config does the same
// checks for a config file, naming its file, line and key).
Status validate(const CollectorConfig& config);

extern const char* const kCollectorUsage;

}  // namespace leakcheck::collector
