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

TEST(CollectorConfig, ErrorsNameTheFlagOrKey) {
  std::string path = ::testing::TempDir() + "/collector-bad.yaml";
  std::ofstream(path) << "sink:\n  type: loki\n  url: http://x\n  batch_max_age: soon\n";
  struct Case {
    std::vector<const char*> args;
    std::string message;
  } cases[] = {
      {{"--rotation-interval", "5 min"}, "--rotation-interval: invalid duration \"5 min\": unknown unit (use ns, us, ms, s, m, h or d)"},
      {{"--sink", "kafka=x"}, "--sink: expected loki=URL, file=PATH or stdout, got \"kafka=x\""},
      {{"--sink", "loki=127.0.0.1:3100"}, "sink: a loki sink needs an http:// URL, e.g. loki=http://127.0.0.1:3100/loki/api/v1/push"},
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

}  // namespace
}  // namespace leakcheck::collector
