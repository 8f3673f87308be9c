#pragma once
// leakcheck-loggen's command line. Pure: argv in, Options or one error out.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "loggen/schedule.h"
#include "util/result.h"

namespace leakcheck::loggen {

struct Options {
  bool help = false;
  std::string run_id;
  std::string container;
  // The boot number: given, read and incremented from a counter file, or 1.
  std::optional<uint32_t> boot;
  std::string boot_file;
  Profile profile;
  // A memory hog (the harness's container_oom fault): alloc_after into its
  // life, allocate alloc_mb MiB and touch every page, then keep writing.
  std::optional<Nanos> alloc_after;
  uint64_t alloc_mb = 0;
};

// Parses the arguments after argv[0]. "--flag value" and "--flag=value"; a
// flag given twice is an error. The error's context is one line naming the
// flag, e.g. "--rate: invalid rate \"x\": expected N or N/DURATION, e.g. 50 or 500/5s".
Result<Options> parse_flags(std::span<const std::string_view> args);

// The --help text.
std::string_view usage();

}  // namespace leakcheck::loggen
