#include "collector/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "util/yaml_fields.h"

namespace leakcheck::collector {
namespace {

Result<CollectorConfig> from_args(std::vector<const char*> args, const char* docker_host_env = nullptr) {
  args.insert(args.begin(), "leakcheck-collector");
  return parse_command_line(static_cast<int>(args.size()), args.data(), docker_host_env);
}

TEST(CollectorConfig, Defaults) {
  auto c = from_args({});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->docker_host, "unix:///var/run/docker.sock");
  EXPECT_EQ(c->rotation_interval, 30s);  // as in the analysed collector
  EXPECT_EQ(c->metrics_listen, "127.0.0.1:9464");  // loopback by default
  EXPECT_EQ(c->strategy, "managed");
  EXPECT_EQ(c->max_line_bytes, 256u * 1024);
  EXPECT_EQ(c->sink.kind, "stdout");
  EXPECT_EQ(c->cursor_save_interval, 1s);
}

TEST(CollectorConfig, FlagsAndEnvironment) {
  auto c = from_args({"--sink", "loki=http://127.0.0.1:3100/loki/api/v1/push", "--rotation-interval", "2s",
                      "--state-dir", "/tmp/s", "--strategy", "naive", "--label", "job=lc", "--include-label",
                      "leakcheck.run=x", "--exclude-name", "skip-*"},
                     "tcp://127.0.0.1:2375");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->docker_host, "tcp://127.0.0.1:2375");
  EXPECT_EQ(c->sink.kind, "loki");
  EXPECT_EQ(c->sink.url, "http://127.0.0.1:3100/loki/api/v1/push");
  EXPECT_EQ(c->rotation_interval, 2s);
  EXPECT_EQ(c->state_dir, "/tmp/s");
  EXPECT_EQ(c->strategy, "naive");
  EXPECT_EQ(c->sink.labels.at("job"), "lc");
  EXPECT_EQ(c->filters.include_labels, std::vector<std::string>{"leakcheck.run=x"});
  EXPECT_EQ(c->filters.exclude_names, std::vector<std::string>{"skip-*"});
  EXPECT_EQ(from_args({"--docker-host", "unix:///x.sock"}, "tcp://1.2.3.4:1")->docker_host, "unix:///x.sock");
}

TEST(CollectorConfig, FileThenFlagsOverride) {
  std::string path = ::testing::TempDir() + "/collector-config.yaml";
  std::ofstream(path) << "rotation_interval: 5s\nsink:\n  type: file\n  path: /tmp/out.ndjson\n  batch_max_age: 250ms\n"
                         "include:\n  labels: [a=b]\n";
  auto c = from_args({"--rotation-interval", "7s", "--config", path.c_str()});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->rotation_interval, 7s);  // the flag wins wherever it stands
  EXPECT_EQ(c->sink.kind, "file");
  EXPECT_EQ(c->sink.path, "/tmp/out.ndjson");
  EXPECT_EQ(c->sink.batch_max_age, 250ms);
  EXPECT_EQ(c->filters.include_labels, std::vector<std::string>{"a=b"});
}

TEST(CollectorConfig, CursorSaveInterval) {
  EXPECT_EQ(from_args({"--cursor-save-interval", "0"})->cursor_save_interval, 0ns);
  EXPECT_EQ(from_args({"--cursor-save-interval", "250ms"})->cursor_save_interval, 250ms);
  std::string path = ::testing::TempDir() + "/collector-cursor.yaml";
  std::ofstream(path) << "cursor_save_interval: 5s\n";
  auto c = from_args({"--config", path.c_str()});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->cursor_save_interval, 5s);
  auto bad = from_args({"--cursor-save-interval", "soon"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("--cursor-save-interval"), std::string::npos) << bad.error().message();
}

