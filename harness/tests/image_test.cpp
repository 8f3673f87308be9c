// The test image's pure parts: its entries, its tag, the static-binary check,
// and the tarball GNU tar reads back.

#include "harness/image.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

#include "harness/sha256.h"
#include "tests/e2e/subprocess.h"
#include "util/file_io.h"

namespace leakcheck::harness {
namespace {

namespace fs = std::filesystem;

TEST(LoggenImage, EntriesInArchiveOrder) {
  auto entries = loggen_rootfs_entries("BUSYBOX", "LOGGEN");
  std::vector<std::string> paths;
  for (const auto& e : entries) paths.push_back(e.path);
  std::vector<std::string> expected = {"bin", "dev", "etc", "proc", "sys", "usr", "usr/local", "usr/local/bin",
                                       "var", "tmp", "bin/busybox"};
  for (auto applet : kBusyboxApplets) expected.push_back("bin/" + std::string(applet));
  expected.push_back("usr/local/bin/leakcheck-loggen");
  EXPECT_EQ(paths, expected);
  EXPECT_EQ(entries[10].data, "BUSYBOX");
  EXPECT_EQ(entries[10].mode, 0755u);
  EXPECT_EQ(entries.back().data, "LOGGEN");
  EXPECT_EQ(entries.back().mode, 0755u);
  EXPECT_EQ(entries[11].type, TarEntryType::symlink);
  EXPECT_EQ(entries[11].target, "busybox");
  EXPECT_EQ(entries[9].mode, 01777u);  // tmp
}

TEST(LoggenImage, TagIsTheFirst12HexOfTheSha256) {
  EXPECT_EQ(image_tag("abc"), "ba7816bf8f01");
  EXPECT_EQ(image_tag(""), "e3b0c44298fc");
}

TEST(LoggenImage, StaticElfCheck) {
  auto busybox = read_file("/bin/busybox");
  ASSERT_TRUE(busybox) << busybox.error().message() << " (Debian package busybox-static)";
  EXPECT_TRUE(check_static_elf(*busybox, "/bin/busybox"));

  auto dynamic = read_file("/bin/ls");
  ASSERT_TRUE(dynamic);
  auto refused = check_static_elf(*dynamic, "/bin/ls");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message().rfind("/bin/ls: dynamically linked", 0), 0u) << refused.error().message();

  auto not_elf = check_static_elf("#!/bin/sh\necho hi\n", "script");
  ASSERT_FALSE(not_elf);
  EXPECT_EQ(not_elf.error().message(), "script: not an ELF executable");
  std::string cut = busybox->substr(0, 64);  // program headers beyond the end
  EXPECT_FALSE(check_static_elf(cut, "cut"));
}

TEST(LoggenImage, TarballOfTheBuiltLoggen) {
#if LOGGEN_STATIC
  auto tar = loggen_rootfs_tar(LOGGEN_BIN);
  ASSERT_TRUE(tar) << tar.error().message();
  EXPECT_EQ(*tar, *loggen_rootfs_tar(LOGGEN_BIN)) << "not deterministic";
  std::string path = (fs::temp_directory_path() / ("leakcheck-image-" + std::to_string(::getpid()) + ".tar")).string();
  std::ofstream(path, std::ios::binary) << *tar;
  auto listing = leakcheck::testing::run_command({"tar", "-tf", path});
  fs::remove(path);
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  std::string expected = "bin/\ndev/\netc/\nproc/\nsys/\nusr/\nusr/local/\nusr/local/bin/\nvar/\ntmp/\nbin/busybox\n";
  for (auto applet : kBusyboxApplets) expected += "bin/" + std::string(applet) + "\n";
  expected += "usr/local/bin/leakcheck-loggen\n";
  EXPECT_EQ(listing.out, expected);
#else
  // A sanitizer build links loggen dynamically: the image refuses it by name.
  auto tar = loggen_rootfs_tar(LOGGEN_BIN);
  ASSERT_FALSE(tar);
  EXPECT_NE(tar.error().message().find("dynamically linked"), std::string::npos);
#endif
}

TEST(LoggenImage, MissingBinaryIsNamed) {
  auto tar = loggen_rootfs_tar("/nonexistent/leakcheck-loggen");
  ASSERT_FALSE(tar);
  EXPECT_NE(tar.error().message().find("/nonexistent/leakcheck-loggen"), std::string::npos) << tar.error().message();
}

}  // namespace
}  // namespace leakcheck::harness
