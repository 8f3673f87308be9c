// The ustar writer: header bytes checked field by field, and the archive read
// back by GNU tar (listing and extraction), which verifies every checksum.

#include "harness/tar_writer.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>

#include "tests/e2e/subprocess.h"

namespace leakcheck::harness {
namespace {

namespace fs = std::filesystem;
using leakcheck::testing::run_command;

std::string field(const std::string& tar, size_t header, size_t offset, size_t width) {
  return tar.substr(header + offset, width);
}

unsigned long octal(const std::string& text) { return std::stoul(text, nullptr, 8); }

std::string must(Result<std::string> r) {
  EXPECT_TRUE(r) << r.error().message();
  return r ? *r : std::string();
}

// A scratch directory removed at the end of the test.
struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "leakcheck-tar-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
};

std::string write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  return path.string();
}

std::string read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<TarEntry> sample_entries() {
  return {tar_directory("bin"), tar_file("bin/hello", 0755, "hello\n"), tar_symlink("bin/hi", "hello"),
          tar_directory("tmp", 01777), tar_file("etc-empty", 0600, "")};
}

TEST(TarWriter, HeaderFieldsOfARegularFile) {
  std::vector<TarEntry> entries = {tar_file("bin/hello", 0755, "hello\n")};
  std::string tar = must(write_tar(entries));
  ASSERT_EQ(tar.size(), 512u + 512u + 1024u);  // header, data block, two end blocks

  EXPECT_EQ(field(tar, 0, 0, 10), std::string("bin/hello\0", 10));
  EXPECT_EQ(field(tar, 0, 100, 8), std::string("0000755\0", 8));   // mode
  EXPECT_EQ(field(tar, 0, 108, 8), std::string("0000000\0", 8));   // uid
  EXPECT_EQ(field(tar, 0, 116, 8), std::string("0000000\0", 8));   // gid
  EXPECT_EQ(field(tar, 0, 124, 12), std::string("00000000006\0", 12));  // size
  EXPECT_EQ(field(tar, 0, 136, 12), std::string("00000000000\0", 12));  // mtime: fixed
  EXPECT_EQ(tar[156], '0');                                          // regular file
  EXPECT_EQ(field(tar, 0, 257, 6), std::string("ustar\0", 6));       // POSIX magic
  EXPECT_EQ(field(tar, 0, 263, 2), "00");                            // version
  EXPECT_EQ(field(tar, 0, 265, 5), std::string("root\0", 5));
  EXPECT_EQ(field(tar, 0, 297, 5), std::string("root\0", 5));

  // Checksum: six octal digits, NUL, space; the unsigned byte sum with the
  // field itself read as spaces.
  std::string checksum = field(tar, 0, 148, 8);
  EXPECT_EQ(checksum[6], '\0');
  EXPECT_EQ(checksum[7], ' ');
  std::string header = tar.substr(0, 512);
  header.replace(148, 8, 8, ' ');
  unsigned sum = 0;
  for (char c : header) sum += static_cast<unsigned char>(c);
  EXPECT_EQ(octal(checksum.substr(0, 6)), sum);

  EXPECT_EQ(tar.substr(512, 6), "hello\n");
  EXPECT_EQ(tar.substr(518), std::string(512 - 6 + 1024, '\0'));  // padding, then the end
}

TEST(TarWriter, DirectoriesAndSymlinks) {
  std::vector<TarEntry> entries = {tar_directory("tmp", 01777), tar_symlink("bin/sh", "busybox")};
  std::string tar = must(write_tar(entries));
  ASSERT_EQ(tar.size(), 512u * 2 + 1024u);  // no data blocks
  EXPECT_EQ(field(tar, 0, 0, 5), std::string("tmp/\0", 5));
  EXPECT_EQ(tar[156], '5');
  EXPECT_EQ(field(tar, 0, 100, 8), std::string("0001777\0", 8));
  EXPECT_EQ(field(tar, 0, 124, 12), std::string("00000000000\0", 12));
  EXPECT_EQ(field(tar, 512, 0, 7), std::string("bin/sh\0", 7));
  EXPECT_EQ(tar[512 + 156], '2');
  EXPECT_EQ(field(tar, 512, 157, 8), std::string("busybox\0", 8));
  EXPECT_EQ(field(tar, 512, 100, 8), std::string("0000777\0", 8));
}