TEST(CollectorConfig, ErrorsNameTheFlagOrKey) {
  std::string path = ::testing::TempDir() + "/collector-bad.yaml";
  std::ofstream(path) << "sink:\n  type: loki\n  url: http://x\n  batch_max_age: soon\n";
  struct Case {
    std::vector<const char*> args;
    std::string message;
  } cases[] = {
      {{"--rotation-interval", "5 min"}, "--rotation-interval: invalid duration \"5 min\": unknown unit (use ns, us, ms, s, m, h or d)"},
      {{"--sink", "kafka=x"}, "--sink: expected loki=URL, file=PATH or stdout, got \"kafka=x\""},
      {{"--sink", "loki=127.0.0.1:3100"},
       "--sink: invalid URL \"127.0.0.1:3100\": only http:// is supported (e.g. http://127.0.0.1:3100/loki/api/v1/push)"},
      {{"--sink", "loki=http://loki:3100/loki/api/v1/push"},
       "--sink: invalid URL \"http://loki:3100/loki/api/v1/push\": the host must be a numeric IP address or localhost "
       "(no name resolution) (e.g. http://127.0.0.1:3100/loki/api/v1/push)"},
      {{"--sink", "loki=http://127.0.0.1:99999/"},
       "--sink: invalid URL \"http://127.0.0.1:99999/\": bad port (e.g. http://127.0.0.1:3100/loki/api/v1/push)"},
      {{"--sink", "loki="}, "--sink: a loki sink needs a URL, e.g. loki=http://127.0.0.1:3100/loki/api/v1/push"},
      {{"--sink", "file="}, "--sink: a file sink needs a path"},
      {{"--rotation-interval", "-5s"}, "--rotation-interval: invalid duration \"-5s\": must not be negative"},
      {{"--rotation-interval", "10ms"}, "--rotation-interval: at least 100ms, got 10ms"},
      {{"--idle-timeout", "0"}, "--idle-timeout: must be above zero"},
      {{"--queue-max-lines", "-3"}, "--queue-max-lines: expected a positive whole number, got \"-3\""},
      {{"--max-line-bytes", "100"}, "--max-line-bytes: at least 1024, got 100"},
      {{"--metrics-listen", ""}, "--metrics-listen: expected HOST:PORT or off"},
      {{"--log-level", "loud"}, "--log-level: expected debug, info, warn or error"},
      {{"--label", "=x"}, "--label: expected KEY=VALUE"},
      {{"stray"}, "unexpected argument \"stray\""},
      {{"--strategy", "clever"}, "--strategy: expected managed or naive"},
      {{"--max-line-bytes", "0"}, "--max-line-bytes: expected a positive whole number, got \"0\""},
      {{"--frobnicate", "1"}, "unknown option --frobnicate"},
      {{"--state-dir"}, "--state-dir: needs a value"},
      {{"--config", path.c_str()}, path + ":4: sink.batch_max_age: invalid duration \"soon\": expected a number, e.g. 30s, 500ms, 4h"},
      {{"--config", "/nonexistent/c.yaml"}, "cannot read /nonexistent/c.yaml: No such file or directory"},
  };
  for (auto& tc : cases) {
    auto c = from_args(tc.args);
    ASSERT_FALSE(c.ok()) << tc.message;
    EXPECT_EQ(c.error().message(), tc.message);
  }
  EXPECT_EQ(from_args({"--help"}).error().code, kHelpRequested);
}

