#include "util/yaml_fields.h"

#include <gtest/gtest.h>

namespace leakcheck {
namespace {

using namespace std::chrono_literals;

struct Config {
  std::string host = "default";
  Nanos interval = 30s;
  uint64_t lines = 10;
  bool verbose = false;
  std::string mode = "managed";
  std::map<std::string, std::string> labels;
  std::string url;
};

Status read_config(const std::string& text, Config& c) {
  auto node = load_yaml_text(text, "c.yaml");
  if (!node) return node.error();
  YamlObject o(*node, "c.yaml");
  o.read("host", c.host);
  o.read_duration("interval", c.interval);
  o.read("lines", c.lines);
  o.read("verbose", c.verbose);
  o.read_choice("mode", c.mode, {"managed", "naive"});
  o.object("sink", [&](YamlObject& sink) {
    sink.read("url", c.url);
    sink.read("labels", c.labels);
  });
  return o.finish();
}

TEST(YamlObject, ReadsAndKeepsDefaults) {
  Config c;
  auto s = read_config("interval: 2s\nlines: 5\nsink:\n  url: http://x\n  labels: {job: a}\n", c);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(c.host, "default");
  EXPECT_EQ(c.interval, 2s);
  EXPECT_EQ(c.lines, 5u);
  EXPECT_EQ(c.url, "http://x");
  EXPECT_EQ(c.labels.at("job"), "a");
  Config empty;
  EXPECT_TRUE(read_config("", empty).ok());
}

TEST(YamlObject, ErrorsNameFileLineAndKey) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"host: a\nintervall: 2s\n", "c.yaml:2: intervall: unknown key"},
      {"interval: 5x\n", "c.yaml:1: interval: invalid duration \"5x\": unknown unit (use ns, us, ms, s, m, h or d)"},
      {"lines: -3\n", "c.yaml:1: lines: expected a non-negative whole number, got \"-3\""},
      {"verbose: yes\n", "c.yaml:1: verbose: expected true or false, got \"yes\""},
      {"mode: clever\n", "c.yaml:1: mode: \"clever\" is not one of: managed, naive"},
      {"a: 1\nsink:\n  url: x\n  labelz: {}\n", "c.yaml:4: sink.labelz: unknown key"},
      {"sink: [1, 2]\n", "c.yaml:1: sink: expected a mapping of keys"},
      {"host: [a\n", "c.yaml:2:1: invalid YAML: end of sequence flow not found"},
      {"- 1\n- 2\n", "c.yaml:1: the document: expected a mapping of keys"},
  };
  for (const auto& tc : cases) {
    Config c;
    auto s = read_config(tc.text, c);
    ASSERT_FALSE(s.ok()) << tc.text;
    EXPECT_EQ(s.error().message(), tc.message) << tc.text;
  }
}

}  // namespace
}  // namespace leakcheck
