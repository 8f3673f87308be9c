#include "collector/frame_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collector/tests/frame_test_util.h"

namespace leakcheck::collector {
namespace {

using testing::frame;
using testing::stderr_frame;
using testing::stdout_frame;
using testing::systemerr_frame;

// A decoded frame, its pieces joined.
struct Frame {
  LogStream stream;
  std::string payload;
  bool operator==(const Frame&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Frame& f) {
  return os << stream_name(f.stream) << ":\"" << f.payload << "\"";
}

struct Decoded {
  std::vector<Frame> frames;
  std::vector<std::string> daemon_errors;
  std::string partial;  // payload of a frame not yet complete
};

// Feeds `bytes` cut at `cuts` (ascending offsets) and joins the pieces into
// frames, checking that only the last piece of a frame is marked frame_end.
Decoded decode(std::string_view bytes, const std::vector<size_t>& cuts) {
  FrameDecoder decoder;
  Decoded result;
  DecodedChunk out;
  size_t begin = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(bytes.size());
  for (size_t end : ends) {
    out.clear();
    EXPECT_TRUE(decoder.feed(bytes.substr(begin, end - begin), out).ok());
    for (const FramePiece& piece : out.pieces) {
      EXPECT_FALSE(piece.payload.empty());
      result.partial.append(piece.payload);
      if (piece.frame_end) result.frames.push_back({piece.stream, std::exchange(result.partial, {})});
    }
    for (std::string& e : out.daemon_errors) result.daemon_errors.push_back(std::move(e));
    begin = end;
  }
  EXPECT_TRUE(decoder.at_frame_boundary());
  EXPECT_EQ(decoder.bytes_fed(), bytes.size());
  return result;
}

const std::string kStream = stdout_frame("hello\n") + stderr_frame("oops: disk full\n") +
                            systemerr_frame("log driver failed") + stdout_frame("x") +
                            stdout_frame(std::string(40, 'a') + "\n") + stderr_frame("\n");

const std::vector<Frame> kFrames = {
    {LogStream::stdout_stream, "hello\n"}, {LogStream::stderr_stream, "oops: disk full\n"},
    {LogStream::stdout_stream, "x"},       {LogStream::stdout_stream, std::string(40, 'a') + "\n"},
    {LogStream::stderr_stream, "\n"},
};

TEST(FrameDecoder, WholeStreamInOneChunk) {
  Decoded d = decode(kStream, {});
  EXPECT_EQ(d.frames, kFrames);
  EXPECT_EQ(d.daemon_errors, std::vector<std::string>{"log driver failed"});
}

TEST(FrameDecoder, SplitAtEveryByteOffset) {
  for (size_t cut = 0; cut <= kStream.size(); ++cut) {
    Decoded d = decode(kStream, {cut});
    ASSERT_EQ(d.frames, kFrames) << "cut at " << cut;
    ASSERT_EQ(d.daemon_errors, std::vector<std::string>{"log driver failed"}) << "cut at " << cut;
  }
}

TEST(FrameDecoder, SplitThreeWaysAtEveryPairOfOffsets) {
  for (size_t first = 0; first <= kStream.size(); ++first) {
    for (size_t second = first; second <= kStream.size(); ++second) {
      Decoded d = decode(kStream, {first, second});
      ASSERT_EQ(d.frames, kFrames) << "cuts at " << first << ", " << second;
      ASSERT_EQ(d.daemon_errors, std::vector<std::string>{"log driver failed"});
    }
  }
}

TEST(FrameDecoder, OneByteAtATime) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < kStream.size(); ++i) cuts.push_back(i);
  Decoded d = decode(kStream, cuts);
  EXPECT_EQ(d.frames, kFrames);
}

TEST(FrameDecoder, PayloadIsAViewIntoTheChunkNotACopy) {
  const std::string bytes = stdout_frame("hello\n") + stderr_frame("world\n");
  FrameDecoder decoder;
  DecodedChunk out;
  ASSERT_TRUE(decoder.feed(bytes, out).ok());
  ASSERT_EQ(out.pieces.size(), 2u);
  EXPECT_EQ(out.pieces[0].payload.data(), bytes.data() + 8);
  EXPECT_EQ(out.pieces[1].payload.data(), bytes.data() + 8 + 6 + 8);
}

TEST(FrameDecoder, LargeFrameArrivesInPiecesAsTheReadsDo) {
  const std::string payload(16384, 'p');
  const std::string bytes = stdout_frame(payload);
  FrameDecoder decoder;
  DecodedChunk out;
  std::vector<size_t> sizes;
  std::vector<bool> ends;
  for (size_t offset = 0; offset < bytes.size(); offset += 4096) {
    out.clear();
    ASSERT_TRUE(decoder.feed(std::string_view(bytes).substr(offset, 4096), out).ok());
    for (const FramePiece& piece : out.pieces) {
      sizes.push_back(piece.payload.size());
      ends.push_back(piece.frame_end);
    }
  }
  // The first read holds the 8-byte header, the last the 8 bytes it displaced.
  EXPECT_EQ(sizes, (std::vector<size_t>{4088, 4096, 4096, 4096, 8}));
  EXPECT_EQ(ends, (std::vector<bool>{false, false, false, false, true}));
  EXPECT_TRUE(decoder.at_frame_boundary());
}

TEST(FrameDecoder, AtFrameBoundaryOnlyBetweenFrames) {
  const std::string bytes = stdout_frame("abc");
  FrameDecoder decoder;
  DecodedChunk out;
  EXPECT_TRUE(decoder.at_frame_boundary());
  ASSERT_TRUE(decoder.feed(std::string_view(bytes).substr(0, 5), out).ok());
  EXPECT_FALSE(decoder.at_frame_boundary());  // inside the header
  ASSERT_TRUE(decoder.feed(std::string_view(bytes).substr(5, 4), out).ok());
  EXPECT_FALSE(decoder.at_frame_boundary());  // inside the payload
  ASSERT_TRUE(decoder.feed(std::string_view(bytes).substr(9), out).ok());
  EXPECT_TRUE(decoder.at_frame_boundary());
}

TEST(FrameDecoder, EmptyFrames) {
  FrameDecoder decoder;
  DecodedChunk out;
  ASSERT_TRUE(decoder.feed(stdout_frame("") + systemerr_frame("") + stderr_frame("e"), out).ok());
  ASSERT_EQ(out.pieces.size(), 1u);  // an empty log frame carries nothing
  EXPECT_EQ(out.pieces[0].stream, LogStream::stderr_stream);
  EXPECT_EQ(out.daemon_errors, std::vector<std::string>{""});  // an empty error is still one
}

TEST(FrameDecoder, StdinFramesAreDecodedAsStdin) {
  FrameDecoder decoder;
  DecodedChunk out;
  ASSERT_TRUE(decoder.feed(frame(0, "in"), out).ok());
  ASSERT_EQ(out.pieces.size(), 1u);
  EXPECT_EQ(out.pieces[0].stream, LogStream::stdin_stream);
}

std::string feed_error(const std::string& bytes, FrameDecoderOptions options = {}) {
  FrameDecoder decoder(options);
  DecodedChunk out;
  Status status = decoder.feed(bytes, out);
  return status.ok() ? "ok" : status.error().message();
}

TEST(FrameDecoder, MalformedHeadersAreErrorsWithTheirOffset) {
  const std::string good = stdout_frame("ok\n");  // 11 bytes: the bad header starts at byte 11
  EXPECT_EQ(feed_error(good + frame(4, "x")),
            "docker log stream: bad frame header at byte 11: unknown stream type 4");
  EXPECT_EQ(feed_error(good + frame(255, "x")),
            "docker log stream: bad frame header at byte 11: unknown stream type 255");
  for (size_t pad = 1; pad <= 3; ++pad) {
    std::string bad = stdout_frame("x");
    bad[pad] = '\x01';
    EXPECT_EQ(feed_error(good + bad), "docker log stream: bad frame header at byte 11: nonzero padding")
        << pad;
  }
  // "HTTP/1.1 ..." where a frame should be: the body is not what was expected.
  EXPECT_EQ(feed_error("HTTP/1.1 200 OK\r\n"),
            "docker log stream: bad frame header at byte 0: unknown stream type 72");
}

TEST(FrameDecoder, FrameSizeIsBounded) {
  std::string header = stdout_frame("");
  header[4] = '\x7f';  // 2 GiB and change
  EXPECT_EQ(feed_error(header),
            "docker log stream: bad frame header at byte 0: frame of 2130706432 bytes, more than the limit "
            "of 1114112");
  EXPECT_EQ(feed_error(stdout_frame(std::string(101, 'x')), {.raw = false, .max_frame_bytes = 100}),
            "docker log stream: bad frame header at byte 0: frame of 101 bytes, more than the limit of 100");
  EXPECT_EQ(feed_error(stdout_frame(std::string(100, 'x')), {.raw = false, .max_frame_bytes = 100}), "ok");
}

TEST(FrameDecoder, ErrorSticksUntilReset) {
  FrameDecoder decoder;
  DecodedChunk out;
  ASSERT_FALSE(decoder.feed(frame(9, "x"), out).ok());
  Status again = decoder.feed(stdout_frame("fine\n"), out);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message(), "docker log stream: bad frame header at byte 0: unknown stream type 9");
  EXPECT_TRUE(out.pieces.empty());

