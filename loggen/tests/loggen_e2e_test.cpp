// The real leakcheck-loggen as a child process with pipes for stdout and
// stderr (not in Docker: the harness's end-to-end tests do that).

#include <elf.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "loggen/line_format.h"
#include "loggen/schedule.h"
#include "loggen/tests/child_process.h"

namespace leakcheck::loggen {
namespace {

using testing::ChildOutput;
using testing::ChildProcess;
using testing::run_child;
using namespace std::chrono_literals;

int64_t realtime_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Splits output into lines; every line must end in '\n'.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    EXPECT_NE(end, std::string::npos) << "output ends without a newline";
    if (end == std::string::npos) break;
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

struct Seen {
  Stream stream;
  size_t size;
  int64_t time_ns;
};

// Parses both streams' lines, checking each is a whole loggen line of the run
// and container on the stream it names; returns them by seq.
std::map<uint64_t, Seen> collect(const ChildOutput& output, uint32_t boot) {
  std::map<uint64_t, Seen> by_seq;
  for (Stream stream : {Stream::out, Stream::err}) {
    uint64_t previous = 0;
    bool first = true;
    for (const std::string& line : lines_of(stream == Stream::out ? output.out : output.err)) {
      auto p = parse_line(line);
      EXPECT_TRUE(p) << line.substr(0, 100);
      if (!p) continue;
      EXPECT_EQ(p->integrity, Integrity::complete) << line.substr(0, 100);
      EXPECT_EQ(p->run_id, "e2e");
      EXPECT_EQ(p->container, "gen-1");
      EXPECT_EQ(p->boot, boot);
      EXPECT_EQ(p->stream, stream) << "line " << p->seq << " on the other stream";
      EXPECT_TRUE(first || p->seq > previous) << "out of order within a stream at " << p->seq;
      EXPECT_TRUE(by_seq.emplace(p->seq, Seen{stream, line.size(), p->time_ns}).second) << "seq twice: " << p->seq;
      previous = p->seq;
      first = false;
    }
  }
  return by_seq;
}

std::vector<std::string> command(std::vector<std::string> flags) {
  std::vector<std::string> argv{LOGGEN_BIN, "--run", "e2e", "--name", "gen-1"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return argv;
}

TEST(LoggenE2E, WritesTheProfileAndExitsZero) {
  const int64_t before = realtime_ns();
  ChildOutput output = run_child(command({"--boot", "3", "--count", "200", "--rate", "1000", "--stderr-share", "0.2",
                                          "--seed", "42", "--size", "120", "--long-every", "50", "--long-size",
                                          "40000"}));
  const int64_t after = realtime_ns();
  ASSERT_FALSE(output.timed_out);
  ASSERT_TRUE(output.exited);
  EXPECT_EQ(output.exit_code, 0);

  auto by_seq = collect(output, 3);
  // Every seq from 0 to 199 once, in time order, on the stream the profile says.
  ASSERT_EQ(by_seq.size(), 200u);
  EXPECT_EQ(by_seq.begin()->first, 0u);
  EXPECT_EQ(by_seq.rbegin()->first, 199u);
  size_t on_stderr = 0;
  int64_t previous_ns = before;
  for (const auto& [seq, seen] : by_seq) {
    EXPECT_EQ(seen.stream, stream_for(42, seq, 0.2)) << seq;
    on_stderr += seen.stream == Stream::err;
    EXPECT_EQ(seen.size, seq % 50 == 49 ? 40000u : 120u) << seq;
    EXPECT_GE(seen.time_ns, previous_ns) << seq;
    previous_ns = seen.time_ns;
  }
  EXPECT_LE(previous_ns, after);
  EXPECT_EQ(on_stderr, 40u);  // seed 42, share 0.2, 200 lines (a reference implementation's count)
}

TEST(LoggenE2E, BootFileCountsStarts) {
  char pattern[] = "/tmp/loggen-e2e-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const std::string dir = pattern, boot_file = dir + "/boot";
  for (uint32_t expected : {1u, 2u}) {
    ChildOutput output = run_child(command({"--boot-file", boot_file, "--count", "2", "--rate", "1000"}));
    EXPECT_EQ(output.exit_code, 0) << output.err;
    auto by_seq = collect(output, expected);
    EXPECT_EQ(by_seq.size(), 2u);
  }
  std::ifstream in(boot_file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "2\n");
  std::filesystem::remove_all(dir);
}

// Sends SIGTERM once the handler is in place and expects exit 0 with every
// line written so far whole and contiguous.
void expect_sigterm_exits_zero(std::vector<std::string> flags) {
  ChildProcess child(command(std::move(flags)));
  ASSERT_TRUE(child.wait_for_handler(SIGTERM, 10s));
  ASSERT_EQ(::kill(child.pid(), SIGTERM), 0);
  ChildOutput output = child.finish(10s);
  ASSERT_FALSE(output.timed_out) << "still running 10 s after SIGTERM";
  ASSERT_TRUE(output.exited) << "ended by signal " << output.signal;
  EXPECT_EQ(output.exit_code, 0);
  auto by_seq = collect(output, 1);
  if (!by_seq.empty()) {
    EXPECT_EQ(by_seq.rbegin()->first + 1, by_seq.size()) << "a gap in the sequence";
  }
}

TEST(LoggenE2E, SigtermWhileWritingExitsZero) { expect_sigterm_exits_zero({"--rate", "200", "--stderr-share", "0.5"}); }

TEST(LoggenE2E, SigtermWhileIdleForEverExitsZero) { expect_sigterm_exits_zero({}); }

TEST(LoggenE2E, SigtermDuringTheIdleStartExitsZero) {
  expect_sigterm_exits_zero({"--rate", "10", "--idle-first", "1h"});
}

// The kB of VmRSS in /proc/PID/status; -1 once the process is gone.
long resident_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  return -1;
}

TEST(LoggenE2E, AllocAfterMakesTheMemoryResidentAndWritingGoesOn) {
  // 40 lines over 2 s; at 300 ms, 48 MiB allocated and touched (charged to
  // a container's memory cgroup as it would be: resident, not just mapped).
  ChildProcess child(command({"--rate", "20", "--count", "40", "--alloc-after", "300ms", "--alloc-mb", "48"}));
  long peak_kb = 0;
  for (int i = 0; i < 150 && peak_kb < 48 * 1024; ++i) {
    std::this_thread::sleep_for(10ms);
    peak_kb = std::max(peak_kb, resident_kb(child.pid()));
  }
  EXPECT_GE(peak_kb, 48 * 1024);
  ChildOutput output = child.finish(10s);
  ASSERT_FALSE(output.timed_out);
  EXPECT_EQ(output.exit_code, 0) << output.err;
  auto by_seq = collect(output, 1);
  EXPECT_EQ(by_seq.size(), 40u);  // every line whole, before and after the allocation
}

TEST(LoggenE2E, DurationEndsAnIdleRun) {
  ChildOutput output = run_child(command({"--duration", "200ms"}));
  ASSERT_FALSE(output.timed_out);
  EXPECT_EQ(output.exit_code, 0);
  EXPECT_EQ(output.out, "");
  EXPECT_EQ(output.err, "");
}

TEST(LoggenE2E, BadFlagIsOneLineAndExitTwo) {
  ChildOutput output = run_child(command({"--rate", "x"}));
  EXPECT_EQ(output.exit_code, 2);
  EXPECT_EQ(output.out, "");
  EXPECT_EQ(output.err,
            "leakcheck-loggen: --rate: invalid value \"x\": expected N or N/DURATION, e.g. 50 or 500/5s, N from 1 to "
            "1000000 (see --help)\n");
}

TEST(LoggenE2E, HelpGoesToStdoutWithExitZero) {
  ChildOutput output = run_child({LOGGEN_BIN, "--help"});
  EXPECT_EQ(output.exit_code, 0);
  EXPECT_TRUE(output.out.starts_with("Usage: leakcheck-loggen --run ID --name NAME")) << output.out;
  EXPECT_EQ(output.err, "");
}

TEST(LoggenE2E, ClosedStdoutIsAWriteErrorAndExitOne) {
  ChildProcess child(command({"--count", "5", "--rate", "1000"}));
  child.close_stdout();
  ChildOutput output = child.finish(10s);
  EXPECT_EQ(output.exit_code, 1);
  EXPECT_EQ(output.err, "leakcheck-loggen: write stdout: Broken pipe\n");
}

TEST(LoggenE2E, BootFileThatCannotBeReadIsExitOne) {
  ChildOutput output = run_child(command({"--boot-file", "/nonexistent-dir/boot", "--count", "1", "--rate", "1"}));
  EXPECT_EQ(output.exit_code, 1);
  EXPECT_EQ(output.err, "leakcheck-loggen: open /nonexistent-dir/boot.tmp: No such file or directory\n");
}

// The image holds no libc: the binary must have no interpreter and no dynamic section.
TEST(LoggenE2E, BinaryIsFullyStatic) {
  if (!LOGGEN_STATIC) GTEST_SKIP() << "a sanitized build links dynamically";
  std::ifstream in(LOGGEN_BIN, std::ios::binary);
  Elf64_Ehdr ehdr{};
  ASSERT_TRUE(in.read(reinterpret_cast<char*>(&ehdr), sizeof ehdr));
  ASSERT_EQ(std::string(reinterpret_cast<const char*>(ehdr.e_ident), 4), "\x7f" "ELF");
  for (int i = 0; i < ehdr.e_phnum; ++i) {
    Elf64_Phdr phdr{};
    in.seekg(static_cast<std::streamoff>(ehdr.e_phoff + static_cast<uint64_t>(i) * ehdr.e_phentsize));
    ASSERT_TRUE(in.read(reinterpret_cast<char*>(&phdr), sizeof phdr));
    EXPECT_NE(phdr.p_type, static_cast<uint32_t>(PT_INTERP));
    EXPECT_NE(phdr.p_type, static_cast<uint32_t>(PT_DYNAMIC));
  }
}

}  // namespace
}  // namespace leakcheck::loggen
