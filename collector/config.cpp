#include "collector/config.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

#include "collector/http_url.h"
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
                             where lines go (default stdout); at start a Loki
                             sink must accept a TCP connection within 3s, a
                             file sink must open for appending, else exit 2
  --sink-wait                start even when the Loki sink does not answer yet,
                             and retry until it does (config: sink.wait: true)
  --label KEY=VALUE          static Loki label (repeatable)
  --rotation-interval DUR    reopen every stream this often (default 30s)
  --idle-timeout DUR         reopen a stream silent this long (default 60s)
  --state-dir DIR            cursors live here (default /var/lib/leakcheck-collector)
  --cursor-save-interval DUR save moved cursors this often (default 1s; 0: after
                             every batch); after a SIGKILL the lines acknowledged
                             since the last save are delivered again
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

exit codes:
  0    clean shutdown, every cursor persisted
  2    bad configuration, or at start: the Docker socket missing or not
       permitted, the state dir not a writable directory, the sink
       unreachable or unopenable, the /metrics address invalid or busy
  3    cursors: a cursor file is corrupt, or cursors could not be persisted
       (saves failed for 30s while running, or at shutdown); the cursor files
       already persisted stay intact, so a restart loses nothing
  4    any other fatal error
  128+N  a second signal N during shutdown
Every error is one line on stderr naming the file, key, path or address.
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

// A value that is wrong whatever the rest says: `key` is its dotted name in a
// config file, `flag` the option that sets it ("" when none does). A config
// file's problems are found with its lines (parse_config), the flags' after
// them (validate).
struct Problem {
  std::string key, flag, message;
};

std::optional<Problem> find_problem(const CollectorConfig& c) {
  auto problem = [](const char* key, const char* flag, std::string message) {
    return std::optional<Problem>(Problem{key, flag, std::move(message)});
  };
  if (c.sink.kind == "loki") {
    if (c.sink.url.empty())
      return problem("sink.url", "--sink", "a loki sink needs a URL, e.g. loki=http://127.0.0.1:3100/loki/api/v1/push");
    if (auto url = parse_http_url(c.sink.url); !url)
      return problem("sink.url", "--sink", url.error().message() + " (e.g. http://127.0.0.1:3100/loki/api/v1/push)");
  }
  if (c.sink.kind == "file" && c.sink.path.empty()) return problem("sink.path", "--sink", "a file sink needs a path");
  if (c.sink.batch_max_lines == 0) return problem("sink.batch_max_lines", "", "must be above zero");
  if (c.sink.batch_max_bytes == 0) return problem("sink.batch_max_bytes", "", "must be above zero");
  if (c.sink.request_timeout <= 0ns) return problem("sink.request_timeout", "", "must be above zero");
  if (c.sink.retry_initial_backoff <= 0ns) return problem("sink.retry_initial_backoff", "", "must be above zero");
  if (c.sink.retry_max_backoff < c.sink.retry_initial_backoff)
    return problem("sink.retry_max_backoff", "", "must not be below retry_initial_backoff");
  if (c.rotation_interval < 100ms)
    return problem("rotation_interval", "--rotation-interval", "at least 100ms, got " + format_duration(c.rotation_interval));
  if (c.idle_timeout <= 0ns) return problem("idle_timeout", "--idle-timeout", "must be above zero");
  if (c.reconcile_interval < 100ms)
    return problem("reconcile_interval", "", "at least 100ms, got " + format_duration(c.reconcile_interval));
  if (c.state_dir.empty()) return problem("state_dir", "--state-dir", "must not be empty");
  if (c.metrics_listen.empty()) return problem("metrics_listen", "--metrics-listen", "expected HOST:PORT or off");
  if (c.queue_max_lines == 0) return problem("queue_max_lines", "--queue-max-lines", "must be above zero");
  if (c.max_line_bytes < 1024)
    return problem("max_line_bytes", "--max-line-bytes", "at least 1024, got " + std::to_string(c.max_line_bytes));
  return std::nullopt;
}

// "FILE:LINE: " of a dotted key, or of the deepest mapping of it the file has
// (a key that is missing, like a file sink's path).
std::string location(YAML::Node node, const std::string& file, std::string_view dotted_key) {
  int line = node.Mark().line;
  for (size_t start = 0; start <= dotted_key.size();) {
    size_t dot = std::min(dotted_key.find('.', start), dotted_key.size());
    if (!node.IsMap()) break;
    YAML::Node child = node[std::string(dotted_key.substr(start, dot - start))];
    if (!child.IsDefined()) break;
    if (child.Mark().line >= 0) line = child.Mark().line;
    node = child;
    start = dot + 1;
  }
  return file + (line >= 0 ? ":" + std::to_string(line + 1) : "") + ": ";
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
    s.read("wait", c.sink.wait);
  });
  o.read_choice("strategy", c.strategy, {"managed", "naive"});
  o.read_duration("rotation_interval", c.rotation_interval);
  o.read_duration("idle_timeout", c.idle_timeout);
  o.read_duration("reconcile_interval", c.reconcile_interval);
  o.read("state_dir", c.state_dir);
  o.read_duration("cursor_save_interval", c.cursor_save_interval);
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
  if (auto p = find_problem(c)) return Error{0, location(root, file, p->key) + p->key + ": " + p->message};
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
    if (flag == "--sink-wait") {  // the one option without a value
      c.sink.wait = true;
      continue;
    }
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
    else if (flag == "--cursor-save-interval") s = duration(c.cursor_save_interval);
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
  // Values from a config file were checked with their lines: what is left
  // came from a flag (or was never set, where the defaults are valid).
  if (auto p = find_problem(c)) return Error{0, (p->flag.empty() ? p->key : p->flag) + ": " + p->message};
  return Ok{};
}

}  // namespace leakcheck::collector
