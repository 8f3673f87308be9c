#pragma once
// The test image: leakcheck-loggen and busybox in a root filesystem built in
// memory and given to `docker import`, so no registry is ever asked.
//
// The tarball is deterministic (see tar_writer.h), so the first 12 hex digits
// of its SHA-256 name it: leakcheck-loggen:<tag>. A new loggen or busybox
// binary gives a new tag; an unchanged one finds its image and imports nothing.
//
// Both binaries must be statically linked: the image has no dynamic loader or
// libc. A dynamically linked loggen (e.g. a sanitizer build) is refused with
// an error saying so, instead of containers failing with "no such file".

#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "docker/client.h"
#include "harness/tar_writer.h"
#include "util/result.h"

namespace leakcheck::harness {

inline constexpr std::string_view kLoggenRepository = "leakcheck-loggen";
inline constexpr std::string_view kLoggenPathInImage = "/usr/local/bin/leakcheck-loggen";
inline constexpr std::size_t kImageTagHexDigits = 12;

// The busybox applets linked into /bin, as `docker exec` and scenario
// commands may use them (sh -c, sleep, cat, ...).
extern const std::vector<std::string_view> kBusyboxApplets;

// The image's entries, in archive order: directories, /bin/busybox, applet
// links to it, /usr/local/bin/leakcheck-loggen. Pure.
std::vector<TarEntry> loggen_rootfs_entries(std::string busybox, std::string loggen);

// The tag of the image holding `tarball`: the first 12 hex digits of its SHA-256.
std::string image_tag(std::string_view tarball);

// Ok when `elf` is a 64-bit little-endian ELF executable without a program
// interpreter (PT_INTERP): it runs with no loader and no libc. `what` names it
// in the error.
Status check_static_elf(std::string_view elf, const std::string& what);

// Reads both binaries, checks that they are static, and writes the tarball.
Result<std::string> loggen_rootfs_tar(const std::string& loggen_path,
                                      const std::string& busybox_path = "/bin/busybox");

// "leakcheck-loggen:<tag>", imported through `client` unless an image of that
// name exists already. Errors name the file or the engine request that failed.
boost::asio::awaitable<Result<std::string>> ensure_loggen_image(docker::Client& client,
                                                                const std::string& loggen_path,
                                                                const std::string& busybox_path = "/bin/busybox");

}  // namespace leakcheck::harness
