#include "receiver/push_body.h"

#include <gtest/gtest.h>

#include "receiver/tests/test_lines.h"

namespace leakcheck::receiver {
namespace {

using namespace testing;

std::string reason(std::string_view body) {
  auto r = PushBody::parse(body);
  return r ? "parsed" : r.error().message();
}

TEST(PushBody, ReadsEveryValueWithItsStreamLabel) {
  std::string body = push_body({{"stdout", {"a", "b"}}, {"stderr", {"c"}}, {"", {"d"}}, {"tty", {"e"}}});
  auto r = PushBody::parse(body);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->entries().size(), 5u);
  EXPECT_EQ(r->stream_count(), 4u);
  EXPECT_EQ(r->entries()[0].line, "a");
  EXPECT_EQ(r->entries()[0].stream_label, StreamLabel::stdout_stream);
  EXPECT_EQ(r->entries()[1].line, "b");
  EXPECT_EQ(r->entries()[2].stream_label, StreamLabel::stderr_stream);
  EXPECT_EQ(r->entries()[3].stream_label, StreamLabel::absent);
  EXPECT_EQ(r->entries()[4].stream_label, StreamLabel::other);
  // Moving the body keeps the views valid (the document is on the heap).
  PushBody moved = std::move(*r);
  EXPECT_EQ(moved.entries()[4].line, "e");
}

TEST(PushBody, AcceptsStructuredMetadataAndNoStreams) {
  auto r = PushBody::parse(R"({"streams":[{"stream":{"a":"b"},"values":[["1","x",{"trace_id":"t"}]]}]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->entries().size(), 1u);
  auto empty = PushBody::parse(R"({"streams":[]})");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->entries().empty());
}

TEST(PushBody, MalformedBodiesSayWhere) {
  EXPECT_EQ(reason("{}"), "malformed push body: no \"streams\" array");
  EXPECT_EQ(reason(R"({"streams":{}})"), "malformed push body: no \"streams\" array");
  EXPECT_EQ(reason(R"({"streams":[1]})"), "malformed push body: streams[0] is not an object");
  EXPECT_EQ(reason(R"({"streams":[{"values":[]}]})"), "malformed push body: streams[0] has no \"stream\" labels");
  EXPECT_EQ(reason(R"({"streams":[{"stream":{"a":1},"values":[]}]})"),
            "malformed push body: streams[0].stream.a is not a string");
  EXPECT_EQ(reason(R"({"streams":[{"stream":{}}]})"), "malformed push body: streams[0] has no \"values\" array");
  EXPECT_EQ(reason(R"({"streams":[{"stream":{},"values":[["1","a"],["2"]]}]})"),
            "malformed push body: streams[0].values[1] is not [timestamp, line]");
  EXPECT_EQ(reason(R"({"streams":[{"stream":{},"values":[["1","a"]]},{"stream":{},"values":[["x1","a"]]}]})"),
            "malformed push body: streams[1].values[0][0] is not a timestamp in ns");
  EXPECT_EQ(reason(R"({"streams":[{"stream":{},"values":[[1,"a"]]}]})"),
            "malformed push body: streams[0].values[0][0] is not a timestamp in ns");
  std::string truncated = reason(R"({"streams":[{"stream":{},"values":[["1","a"]])");
  EXPECT_TRUE(truncated.starts_with("malformed push body: not JSON: ")) << truncated;
  EXPECT_TRUE(reason("").starts_with("malformed push body: not JSON: "));
}

TEST(PushBody, GzipBodies) {
  std::string json = push_body({{"stdout", {"hello", "world"}}});
  auto r = parse_push_request(gzip(json), "gzip", 1 << 20);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->entries().size(), 2u);
  EXPECT_EQ(r->entries()[1].line, "world");
  // Plain bodies go through untouched; the header's case does not matter.
  EXPECT_TRUE(parse_push_request(json, "", 1 << 20));
  EXPECT_TRUE(parse_push_request(json, "identity", 1 << 20));
  EXPECT_TRUE(parse_push_request(gzip(json), "GZIP", 1 << 20));
  // A gzip body sent without the header is not JSON.
  EXPECT_FALSE(parse_push_request(gzip(json), "", 1 << 20));
}

TEST(Gunzip, ConcatenatedMembersAreOneStream) {
  auto r = gunzip(gzip("abc") + gzip("def"), 100);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, "abcdef");
}

TEST(Gunzip, OutputIsBounded) {
  std::string zeros(1 << 20, '0');  // 1 MiB of one byte packs into ~1 KiB
  std::string packed = gzip(zeros);
  ASSERT_LT(packed.size(), 8192u);
  auto r = gunzip(packed, 1000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "gzip: body inflates to more than 1000 bytes");
  EXPECT_EQ(gunzip(packed, 1 << 20)->size(), 1u << 20);  // exactly at the bound is fine
}

TEST(Gunzip, CutOrForeignDataIsAnError) {
  std::string packed = gzip("hello world, hello world");
  auto cut = gunzip(packed.substr(0, packed.size() - 5), 1000);
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().message(), "gzip: data cut short");
  auto foreign = gunzip("{\"streams\":[]}", 1000);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().message(), "gzip: incorrect header check");
  EXPECT_FALSE(gunzip("", 1000));
}

TEST(ContentEncoding, Supported) {
  EXPECT_TRUE(supported_content_encoding(""));
  EXPECT_TRUE(supported_content_encoding("gzip"));
  EXPECT_TRUE(supported_content_encoding("x-gzip"));
  EXPECT_FALSE(supported_content_encoding("snappy"));
  EXPECT_FALSE(supported_content_encoding("br"));
  auto r = parse_push_request("{}", "snappy", 100);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "unsupported Content-Encoding \"snappy\"");
}

}  // namespace
}  // namespace leakcheck::receiver
