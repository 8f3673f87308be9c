#include "loggen/line_format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace leakcheck::loggen {
namespace {

// Expected texts below were computed independently from the spec in
// line_format.h (loggen/tests/spec_reference.py), not by running this code.

LineHeader header(uint64_t seq = 0, Stream stream = Stream::out) {
  return {"smoke-1", "steady-3", 1, seq, 1718000000123456789, stream};
}

TEST(FormatLine, WritesTheDocumentedLine) {
  EXPECT_EQ(format_line(header(), 80), "lc1 r=smoke-1 c=steady-3 b=1 s=0 t=1718000000123456789 n=80 o 0123456789ABCDEFGH");
  EXPECT_EQ(format_line({"run1", "web-1", 2, 17, 1700000000000000000, Stream::err}, 90),
            "lc1 r=run1 c=web-1 b=2 s=17 t=1700000000000000000 n=90 e CDEFGHIJKLMNOPQRSTUVWXYZabcdefghi");
}

TEST(FormatLine, SizeBelowTheHeaderGivesTheHeaderAlone) {
  LineHeader h{"r", "c", 0, 0, 0, Stream::out};
  EXPECT_EQ(format_line(h, 0), "lc1 r=r c=c b=0 s=0 t=0 n=31 o ");
  EXPECT_EQ(format_line(h, 30), "lc1 r=r c=c b=0 s=0 t=0 n=31 o ");
  EXPECT_EQ(format_line(h, 31), "lc1 r=r c=c b=0 s=0 t=0 n=31 o ");
  EXPECT_EQ(format_line(h, 32), "lc1 r=r c=c b=0 s=0 t=0 n=32 o V");
}

TEST(FormatLine, LengthCountsItsOwnDigits) {
  // Header without n's digits: 98 bytes. n=99 or n=100 would not fit with
  // their own digits (100, 101 bytes); 101 does.
  std::string name(70, 'x');
  LineHeader h{"r", name, 0, 0, 0, Stream::out};
  EXPECT_EQ(line_length(h, 0), 101u);
  std::string line = format_line(h, 0);
  EXPECT_EQ(line.size(), 101u);
  EXPECT_TRUE(line.ends_with(" n=101 o "));
  EXPECT_EQ(line_length(h, 102), 102u);
}

TEST(FormatLine, AppendsToWhatIsThere) {
  std::string out = "x";
  append_line(out, header(), 80);
  EXPECT_EQ(out, "x" + format_line(header(), 80));
}

TEST(ParseLine, ReadsEveryField) {
  auto p = parse_line("lc1 r=run1 c=web-1 b=2 s=17 t=1700000000000000000 n=90 e CDEFGHIJKLMNOPQRSTUVWXYZabcdefghi");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->run_id, "run1");
  EXPECT_EQ(p->container, "web-1");
  EXPECT_EQ(p->boot, 2u);
  EXPECT_EQ(p->seq, 17u);
  EXPECT_EQ(p->time_ns, 1700000000000000000);
  EXPECT_EQ(p->stream, Stream::err);
  EXPECT_EQ(p->size_bytes, 90u);
  EXPECT_EQ(p->received_bytes, 90u);
  EXPECT_EQ(p->suffix, "");
  EXPECT_EQ(p->integrity, Integrity::complete);
}

