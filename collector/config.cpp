#include "collector/config.h"

#include <charconv>
#include <string_view>

#include "util/yaml_fields.h"

namespace leakcheck::collector {

const char* const kCollectorUsage = R"(usage: leakcheck-collector [options]

Ships the stdout and stderr of every running container to Loki, an NDJSON
file or stdout, with no loss, no duplicates, and no growth in fds or threads.

options (each overrides the same key of --config):
  --config FILE              YAML file with the keys below (see README)
  --docker-host URL          unix:///var/run/docker.sock (default, or $DOCKER_HOST)
                             or tcp://HOST:PORT
  --sink loki=URL|file=PATH|stdout
                             where lines go (default stdout)
  --label KEY=VALUE          static Loki label (repeatable)
  --rotation-interval DUR    reopen every stream this often (default 30s)
  --idle-timeout DUR         reopen a stream silent this long (default 60s)
  --state-dir DIR            cursors live here (default /var/lib/leakcheck-collector)
  --metrics-listen HOST:PORT /metrics and /healthz (default 127.0.0.1:9464; off)
  --strategy managed|naive   naive is a DELIBERATELY BROKEN baseline that leaks
                             a thread and a connection per rotation of an idle
                             container, as the analysed Go collector did; it
                             exists so leakcheck can prove it sees the leak
  --include-label K[=V]      follow only containers with this label (repeatable)
  --exclude-label K[=V]      skip containers with this label (repeatable)
  --include-name GLOB        follow only containers whose name matches (repeatable)
  --exclude-name GLOB        skip containers whose name matches (repeatable)
  --max-line-bytes N         longer lines are truncated and marked (default 262144)
  --queue-max-lines N        bound of the queue before the sink (default 10000)
  --batch-max-age DUR        send a partial batch after this long (default 250ms)
  --log-level LEVEL          debug, info, warn or error (default info)
  -h, --help                 this text

exit codes: 0 clean shutdown, 2 bad configuration or Docker engine
unreachable at start, 3 cursors could not be persisted, 4 other fatal error.
)";

namespace {

Error flag_error(std::string_view flag, const std::string& message) {
  return Error{0, std::string(flag) + ": " + message};
}

Result<uint64_t> positive_number(std::string_view flag, std::string_view text) {
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || ptr != text.data() + text.size() || n == 0)
    return flag_error(flag, "expected a positive whole number, got \"" + std::string(text) + "\"");
  return n;
}

Status parse_sink_flag(std::string_view text, SinkConfig& sink) {
  if (text == "stdout") {
    sink.kind = "stdout";
  } else if (text.starts_with("loki=")) {
    sink.kind = "loki";
    sink.url = std::string(text.substr(5));
  } else if (text.starts_with("file=")) {
    sink.kind = "file";
    sink.path = std::string(text.substr(5));
  } else {
    return flag_error("--sink", "expected loki=URL, file=PATH or stdout, got \"" + std::string(text) + "\"");
  }
  return Ok{};
}

}  // namespace

Result<CollectorConfig> parse_config(const YAML::Node& root, const std::string& file, CollectorConfig c) {
  YamlObject o(root, file);
  o.read("docker_host", c.docker_host);
  o.object("sink", [&](YamlObject& s) {
    s.read_choice("type", c.sink.kind, {"loki", "file", "stdout"});
    s.read("url", c.sink.url);
    s.read("path", c.sink.path);
    s.read("labels", c.sink.labels);
    s.read("batch_max_lines", c.sink.batch_max_lines);
    s.read("batch_max_bytes", c.sink.batch_max_bytes);
    s.read_duration("batch_max_age", c.sink.batch_max_age);
    s.read_duration("request_timeout", c.sink.request_timeout);
    s.read_duration("retry_initial_backoff", c.sink.retry_initial_backoff);
    s.read_duration("retry_max_backoff", c.sink.retry_max_backoff);
    s.read("dead_letter_path", c.sink.dead_letter_path);
  });
  o.read_choice("strategy", c.strategy, {"managed", "naive"});
  o.read_duration("rotation_interval", c.rotation_interval);
  o.read_duration("idle_timeout", c.idle_timeout);
  o.read_duration("reconcile_interval", c.reconcile_interval);
  o.read("state_dir", c.state_dir);
  o.read("metrics_listen", c.metrics_listen);
  o.read("max_line_bytes", c.max_line_bytes);
  o.read("queue_max_lines", c.queue_max_lines);
  o.object("include", [&](YamlObject& f) {
    f.read("labels", c.filters.include_labels);
    f.read("names", c.filters.include_names);
  });
  o.object("exclude", [&](YamlObject& f) {
    f.read("labels", c.filters.exclude_labels);
    f.read("names", c.filters.exclude_names);
  });
  o.read_choice("log_level", c.log_level, {"debug", "info", "warn", "error"});
  o.read_duration("shutdown_timeout", c.shutdown_timeout);
  if (auto s = o.finish(); !s) return s.error();
  return c;
}

