#include "loggen/pathological.h"

#include <string_view>

namespace leakcheck::loggen {

namespace {

using namespace std::string_view_literals;

// Ill-formed UTF-8, one case between each '|': a lone continuation byte, two;
// "\xE2\x82" (the euro sign cut short) and "\xF0\x9F\x98" (an emoji cut
// short); overlong '/' in 2 and 3 bytes; a UTF-16 surrogate; beyond
// U+10FFFF; bytes never used in UTF-8.
constexpr std::string_view kInvalidUtf8 =
    "bad:\x80|\xBF\x80|\xE2\x82|\xF0\x9F\x98|\xC0\xAF|\xE0\x80\xAF|\xED\xA0\x80|\xF4\x90\x80\x80|\xFE|\xFF"sv;
constexpr std::string_view kNulBytes = "nul:\0a\0\0b\0"sv;
constexpr std::string_view kCarriageReturn = "cr:before\rafter"sv;
constexpr std::string_view kAnsiEscapes = "ansi:\x1b[31mred\x1b[0m\x1b[1;32mbold-green\x1b[0m\x1b[2K\x1b]0;title\x07"sv;
// U+1F600, U+4E2D U+6587, U+00E9, U+20AC, U+10348.
constexpr std::string_view kMultibyte = "utf8:\xF0\x9F\x98\x80\xE4\xB8\xAD\xE6\x96\x87\xC3\xA9\xE2\x82\xAC\xF0\x90\x8D\x88"sv;
constexpr std::string_view kJsonSpecials = R"(json:"\/<>&'")"sv;

std::string control_bytes() {
  std::string out = "ctl:";
  for (char c = 0x01; c < 0x20; ++c)
    if (c != '\n') out += c;
  out += '\x7f';
  return out;
}

}  // namespace

PathologicalKind pathological_kind(uint64_t seq) {
  if (seq % kHugeEvery == kHugeEvery - 1) return PathologicalKind::huge;
  return static_cast<PathologicalKind>(seq % 7);
}

const char* pathological_kind_name(PathologicalKind kind) {
  switch (kind) {
    case PathologicalKind::invalid_utf8: return "invalid_utf8";
    case PathologicalKind::control_bytes: return "control_bytes";
    case PathologicalKind::nul_bytes: return "nul_bytes";
    case PathologicalKind::carriage_return: return "carriage_return";
    case PathologicalKind::ansi_escapes: return "ansi_escapes";
    case PathologicalKind::multibyte_utf8: return "multibyte_utf8";
    case PathologicalKind::json_specials: return "json_specials";
    case PathologicalKind::huge: return "huge";
  }
  return "huge";
}

std::string pathological_payload(PathologicalKind kind, uint64_t seq) {
  std::string out;
  switch (kind) {
    case PathologicalKind::invalid_utf8: out = kInvalidUtf8; break;
    case PathologicalKind::control_bytes: out = control_bytes(); break;
    case PathologicalKind::nul_bytes: out = kNulBytes; break;
    case PathologicalKind::carriage_return: out = kCarriageReturn; break;
    case PathologicalKind::ansi_escapes: out = kAnsiEscapes; break;
    case PathologicalKind::multibyte_utf8: out = kMultibyte; break;
    case PathologicalKind::json_specials: out = kJsonSpecials; break;
    case PathologicalKind::huge: break;
  }
  out += '#';
  out += std::to_string(seq);
  return out;
}

void append_pathological_line(std::string& out, const LineHeader& header) {
  PathologicalKind kind = pathological_kind(header.seq);
  if (kind == PathologicalKind::huge) {
    append_line(out, header, kHugeBytes);
  } else {
    append_opaque_line(out, header, pathological_payload(kind, header.seq));
  }
  out += '\n';
  if (header.seq % kEmptyEvery == kEmptyEvery - 1) out += '\n';
}

}  // namespace leakcheck::loggen