TEST(ParseLine, RoundTripsSizesStreamsAndExtremes) {
  const LineHeader headers[] = {
      header(0, Stream::out),
      header(61, Stream::err),
      header(62, Stream::out),
      {"a", "b", std::numeric_limits<uint32_t>::max(), std::numeric_limits<uint64_t>::max(),
       std::numeric_limits<int64_t>::max(), Stream::err},
      {std::string_view("rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr"), "A_b.c-9", 0, 12345, 1,
       Stream::out},
  };
  const size_t sizes[] = {0, 1, 63, 64, 100, 120, 299, 4095, 4096, 16383, 16384, 16385, 40000, 1024 * 1024};
  for (const LineHeader& h : headers) {
    for (size_t size : sizes) {
      std::string line = format_line(h, size);
      SCOPED_TRACE(line.substr(0, 120));
      ASSERT_EQ(line.size(), line_length(h, size));
      auto p = parse_line(line);
      ASSERT_TRUE(p);
      EXPECT_EQ(p->run_id, h.run_id);
      EXPECT_EQ(p->container, h.container);
      EXPECT_EQ(p->boot, h.boot);
      EXPECT_EQ(p->seq, h.seq);
      EXPECT_EQ(p->time_ns, h.time_ns);
      EXPECT_EQ(p->stream, h.stream);
      EXPECT_EQ(p->size_bytes, line.size());
      EXPECT_EQ(p->received_bytes, line.size());
      EXPECT_EQ(p->integrity, Integrity::complete);
    }
  }
}

TEST(ParseLine, LineCutAnywhereAfterTheHeaderIsACutPrefix) {
  const std::string line = format_line(header(5), 200);
  const size_t header_bytes = std::string_view(line).find(" o ") + 3;
  ASSERT_EQ(header_bytes, 63u);
  for (size_t length = 0; length < line.size(); ++length) {
    SCOPED_TRACE(length);
    std::string text = line.substr(0, length);
    const std::string marked_text = text + std::string(kCollectorTruncationMark);  // outlives the views
    auto p = parse_line(text);
    auto marked = parse_line(marked_text);
    if (length < header_bytes) {
      EXPECT_FALSE(p);
      if (length + 1 == header_bytes) {
        // The mark's leading space completes the header.
        ASSERT_TRUE(marked);
        EXPECT_EQ(marked->received_bytes, length);
        EXPECT_EQ(marked->integrity, Integrity::cut_marked);
      } else {
        EXPECT_FALSE(marked);
      }
      continue;
    }
    ASSERT_TRUE(p);
    EXPECT_EQ(p->seq, 5u);
    EXPECT_EQ(p->size_bytes, 200u);
    EXPECT_EQ(p->received_bytes, length);
    EXPECT_EQ(p->integrity, Integrity::cut);
    ASSERT_TRUE(marked);
    EXPECT_EQ(marked->received_bytes, length);
    EXPECT_EQ(marked->suffix, kCollectorTruncationMark);
    EXPECT_EQ(marked->integrity, Integrity::cut_marked);
  }
}

TEST(ParseLine, LiteralCutLines) {
  // Cut right after the header, and cut with the collector's mark after 8 padding bytes.
  auto bare = parse_line("lc1 r=smoke-1 c=steady-3 b=1 s=0 t=1718000000123456789 n=80 o ");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->integrity, Integrity::cut);
  EXPECT_EQ(bare->received_bytes, 62u);
  auto marked = parse_line(
      "lc1 r=smoke-1 c=steady-3 b=1 s=0 t=1718000000123456789 n=80 o 01234567 [truncated by leakcheck-collector]");
  ASSERT_TRUE(marked);
  EXPECT_EQ(marked->integrity, Integrity::cut_marked);
  EXPECT_EQ(marked->received_bytes, 70u);
  // Cut one byte into the header's last space, then marked.
  auto in_header = parse_line("lc1 r=r c=c b=0 s=0 t=0 n=40 o [truncated by leakcheck-collector]");
  ASSERT_TRUE(in_header);
  EXPECT_EQ(in_header->integrity, Integrity::cut_marked);
  EXPECT_EQ(in_header->received_bytes, 30u);
  EXPECT_EQ(in_header->size_bytes, 40u);
}

