#include "loggen/flags.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <system_error>

namespace leakcheck::loggen {

namespace {

constexpr uint64_t kMaxLinesPerPeriod = 1'000'000;

// Every flag that takes a value; apply() handles each.
constexpr std::array<std::string_view, 18> kValueFlags{
    "--run",   "--name",     "--boot",       "--boot-file",  "--rate",        "--burst",
    "--idle-first", "--idle-after", "--count", "--duration", "--size",      "--long-every",
    "--long-size",  "--stderr-share", "--seed", "--alloc-after", "--alloc-mb", "--content"};

constexpr std::string_view kUsage =
    R"(Usage: leakcheck-loggen --run ID --name NAME [options]

Writes numbered log lines to stdout and stderr for leakcheck's test containers.
Each line: lc1 r=RUN c=NAME b=BOOT s=SEQ t=REALTIME_NS n=LENGTH o|e PADDING
(spec in loggen/line_format.h). With neither --rate nor --burst it writes
nothing and waits: an idle container.

  --run ID            run id: [A-Za-z0-9_.-], first a letter or digit, at most
                      64 bytes (required)
  --name NAME         container name: the same, at most 128 bytes (required)
  --boot N            boot number to write (default 1)
  --boot-file PATH    read the boot counter from PATH (missing: 0), add 1,
                      write it back and use it; for containers that restart
  --rate N[/DUR]      steady: N lines per DUR (default 1s), evenly spaced
  --burst N/DUR       N lines back to back every DUR
  --idle-first DUR    silent for DUR before the first line
  --idle-after DUR    after DUR of writing, silent for ever (keeps running)
  --count N           exit 0 after N lines
  --duration DUR      exit 0 DUR after starting
  --stderr-share F    fraction 0..1 of lines written to stderr (default 0)
  --size BYTES        line length without '\n' (default 100; at least the header)
  --long-every K      make every K-th line long
  --long-size BYTES   length of long lines (default 40000)
  --seed N            seed for the stderr choice (default 0)
  --content KIND      normal (default) or pathological: invalid UTF-8, control
                      bytes, NUL, CR, ANSI escapes, multi-byte UTF-8, a 1 MiB
                      line every 25th and an empty line after every 10th
                      (loggen/pathological.h); --size and --long-every unused
  --alloc-after DUR   after DUR, allocate --alloc-mb MiB and touch every page,
                      then go on writing: a container's memory limit makes
                      the kernel kill it (an OOM kill on purpose)
  --alloc-mb N        MiB to allocate, 1 to 65536 (needs --alloc-after)
  -h, --help          this text

DUR: 500ms, 10s, 1.5m, 4h, 1d; a bare number is seconds. Sizes at most 1048576.
SIGTERM or SIGINT: exit 0. Exit 1: a write or the boot file failed. Exit 2: bad flags.
)";

Error flag_error(std::string_view flag, const std::string& why) { return Error{0, std::string(flag) + ": " + why}; }

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::optional<uint64_t> parse_unsigned(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Result<uint64_t> parse_count(std::string_view flag, std::string_view text, uint64_t min, uint64_t max) {
  auto value = parse_unsigned(text);
  if (!value || *value < min || *value > max)
    return flag_error(flag, "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                                ", got " + quoted(text));
  return *value;
}

Result<Nanos> parse_flag_duration(std::string_view flag, std::string_view text, bool allow_zero) {
  auto d = parse_duration(text);
  if (!d) return flag_error(flag, d.error().message());
  if (!allow_zero && d->count() == 0) return flag_error(flag, "must be more than 0");
  return *d;
}

// "N" (per second) or "N/DUR". lines * period stays below 2^63 ns, which the
// schedule's offset arithmetic relies on.
Result<Rate> parse_rate(std::string_view flag, std::string_view text, bool period_required) {
  const std::string why = period_required ? "expected N/DURATION, e.g. 500/5s" : "expected N or N/DURATION, e.g. 50 or 500/5s";
  size_t slash = text.find('/');
  if (period_required && slash == std::string_view::npos)
    return flag_error(flag, "invalid value " + quoted(text) + ": " + why);
  auto lines = parse_unsigned(text.substr(0, slash));
  if (!lines || *lines == 0 || *lines > kMaxLinesPerPeriod)
    return flag_error(flag, "invalid value " + quoted(text) + ": " + why + ", N from 1 to 1000000");
  Rate rate{*lines, std::chrono::seconds(1)};
  if (slash != std::string_view::npos) {
    auto period = parse_duration(text.substr(slash + 1));
    if (!period || period->count() == 0)
      return flag_error(flag, "invalid value " + quoted(text) + ": " + why + ", DURATION more than 0");
    rate.period = *period;
  }
  if (rate.period.count() > std::numeric_limits<int64_t>::max() / static_cast<int64_t>(rate.lines))
    return flag_error(flag, quoted(text) + " spans too long a period");
  return rate;
}

Result<double> parse_share(std::string_view flag, std::string_view text) {
  double value = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !(value >= 0 && value <= 1))
    return flag_error(flag, "expected a fraction from 0 to 1, got " + quoted(text));
  return value;
}

Result<std::string> parse_name(std::string_view flag, std::string_view text, size_t max_bytes) {
  if (!valid_name(text, max_bytes))
    return flag_error(flag, "expected 1 to " + std::to_string(max_bytes) +
                                " bytes of [A-Za-z0-9_.-] starting with a letter or digit, got " + quoted(text));
  return std::string(text);
}

// Stores a parsed value, or passes the error on.
template <typename T, typename U>
Status store(Result<T> parsed, U& target) {
  if (!parsed) return parsed.error();
  target = std::move(*parsed);
  return Ok{};
}

Status apply(Options& o, std::string_view flag, std::string_view value) {
  Profile& p = o.profile;
  if (flag == "--run") return store(parse_name(flag, value, kMaxRunIdBytes), o.run_id);
  if (flag == "--name") return store(parse_name(flag, value, kMaxContainerBytes), o.container);
  if (flag == "--boot") {
    auto boot = parse_count(flag, value, 0, std::numeric_limits<uint32_t>::max());
    if (!boot) return boot.error();
    o.boot = static_cast<uint32_t>(*boot);
    return Ok{};
  }
  if (flag == "--boot-file") {
    if (value.empty()) return flag_error(flag, "expected a path");
    o.boot_file = value;
    return Ok{};
  }
  if (flag == "--rate") return store(parse_rate(flag, value, false), p.steady);
  if (flag == "--burst") return store(parse_rate(flag, value, true), p.burst);
  if (flag == "--idle-first") return store(parse_flag_duration(flag, value, true), p.idle_first);
  if (flag == "--idle-after") return store(parse_flag_duration(flag, value, false), p.idle_after);
  if (flag == "--duration") return store(parse_flag_duration(flag, value, false), p.duration);
  if (flag == "--count")
    return store(parse_count(flag, value, 1, std::numeric_limits<uint64_t>::max()), p.count);
  if (flag == "--stderr-share") return store(parse_share(flag, value), p.stderr_share);
  if (flag == "--size") return store(parse_count(flag, value, 0, kMaxLineBytes), p.size_bytes);
  if (flag == "--long-every")
    return store(parse_count(flag, value, 1, std::numeric_limits<uint64_t>::max()), p.long_every);
  if (flag == "--long-size") return store(parse_count(flag, value, 0, kMaxLineBytes), p.long_size_bytes);
  if (flag == "--seed")
    return store(parse_count(flag, value, 0, std::numeric_limits<uint64_t>::max()), p.seed);
  if (flag == "--alloc-after") return store(parse_flag_duration(flag, value, true), o.alloc_after);
  if (flag == "--alloc-mb") return store(parse_count(flag, value, 1, 65536), o.alloc_mb);
  if (flag == "--content") {
    if (value == "normal") p.content = Content::normal;
    else if (value == "pathological") p.content = Content::pathological;
    else return flag_error(flag, "expected normal or pathological, got " + quoted(value));
    return Ok{};
  }
  return Error{0, "unknown flag " + std::string(flag)};
}

// Rules that span flags, checked once all are read.
Status check(const Options& o, const std::set<std::string_view>& seen) {
  if (o.run_id.empty()) return Error{0, "--run is required"};
  if (o.container.empty()) return Error{0, "--name is required"};
  if (seen.contains("--boot") && seen.contains("--boot-file")) return Error{0, "--boot and --boot-file exclude each other"};
  bool writes = o.profile.steady || o.profile.burst;
  for (std::string_view flag : {"--count", "--idle-after"})
    if (seen.contains(flag) && !writes) return flag_error(flag, "needs --rate or --burst (nothing is written without)");
  if (seen.contains("--long-size") && !seen.contains("--long-every")) return Error{0, "--long-size needs --long-every"};
  if (seen.contains("--alloc-after") != seen.contains("--alloc-mb"))
    return Error{0, "--alloc-after and --alloc-mb go together"};
  return Ok{};
}

}  // namespace

Result<Options> parse_flags(std::span<const std::string_view> args) {
  Options options;
  std::set<std::string_view> seen;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h" || arg == "--help") {
      options.help = true;
      return options;
    }
    if (!arg.starts_with("--")) return Error{0, "unexpected argument " + quoted(arg)};

    // "--flag=value" or "--flag value".
    size_t eq = arg.find('=');
    std::string_view flag = arg.substr(0, eq);
    std::string_view value;
    if (std::find(kValueFlags.begin(), kValueFlags.end(), flag) == kValueFlags.end())
      return Error{0, "unknown flag " + std::string(flag)};
    if (eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return Error{0, std::string(flag) + " needs a value"};
    }
    if (!seen.insert(flag).second) return Error{0, std::string(flag) + " given twice"};
    if (auto applied = apply(options, flag, value); !applied) return applied.error();
  }
  if (auto checked = check(options, seen); !checked) return checked.error();
  return options;
}

std::string_view usage() { return kUsage; }

}  // namespace leakcheck::loggen
