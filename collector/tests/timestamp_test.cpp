#include "collector/timestamp.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cstdint>

namespace leakcheck::collector {
namespace {

// Expected values computed independently with Python's calendar.timegm.
constexpr int64_t kSample = 1795757642778921306;  // 2026-11-27T05:34:02.778921306Z

TEST(ParseRfc3339Nanos, DockerUtcWithNineDigits) {
  EXPECT_EQ(*parse_rfc3339_nanos("2026-11-27T05:34:02.778921306Z"), kSample);
}

TEST(ParseRfc3339Nanos, TrimmedFractionsOfEveryLength) {
  const int64_t second = 1795757642000000000;
  EXPECT_EQ(*parse_rfc3339_nanos("2026-11-27T05:34:02Z"), second);
  EXPECT_EQ(*parse_rfc3339_nanos("2026-11-27T05:34:02.5Z"), second + 500000000);
  EXPECT_EQ(*parse_rfc3339_nanos("2026-11-27T05:34:02.77Z"), second + 770000000);
  EXPECT_EQ(*parse_rfc3339_nanos("2026-11-27T05:34:02.778Z"), second + 778000000);
  EXPECT_EQ(*parse_rfc3339_nanos("2026-11-27T05:34:02.7789Z"), second + 778900000);
  EXPECT_EQ(*parse_rfc3339_nanos("2026-11-27T05:34:02.77892Z"), second + 778920000);
  EXPECT_EQ(*parse_rfc3339_nanos("2026-11-27T05:34:02.778921Z"), second + 778921000);
  EXPECT_EQ(*parse_rfc3339_nanos("2026-11-27T05:34:02.7789213Z"), second + 778921300);
  EXPECT_EQ(*parse_rfc3339_nanos("2026-11-27T05:34:02.77892130Z"), second + 778921300);
  EXPECT_EQ(*parse_rfc3339_nanos("2026-11-27T05:34:02.000000001Z"), second + 1);
}

TEST(ParseRfc3339Nanos, Offsets) {
  // 05:34 at +05:30 is 00:04 UTC; at -08:00 it is 13:34 UTC.
  EXPECT_EQ(*parse_rfc3339_nanos("2026-11-27T05:34:02.778921306+05:30"), 1795737842778921306);
  EXPECT_EQ(*parse_rfc3339_nanos("2026-11-27T05:34:02.778921306-08:00"), 1795786442778921306);
  EXPECT_EQ(*parse_rfc3339_nanos("2026-11-27T05:34:02.778921306+00:00"), kSample);
  EXPECT_EQ(*parse_rfc3339_nanos("2026-11-27t05:34:02.778921306z"), kSample);
}

TEST(ParseRfc3339Nanos, CalendarEdges) {
  EXPECT_EQ(*parse_rfc3339_nanos("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_rfc3339_nanos("1969-12-31T23:59:59.999999999Z"), -1);
  EXPECT_EQ(*parse_rfc3339_nanos("2024-02-29T23:59:59.000000001Z"), 1709251199000000001);
  EXPECT_EQ(*parse_rfc3339_nanos("2262-04-11T23:47:16.854775807Z"), INT64_MAX);
}

TEST(ParseRfc3339Nanos, RejectsMalformedTextNamingIt) {
  for (const char* bad : {
           "",
           "2026-11-27",
           "2026-11-27 05:34:02Z",             // space instead of T
           "2026-11-27T05:34:02",              // no zone
           "2026-11-27T05:34:02.Z",            // dot without digits
           "2026-11-27T05:34:02.1234567890Z",  // 10 digits
           "2026-11-27T05:34:02.5Zjunk",
           "2026-11-27T05:34:02+0530",
           "2026-11-27T05:34:02+24:00",
           "2026-13-27T05:34:02Z",
           "2026-02-29T05:34:02Z",  // not a leap year
           "2026-11-27T24:00:00Z",
           "2026-11-27T05:60:02Z",
           "2026-11-27T05:34:60Z",
           "-026-11-27T05:34:02Z",
           "2026-1a-27T05:34:02Z",
           "2262-04-11T23:47:16.854775808Z",  // one past int64
           "9999-12-31T23:59:59Z",
       }) {
    auto parsed = parse_rfc3339_nanos(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.error().message().find(std::string("\"") + bad + "\""), std::string::npos)
        << parsed.error().message();
  }
}

TEST(FormatSince, SecondsDotNineDigits) {
  EXPECT_EQ(format_since(kSample), "1795757642.778921306");
  EXPECT_EQ(format_since(1795757642000000001), "1795757642.000000001");
  EXPECT_EQ(format_since(1795757642500000000), "1795757642.500000000");
  EXPECT_EQ(format_since(0), "0.000000000");
  EXPECT_EQ(format_since(7), "0.000000007");
  EXPECT_EQ(format_since(INT64_MAX), "9223372036.854775807");
  EXPECT_EQ(format_since(-5), "0.000000000");  // before the epoch: everything
}

// format_since read back the way the daemon does (seconds, then nanoseconds).
int64_t read_since(const std::string& since) {
  const size_t dot = since.find('.');
  int64_t seconds = -1;
  int64_t nanos = -1;
  std::from_chars(since.data(), since.data() + dot, seconds);
  std::from_chars(since.data() + dot + 1, since.data() + since.size(), nanos);
  EXPECT_EQ(since.size() - dot - 1, 9u) << since;
  return seconds * 1'000'000'000 + nanos;
}

TEST(FormatSince, RoundTripsParsedTimestamps) {
  for (const char* text : {"2026-11-27T05:34:02.778921306Z", "2026-11-27T05:34:02.5Z", "2026-11-27T05:34:02Z",
                           "2001-09-09T01:46:40.000000001Z", "2026-11-27T05:34:02.778921306+05:30"}) {
    const int64_t ns = *parse_rfc3339_nanos(text);
    EXPECT_EQ(read_since(format_since(ns)), ns) << text;
  }
  for (int64_t ns = 0; ns < 4'000'000'000; ns += 333'333'333) EXPECT_EQ(read_since(format_since(ns)), ns);
}

}  // namespace
}  // namespace leakcheck::collector
