#pragma once
// The lines leakcheck-loggen writes and the verifying receiver reads back.
// Pure: no I/O, no clocks; both sides of a run share this file.
//
// A line (the text without its '\n') is a header, then padding:
//
//   lc1 r=<run> c=<name> b=<boot> s=<seq> t=<time_ns> n=<size> <o|e> <padding>
//   lc1 r=smoke-1 c=steady-3 b=1 s=0 t=1718000000123456789 n=80 o 0123456789ABCDEFGH
//
//   lc1      magic and format version; a line not starting with "lc1 " is not ours
//   r=       run id: 1..64 bytes of [A-Za-z0-9][A-Za-z0-9_.-]*
//   c=       container name: 1..128 bytes of the same (Docker's name rule)
//   b=       boot: how many times this container's loggen has started (1 = first)
//   s=       sequence number within the boot, from 0, contiguous
//   t=       generation time, CLOCK_REALTIME in ns since the epoch, taken just
//            before the line was written
//   n=       the line's length in bytes as written, '\n' excluded, header included
//   o|e      the stream written to: fd 1 or fd 2
//
// Numbers are decimal without sign or leading zeros (b fits 32 bits, s, t and n
// 64 bits; t below 2^63). Fields are single-spaced and in this order. The header
// ends with the space after the stream letter, so the shortest line is the
// header alone: a requested size below the header's length gives that length.
//
// Padding is n - header length bytes of [0-9A-Za-z], never a space: the byte at
// offset i of the line (counted from the 'l' of "lc1") is
// kPadAlphabet[(i + seq) % 62]. Offsets, not a fixed string, so a 16 KiB piece
// of a long line that the daemon split and a collector lost, repeated or
// reordered shows as wrong bytes or a wrong length, and the seq term keeps
// pieces of different lines from passing for one another.
//
// Reading back: after the header, the padding runs to the first space or the
// end of the text; anything from that space on is a suffix a collector added
// (leakcheck-collector's truncation mark is " [truncated by leakcheck-collector]").
//
// Opaque lines (`--content pathological`, loggen/pathological.h): the header,
// then kOpaqueMark '~', then a payload of arbitrary bytes (invalid UTF-8,
// control bytes, NUL, CR, ANSI escapes, spaces) but '\n'. n= is still the
// length as written. No pattern can check such bytes once the daemon and JSON
// have replaced what is not UTF-8, so parse_line only says `opaque`: the
// receiver compares the text with the daemon's own copy of the line
// (receiver/content_digest.h).
// Since n is in the header, a line cut anywhere after the header is still
// attributed to its (run, container, boot, seq) and known to be short. (A line
// cut just before the header's last space and then marked reads as cut and
// marked too: the mark's leading space completes the header.)

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leakcheck::loggen {

inline constexpr std::string_view kMagic = "lc1 ";
inline constexpr std::string_view kPadAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// Must match kTruncationMark in collector/sink_format.h.
inline constexpr std::string_view kCollectorTruncationMark = " [truncated by leakcheck-collector]";
// Starts the payload of an opaque line (not in kPadAlphabet, not a space).
inline constexpr char kOpaqueMark = '~';
inline constexpr size_t kMaxRunIdBytes = 64;
inline constexpr size_t kMaxContainerBytes = 128;

enum class Stream { out, err };  // fd 1, fd 2

struct LineHeader {
  std::string_view run_id;
  std::string_view container;
  uint32_t boot = 0;
  uint64_t seq = 0;
  int64_t time_ns = 0;
  Stream stream = Stream::out;
};

// Whether `text` may be a run id (max_bytes = kMaxRunIdBytes) or a container
// name (kMaxContainerBytes): 1 to max_bytes of [A-Za-z0-9][A-Za-z0-9_.-]*.
bool valid_name(std::string_view text, size_t max_bytes);

// The length of a line for `header` asked to be `size_bytes` long: size_bytes,
// or the header's own length when that is longer.
size_t line_length(const LineHeader& header, size_t size_bytes);

// Appends the line (without '\n') to `out`. The header's run id and container
// must pass valid_name; flags are checked before any line is made.
void append_line(std::string& out, const LineHeader& header, size_t size_bytes);
std::string format_line(const LineHeader& header, size_t size_bytes);

// Appends an opaque line (without '\n'): the header with n= the whole
// length, kOpaqueMark, then `payload` as it is (it must hold no '\n').
void append_opaque_line(std::string& out, const LineHeader& header, std::string_view payload);

// How much of a line arrived, and how it looks.
enum class Integrity {
  complete,      // exactly the line as written
  cut,           // a prefix of it, at least the whole header, nothing added
  cut_marked,    // a prefix followed by kCollectorTruncationMark
  corrupt,       // a valid header, but bytes that loggen did not write that way
  opaque,        // a valid header and an opaque payload: checked against the daemon's copy, not here
};

struct ParsedLine {
  // Views into the parsed text: copy them before it goes away.
  std::string_view run_id;
  std::string_view container;
  uint32_t boot = 0;
  uint64_t seq = 0;
  int64_t time_ns = 0;
  Stream stream = Stream::out;
  uint64_t size_bytes = 0;      // n=: the length as written
  uint64_t received_bytes = 0;  // header plus padding up to the first space or the end
  std::string_view suffix;      // from that space to the end; empty when none
  Integrity integrity = Integrity::corrupt;
};

// Parses a line as the receiver got it (no '\n'; from a TTY without the '\r').
// nullopt when the text is no loggen line: other output, or a header that is
// cut or malformed. Otherwise the fields and how whole the line is. Does not
// allocate; linear in the text's length.
std::optional<ParsedLine> parse_line(std::string_view text);

const char* integrity_name(Integrity integrity);

}  // namespace leakcheck::loggen
