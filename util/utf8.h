#pragma once
// UTF-8 well-formedness, shared by everything that must turn arbitrary log
// bytes into valid Unicode the same way: the collector's JSON writer, the
// receiver's content check, the JUnit writer.

#include <cstddef>
#include <string_view>

namespace leakcheck {

// The length of the well-formed UTF-8 sequence starting at text[0] (a byte
// >= 0x80), or 0 when there is none; then `bad` is the length of the maximal
// subpart to replace with one U+FFFD: the lead byte and the continuation
// bytes that fitted before the one that did not (or the end of the text).
// Table 3-7 of the Unicode standard: no overlong forms, no surrogates,
// nothing above U+10FFFF.
inline size_t utf8_sequence(std::string_view text, size_t& bad) {
  const auto lead = static_cast<unsigned char>(text[0]);
  size_t continuations = 0;
  unsigned char low = 0x80, high = 0xBF;  // the second byte's range; later ones are 80..BF
  if (lead >= 0xC2 && lead <= 0xDF) {
    continuations = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    continuations = 2;
    if (lead == 0xE0) low = 0xA0;   // overlong below
    if (lead == 0xED) high = 0x9F;  // surrogates above
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    continuations = 3;
    if (lead == 0xF0) low = 0x90;   // overlong below
    if (lead == 0xF4) high = 0x8F;  // beyond U+10FFFF above
  } else {
    bad = 1;  // a continuation byte without a lead, C0, C1, F5..FF
    return 0;
  }
  for (size_t i = 1; i <= continuations; ++i) {
    if (i >= text.size()) {
      bad = i;
      return 0;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < low || c > high) {
      bad = i;
      return 0;
    }
    low = 0x80;
    high = 0xBF;
  }
  return continuations + 1;
}

inline constexpr std::string_view kUtf8Replacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace leakcheck
