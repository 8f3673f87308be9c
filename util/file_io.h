#pragma once
// Small, allocation-conscious readers for /proc and /sys files.

#include <fcntl.h>

#include <string>
#include <string_view>

#include "util/result.h"

namespace leakcheck {

// Reads a whole file. /proc files report st_size 0, so this reads until EOF.
// `dirfd` is a directory to resolve `path` against (AT_FDCWD for none).
Result<std::string> read_file_at(int dirfd, const char* path);
inline Result<std::string> read_file(const std::string& path) { return read_file_at(AT_FDCWD, path.c_str()); }

// Reads a symlink's target (e.g. /proc/PID/fd/N).
Result<std::string> read_link_at(int dirfd, const char* path);

}  // namespace leakcheck
