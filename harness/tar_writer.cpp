#include "harness/tar_writer.h"

#include <array>
#include <cstring>
#include <string_view>

namespace leakcheck::harness {

namespace {

// Field offsets and widths of the ustar header (POSIX.1-1988).
constexpr std::size_t kName = 0, kNameBytes = 100;
constexpr std::size_t kMode = 100, kUid = 108, kGid = 116, kIdBytes = 8;
constexpr std::size_t kSize = 124, kMtime = 136, kTimeBytes = 12;
constexpr std::size_t kChecksum = 148, kChecksumBytes = 8;
constexpr std::size_t kTypeflag = 156;
constexpr std::size_t kLinkname = 157;
constexpr std::size_t kMagic = 257, kVersion = 263;
constexpr std::size_t kUname = 265, kGname = 297;
constexpr std::size_t kDevmajor = 329, kDevminor = 337;
constexpr std::size_t kPrefix = 345, kPrefixBytes = 155;

constexpr std::uint64_t kMaxFileBytes = (std::uint64_t{1} << 33) - 1;  // 11 octal digits

using Header = std::array<char, kTarBlockBytes>;

// `width - 1` zero-padded octal digits and a NUL, the ustar convention.
void put_octal(Header& h, std::size_t offset, std::size_t width, std::uint64_t value) {
  for (std::size_t i = width - 1; i-- > 0;) {
    h[offset + i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  h[offset + width - 1] = '\0';
}

void put_text(Header& h, std::size_t offset, std::string_view text) {
  std::memcpy(h.data() + offset, text.data(), text.size());
}

Error entry_error(const TarEntry& e, const std::string& why) {
  return Error{0, "tar entry \"" + e.path + "\": " + why};
}

Status check_path(const TarEntry& e) {
  std::string_view p = e.path;
  if (p.empty()) return entry_error(e, "empty path");
  if (p.front() == '/' || p.back() == '/') return entry_error(e, "must be relative, without a trailing '/'");
  std::size_t start = 0;
  while (start <= p.size()) {
    std::size_t slash = p.find('/', start);
    std::string_view part = p.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part.empty() || part == "." || part == "..") return entry_error(e, "empty, \".\" or \"..\" component");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (p.find('\0') != std::string_view::npos) return entry_error(e, "NUL in path");
  return Ok{};
}

// Puts `path` into name, or prefix '/' name when it is longer than 100 bytes.
Status put_path(Header& h, const TarEntry& e, const std::string& path) {
  if (path.size() <= kNameBytes) {
    put_text(h, kName, path);
    return Ok{};
  }
  // The split must leave at most 100 bytes after a '/' and at most 155 before it.
  std::size_t slash = path.find('/', path.size() - kNameBytes - 1);
  if (slash == std::string::npos || slash > kPrefixBytes || slash == 0 || path.size() - slash - 1 == 0)
    return entry_error(e, "path too long for ustar (at most 155 bytes, '/', 100 bytes)");
  put_text(h, kPrefix, std::string_view(path).substr(0, slash));
  put_text(h, kName, std::string_view(path).substr(slash + 1));
  return Ok{};
}

// The checksum: the sum of the header's bytes as unsigned, its own field
// counted as eight spaces; written as six octal digits, NUL, space.
void put_checksum(Header& h) {
  std::memset(h.data() + kChecksum, ' ', kChecksumBytes);
  unsigned sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  put_octal(h, kChecksum, 7, sum);
  h[kChecksum + 7] = ' ';
}

Result<Header> make_header(const TarEntry& e) {
  if (auto ok = check_path(e); !ok) return ok.error();
  if (e.mode > 07777) return entry_error(e, "mode above 07777");
  Header h{};
  std::string path = e.type == TarEntryType::directory ? e.path + "/" : e.path;
  if (auto ok = put_path(h, e, path); !ok) return ok.error();
  std::uint64_t size = 0;
  char type = '0';
  switch (e.type) {
    case TarEntryType::file:
      if (e.data.size() > kMaxFileBytes) return entry_error(e, "file of 8 GiB or more");
      size = e.data.size();
      break;
    case TarEntryType::directory:
      type = '5';
      break;
    case TarEntryType::symlink:
      if (e.target.empty() || e.target.size() > kNameBytes)
        return entry_error(e, "link target must be 1 to 100 bytes");
      type = '2';
      put_text(h, kLinkname, e.target);
      break;
  }
  put_octal(h, kMode, kIdBytes, e.mode);
  put_octal(h, kUid, kIdBytes, 0);
  put_octal(h, kGid, kIdBytes, 0);
  put_octal(h, kSize, kTimeBytes, size);
  put_octal(h, kMtime, kTimeBytes, 0);  // fixed, so that the bytes depend on content alone
  h[kTypeflag] = type;
  put_text(h, kMagic, std::string_view("ustar\0", 6));
  put_text(h, kVersion, "00");
  put_text(h, kUname, "root");
  put_text(h, kGname, "root");
  put_octal(h, kDevmajor, kIdBytes, 0);
  put_octal(h, kDevminor, kIdBytes, 0);
  put_checksum(h);
  return h;
}

}  // namespace

TarEntry tar_file(std::string path, unsigned mode, std::string data) {
  TarEntry e;
  e.type = TarEntryType::file;
  e.path = std::move(path);
  e.mode = mode;
  e.data = std::move(data);
  return e;
}

TarEntry tar_directory(std::string path, unsigned mode) {
  TarEntry e;
  e.type = TarEntryType::directory;
  e.path = std::move(path);
  e.mode = mode;
  return e;
}

TarEntry tar_symlink(std::string path, std::string target) {
  TarEntry e;
  e.type = TarEntryType::symlink;
  e.path = std::move(path);
  e.mode = 0777;
  e.target = std::move(target);
  return e;
}

Result<std::string> write_tar(std::span<const TarEntry> entries) {
  std::size_t total = 2 * kTarBlockBytes;
  for (const TarEntry& e : entries) total += kTarBlockBytes + (e.data.size() + kTarBlockBytes - 1) / kTarBlockBytes * kTarBlockBytes;
  std::string out;
  out.reserve(total);
  for (const TarEntry& e : entries) {
    auto header = make_header(e);
    if (!header) return header.error();
    out.append(header->data(), header->size());
    if (e.type != TarEntryType::file) continue;
    out += e.data;
    out.append((kTarBlockBytes - e.data.size() % kTarBlockBytes) % kTarBlockBytes, '\0');
  }
  out.append(2 * kTarBlockBytes, '\0');  // the end of the archive
  return out;
}

}  // namespace leakcheck::harness
