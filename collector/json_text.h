#pragma once
// JSON string literals for the sinks, written by hand: the output of a busy
// collector is mostly log text, and building a JSON document per line to
// serialise it cost more than everything else a line goes through.
//
// The text is UTF-8 as JSON requires whatever the bytes: an ill-formed
// sequence becomes U+FFFD, one per maximal subpart (Unicode 15, section 3.9:
// "\xE2\x82" is one, "\xFF\xFE" two), so a log line with stray bytes costs
// those bytes, never the batch. Escapes: `"` and `\`, \b \f \n \r \t, every
// other byte below 0x20 as \u00XX (lowercase hex; NUL is \u0000, ESC of an
// ANSI colour \u001b). Everything else, DEL and well-formed non-ASCII
// included, is copied. This is byte for byte what nlohmann_json's dump() with
// error_handler_t::replace writes, which the collector used before.

#include <string>
#include <string_view>

namespace leakcheck::collector {

// Appends `text` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view text);

// Appends `text` escaped, without quotes: for a string literal written in
// parts (a line and its truncation mark).
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace leakcheck::collector