// A config file's errors, each "FILE:LINE: KEY: what is wrong": syntax,
// unknown keys, wrong types and values wrong on their own or with the rest.
TEST(CollectorConfig, FileErrorsNameFileLineAndKey) {
  std::string path = ::testing::TempDir() + "/collector-errors.yaml";
  auto error_of = [&](const std::string& text) {
    std::ofstream(path, std::ios::trunc) << text;
    auto c = from_args({"--config", path.c_str()});
    return c.ok() ? std::string("(accepted)") : c.error().message();
  };
  struct Case {
    std::string text, message;
  } cases[] = {
      {"sink:\n  type: loki\n  url: [\n", ":4:1: invalid YAML: end of sequence flow not found"},
      {"docker_host: unix:///x.sock\nbogus: 1\n", ":2: bogus: unknown key"},
      {"sink:\n  type: file\n  path: /tmp/x\n  bogus: 1\n", ":4: sink.bogus: unknown key"},
      {"rotation_interval: 5 minutes\n",
       ":1: rotation_interval: invalid duration \"5 minutes\": unknown unit (use ns, us, ms, s, m, h or d)"},
      {"idle_timeout: -5s\n", ":1: idle_timeout: invalid duration \"-5s\": must not be negative"},
      {"queue_max_lines: -5\n", ":1: queue_max_lines: expected a non-negative whole number, got \"-5\""},
      {"log_level: loud\n", ":1: log_level: \"loud\" is not one of: debug, info, warn, error"},
      {"sink:\n  type: kafka\n", ":2: sink.type: \"kafka\" is not one of: loki, file, stdout"},
      {"sink:\n  type: loki\n  url: ftp://127.0.0.1/x\n",
       ":3: sink.url: invalid URL \"ftp://127.0.0.1/x\": only http:// is supported "
       "(e.g. http://127.0.0.1:3100/loki/api/v1/push)"},
      {"sink:\n  type: loki\n  url: http://loki:3100/loki/api/v1/push\n",
       ":3: sink.url: invalid URL \"http://loki:3100/loki/api/v1/push\": the host must be a numeric IP address or "
       "localhost (no name resolution) (e.g. http://127.0.0.1:3100/loki/api/v1/push)"},
      {"sink:\n  type: loki\n", ":2: sink.url: a loki sink needs a URL, e.g. loki=http://127.0.0.1:3100/loki/api/v1/push"},
      {"sink:\n  type: file\n", ":2: sink.path: a file sink needs a path"},
      {"sink:\n  batch_max_lines: 0\n", ":2: sink.batch_max_lines: must be above zero"},
      {"sink:\n  retry_initial_backoff: 0s\n", ":2: sink.retry_initial_backoff: must be above zero"},
      {"sink:\n  wait: maybe\n", ":2: sink.wait: expected true or false, got \"maybe\""},
      {"\n\nrotation_interval: 10ms\n", ":3: rotation_interval: at least 100ms, got 10ms"},
      {"max_line_bytes: 100\n", ":1: max_line_bytes: at least 1024, got 100"},
      {"queue_max_lines: 0\n", ":1: queue_max_lines: must be above zero"},
      {"state_dir: \"\"\n", ":1: state_dir: must not be empty"},
      {"metrics_listen: [1]\n", ":1: metrics_listen: expected a string"},
      {"- a\n- b\n", ":1: the document: expected a mapping of keys"},
  };
  for (const auto& tc : cases) EXPECT_EQ(error_of(tc.text), path + tc.message) << tc.text;
}

TEST(CollectorConfig, SinkWait) {
  EXPECT_FALSE(from_args({"--sink", "loki=http://127.0.0.1:1/"})->sink.wait);  // the default: check at start
  auto flag = from_args({"--sink", "loki=http://127.0.0.1:1/", "--sink-wait", "--state-dir", "/tmp/s"});
  ASSERT_TRUE(flag.ok()) << flag.error().message();
  EXPECT_TRUE(flag->sink.wait);  // takes no value: --state-dir is still read as a flag
  EXPECT_EQ(flag->state_dir, "/tmp/s");
  std::string path = ::testing::TempDir() + "/collector-wait.yaml";
  std::ofstream(path, std::ios::trunc) << "sink:\n  type: loki\n  url: http://127.0.0.1:1/\n  wait: true\n";
  auto file = from_args({"--config", path.c_str()});
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_TRUE(file->sink.wait);
}

}  // namespace
}  // namespace leakcheck::collector