// The daemon stores a 40000-byte line as pieces of 16384, 16384 and 7232
// bytes; a collector must join them back in order, once each.
TEST(ParseLine, DaemonSplitLineJoinedWronglyIsCorrupt) {
  const std::string line = format_line(header(99), 40000);
  const std::string a = line.substr(0, 16384), b = line.substr(16384, 16384), c = line.substr(32768);
  ASSERT_EQ(parse_line(a + b + c)->integrity, Integrity::complete);
  EXPECT_EQ(parse_line(a)->integrity, Integrity::cut);  // the rest not joined
  EXPECT_FALSE(parse_line(b));                           // a piece alone is no loggen line
  EXPECT_FALSE(parse_line(c));
  EXPECT_EQ(parse_line(a + c)->integrity, Integrity::corrupt);          // a piece lost
  EXPECT_EQ(parse_line(a + b + b + c)->integrity, Integrity::corrupt);  // a piece twice
  EXPECT_EQ(parse_line(a + c + b)->integrity, Integrity::corrupt);      // out of order
  // The first piece of one line joined with the rest of the next.
  const std::string other = format_line(header(100), 40000);
  EXPECT_EQ(parse_line(a + other.substr(16384))->integrity, Integrity::corrupt);
}

TEST(ParseLine, BytesLoggenDidNotWriteAreCorrupt) {
  const std::string line = "lc1 r=smoke-1 c=steady-3 b=1 s=0 t=1718000000123456789 n=80 o 0123456789ABCDEFGH";
  ASSERT_EQ(parse_line(line)->integrity, Integrity::complete);

  auto integrity = [](const std::string& text) { return parse_line(text)->integrity; };
  EXPECT_EQ(integrity(line + "I"), Integrity::corrupt);   // longer than n, even with the right byte
  EXPECT_EQ(integrity(line + "\r"), Integrity::corrupt);  // a TTY's '\r' left in
  EXPECT_EQ(integrity(line + " "), Integrity::corrupt);   // something appended
  EXPECT_EQ(integrity(line + " [truncated by someone]"), Integrity::corrupt);
  EXPECT_EQ(integrity(line + std::string(kCollectorTruncationMark)), Integrity::corrupt);  // whole, yet marked
  std::string flipped = line;
  flipped[70] = 'x';
  EXPECT_EQ(integrity(flipped), Integrity::corrupt);
  EXPECT_EQ(integrity("lc1 r=smoke-1 c=steady-3 b=1 s=1 t=1718000000123456789 n=80 o 0123456789ABCDEFGH"),
            Integrity::corrupt);  // the padding of seq 0 under seq 1
  EXPECT_EQ(integrity("lc1 r=r c=c b=0 s=0 t=0 n=5 o "), Integrity::corrupt);  // n shorter than the header
  EXPECT_EQ(integrity("lc1 r=r c=c b=0 s=0 t=0 n=5 o [truncated by leakcheck-collector]"), Integrity::corrupt);
  EXPECT_EQ(integrity("lc1 r=r c=c b=0 s=0 t=0 n=31 o  "), Integrity::corrupt);
}

TEST(ParseLine, OtherTextIsNoLoggenLine) {
  const char* texts[] = {
      "",
      "hello world",
      "lc1",
      "lc1 ",
      "lc2 r=r c=c b=0 s=0 t=0 n=31 o ",
      "LC1 r=r c=c b=0 s=0 t=0 n=31 o ",
      " lc1 r=r c=c b=0 s=0 t=0 n=31 o ",
      "{\"level\":\"info\",\"msg\":\"lc1 r=r\"}",
      "2024-06-10T12:00:00Z lc1 r=r c=c b=0 s=0 t=0 n=31 o ",
      "\x1b[0mlc1 r=r c=c b=0 s=0 t=0 n=31 o ",
      "lc1 \xff\xfe garbage \x01",
  };
  for (const char* text : texts) EXPECT_FALSE(parse_line(text)) << text;
}

