#include "loggen/boot_counter.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace leakcheck::loggen {
namespace {

TEST(ParseBootCount, ReadsWhatNextBootWrites) {
  EXPECT_EQ(*parse_boot_count("3\n"), 3u);
  EXPECT_EQ(*parse_boot_count("0"), 0u);
  EXPECT_EQ(*parse_boot_count("4294967295\n"), 4294967295u);
}

TEST(ParseBootCount, RejectsAnythingElse) {
  for (std::string_view text : {"", "\n", "x", "-1", "+1", " 3", "3 ", "3\n\n", "4294967296"}) {
    auto count = parse_boot_count(text);
    EXPECT_FALSE(count) << text;
  }
  EXPECT_EQ(parse_boot_count("abc\n").error().message(), "not a boot count: \"abc\"");
}

class NextBoot : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/loggen-boot-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/boot";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string contents() const {
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void write(const std::string& text) const { std::ofstream(path_) << text; }

  std::string dir_;
  std::string path_;
};

TEST_F(NextBoot, CountsStartsFromOne) {
  EXPECT_EQ(*next_boot(path_), 1u);
  EXPECT_EQ(contents(), "1\n");
  EXPECT_EQ(*next_boot(path_), 2u);
  EXPECT_EQ(*next_boot(path_), 3u);
  EXPECT_EQ(contents(), "3\n");
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
}

TEST_F(NextBoot, GoesOnFromAnExistingCount) {
  write("41\n");
  EXPECT_EQ(*next_boot(path_), 42u);
}

TEST_F(NextBoot, AMalformedCounterIsAnErrorAndStaysAsItWas) {
  write("garbage");
  auto boot = next_boot(path_);
  ASSERT_FALSE(boot);
  EXPECT_EQ(boot.error().message(), path_ + ": not a boot count: \"garbage\"");
  EXPECT_EQ(contents(), "garbage");
}

TEST_F(NextBoot, TheLargestCountIsAnError) {
  write("4294967295\n");
  auto boot = next_boot(path_);
  ASSERT_FALSE(boot);
  EXPECT_EQ(boot.error().message(), path_ + ": boot count at its maximum");
}

TEST_F(NextBoot, AMissingDirectoryIsAnError) {
  auto boot = next_boot(dir_ + "/no/such/boot");
  ASSERT_FALSE(boot);
  EXPECT_EQ(boot.error().code, ENOENT);
}

}  // namespace
}  // namespace leakcheck::loggen
