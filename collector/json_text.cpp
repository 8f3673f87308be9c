#include "collector/json_text.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "util/utf8.h"

namespace leakcheck::collector {

namespace {

enum ByteClass : uint8_t { kPlain, kEscape, kNonAscii };

constexpr std::array<uint8_t, 256> make_classes() {
  std::array<uint8_t, 256> classes{};
  for (int c = 0; c < 256; ++c) {
    if (c < 0x20 || c == '"' || c == '\\') classes[c] = kEscape;
    else if (c >= 0x80) classes[c] = kNonAscii;
    else classes[c] = kPlain;
  }
  return classes;
}
constexpr std::array<uint8_t, 256> kClasses = make_classes();

constexpr std::string_view kReplacement = kUtf8Replacement;

// Eight bytes at a time: log text is mostly plain ASCII, and testing a word
// for "any byte below 0x20, '"', '\\' or above 0x7F" costs what testing one
// byte does. (Bit tricks from "Bit Twiddling Hacks": a byte below n, a zero byte.)
constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighBits = 0x8080808080808080ull;

constexpr uint64_t has_zero_byte(uint64_t v) { return (v - kOnes) & ~v & kHighBits; }

bool all_plain(const char* bytes) {
  uint64_t w;
  std::memcpy(&w, bytes, sizeof w);
  const uint64_t special = (w & kHighBits) | ((w - kOnes * 0x20) & ~w & kHighBits) |
                           has_zero_byte(w ^ (kOnes * '"')) | has_zero_byte(w ^ (kOnes * '\\'));
  return special == 0;
}

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: break;
  }
  const char escaped[6] = {'\\', 'u', '0', '0', "0123456789abcdef"[c >> 4], "0123456789abcdef"[c & 0xf]};
  out.append(escaped, sizeof escaped);
}

}  // namespace

void append_json_escaped(std::string& out, std::string_view text) {
  size_t plain_from = 0;  // start of the bytes to copy as they are
  size_t i = 0;
  while (i < text.size()) {
    if (text.size() - i >= 8 && all_plain(text.data() + i)) {
      i += 8;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    const uint8_t cls = kClasses[c];
    if (cls == kPlain) {
      ++i;
      continue;
    }
    if (cls == kNonAscii) {
      size_t bad = 0;
      if (size_t n = utf8_sequence(text.substr(i), bad); n > 0) {
        i += n;  // well-formed: copied with the plain bytes around it
        continue;
      }
      out.append(text.data() + plain_from, i - plain_from);
      out += kReplacement;
      i += bad;
      plain_from = i;
      continue;
    }
    out.append(text.data() + plain_from, i - plain_from);
    append_escape(out, c);
    plain_from = ++i;
  }
  out.append(text.data() + plain_from, text.size() - plain_from);
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  append_json_escaped(out, text);
  out += '"';
}

}  // namespace leakcheck::collector