TEST(ParseLine, MalformedHeadersAreRejected) {
  const char* texts[] = {
      "lc1 r=r c=c b=0 s=0 t=0 n=31 o",           // cut before the header's last space
      "lc1 r=r c=c b=0 s=0 t=0 n=31 ",            // no stream
      "lc1 r=r c=c b=0 s=0 t=0 n=3",              // cut in a number
      "lc1 r= c=c b=0 s=0 t=0 n=31 o ",           // empty run id
      "lc1 r=r c= b=0 s=0 t=0 n=31 o ",           // empty name
      "lc1 r=r c=a/b b=0 s=0 t=0 n=33 o ",        // '/' in a name
      "lc1 r=r c=-a b=0 s=0 t=0 n=32 o ",         // a name starting with '-'
      "lc1 r=r c=c b=01 s=0 t=0 n=32 o ",         // leading zero
      "lc1 r=r c=c b=-1 s=0 t=0 n=32 o ",         // sign
      "lc1 r=r c=c b=+1 s=0 t=0 n=32 o ",         // sign
      "lc1 r=r c=c b=1x s=0 t=0 n=32 o ",         // junk in a number
      "lc1 r=r c=c b=4294967296 s=0 t=0 n=40 o ", // boot past 32 bits
      "lc1 r=r c=c b=0 s=18446744073709551616 t=0 n=50 o ",
      "lc1 r=r c=c b=0 s=0 t=9223372036854775808 n=49 o ",
      "lc1 r=r c=c b=0 s=0 t=0 n=18446744073709551616 o ",
      "lc1 r=r c=c b=0 s=0 t=0 n=31 x ",          // unknown stream
      "lc1 r=r c=c b=0 s=0 t=0 n=32 oo ",
      "lc1 r=r c=c b=0 s=0 t=0 n=31 O ",
      "lc1 c=c r=r b=0 s=0 t=0 n=31 o ",          // fields out of order
      "lc1 r=r c=c s=0 b=0 t=0 n=31 o ",
      "lc1 r=r c=c b=0 s=0 n=31 o ",              // a field missing
      "lc1 r=r c=c b=0 s=0 t=0 o ",
      "lc1 r=r  c=c b=0 s=0 t=0 n=32 o ",         // two spaces
      "lc1 r=r\tc=c b=0 s=0 t=0 n=31 o ",         // a tab
      "lc1 r=r c=c b=0 s=0 t=0 n=31 o\t",
  };
  for (const char* text : texts) EXPECT_FALSE(parse_line(text)) << text;
  // Just inside the limits.
  auto extremes = parse_line("lc1 r=r c=c b=4294967295 s=18446744073709551615 t=9223372036854775807 n=77 o ");
  ASSERT_TRUE(extremes);
  EXPECT_EQ(extremes->integrity, Integrity::complete);
  std::string long_run = "lc1 r=" + std::string(64, 'r') + " c=c b=0 s=0 t=0 n=94 o ";
  EXPECT_TRUE(parse_line(long_run));
  std::string too_long_run = "lc1 r=" + std::string(65, 'r') + " c=c b=0 s=0 t=0 n=95 o ";
  EXPECT_FALSE(parse_line(too_long_run));
}

TEST(ValidName, AcceptsDockerNameBytesOnly) {
  EXPECT_TRUE(valid_name("leakcheck-smoke_1.a", kMaxContainerBytes));
  EXPECT_FALSE(valid_name("", kMaxContainerBytes));
  EXPECT_FALSE(valid_name("/name", kMaxContainerBytes));
  EXPECT_FALSE(valid_name("-name", kMaxContainerBytes));
  EXPECT_FALSE(valid_name("_name", kMaxContainerBytes));
  EXPECT_FALSE(valid_name("a b", kMaxContainerBytes));
  EXPECT_FALSE(valid_name("a=b", kMaxContainerBytes));
  EXPECT_TRUE(valid_name(std::string(128, 'c'), kMaxContainerBytes));
  EXPECT_FALSE(valid_name(std::string(129, 'c'), kMaxContainerBytes));
}

TEST(IntegrityName, NamesEachValue) {
  EXPECT_STREQ(integrity_name(Integrity::complete), "complete");
  EXPECT_STREQ(integrity_name(Integrity::cut), "cut");
  EXPECT_STREQ(integrity_name(Integrity::cut_marked), "cut_marked");
  EXPECT_STREQ(integrity_name(Integrity::corrupt), "corrupt");
}

}  // namespace
}  // namespace leakcheck::loggen
