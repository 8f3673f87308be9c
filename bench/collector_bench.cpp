// The collector's per-byte and per-line work, without I/O: the bytes of a
// `logs?follow=1&timestamps=1` reply as the daemon sends them, fed in the
// reads ManagedStream does (64 KiB), through
//   BM_FrameDecode  the 8-byte frame headers (MB/s),
//   BM_LineJoin     timestamps parsed, 16 KiB messages joined into lines (lines/s),
//   BM_Pipeline     both plus boundary dedup and the records handed to the
//                   queue: what a reader costs per line (lines/s),
//   BM_Ndjson       the records as NDJSON, as the file sink writes them (lines/s),
//   BM_Acknowledge  the cursors moved past accepted records, as the shipper
//                   does after every batch (lines/s; saving them is apart).
// Inputs (argument = line length without '\n'): 100-byte lines, one frame
// each; 40 KiB lines, each split by the daemon into 16 KiB + 16 KiB + 8 KiB
// messages, every one with the line's timestamp. Lines are 1 µs apart, so
// the dedup's 1 s window is always at its 4096-entry cap, as under load.
//
// Run: build/bench/collector_bench (or with --benchmark_repetitions=5).

#include <benchmark/benchmark.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collector/cursor_keeper.h"
#include "collector/frame_decoder.h"
#include "collector/line_assembler.h"
#include "collector/line_pipeline.h"
#include "collector/metrics.h"
#include "collector/sink_format.h"
#include "util/log.h"

