#pragma once
// Comparing a line's bytes as received with the daemon's copy, for lines no
// pattern can check (loggen's opaque lines: invalid UTF-8, control bytes, NUL,
// CR, ANSI escapes).
//
// Both sides are normalised the same way before they are compared: each
// maximal ill-formed UTF-8 subpart becomes U+FFFD (Unicode 15, section 3.9),
// which is what a JSON writer must do and leakcheck-collector does. On valid
// UTF-8 this changes nothing. Measured on Docker 20.10's json-file driver:
// the daemon already stores one U+FFFD per invalid byte (Go's
// utf8.DecodeRune), so its copy is valid UTF-8 and what a collector receives
// should equal it byte for byte; the normalisation makes the comparison hold
// for a driver that keeps raw bytes too. Control bytes, NUL, CR and ESC come
// through JSON as \u00XX escapes and compare as themselves.
//
// Pure: no I/O.

#include <cstdint>
#include <string>
#include <string_view>

namespace leakcheck::receiver {

// `text` with each maximal ill-formed subpart replaced by U+FFFD.
std::string replace_invalid_utf8(std::string_view text);

// A 64-bit digest (FNV-1a) of replace_invalid_utf8(text), without building it.
uint64_t content_digest(std::string_view text);

}  // namespace leakcheck::receiver
