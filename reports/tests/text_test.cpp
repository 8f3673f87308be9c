#include "reports/text.h"

#include <gtest/gtest.h>

#include <limits>

namespace leakcheck::reports {
namespace {

TEST(HtmlEscape, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(html_escape(R"(<a href="x" title='y'>&</a>)"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(html_escape("plain text, ünïcode"), "plain text, ünïcode");
  EXPECT_EQ(html_escape(""), "");
}

TEST(FormatFixed, SeparatesThousandsAndRounds) {
  EXPECT_EQ(format_fixed(20000, 0), "20,000");
  EXPECT_EQ(format_fixed(1234567.891, 2), "1,234,567.89");
  EXPECT_EQ(format_fixed(-1500, 0), "-1,500");
  EXPECT_EQ(format_fixed(999, 0), "999");
  EXPECT_EQ(format_fixed(-0.04, 1), "0.0");
  EXPECT_EQ(format_fixed(std::numeric_limits<double>::quiet_NaN(), 0), "n/a");
  EXPECT_EQ(format_fixed(std::numeric_limits<double>::max(), 2).size(), 309u + 102u + 3u);  // digits, commas, ".00"
}

TEST(FormatValue, ThreeSignificantDigitsIntegersExactTinyInScientific) {
  EXPECT_EQ(format_value(71.99978888221905), "72");
  EXPECT_EQ(format_value(69.99986605292297), "70");
  EXPECT_EQ(format_value(0.258998272), "0.259");
  EXPECT_EQ(format_value(4.60779129780486), "4.61");
  EXPECT_EQ(format_value(51.271172096), "51.3");
  EXPECT_EQ(format_value(128.714235625), "129");
  EXPECT_EQ(format_value(751741), "751,741");
  EXPECT_EQ(format_value(1.5700413793018826e-22), "1.6e-22");
  EXPECT_EQ(format_value(0.05205471012977556), "0.0521");
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(-2.5), "-2.5");
  EXPECT_EQ(format_value(std::numeric_limits<double>::quiet_NaN()), "n/a");
}

TEST(FormatDuration, PicksUnitsForPeople) {
  EXPECT_EQ(format_duration(2.5), "2.5 s");
  EXPECT_EQ(format_duration(45), "45 s");
  EXPECT_EQ(format_duration(90), "1 min 30 s");
  EXPECT_EQ(format_duration(120), "2 min");
  EXPECT_EQ(format_duration(4 * 3600 + 12 * 60), "4 h 12 min");
  EXPECT_EQ(format_duration(3 * 86400 + 2 * 3600), "3 d 2 h");
  EXPECT_EQ(format_duration(-1), "n/a");
}

}  // namespace
}  // namespace leakcheck::reports
