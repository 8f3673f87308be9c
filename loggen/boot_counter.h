#pragma once
// The boot number of a container that restarts.
//
// `docker restart` and restart policies run the same command line again, so
// no flag can tell one start from the next; the container's writable layer can.
// It survives a restart and goes with the container, so a counter file there
// (e.g. /boot) counts exactly the starts of this container. A recreated
// container starts again at 1: the harness gives it a new name or --boot.

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace leakcheck::loggen {

// The counter file's text: a decimal count, optionally followed by '\n'.
Result<uint32_t> parse_boot_count(std::string_view text);

// Reads the count in `path` (0 when the file does not exist), writes count + 1
// back and returns it: 1 on the first start. The new count goes to a
// temporary file renamed over `path`, so a process killed midway leaves the
// old count or the new one, never a torn file.
Result<uint32_t> next_boot(const std::string& path);

}  // namespace leakcheck::loggen
