#include "receiver/content_digest.h"

#include "util/utf8.h"

namespace leakcheck::receiver {

namespace {

constexpr std::string_view kReplacement = kUtf8Replacement;

// Calls sink(piece) with the normalised text, piece by piece.
template <typename Sink>
void normalise(std::string_view text, Sink&& sink) {
  size_t from = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t bad = 0;
    if (size_t n = utf8_sequence(text.substr(i), bad); n > 0) {
      i += n;
      continue;
    }
    sink(text.substr(from, i - from));
    sink(kReplacement);
    i += bad;
    from = i;
  }
  sink(text.substr(from));
}

}  // namespace

std::string replace_invalid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  normalise(text, [&](std::string_view piece) { out += piece; });
  return out;
}

uint64_t content_digest(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a 64 offset basis
  normalise(text, [&](std::string_view piece) {
    for (char c : piece) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 0x100000001b3ull;  // FNV prime
    }
  });
  return hash;
}

}  // namespace leakcheck::receiver
