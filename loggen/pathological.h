#pragma once
// `--content pathological`: the lines a collector finds hardest to carry.
// Pure and deterministic from the seq, so a test can say what any line was.
//
// Line seq is, by seq:
//   seq % kHugeEvery == kHugeEvery - 1   a kHugeBytes (1 MiB) line of ordinary
//       padding: longer than leakcheck-collector's default max line (256 KiB),
//       so it must arrive cut and marked (Integrity::cut_marked)
//   otherwise an opaque line (line_format.h) whose payload is, by seq % 7:
//     0 invalid UTF-8: lone continuation bytes, truncated sequences, overlong
//       encodings, a surrogate, beyond U+10FFFF, 0xFE and 0xFF
//     1 every byte 0x01..0x1F but '\n', and DEL
//     2 NUL bytes
//     3 a CR in the middle of the line
//     4 ANSI escape sequences (colours, erase line)
//     5 valid multi-byte UTF-8: emoji, CJK, accented Latin, a 4-byte sequence
//     6 the characters JSON and HTML escape: " \ / < > & '
//   each ending in "#<seq>", so payloads of two lines never pass for each other.
// After every line with seq % kEmptyEvery == kEmptyEvery - 1 comes an empty
// line (just "\n", in the same write): no header, no seq.

#include <cstddef>
#include <cstdint>
#include <string>

#include "loggen/line_format.h"

namespace leakcheck::loggen {

enum class Content { normal, pathological };

enum class PathologicalKind {
  invalid_utf8,
  control_bytes,
  nul_bytes,
  carriage_return,
  ansi_escapes,
  multibyte_utf8,
  json_specials,
  huge,
};

inline constexpr uint64_t kHugeEvery = 25;
inline constexpr size_t kHugeBytes = 1024 * 1024;
inline constexpr uint64_t kEmptyEvery = 10;

PathologicalKind pathological_kind(uint64_t seq);
const char* pathological_kind_name(PathologicalKind kind);

// The payload of an opaque line of this kind (not `huge`), without the mark.
std::string pathological_payload(PathologicalKind kind, uint64_t seq);

// Appends line header.seq of a pathological container and its '\n', then
// the empty line that follows it, if one does.
void append_pathological_line(std::string& out, const LineHeader& header);

}  // namespace leakcheck::loggen
