#include "collector/sink_format.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

namespace leakcheck::collector {
namespace {

const std::string kIdA = std::string(64, 'a');
const std::string kIdB = std::string(64, 'b');

std::vector<LogRecord> records() {
  return {
      {kIdA, "web", LogStream::stdout_stream, 1700000000000000001, "first", false},
      {kIdB, "db", LogStream::stderr_stream, 1700000000000000002, "oops", false},
      {kIdA, "web", LogStream::stdout_stream, 1700000000000000003, "second \"quoted\"", false},
      {kIdA, "web", LogStream::stderr_stream, 1700000000000000004, "cut", true},
  };
}

TEST(LokiPushBody, OneStreamPerContainerAndStream) {
  auto body = nlohmann::json::parse(loki_push_body(records(), {{"job", "leakcheck"}}));
  auto& streams = body["streams"];
  ASSERT_EQ(streams.size(), 3u);
  EXPECT_EQ(streams[0]["stream"], (nlohmann::json{{"container", "web"}, {"container_id", "aaaaaaaaaaaa"},
                                                   {"job", "leakcheck"}, {"stream", "stdout"}}));
  EXPECT_EQ(streams[0]["values"].dump(), R"([["1700000000000000001","first"],["1700000000000000003","second \"quoted\""]])");
  EXPECT_EQ(streams[1]["stream"]["container"], "db");
  EXPECT_EQ(streams[1]["values"][0][1], "oops");
  EXPECT_EQ(streams[2]["stream"]["stream"], "stderr");
  EXPECT_EQ(streams[2]["values"][0][1], std::string("cut") + kTruncationMark);
}

TEST(LokiPushBody, InvalidUtf8IsReplacedNotFatal) {
  std::vector<LogRecord> r{{kIdA, "web", LogStream::stdout_stream, 1, std::string("ok\xff\xfe end"), false}};
  auto body = nlohmann::json::parse(loki_push_body(r, {}));
  EXPECT_EQ(body["streams"][0]["values"][0][1], "ok\xEF\xBF\xBD\xEF\xBF\xBD end");
}

TEST(Ndjson, OneObjectPerLine) {
  std::string out = ndjson_lines(records());
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 4);
  auto first = nlohmann::json::parse(out.substr(0, out.find('\n')));
  EXPECT_EQ(first["ts"], "1700000000000000001");
  EXPECT_EQ(first["container_id"], kIdA);
  EXPECT_EQ(first["line"], "first");
  EXPECT_EQ(first["truncated"], false);
}

}  // namespace
}  // namespace leakcheck::collector
