#include "harness/engine_process.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace leakcheck::harness {
namespace {

using namespace std::string_literals;

TEST(EngineProcess, SplitsProcCmdline) {
  // /proc/<pid>/cmdline: each argument ends with a NUL.
  EXPECT_EQ(split_nul("dockerd\0--iptables=false\0--bridge=none\0"s),
            (std::vector<std::string>{"dockerd", "--iptables=false", "--bridge=none"}));
  EXPECT_EQ(split_nul("PATH=/usr/bin\0EMPTY=\0"s), (std::vector<std::string>{"PATH=/usr/bin", "EMPTY="}));
  EXPECT_EQ(split_nul("no-terminator"), std::vector<std::string>{"no-terminator"});
  EXPECT_TRUE(split_nul("").empty());
}

TEST(EngineProcess, FindsExactlyOneProcessByName) {
  auto none = find_engine("no-such-process-xyz");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message(), "no running no-such-process-xyz process");
  // This test's own process, found by its comm (at most 15 characters).
  std::string comm = "harness_test";
  auto self = find_engine(comm);
  ASSERT_TRUE(self.ok()) << self.error().message();
  EXPECT_EQ(self->pid, ::getpid());
  EXPECT_FALSE(self->argv.empty());
  EXPECT_FALSE(self->env.empty());
  EXPECT_FALSE(self->exe.empty());
}

}  // namespace
}  // namespace leakcheck::harness