namespace {

using namespace leakcheck::collector;

constexpr size_t kStreamBytes = 8u << 20;  // per input: large against caches, small to build
constexpr size_t kReadBytes = 64 * 1024;   // ManagedStream's buffer
constexpr int64_t kFirstNs = 1'795'757'642'000'000'000;  // 2026-11-27T04:54:02Z
constexpr int64_t kLineSpacingNs = 1'000;

// "2026-11-27T05:34:02.778921306Z ", as timestamps=1 prefixes a message.
std::string rfc3339(int64_t ns) {
  time_t seconds = static_cast<time_t>(ns / 1'000'000'000);
  tm t{};
  gmtime_r(&seconds, &t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ ", t.tm_year + 1900, t.tm_mon + 1,
                t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, static_cast<long long>(ns % 1'000'000'000));
  return buf;
}

void append_frame(std::string& out, std::string_view payload) {
  const auto n = static_cast<uint32_t>(payload.size());
  const char header[8] = {1, 0, 0, 0, static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                          static_cast<char>(n >> 8), static_cast<char>(n)};
  out.append(header, sizeof header);
  out.append(payload);
}

struct Input {
  std::string bytes;  // frames, as read from the socket
  size_t frames = 0;
  size_t lines = 0;
  size_t text_bytes = 0;  // log text without timestamps, headers, newlines
};

// Lines of `line_bytes` printable characters, split at kDaemonSplitBytes the
// way the daemon's copier splits them, until the stream holds kStreamBytes.
const Input& input(size_t line_bytes) {
  static std::map<size_t, std::unique_ptr<Input>> inputs;
  auto& in = inputs[line_bytes];
  if (in) return *in;
  in = std::make_unique<Input>();
  std::string text(line_bytes, ' ');
  for (size_t i = 0; i < line_bytes; ++i) text[i] = static_cast<char>('!' + (i * 7) % 94);
  std::string payload;
  for (int64_t ns = kFirstNs; in->bytes.size() < kStreamBytes; ns += kLineSpacingNs) {
    // Distinct lines: the dedup must remember each one.
    const std::string seq = "seq=" + std::to_string(in->lines) + " ";
    const size_t seq_bytes = std::min(line_bytes, seq.size());
    text.replace(0, seq_bytes, seq, 0, seq_bytes);
    const std::string ts = rfc3339(ns);
    for (size_t at = 0; at < line_bytes; at += kDaemonSplitBytes) {
      size_t n = std::min(kDaemonSplitBytes, line_bytes - at);
      payload = ts;
      payload.append(text, at, n);
      if (at + n == line_bytes) payload += '\n';
      append_frame(in->bytes, payload);
      ++in->frames;
    }
    ++in->lines;
    in->text_bytes += line_bytes;
  }
  return *in;
}

template <typename F>
void for_each_read(const std::string& bytes, F&& f) {
  for (size_t at = 0; at < bytes.size(); at += kReadBytes)
    f(std::string_view(bytes).substr(at, kReadBytes));
}

void set_counters(benchmark::State& state, const Input& in) {
  const auto iterations = static_cast<int64_t>(state.iterations());
  state.SetBytesProcessed(iterations * static_cast<int64_t>(in.bytes.size()));
  state.SetItemsProcessed(iterations * static_cast<int64_t>(in.lines));
}

void BM_FrameDecode(benchmark::State& state) {
  const Input& in = input(static_cast<size_t>(state.range(0)));
  FrameDecoder decoder;
  DecodedChunk chunk;
  for (auto _ : state) {
    decoder.reset();
    for_each_read(in.bytes, [&](std::string_view read) {
      chunk.clear();
      if (!decoder.feed(read, chunk)) state.SkipWithError("decode failed");
      benchmark::DoNotOptimize(chunk.pieces.data());
    });
  }
  set_counters(state, in);
  // The decoder reads headers and hands out views: its cost is per frame, so
  // bytes/s grows with the line length and frames/s is the telling figure.
  state.counters["frames_per_second"] =
      benchmark::Counter(static_cast<double>(in.frames), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_LineJoin(benchmark::State& state) {
  const Input& in = input(static_cast<size_t>(state.range(0)));
  // Decoded once: only the joining is timed.
  std::vector<std::vector<FramePiece>> reads;
  FrameDecoder decoder;
  for_each_read(in.bytes, [&](std::string_view read) {
    DecodedChunk chunk;
    if (!decoder.feed(read, chunk)) state.SkipWithError("decode failed");
    reads.push_back(std::move(chunk.pieces));
  });
  LineAssembler assembler;
  std::vector<LogLine> lines;
  size_t joined = 0;
  for (auto _ : state) {
    assembler.reset();
    joined = 0;
    for (const auto& pieces : reads) {
      lines.clear();
      for (const FramePiece& piece : pieces)
        if (!assembler.add(piece, lines)) state.SkipWithError("join failed");
      joined += lines.size();
      benchmark::DoNotOptimize(lines.data());
    }
  }
  if (joined != in.lines) state.SkipWithError("wrong number of lines");
  set_counters(state, in);
}

void BM_Pipeline(benchmark::State& state) {
  const Input& in = input(static_cast<size_t>(state.range(0)));
  CollectorMetrics metrics;
  leakcheck::Logger log(leakcheck::LogLevel::error);
  size_t delivered = 0;
  FollowTarget target;
  target.id = std::string(64, 'c');
  target.name = "bench";
  for (auto _ : state) {
    state.PauseTiming();  // a fresh container each time: nothing is a duplicate
    auto pipeline = std::make_unique<LinePipeline>(
        target, kDefaultMaxLineBytes, std::nullopt,
        [&delivered](std::vector<LogRecord>&& records) { delivered += records.size(); }, metrics, log);
    pipeline->begin_stream();
    delivered = 0;
    state.ResumeTiming();
    for_each_read(in.bytes, [&](std::string_view read) {
      if (!pipeline->consume(read)) state.SkipWithError("pipeline failed");
    });
  }
  if (delivered != in.lines) state.SkipWithError("wrong number of lines");
  set_counters(state, in);
}

// The records BM_Pipeline produces from an input, in batches of the sink's size.
std::vector<std::vector<LogRecord>> batches(size_t line_bytes) {
  const Input& in = input(line_bytes);
  CollectorMetrics metrics;
  leakcheck::Logger log(leakcheck::LogLevel::error);
  FollowTarget target;
  target.id = std::string(64, 'c');
  target.name = "bench";
  std::vector<std::vector<LogRecord>> out(1);
  LinePipeline pipeline(
      target, kDefaultMaxLineBytes, std::nullopt,
      [&out](std::vector<LogRecord>&& records) {
        for (auto& r : records) {
          if (out.back().size() == 1000) out.emplace_back();
          out.back().push_back(std::move(r));
        }
      },
      metrics, log);
  pipeline.begin_stream();
  for_each_read(in.bytes, [&](std::string_view read) { (void)pipeline.consume(read); });
  return out;
}

void set_line_counters(benchmark::State& state, const std::vector<std::vector<LogRecord>>& all) {
  size_t lines = 0, bytes = 0;
  for (const auto& batch : all)
    for (const auto& r : batch) {
      ++lines;
      bytes += r.text.size();
    }
  const auto iterations = static_cast<int64_t>(state.iterations());
  state.SetItemsProcessed(iterations * static_cast<int64_t>(lines));
  state.SetBytesProcessed(iterations * static_cast<int64_t>(bytes));
}

void BM_Ndjson(benchmark::State& state) {
  const auto all = batches(static_cast<size_t>(state.range(0)));
  std::string out;
  for (auto _ : state) {
    for (const auto& batch : all) {
      out.clear();
      append_ndjson_lines(out, batch);
      benchmark::DoNotOptimize(out.data());
    }
  }
  set_line_counters(state, all);
}

void BM_Acknowledge(benchmark::State& state) {
  const auto all = batches(static_cast<size_t>(state.range(0)));
  CollectorMetrics metrics;
  for (auto _ : state) {
    state.PauseTiming();  // a fresh keeper each time; nothing is written
    auto keeper = std::make_unique<CursorKeeper>(CursorStore("/nonexistent"), metrics);
    keeper->track(std::string(64, 'c'));
    state.ResumeTiming();
    for (const auto& batch : all) keeper->acknowledge(batch);
  }
  set_line_counters(state, all);
}

BENCHMARK(BM_FrameDecode)->Arg(100)->Arg(40 * 1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LineJoin)->Arg(100)->Arg(40 * 1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Pipeline)->Arg(100)->Arg(40 * 1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Ndjson)->Arg(100)->Arg(40 * 1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Acknowledge)->Arg(100)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
