#include "loggen/boot_counter.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <charconv>
#include <limits>
#include <system_error>

#include "util/file_io.h"
#include "util/unique_fd.h"

namespace leakcheck::loggen {

namespace {

Status write_all(int fd, std::string_view bytes, const std::string& what) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write " + what);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Ok{};
}

}  // namespace

Result<uint32_t> parse_boot_count(std::string_view text) {
  if (text.ends_with('\n')) text.remove_suffix(1);
  uint32_t count = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    return Error{0, "not a boot count: \"" + std::string(text.substr(0, 40)) + "\""};
  return count;
}

Result<uint32_t> next_boot(const std::string& path) {
  // The count so far; a file that is there but unreadable or malformed is an
  // error, not a fresh start, or two boots would share a number.
  uint32_t previous = 0;
  auto text = read_file(path);
  if (!text && text.error().code != ENOENT) return text.error();
  if (text) {
    auto parsed = parse_boot_count(*text);
    if (!parsed) return Error{0, path + ": " + parsed.error().context};
    previous = *parsed;
  }
  if (previous == std::numeric_limits<uint32_t>::max()) return Error{0, path + ": boot count at its maximum"};
  uint32_t boot = previous + 1;

  // Write-then-rename. No fsync: the count matters across container restarts,
  // which keep the page cache; a host crash ends the run anyway.
  std::string temp = path + ".tmp";
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return errno_error("open " + temp);
  if (auto written = write_all(fd.get(), std::to_string(boot) + "\n", temp); !written) return written.error();
  fd.reset();
  if (::rename(temp.c_str(), path.c_str()) != 0) return errno_error("rename " + temp + " to " + path);
  return boot;
}

}  // namespace leakcheck::loggen
