#include "loggen/flags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace leakcheck::loggen {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Result<Options> parse(std::vector<std::string_view> args) { return parse_flags(args); }

std::string error_of(std::vector<std::string_view> args) {
  auto options = parse(std::move(args));
  return options ? "(parsed)" : options.error().message();
}

TEST(Flags, TheDocumentedExample) {
  auto o = parse({"--run", "ID", "--name", "NAME", "--rate", "50", "--stderr-share", "0.2", "--size", "120",
                  "--long-every", "100", "--long-size", "40000", "--idle-first", "10s", "--burst", "500/5s",
                  "--count", "1000", "--seed", "42"});
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_FALSE(o->help);
  EXPECT_EQ(o->run_id, "ID");
  EXPECT_EQ(o->container, "NAME");
  EXPECT_FALSE(o->boot);
  EXPECT_EQ(o->boot_file, "");
  const Profile& p = o->profile;
  ASSERT_TRUE(p.steady);
  EXPECT_EQ(p.steady->lines, 50u);
  EXPECT_EQ(p.steady->period, seconds(1));
  ASSERT_TRUE(p.burst);
  EXPECT_EQ(p.burst->lines, 500u);
  EXPECT_EQ(p.burst->period, seconds(5));
  EXPECT_EQ(p.stderr_share, 0.2);
  EXPECT_EQ(p.size_bytes, 120u);
  EXPECT_EQ(p.long_every, 100u);
  EXPECT_EQ(p.long_size_bytes, 40000u);
  EXPECT_EQ(p.idle_first, seconds(10));
  EXPECT_EQ(p.count, 1000u);
  EXPECT_FALSE(p.duration);
  EXPECT_FALSE(p.idle_after);
  EXPECT_EQ(p.seed, 42u);
}

TEST(Flags, DefaultsAreAnIdleContainer) {
  auto o = parse({"--run", "r", "--name", "n"});
  ASSERT_TRUE(o);
  const Profile& p = o->profile;
  EXPECT_FALSE(p.steady);
  EXPECT_FALSE(p.burst);
  EXPECT_FALSE(p.count);
  EXPECT_FALSE(p.duration);
  EXPECT_EQ(p.idle_first, seconds(0));
  EXPECT_EQ(p.stderr_share, 0.0);
  EXPECT_EQ(p.size_bytes, 100u);
  EXPECT_EQ(p.long_every, 0u);
  EXPECT_EQ(p.seed, 0u);
}

TEST(Flags, EqualsFormRatesWithPeriodsAndBootFlags) {
  auto o = parse({"--run=r", "--name=n", "--rate=1/10s", "--duration=1.5m", "--idle-after=500ms", "--boot=7"});
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_EQ(o->profile.steady->lines, 1u);
  EXPECT_EQ(o->profile.steady->period, seconds(10));
  EXPECT_EQ(o->profile.duration, seconds(90));
  EXPECT_EQ(o->profile.idle_after, milliseconds(500));
  EXPECT_EQ(o->boot, 7u);

  auto f = parse({"--run", "r", "--name", "n", "--boot-file", "/boot"});
  ASSERT_TRUE(f);
  EXPECT_EQ(f->boot_file, "/boot");
  EXPECT_FALSE(f->boot);
}

TEST(Flags, AMemoryHogAllocatesOnceAfterADelay) {
  auto o = parse({"--run", "r", "--name", "n", "--rate", "5", "--alloc-after", "10s", "--alloc-mb", "200"});
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_EQ(o->alloc_after, seconds(10));
  EXPECT_EQ(o->alloc_mb, 200u);
  auto plain = parse({"--run", "r", "--name", "n"});
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->alloc_after);
  EXPECT_EQ(plain->alloc_mb, 0u);
}

TEST(Flags, HelpWinsOverEverythingElse) {
  for (std::string_view flag : {"--help", "-h"}) {
    auto o = parse({"--rate", "50", flag});
    ASSERT_TRUE(o);
    EXPECT_TRUE(o->help);
  }
}

