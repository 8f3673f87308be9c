#include "collector/sink_format.h"

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

namespace leakcheck::collector {
namespace {

const std::string kIdA = std::string(64, 'a');
const std::string kIdB = std::string(64, 'b');

LogRecord record(const std::shared_ptr<const LogSource>& source, LogStream stream, int64_t ts, std::string text,
                 bool truncated = false) {
  LogRecord r;
  r.source = source;
  r.stream = stream;
  r.timestamp_ns = ts;
  r.text = std::move(text);
  r.truncated = truncated;
  return r;
}

std::vector<LogRecord> records() {
  auto web = std::make_shared<const LogSource>(LogSource{kIdA, "web"});
  auto db = std::make_shared<const LogSource>(LogSource{kIdB, "db"});
  return {
      record(web, LogStream::stdout_stream, 1700000000000000001, "first"),
      record(db, LogStream::stderr_stream, 1700000000000000002, "oops"),
      record(web, LogStream::stdout_stream, 1700000000000000003, "second \"quoted\""),
      record(web, LogStream::stderr_stream, 1700000000000000004, "cut", true),
  };
}

// What the collector wrote when it built these documents with nlohmann_json:
// the hand-written output must be the same, byte for byte.
std::string nlohmann_dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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

TEST(LokiPushBody, ExactText) {
  EXPECT_EQ(loki_push_body(records(), {{"job", "leakcheck"}, {"zone", "a\"b"}}),
            R"({"streams":[)"
            R"({"stream":{"container":"web","container_id":"aaaaaaaaaaaa","job":"leakcheck","stream":"stdout","zone":"a\"b"},)"
            R"("values":[["1700000000000000001","first"],["1700000000000000003","second \"quoted\""]]},)"
            R"({"stream":{"container":"db","container_id":"bbbbbbbbbbbb","job":"leakcheck","stream":"stderr","zone":"a\"b"},)"
            R"("values":[["1700000000000000002","oops"]]},)"
            R"({"stream":{"container":"web","container_id":"aaaaaaaaaaaa","job":"leakcheck","stream":"stderr","zone":"a\"b"},)"
            R"("values":[["1700000000000000004","cut [truncated by leakcheck-collector]"]]}]})");
  EXPECT_EQ(loki_push_body({}, {}), R"({"streams":[]})");
}

TEST(LokiPushBody, InvalidUtf8IsReplacedNotFatal) {
  auto web = std::make_shared<const LogSource>(LogSource{kIdA, "web"});
  std::vector<LogRecord> r{record(web, LogStream::stdout_stream, 1, std::string("ok\xff\xfe end"))};
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
  EXPECT_EQ(out.substr(0, out.find('\n')),
            R"({"container":"web","container_id":")" + kIdA +
                R"(","line":"first","stream":"stdout","truncated":false,"ts":"1700000000000000001"})");
}

TEST(Ndjson, AppendsToTheBuffer) {
  const std::vector<LogRecord> all = records();
  const auto first = std::span(all).first(1);
  std::string out = "kept\n";
  append_ndjson_lines(out, first);
  EXPECT_EQ(out, "kept\n" + ndjson_lines(first));
}

// Random lines, control bytes and broken UTF-8 included: the same text as
// the nlohmann_json documents the collector used to build, line for line.
TEST(Ndjson, SameAsTheJsonLibraryWouldWrite) {
  std::mt19937_64 random(7);
  auto source = std::make_shared<const LogSource>(LogSource{kIdB, "name-\x01\xc3\xa9"});
  static constexpr char kAlphabet[] =
      "ab \"\\/\x7f\x1b[0m\r\n\t\0\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xed\xa0\x80\xc0\xff\x80";
  const std::string alphabet(kAlphabet, sizeof kAlphabet - 1);
  std::vector<LogRecord> lines;
  for (int i = 0; i < 2000; ++i) {
    std::string text;
    for (size_t n = random() % 40; n > 0; --n) text += alphabet[random() % alphabet.size()];
    lines.push_back(record(source, i % 3 ? LogStream::stdout_stream : LogStream::stderr_stream,
                           static_cast<int64_t>(random() >> 1), text, i % 7 == 0));
  }
  std::string expected;
  for (const LogRecord& r : lines) {
    nlohmann::json line = {{"ts", std::to_string(r.timestamp_ns)},
                           {"container", r.container_name()},
                           {"container_id", r.container_id()},
                           {"stream", std::string(stream_name(r.stream))},
                           {"line", r.text},
                           {"truncated", r.truncated}};
    expected += nlohmann_dump(line) + "\n";
  }
  EXPECT_EQ(ndjson_lines(lines), expected);
}

}  // namespace
}  // namespace leakcheck::collector
