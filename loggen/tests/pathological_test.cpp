#include "loggen/pathological.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loggen/flags.h"

namespace leakcheck::loggen {
namespace {

LineHeader header(uint64_t seq, Stream stream = Stream::out) {
  return LineHeader{"run1", "patho-0", 1, seq, 1'700'000'000'000'000'000, stream};
}

// Line seq as written, without its '\n' and any empty line after it.
std::string written(uint64_t seq) {
  std::string out;
  append_pathological_line(out, header(seq));
  return out.substr(0, out.find('\n'));
}

TEST(Pathological, KindsCycleBySeqWithAHugeLineEvery25th) {
  EXPECT_EQ(pathological_kind(0), PathologicalKind::invalid_utf8);
  EXPECT_EQ(pathological_kind(1), PathologicalKind::control_bytes);
  EXPECT_EQ(pathological_kind(2), PathologicalKind::nul_bytes);
  EXPECT_EQ(pathological_kind(3), PathologicalKind::carriage_return);
  EXPECT_EQ(pathological_kind(4), PathologicalKind::ansi_escapes);
  EXPECT_EQ(pathological_kind(5), PathologicalKind::multibyte_utf8);
  EXPECT_EQ(pathological_kind(6), PathologicalKind::json_specials);
  EXPECT_EQ(pathological_kind(7), PathologicalKind::invalid_utf8);
  EXPECT_EQ(pathological_kind(24), PathologicalKind::huge);
  EXPECT_EQ(pathological_kind(49), PathologicalKind::huge);
}

TEST(Pathological, PayloadsHoldTheBytesTheyAreNamedFor) {
  EXPECT_EQ(pathological_payload(PathologicalKind::nul_bytes, 2), std::string("nul:\0a\0\0b\0#2", 12));
  EXPECT_EQ(pathological_payload(PathologicalKind::carriage_return, 3), "cr:before\rafter#3");
  std::string ctl = pathological_payload(PathologicalKind::control_bytes, 1);
  EXPECT_EQ(ctl.size(), 4u + 30u + 1u + 2u);  // "ctl:", 0x01..0x1F but '\n', DEL, "#1"
  EXPECT_EQ(ctl.find('\n'), std::string::npos);
  EXPECT_NE(pathological_payload(PathologicalKind::invalid_utf8, 0).find('\xFF'), std::string::npos);
  EXPECT_NE(pathological_payload(PathologicalKind::ansi_escapes, 4).find("\x1b[31m"), std::string::npos);
}

TEST(Pathological, OpaqueLinesParseWithTheirWrittenLength) {
  for (uint64_t seq = 0; seq < 24; ++seq) {
    std::string line = written(seq);
    auto p = parse_line(line);
    ASSERT_TRUE(p) << seq;
    EXPECT_EQ(p->integrity, Integrity::opaque) << seq;
    EXPECT_EQ(p->seq, seq);
    EXPECT_EQ(p->container, "patho-0");
    EXPECT_EQ(p->size_bytes, line.size()) << seq;
    EXPECT_EQ(line.find('\n'), std::string::npos) << seq;
  }
}

TEST(Pathological, OpaqueLengthCountsItsOwnDigitsAcrossPowersOfTen) {
  for (size_t payload = 0; payload < 2000; ++payload) {
    std::string line;
    append_opaque_line(line, header(3), std::string(payload, 'x'));
    EXPECT_EQ(parse_line(line)->size_bytes, line.size()) << payload;
  }
}

TEST(Pathological, AHugeLineIsOrdinaryPaddingAndReadsCutAndMarkedAt256KiB) {
  std::string line = written(24);
  ASSERT_EQ(line.size(), kHugeBytes);
  EXPECT_EQ(parse_line(line)->integrity, Integrity::complete);
  std::string cut = line.substr(0, 256 * 1024) + std::string(kCollectorTruncationMark);
  EXPECT_EQ(parse_line(cut)->integrity, Integrity::cut_marked);
}

TEST(Pathological, AnEmptyLineFollowsEvery10thLineInTheSameWrite) {
  std::string out;
  append_pathological_line(out, header(8));
  EXPECT_TRUE(out.ends_with("#8\n"));
  out.clear();
  append_pathological_line(out, header(9));
  EXPECT_TRUE(out.ends_with("#9\n\n"));
}

TEST(Pathological, TheContentFlag) {
  std::vector<std::string_view> args{"--run", "r", "--name", "n", "--rate", "5", "--content", "pathological"};
  auto o = parse_flags(args);
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_EQ(o->profile.content, Content::pathological);
  std::vector<std::string_view> bad{"--run", "r", "--name", "n", "--content", "binary"};
  EXPECT_EQ(parse_flags(bad).error().message(), "--content: expected normal or pathological, got \"binary\"");
}

}  // namespace
}  // namespace leakcheck::loggen