TEST(Flags, ErrorsNameTheFlagInOneLine) {
  struct Case {
    std::vector<std::string_view> args;
    std::string error;
  };
  const std::string rn[] = {"--run", "r", "--name", "n"};
  auto with = [&](std::vector<std::string_view> more) {
    std::vector<std::string_view> args(std::begin(rn), std::end(rn));
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  const Case cases[] = {
      {with({"--frobnicate", "1"}), "unknown flag --frobnicate"},
      {with({"--frobnicate"}), "unknown flag --frobnicate"},
      {with({"extra"}), "unexpected argument \"extra\""},
      {with({"--rate"}), "--rate needs a value"},
      {with({"--rate", "5", "--rate", "6"}), "--rate given twice"},
      {with({"--rate", "x"}),
       "--rate: invalid value \"x\": expected N or N/DURATION, e.g. 50 or 500/5s, N from 1 to 1000000"},
      {with({"--rate", "0"}),
       "--rate: invalid value \"0\": expected N or N/DURATION, e.g. 50 or 500/5s, N from 1 to 1000000"},
      {with({"--rate", "5/0s"}),
       "--rate: invalid value \"5/0s\": expected N or N/DURATION, e.g. 50 or 500/5s, DURATION more than 0"},
      {with({"--rate", "1000000/300d"}), "--rate: \"1000000/300d\" spans too long a period"},
      {with({"--burst", "500"}), "--burst: invalid value \"500\": expected N/DURATION, e.g. 500/5s"},
      {with({"--stderr-share", "1.5"}), "--stderr-share: expected a fraction from 0 to 1, got \"1.5\""},
      {with({"--stderr-share", "nan"}), "--stderr-share: expected a fraction from 0 to 1, got \"nan\""},
      {with({"--size", "1048577"}), "--size: expected a whole number from 0 to 1048576, got \"1048577\""},
      {with({"--size", "-1"}), "--size: expected a whole number from 0 to 1048576, got \"-1\""},
      {with({"--count", "0", "--rate", "1"}),
       "--count: expected a whole number from 1 to 18446744073709551615, got \"0\""},
      {with({"--idle-first", "10x"}),
       "--idle-first: invalid duration \"10x\": unknown unit (use ns, us, ms, s, m, h or d)"},
      {with({"--duration", "0s"}), "--duration: must be more than 0"},
      {with({"--boot", "4294967296"}), "--boot: expected a whole number from 0 to 4294967295, got \"4294967296\""},
      {with({"--count", "10"}), "--count: needs --rate or --burst (nothing is written without)"},
      {with({"--idle-after", "1s"}), "--idle-after: needs --rate or --burst (nothing is written without)"},
      {with({"--long-size", "20000"}), "--long-size needs --long-every"},
      {with({"--boot", "1", "--boot-file", "/boot"}), "--boot and --boot-file exclude each other"},
      {with({"--alloc-after", "10s"}), "--alloc-after and --alloc-mb go together"},
      {with({"--alloc-mb", "100"}), "--alloc-after and --alloc-mb go together"},
      {with({"--alloc-after", "1s", "--alloc-mb", "0"}), "--alloc-mb: expected a whole number from 1 to 65536, got \"0\""},
      {{"--name", "n"}, "--run is required"},
      {{"--run", "r"}, "--name is required"},
      {{"--run", "r", "--name", "a b"}, "--name: expected 1 to 128 bytes of [A-Za-z0-9_.-] starting with a letter or digit, got \"a b\""},
      {{"--run", "r/1", "--name", "n"}, "--run: expected 1 to 64 bytes of [A-Za-z0-9_.-] starting with a letter or digit, got \"r/1\""},
      {{"--run", "--name", "n"}, "--run: expected 1 to 64 bytes of [A-Za-z0-9_.-] starting with a letter or digit, got \"--name\""},
  };
  for (const Case& c : cases) EXPECT_EQ(error_of(c.args), c.error);
}

TEST(Flags, UsageListsEveryFlag) {
  for (std::string_view flag : {"--run", "--name", "--boot", "--boot-file", "--rate", "--burst", "--idle-first",
                                "--idle-after", "--count", "--duration", "--stderr-share", "--size", "--long-every",
                                "--long-size", "--seed", "--alloc-after", "--alloc-mb", "--help"}) {
    EXPECT_NE(usage().find(std::string(flag) + " "), std::string_view::npos) << flag;
    // ...and the parser knows each one (an unknown flag would say so).
    if (flag != "--help") {
      EXPECT_EQ(error_of({flag}), std::string(flag) + " needs a value");
    }
  }
}

}  // namespace
}  // namespace leakcheck::loggen
