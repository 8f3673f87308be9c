#include "harness/image.h"

#include <cstdint>
#include <cstring>

#include "harness/sha256.h"
#include "util/file_io.h"

namespace leakcheck::harness {

namespace asio = boost::asio;

const std::vector<std::string_view> kBusyboxApplets = {
    "cat", "date", "echo", "env", "false", "head", "kill", "ls", "mkdir", "printf",
    "rm", "seq", "sh", "sleep", "tail", "touch", "true", "wc", "yes"};

namespace {

template <typename T>
T read_le(std::string_view bytes, std::size_t offset) {
  T value = 0;
  for (std::size_t i = sizeof(T); i-- > 0;) value = static_cast<T>(value << 8 | static_cast<unsigned char>(bytes[offset + i]));
  return value;
}

}  // namespace

std::vector<TarEntry> loggen_rootfs_entries(std::string busybox, std::string loggen) {
  std::vector<TarEntry> entries;
  for (const char* dir : {"bin", "dev", "etc", "proc", "sys", "usr", "usr/local", "usr/local/bin", "var"})
    entries.push_back(tar_directory(dir, 0755));
  entries.push_back(tar_directory("tmp", 01777));
  entries.push_back(tar_file("bin/busybox", 0755, std::move(busybox)));
  for (std::string_view applet : kBusyboxApplets) entries.push_back(tar_symlink("bin/" + std::string(applet), "busybox"));
  entries.push_back(tar_file(std::string(kLoggenPathInImage.substr(1)), 0755, std::move(loggen)));
  return entries;
}

std::string image_tag(std::string_view tarball) { return sha256_hex(tarball).substr(0, kImageTagHexDigits); }

Status check_static_elf(std::string_view elf, const std::string& what) {
  // ELF64 header: e_ident[16], e_type, e_machine, e_version, e_entry, e_phoff
  // at 32, ..., e_phentsize at 54, e_phnum at 56; program headers start with p_type.
  constexpr std::size_t kHeaderBytes = 64, kPhoff = 32, kPhentsize = 54, kPhnum = 56;
  constexpr std::uint32_t kPtInterp = 3;
  if (elf.size() < kHeaderBytes || elf.substr(0, 4) != "\x7f" "ELF")
    return Error{0, what + ": not an ELF executable"};
  if (elf[4] != 2 || elf[5] != 1) return Error{0, what + ": not a 64-bit little-endian ELF executable"};
  auto phoff = read_le<std::uint64_t>(elf, kPhoff);
  auto phentsize = read_le<std::uint16_t>(elf, kPhentsize);
  auto phnum = read_le<std::uint16_t>(elf, kPhnum);
  if (phentsize < 4 || phoff > elf.size() || (elf.size() - phoff) / phentsize < phnum)
    return Error{0, what + ": truncated ELF program headers"};
  for (std::uint16_t i = 0; i < phnum; ++i) {
    if (read_le<std::uint32_t>(elf, phoff + std::size_t{i} * phentsize) == kPtInterp)
      return Error{0, what + ": dynamically linked (it names a program interpreter); the image has no "
                             "loader or libc, so it needs a static build (e.g. one without LEAKCHECK_SANITIZE)"};
  }
  return Ok{};
}

Result<std::string> loggen_rootfs_tar(const std::string& loggen_path, const std::string& busybox_path) {
  auto busybox = read_file(busybox_path);
  if (!busybox) return busybox.error();
  auto loggen = read_file(loggen_path);
  if (!loggen) return loggen.error();
  for (auto [bytes, path] : {std::pair{&*busybox, &busybox_path}, std::pair{&*loggen, &loggen_path}}) {
    auto is_static = check_static_elf(*bytes, *path);
    if (!is_static) return is_static.error();
  }
  auto entries = loggen_rootfs_entries(std::move(*busybox), std::move(*loggen));
  return write_tar(entries);
}

asio::awaitable<Result<std::string>> ensure_loggen_image(docker::Client& client, const std::string& loggen_path,
                                                         const std::string& busybox_path) {
  // Building the tarball is the only way to know its tag: a few MB, read and
  // hashed in some 10 ms, on the caller's thread.
  auto tarball = loggen_rootfs_tar(loggen_path, busybox_path);
  if (!tarball) co_return tarball.error();
  std::string tag = image_tag(*tarball);
  std::string ref = std::string(kLoggenRepository) + ":" + tag;
  auto exists = co_await client.image_exists(ref);
  if (!exists) co_return exists.error();
  if (*exists) co_return ref;
  auto imported = co_await client.import_image(std::move(*tarball), std::string(kLoggenRepository), tag);
  if (!imported) co_return imported.error();  // it names the request, hence the tag
  co_return ref;
}

}  // namespace leakcheck::harness
