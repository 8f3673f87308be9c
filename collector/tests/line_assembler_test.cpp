#include "collector/line_assembler.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collector/frame_decoder.h"
#include "collector/tests/frame_test_util.h"

namespace leakcheck::collector {

void PrintTo(const LogLine& line, std::ostream* os) {
  *os << stream_name(line.stream) << "@" << line.timestamp_ns << (line.truncated ? " truncated" : "") << " \""
      << (line.text.size() > 80 ? line.text.substr(0, 80) + "..." : line.text) << "\" (" << line.text.size()
      << " bytes)";
}

namespace {

using testing::stderr_frame;
using testing::stdout_frame;

constexpr int64_t kSecondNs = 1795757642000000000;  // 2026-11-27T05:34:02Z

// "2026-11-27T05:34:02.<9 digits>Z" for kSecondNs + fraction_ns, as Docker writes it.
std::string ts(int64_t fraction_ns) {
  std::string digits = std::to_string(fraction_ns);
  return "2026-11-27T05:34:02." + std::string(9 - digits.size(), '0') + digits + "Z";
}

// Bytes that show where they came from if pieces are joined in the wrong order.
std::string pattern(size_t size) {
  std::string text(size, ' ');
  for (size_t i = 0; i < size; ++i) text[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
  return text;
}

LogLine out(int64_t fraction_ns, std::string text, bool truncated = false) {
  return {LogStream::stdout_stream, kSecondNs + fraction_ns, std::move(text), truncated};
}
LogLine err(int64_t fraction_ns, std::string text, bool truncated = false) {
  return {LogStream::stderr_stream, kSecondNs + fraction_ns, std::move(text), truncated};
}

struct Assembled {
  std::vector<LogLine> lines;
  uint64_t truncated_lines = 0;
  std::string error;  // empty when all went well
};

// The collector's pipeline: the frame decoder (raw for a TTY) into the line
// assembler, with the bytes cut at `cuts`, then the end of the stream.
Assembled assemble_cut(std::string_view bytes, const std::vector<size_t>& cuts,
                       LineAssemblerOptions options = {}) {
  FrameDecoder decoder({.raw = options.tty});
  LineAssembler assembler(options);
  Assembled run;
  DecodedChunk decoded;
  std::vector<size_t> ends = cuts;
  ends.push_back(bytes.size());
  size_t begin = 0;
  for (size_t end : ends) {
    decoded.clear();
    if (Status fed = decoder.feed(bytes.substr(begin, end - begin), decoded); !fed) {
      run.error = fed.error().message();
      return run;
    }
    for (const FramePiece& piece : decoded.pieces) {
      if (Status added = assembler.add(piece, run.lines); !added) {
        run.error = added.error().message();
        return run;
      }
    }
    begin = end;
  }
  if (Status finished = assembler.finish(run.lines); !finished) run.error = finished.error().message();
  run.truncated_lines = assembler.truncated_lines();
  return run;
}

Assembled assemble(std::string_view bytes, LineAssemblerOptions options = {}) {
  return assemble_cut(bytes, {}, options);
}

std::vector<size_t> every(size_t chunk_bytes, size_t total) {
  std::vector<size_t> cuts;
  for (size_t cut = chunk_bytes; cut < total; cut += chunk_bytes) cuts.push_back(cut);
  return cuts;
}

TEST(LineAssembler, OneLinePerFrameWithItsTimestamp) {
  const std::string bytes = stdout_frame(ts(1) + " hello\n") + stderr_frame(ts(2) + " oops\n") +
                            stdout_frame(ts(778921306) + " world\n");
  Assembled run = assemble(bytes);
  EXPECT_EQ(run.error, "");
  EXPECT_EQ(run.lines, (std::vector<LogLine>{out(1, "hello"), err(2, "oops"), out(778921306, "world")}));
}

TEST(LineAssembler, EmptyLinesAreDelivered) {
  Assembled run = assemble(stdout_frame(ts(1) + " \n") + stdout_frame(ts(2) + " \n"));
  EXPECT_EQ(run.lines, (std::vector<LogLine>{out(1, ""), out(2, "")}));
}

// A 40000-byte line as the daemon sends it: 16384-byte messages without '\n',
// each with its own timestamp, then the tail with the '\n'.
const std::string kLong = pattern(40000);
const std::string kLongFrames = stdout_frame(ts(10) + " " + kLong.substr(0, 16384)) +
                                stdout_frame(ts(11) + " " + kLong.substr(16384, 16384)) +
                                stdout_frame(ts(12) + " " + kLong.substr(32768) + "\n") +
                                stdout_frame(ts(13) + " after\n");

TEST(LineAssembler, PiecesOf16KiBAreJoinedWithTheFirstTimestamp) {
  Assembled run = assemble(kLongFrames);
  EXPECT_EQ(run.error, "");
  EXPECT_EQ(run.lines, (std::vector<LogLine>{out(10, kLong), out(13, "after")}));
  EXPECT_EQ(run.truncated_lines, 0u);
}

TEST(LineAssembler, PiecesOf16KiBJoinWhateverTheReadSizes) {
  for (size_t chunk : {1000, 4096, 16384 + 8 + 31, 65536}) {
    Assembled run = assemble_cut(kLongFrames, every(chunk, kLongFrames.size()));
    EXPECT_EQ(run.lines, (std::vector<LogLine>{out(10, kLong), out(13, "after")})) << chunk;
  }
}

TEST(LineAssembler, ReadsCutAtEveryByteAroundTheFrameBoundaries) {
  // The header and timestamp of each frame, and the bytes just before them.
  const size_t frame_bytes = 8 + 31 + 16384;
  for (size_t boundary : {size_t{0}, frame_bytes, 2 * frame_bytes}) {
    for (size_t cut = boundary > 40 ? boundary - 40 : 0; cut < boundary + 8 + 31 + 40; ++cut) {
      Assembled run = assemble_cut(kLongFrames, {cut});
      ASSERT_EQ(run.lines, (std::vector<LogLine>{out(10, kLong), out(13, "after")})) << "cut at " << cut;
    }
  }
}

TEST(LineAssembler, StreamsAreJoinedSeparately) {
  // stdout's line is cut by the daemon; a stderr line arrives between its pieces.
  const std::string part = pattern(16384);
  const std::string bytes = stdout_frame(ts(1) + " " + part) + stderr_frame(ts(2) + " in between\n") +
                            stdout_frame(ts(3) + " tail\n");
  Assembled run = assemble(bytes);
  EXPECT_EQ(run.lines, (std::vector<LogLine>{err(2, "in between"), out(1, part + "tail")}));
}

TEST(LineAssembler, SeveralLinesInOnePayloadShareItsTimestamp) {
  Assembled run = assemble(stdout_frame(ts(5) + " one\ntwo\n\nthree") + stdout_frame(ts(6) + " continued\n"));
  EXPECT_EQ(run.lines,
            (std::vector<LogLine>{out(5, "one"), out(5, "two"), out(5, ""), out(5, "threecontinued")}));
}

TEST(LineAssembler, WithoutTimestamps) {
  Assembled run =
      assemble(stdout_frame("a\nb") + stderr_frame("c\n") + stdout_frame("c\n"), {.timestamps = false});
  EXPECT_EQ(run.lines, (std::vector<LogLine>{{LogStream::stdout_stream, 0, "a", false},
                                             {LogStream::stderr_stream, 0, "c", false},
                                             {LogStream::stdout_stream, 0, "bc", false}}));
}

TEST(LineAssembler, LinesOverTheMaximumAreTruncatedMarkedAndCounted) {
  // The default maximum, 256 KiB: a 300000-byte line in 16 KiB messages.
  const std::string huge = pattern(300000);
  std::string bytes;
  for (size_t offset = 0; offset < huge.size(); offset += 16384) {
    const bool last = offset + 16384 >= huge.size();
    bytes += stdout_frame(ts(static_cast<int64_t>(offset)) + " " + huge.substr(offset, 16384) +
                          (last ? "\n" : ""));
  }
  bytes += stdout_frame(ts(999) + " next\n");
  Assembled run = assemble(bytes);
  EXPECT_EQ(run.error, "");
  EXPECT_EQ(run.lines, (std::vector<LogLine>{out(0, huge.substr(0, 262144), true), out(999, "next")}));
  EXPECT_EQ(run.truncated_lines, 1u);
}

TEST(LineAssembler, TruncationAtExactlyTheMaximum) {
  const LineAssemblerOptions max10{.max_line_bytes = 10};
  EXPECT_EQ(assemble(stdout_frame(ts(1) + " 0123456789\n"), max10).lines,
            (std::vector<LogLine>{out(1, "0123456789")}));
  Assembled over = assemble(stdout_frame(ts(1) + " 0123456789A\n") + stdout_frame(ts(2) + " ok\n"), max10);
  EXPECT_EQ(over.lines, (std::vector<LogLine>{out(1, "0123456789", true), out(2, "ok")}));
  EXPECT_EQ(over.truncated_lines, 1u);
  // The rest of a truncated line, timestamps and all, is skipped up to its '\n'.
  Assembled pieces = assemble(stdout_frame(ts(1) + " 01234") + stdout_frame(ts(2) + " 56789abc") +
                                  stdout_frame(ts(3) + " def") + stdout_frame(ts(4) + " ghi\n") +
                                  stderr_frame(ts(5) + " short\n"),
                              max10);
  EXPECT_EQ(pieces.lines, (std::vector<LogLine>{out(1, "0123456789", true), err(5, "short")}));
  EXPECT_EQ(pieces.truncated_lines, 1u);
}

TEST(LineAssembler, TtyRawStreamWithCarriageReturns) {
  const std::string bytes = ts(1) + " hello\r\n" + ts(2) + " \r\n" + ts(3) + " a\rb\r\n" + ts(4) + " partial";
  const std::vector<LogLine> expected{out(1, "hello"), out(2, ""), out(3, "a\rb"), out(4, "partial")};
  for (size_t cut = 0; cut <= bytes.size(); ++cut) {
    Assembled run = assemble_cut(bytes, {cut}, {.tty = true});
    ASSERT_EQ(run.error, "");
    ASSERT_EQ(run.lines, expected) << "cut at " << cut;
  }
}

TEST(LineAssembler, TtyLineLongerThan16KiBIsJoined) {
  // In a raw stream only the size says where the daemon cut: after 16384 bytes.
  const std::string line = pattern(16384 + 100);
  const std::string bytes =
      ts(1) + " " + line.substr(0, 16384) + ts(2) + " " + line.substr(16384) + "\r\n" + ts(3) + " next\r\n";
  const std::vector<LogLine> expected{out(1, line), out(3, "next")};
  EXPECT_EQ(assemble_cut(bytes, every(2048, bytes.size()), {.tty = true}).lines, expected);
  for (size_t cut = 16384 - 5; cut < 16384 + 31 + 10; ++cut)
    ASSERT_EQ(assemble_cut(bytes, {cut}, {.tty = true}).lines, expected) << "cut at " << cut;
}

TEST(LineAssembler, TtyTextAtTheSplitThatIsNoTimestampStaysText) {
  // Another driver may cut elsewhere: what follows the cut is then line text.
  const LineAssemblerOptions tty8{.tty = true, .daemon_split_bytes = 8};
  const std::string bytes = ts(1) + " 0123456789abc\r\n" + ts(2) + " two words\r\n";
  Assembled run = assemble(bytes, tty8);
  EXPECT_EQ(run.error, "");
  EXPECT_EQ(run.lines, (std::vector<LogLine>{out(1, "0123456789abc"), out(2, "two words")}));
}

TEST(LineAssembler, TtyLineOfExactlyTheMaximumBeforeItsCarriageReturn) {
  const LineAssemblerOptions tty_max4{.tty = true, .max_line_bytes = 4};
  EXPECT_EQ(assemble(ts(1) + " abcd\r\n", tty_max4).lines, (std::vector<LogLine>{out(1, "abcd")}));
  EXPECT_EQ(assemble(ts(1) + " abcde\n", tty_max4).lines, (std::vector<LogLine>{out(1, "abcd", true)}));
  EXPECT_EQ(assemble(ts(1) + " abcdef\r\n", tty_max4).lines, (std::vector<LogLine>{out(1, "abcd", true)}));
}

TEST(LineAssembler, MessageWithoutATimestampIsAnError) {
  EXPECT_EQ(assemble(stdout_frame("hello\n")).error,
            "stdout frame ended before the space after its timestamp: \"hello\n\"");
  EXPECT_EQ(assemble(stdout_frame(std::string(40, 'x') + " y\n")).error,
            "stdout log message: no timestamp in \"" + std::string(40, 'x') + "\"");
  EXPECT_EQ(assemble(stderr_frame("2026-11-27 05:34:02Z x\n")).error,
            "stderr log message: invalid timestamp \"2026-11-27\": expected YYYY-MM-DDThh:mm:ss");
  EXPECT_EQ(assemble(stdout_frame(ts(1))).error,
            "stdout frame ended before the space after its timestamp: \"2026-11-27T05:34:02.000000001Z\"");
  EXPECT_EQ(assemble("no timestamp here\r\n", {.tty = true}).error,
            "stdout log message: invalid timestamp \"no\": expected YYYY-MM-DDThh:mm:ss");
}

TEST(LineAssembler, FinishDeliversTheUnterminatedLinesOnce) {
  LineAssembler assembler;
  std::vector<LogLine> lines;
  const std::string a = ts(7) + " no newline";
  const std::string b = ts(3) + " nor here";
  ASSERT_TRUE(assembler.add({LogStream::stdout_stream, a, true}, lines).ok());
  ASSERT_TRUE(assembler.add({LogStream::stderr_stream, b, true}, lines).ok());
  EXPECT_TRUE(lines.empty());
  EXPECT_EQ(assembler.pending_since_ns(), kSecondNs + 3);  // the earlier of the two
  ASSERT_TRUE(assembler.finish(lines).ok());
  EXPECT_EQ(lines, (std::vector<LogLine>{out(7, "no newline"), err(3, "nor here")}));
  EXPECT_EQ(assembler.pending_since_ns(), std::nullopt);
  ASSERT_TRUE(assembler.finish(lines).ok());
  EXPECT_EQ(lines.size(), 2u);
}

TEST(LineAssembler, ResetDropsWhatAReopenedStreamSendsAgain) {
  LineAssembler assembler;
  std::vector<LogLine> lines;
  const std::string first = ts(1) + " begun";
  ASSERT_TRUE(assembler.add({LogStream::stdout_stream, first, true}, lines).ok());
  const std::string cut = ts(2) + " cut mid-fr";
  ASSERT_TRUE(assembler.add({LogStream::stderr_stream, cut, false}, lines).ok());
  EXPECT_EQ(assembler.pending_since_ns(), kSecondNs + 1);
  assembler.reset();
  EXPECT_EQ(assembler.pending_since_ns(), std::nullopt);
  // The reopened stream starts with a message, timestamp first.
  const std::string again = ts(1) + " begun and ended\n";
  ASSERT_TRUE(assembler.add({LogStream::stdout_stream, again, true}, lines).ok());
  EXPECT_EQ(lines, (std::vector<LogLine>{out(1, "begun and ended")}));
}

TEST(LineAssembler, TruncatedLineIsNotPending) {
  LineAssembler assembler({.max_line_bytes = 3});
  std::vector<LogLine> lines;
  const std::string piece = ts(1) + " abcdef";
  ASSERT_TRUE(assembler.add({LogStream::stdout_stream, piece, true}, lines).ok());
  EXPECT_EQ(lines, (std::vector<LogLine>{out(1, "abc", true)}));
  EXPECT_EQ(assembler.pending_since_ns(), std::nullopt);  // delivered already
  ASSERT_TRUE(assembler.finish(lines).ok());
  EXPECT_EQ(lines.size(), 1u);
}

}  // namespace
}  // namespace leakcheck::collector
