#pragma once
// A POSIX ustar archive writer, in memory. Pure: entries in, bytes out.
//
// Made for `docker import` of the test image: regular files, directories and
// symbolic links, owned by root (uid/gid 0, uname/gname "root") with mtime 0,
// written in the order given. The same entries therefore always give the same
// bytes, so a hash of the archive names its content.
//
// Limits (ustar's): a path is at most 255 bytes, split as prefix (155) '/'
// name (100) when over 100; a link target at most 100 bytes; a file below
// 8 GiB; modes within 07777. Paths are relative ("bin/sh"), without "." or
// ".." components; directories are written with a trailing '/'.

#include <cstdint>
#include <span>
#include <string>

#include "util/result.h"

namespace leakcheck::harness {

enum class TarEntryType { file, directory, symlink };

struct TarEntry {
  TarEntryType type = TarEntryType::file;
  std::string path;    // relative, '/'-separated, no trailing '/'
  unsigned mode = 0644;
  std::string data;    // file contents (file only)
  std::string target;  // where the link points, stored as given (symlink only)
};

TarEntry tar_file(std::string path, unsigned mode, std::string data);
TarEntry tar_directory(std::string path, unsigned mode = 0755);
TarEntry tar_symlink(std::string path, std::string target);

inline constexpr std::size_t kTarBlockBytes = 512;

// The archive: a 512-byte header per entry, file data padded to 512 bytes,
// then two zero blocks. An entry that does not fit ustar is an error naming it.
Result<std::string> write_tar(std::span<const TarEntry> entries);

}  // namespace leakcheck::harness