  decoder.reset();
  ASSERT_TRUE(decoder.feed(stdout_frame("fine\n"), out).ok());
  ASSERT_EQ(out.pieces.size(), 1u);
  EXPECT_EQ(out.pieces[0].payload, "fine\n");
}

TEST(FrameDecoder, ResetDropsAPartialFrame) {
  FrameDecoder decoder;
  DecodedChunk out;
  const std::string first = stdout_frame("cut short");
  ASSERT_TRUE(decoder.feed(std::string_view(first).substr(0, 12), out).ok());
  decoder.reset();  // the connection was closed mid-frame; a new one starts with a header
  out.clear();
  ASSERT_TRUE(decoder.feed(stderr_frame("new\n"), out).ok());
  ASSERT_EQ(out.pieces.size(), 1u);
  EXPECT_EQ(out.pieces[0].stream, LogStream::stderr_stream);
  EXPECT_EQ(out.pieces[0].payload, "new\n");
}

TEST(FrameDecoder, RawModeIsAllStdoutWithoutHeaders) {
  FrameDecoder decoder({.raw = true});
  DecodedChunk out;
  const std::string tty = "line one\r\n" + frame(2, "looks like a header");
  ASSERT_TRUE(decoder.feed(tty, out).ok());
  ASSERT_TRUE(decoder.feed("", out).ok());
  ASSERT_EQ(out.pieces.size(), 1u);
  EXPECT_EQ(out.pieces[0].stream, LogStream::stdout_stream);
  EXPECT_EQ(out.pieces[0].payload, tty);
  EXPECT_EQ(out.pieces[0].payload.data(), tty.data());
  EXPECT_FALSE(out.pieces[0].frame_end);
  EXPECT_TRUE(out.daemon_errors.empty());
}

}  // namespace
}  // namespace leakcheck::collector
