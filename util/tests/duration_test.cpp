#include "util/duration.h"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using leakcheck::format_duration;
using leakcheck::parse_duration;

TEST(ParseDuration, UnitsAndFractions) {
  EXPECT_EQ(*parse_duration("500ms"), 500ms);
  EXPECT_EQ(*parse_duration("2s"), 2s);
  EXPECT_EQ(*parse_duration("1.5m"), 90s);
  EXPECT_EQ(*parse_duration("4h"), 4h);
  EXPECT_EQ(*parse_duration("1d"), 24h);
  EXPECT_EQ(*parse_duration("250us"), 250us);
  EXPECT_EQ(*parse_duration("7ns"), 7ns);
  EXPECT_EQ(*parse_duration("3"), 3s);  // bare number: seconds
  EXPECT_EQ(*parse_duration("0.25"), 250ms);
}

TEST(ParseDuration, RejectsWithTheText) {
  for (const char* bad : {"", "s", "10x", "-1s", "1.2.3s", "ms5", "1e400s"}) {
    auto r = parse_duration(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message().find(std::string("\"") + bad + "\""), std::string::npos)
        << r.error().message();
  }
}

TEST(FormatDuration, LargestWholeUnit) {
  EXPECT_EQ(format_duration(0s), "0s");
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_duration(2s), "2s");
  EXPECT_EQ(format_duration(120s), "2m");
  EXPECT_EQ(format_duration(4h), "4h");
  EXPECT_EQ(format_duration(48h), "2d");
}

#include "util/log.h"

TEST(LogLine, LogfmtQuotesWhatNeedsIt) {
  EXPECT_EQ(leakcheck::format_log_line("T", leakcheck::LogLevel::warn, "sink retry",
                                       {{"container", "web"}, {"detail", "503 Service \"x\""}, {"empty", ""}}),
            "ts=T level=warn msg=\"sink retry\" container=web detail=\"503 Service \\\"x\\\"\" empty=\"\"");
  EXPECT_EQ(leakcheck::format_log_line("T", leakcheck::LogLevel::info, "a\nb", {}), "ts=T level=info msg=\"a\\nb\"");
  EXPECT_FALSE(leakcheck::parse_log_level("loud").ok());
  EXPECT_EQ(*leakcheck::parse_log_level("debug"), leakcheck::LogLevel::debug);
}