Result<CollectorConfig> parse_command_line(int argc, const char* const* argv, const char* docker_host_env) {
  CollectorConfig c;
  if (docker_host_env && *docker_host_env) c.docker_host = docker_host_env;

  // --config first, wherever it stands, so that every flag overrides the file.
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) != "--config") continue;
    if (i + 1 >= argc) return flag_error("--config", "needs a file");
    auto root = load_yaml_file(argv[i + 1]);
    if (!root) return root.error();
    auto from_file = parse_config(*root, argv[i + 1], c);
    if (!from_file) return from_file.error();
    c = std::move(*from_file);
  }

  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "-h" || flag == "--help") return Error{kHelpRequested, "help"};
    if (!flag.starts_with("--")) return Error{0, "unexpected argument \"" + std::string(flag) + "\""};
    if (i + 1 >= argc) return flag_error(flag, "needs a value");
    std::string_view value = argv[++i];
    auto duration = [&](Nanos& out) -> Status {
      auto d = parse_duration(value);
      if (!d) return flag_error(flag, d.error().message());
      out = *d;
      return Ok{};
    };
    auto number = [&](uint64_t& out) -> Status {
      auto n = positive_number(flag, value);
      if (!n) return n.error();
      out = *n;
      return Ok{};
    };
    Status s = Ok{};
    if (flag == "--config") continue;
    else if (flag == "--docker-host") c.docker_host = value;
    else if (flag == "--sink") s = parse_sink_flag(value, c.sink);
    else if (flag == "--label") {
      auto eq = value.find('=');
      if (eq == 0 || eq == std::string_view::npos) s = flag_error(flag, "expected KEY=VALUE");
      else c.sink.labels[std::string(value.substr(0, eq))] = std::string(value.substr(eq + 1));
    } else if (flag == "--rotation-interval") s = duration(c.rotation_interval);
    else if (flag == "--idle-timeout") s = duration(c.idle_timeout);
    else if (flag == "--batch-max-age") s = duration(c.sink.batch_max_age);
    else if (flag == "--state-dir") c.state_dir = value;
    else if (flag == "--metrics-listen") c.metrics_listen = value;
    else if (flag == "--strategy") {
      if (value != "managed" && value != "naive") s = flag_error(flag, "expected managed or naive");
      else c.strategy = value;
    } else if (flag == "--include-label") c.filters.include_labels.emplace_back(value);
    else if (flag == "--exclude-label") c.filters.exclude_labels.emplace_back(value);
    else if (flag == "--include-name") c.filters.include_names.emplace_back(value);
    else if (flag == "--exclude-name") c.filters.exclude_names.emplace_back(value);
    else if (flag == "--max-line-bytes") s = number(c.max_line_bytes);
    else if (flag == "--queue-max-lines") s = number(c.queue_max_lines);
    else if (flag == "--log-level") {
      if (value != "debug" && value != "info" && value != "warn" && value != "error")
        s = flag_error(flag, "expected debug, info, warn or error");
      else c.log_level = value;
    } else s = Error{0, "unknown option " + std::string(flag)};
    if (!s) return s.error();
  }
  if (auto s = validate(c); !s) return s.error();
  return c;
}

Status validate(const CollectorConfig& c) {
  if (c.sink.kind == "loki" && !c.sink.url.starts_with("http://"))
    return Error{0, "sink: a loki sink needs an http:// URL, e.g. loki=http://127.0.0.1:3100/loki/api/v1/push"};
  if (c.sink.kind == "file" && c.sink.path.empty()) return Error{0, "sink: a file sink needs a path"};
  if (c.rotation_interval < 100ms) return Error{0, "rotation_interval: at least 100ms"};
  if (c.idle_timeout <= 0ns) return Error{0, "idle_timeout: must be above zero"};
  if (c.state_dir.empty()) return Error{0, "state_dir: must not be empty"};
  if (c.queue_max_lines == 0 || c.sink.batch_max_lines == 0) return Error{0, "queue and batch bounds must be above zero"};
  if (c.max_line_bytes < 1024) return Error{0, "max_line_bytes: at least 1024"};
  return Ok{};
}

}  // namespace leakcheck::collector