TEST(TarWriter, SameEntriesSameBytes) {
  auto entries = sample_entries();
  EXPECT_EQ(must(write_tar(entries)), must(write_tar(entries)));
  auto other = sample_entries();
  other[1].data = "hello!\n";
  EXPECT_NE(must(write_tar(entries)), must(write_tar(other)));
}

TEST(TarWriter, LongPathsUseThePrefixField) {
  std::string dir(120, 'd');
  std::string path = dir + "/" + std::string(90, 'f');  // 211 bytes: prefix 120, name 90
  std::vector<TarEntry> entries = {tar_file(path, 0644, "x")};
  std::string tar = must(write_tar(entries));
  EXPECT_EQ(field(tar, 0, 345, 121), dir + '\0');
  EXPECT_EQ(field(tar, 0, 0, 91), std::string(90, 'f') + '\0');
}

TEST(TarWriter, RefusesWhatUstarCannotHold) {
  auto refused = [](TarEntry e, const std::string& why) {
    std::vector<TarEntry> entries = {std::move(e)};
    auto r = write_tar(entries);
    EXPECT_FALSE(r) << why;
    if (!r) {
      EXPECT_NE(r.error().message().find("tar entry"), std::string::npos) << r.error().message();
    }
  };
  refused(tar_file("", 0644, ""), "empty path");
  refused(tar_file("/etc/passwd", 0644, ""), "absolute");
  refused(tar_file("a/../b", 0644, ""), "dot-dot");
  refused(tar_file("a//b", 0644, ""), "empty component");
  refused(tar_file(std::string(101, 'x'), 0644, ""), "101 bytes, no '/' to split at");
  refused(tar_directory(std::string(100, 'x')), "100 bytes and the trailing '/', no '/' to split at");
  refused(tar_file(std::string(156, 'p') + "/" + std::string(10, 'n'), 0644, ""), "prefix over 155");
  refused(tar_file("f", 010000, ""), "mode");
  refused(tar_symlink("l", std::string(101, 't')), "link target");
}

TEST(TarWriter, GnuTarListsAndExtractsIt) {
  TempDir dir;
  std::string archive = write_file(dir.path / "a.tar", must(write_tar(sample_entries())));
  ::setenv("TZ", "UTC", 1);
  auto listing = run_command({"tar", "-tvf", archive});
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  EXPECT_EQ(listing.err, "");
  EXPECT_EQ(listing.out,
            "drwxr-xr-x root/root         0 1970-01-01 00:00 bin/\n"
            "-rwxr-xr-x root/root         6 1970-01-01 00:00 bin/hello\n"
            "lrwxrwxrwx root/root         0 1970-01-01 00:00 bin/hi -> hello\n"
            "drwxrwxrwt root/root         0 1970-01-01 00:00 tmp/\n"
            "-rw------- root/root         0 1970-01-01 00:00 etc-empty\n");

  fs::path out = dir.path / "x";
  fs::create_directory(out);
  auto extracted = run_command({"tar", "-xf", archive, "-C", out.string()});
  ASSERT_EQ(extracted.exit_code, 0) << extracted.err;
  EXPECT_EQ(read_whole(out / "bin/hello"), "hello\n");
  EXPECT_EQ(fs::read_symlink(out / "bin/hi"), "hello");
  EXPECT_EQ(read_whole(out / "bin/hi"), "hello\n");
  struct stat st {};
  ASSERT_EQ(::stat((out / "bin/hello").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  EXPECT_EQ(fs::file_size(out / "etc-empty"), 0u);
}

TEST(TarWriter, GnuTarReadsLongPathsAndLargeFiles) {
  TempDir dir;
  std::string long_dir = std::string(60, 'd') + "/" + std::string(59, 'e');  // 120 bytes
  std::string long_path = long_dir + "/" + std::string(90, 'f');
  std::string big(3 * 512 + 17, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 + 7);
  std::vector<TarEntry> entries = {tar_directory(std::string(60, 'd')), tar_directory(long_dir),
                                   tar_file(long_path, 0644, big)};
  std::string archive = write_file(dir.path / "b.tar", must(write_tar(entries)));
  auto listing = run_command({"tar", "-tf", archive});
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  EXPECT_EQ(listing.out, std::string(60, 'd') + "/\n" + long_dir + "/\n" + long_path + "\n");
  auto extracted = run_command({"tar", "-xf", archive, "-C", dir.path.string()});
  ASSERT_EQ(extracted.exit_code, 0) << extracted.err;
  EXPECT_EQ(read_whole(dir.path / long_path), big);
}

}  // namespace
}  // namespace leakcheck::harness
