#include "collector/json_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

namespace leakcheck::collector {
namespace {

std::string literal(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

// What nlohmann_json writes for the same text (the collector's former output).
std::string library(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// U+FFFD, as the replacement appears in the output.
const std::string kFffd = "\xEF\xBF\xBD";

TEST(JsonText, PlainTextIsCopied) {
  EXPECT_EQ(literal(""), "\"\"");
  EXPECT_EQ(literal("hello, world / 100% {ok} ~"), "\"hello, world / 100% {ok} ~\"");
}

TEST(JsonText, QuotesBackslashesAndControlBytesAreEscaped) {
  EXPECT_EQ(literal("say \"hi\" C:\\tmp"), R"("say \"hi\" C:\\tmp")");
  EXPECT_EQ(literal("a\nb\r\nc\td\be\ff"), R"("a\nb\r\nc\td\be\ff")");
  EXPECT_EQ(literal(std::string("nul\0here", 8)), R"("nul\u0000here")");
  EXPECT_EQ(literal("\x01\x1f"), R"("\u0001\u001f")");
  // DEL needs no escape in JSON.
  EXPECT_EQ(literal("\x7f"), "\"\x7f\"");
}

TEST(JsonText, AnsiColoursKeepTheirEscapeByte) {
  EXPECT_EQ(literal("\x1b[31mred\x1b[0m"), R"("\u001b[31mred\u001b[0m")");
}

TEST(JsonText, CarriageReturnsAreEscaped) {
  EXPECT_EQ(literal("progress 10%\rprogress 20%\r"), R"("progress 10%\rprogress 20%\r")");
}

TEST(JsonText, WellFormedUtf8IsCopied) {
  for (std::string text : {"\xc3\xa9t\xc3\xa9", "\xe2\x82\xac 5", "\xf0\x9f\x98\x80", "\xef\xbf\xbf",
                           "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf", "\xee\x80\x80"})
    EXPECT_EQ(literal(text), "\"" + text + "\"");
}

// One U+FFFD per maximal subpart of an ill-formed sequence (Unicode 3.9).
TEST(JsonText, IllFormedUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(literal("ok\xff\xfe end"), "\"ok" + kFffd + kFffd + " end\"");
  EXPECT_EQ(literal("\x80"), "\"" + kFffd + "\"");                      // a lone continuation byte
  EXPECT_EQ(literal("\xc0\xaf"), "\"" + kFffd + kFffd + "\"");          // overlong '/'
  EXPECT_EQ(literal("\xe0\x80\xaf"), "\"" + kFffd + kFffd + kFffd + "\"");  // overlong
  EXPECT_EQ(literal("\xed\xa0\x80"), "\"" + kFffd + kFffd + kFffd + "\"");  // a surrogate
  EXPECT_EQ(literal("\xf4\x90\x80\x80"), "\"" + kFffd + kFffd + kFffd + kFffd + "\"");  // above U+10FFFF
  EXPECT_EQ(literal("\xe2\x82x"), "\"" + kFffd + "x\"");    // cut short, then ASCII
  EXPECT_EQ(literal("\xe2\x82"), "\"" + kFffd + "\"");      // cut short by the end
  EXPECT_EQ(literal("\xf0\x9f\x98"), "\"" + kFffd + "\"");
  EXPECT_EQ(literal("\xe2\x82\xe2\x82\xac"), "\"" + kFffd + "\xe2\x82\xac\"");  // the new lead starts over
  EXPECT_EQ(literal("\xc3\""), "\"" + kFffd + "\\\"\"");    // an escape right after
  EXPECT_EQ(literal("\xf5\x80"), "\"" + kFffd + kFffd + "\"");
}

TEST(JsonText, EscapedIsTheLiteralWithoutQuotes) {
  std::string out = "[";
  append_json_escaped(out, "a\"b\xff");
  EXPECT_EQ(out, "[a\\\"b" + kFffd);
}

// Random bytes, biased towards the interesting ones: the output is always
// what nlohmann_json writes, and always parses back to valid JSON.
TEST(JsonText, SameAsTheJsonLibraryOnRandomBytes) {
  std::mt19937_64 random(42);
  static constexpr char kInteresting[] =
      "\0\x01\x1b\x1f\"\\\n\r\t\x7f\x80\xbf\xc0\xc1\xc2\xdf\xe0\xe1\xed\xee\xef"
      "\xf0\xf1\xf3\xf4\xf5\xff\x90\x9f\xa0"
      "azAZ09 ";
  const std::string interesting(kInteresting, sizeof kInteresting - 1);
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    for (size_t n = random() % 24; n > 0; --n)
      text += random() % 2 ? interesting[random() % interesting.size()] : static_cast<char>(random() % 256);
    const std::string ours = literal(text);
    ASSERT_EQ(ours, library(text)) << "input " << i;
    ASSERT_TRUE(nlohmann::json::accept(ours)) << "input " << i;
  }
}

}  // namespace
}  // namespace leakcheck::collector
