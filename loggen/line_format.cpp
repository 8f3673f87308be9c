#include "loggen/line_format.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <system_error>

namespace leakcheck::loggen {

namespace {

constexpr size_t kPadPeriod = kPadAlphabet.size();  // 62

size_t decimal_digits(uint64_t value) {
  size_t digits = 1;
  for (; value >= 10; value /= 10) ++digits;
  return digits;
}

uint64_t time_field(int64_t time_ns) { return static_cast<uint64_t>(std::max<int64_t>(time_ns, 0)); }

// The header's length but for the digits of n: the fixed text
// "lc1 r= c= b= s= t= n= o " (24 bytes) plus the fields.
size_t header_length_without_size(const LineHeader& h) {
  return 24 + h.run_id.size() + h.container.size() + decimal_digits(h.boot) + decimal_digits(h.seq) +
         decimal_digits(time_field(h.time_ns));
}

// Index into kPadAlphabet of the byte at `offset` of line `seq`.
size_t pad_index(uint64_t offset, uint64_t seq) { return (offset % kPadPeriod + seq % kPadPeriod) % kPadPeriod; }

void append_decimal(std::string& out, uint64_t value) {
  char buf[20];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;  // 20 digits hold any uint64_t
  out.append(buf, end);
}

// The header of a line `length` bytes long, its trailing space included.
void append_header(std::string& out, const LineHeader& header, size_t length) {
  out += kMagic;
  out += "r=";
  out += header.run_id;
  out += " c=";
  out += header.container;
  out += " b=";
  append_decimal(out, header.boot);
  out += " s=";
  append_decimal(out, header.seq);
  out += " t=";
  append_decimal(out, time_field(header.time_ns));
  out += " n=";
  append_decimal(out, length);
  out += header.stream == Stream::out ? " o " : " e ";
}

// A decimal field as loggen writes it: digits only, no leading zero, in range.
template <typename T>
std::optional<T> parse_decimal(std::string_view text) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  for (char ch : text)
    if (ch < '0' || ch > '9') return std::nullopt;
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Walks the header left to right; every field must be followed by a space, so
// a header cut short fails at the field it was cut in.
class HeaderReader {
 public:
  explicit HeaderReader(std::string_view text) : text_(text), pos_(kMagic.size()) {}

  // The value of `key` (e.g. "r="), up to the next space.
  std::optional<std::string_view> field(std::string_view key) {
    if (text_.substr(pos_, key.size()) != key) return std::nullopt;
    size_t start = pos_ + key.size();
    size_t space = text_.find(' ', start);
    if (space == std::string_view::npos) return std::nullopt;
    pos_ = space + 1;
    return text_.substr(start, space - start);
  }

  template <typename T>
  std::optional<T> number(std::string_view key) {
    auto value = field(key);
    if (!value) return std::nullopt;
    return parse_decimal<T>(*value);
  }

  std::optional<Stream> stream() {
    if (pos_ + 2 > text_.size() || text_[pos_ + 1] != ' ') return std::nullopt;
    char letter = text_[pos_];
    pos_ += 2;
    if (letter == 'o') return Stream::out;
    if (letter == 'e') return Stream::err;
    return std::nullopt;
  }

  size_t position() const { return pos_; }

 private:
  std::string_view text_;
  size_t pos_;
};

bool padding_matches(std::string_view padding, size_t offset, uint64_t seq) {
  size_t k = pad_index(offset, seq);
  for (char ch : padding) {
    if (ch != kPadAlphabet[k]) return false;
    if (++k == kPadPeriod) k = 0;
  }
  return true;
}

Integrity judge(const ParsedLine& p, size_t header_bytes, std::string_view padding) {
  bool bytes_ok = p.size_bytes >= header_bytes && p.received_bytes <= p.size_bytes &&
                  padding_matches(padding, header_bytes, p.seq);
  if (!bytes_ok) return Integrity::corrupt;
  if (p.suffix.empty()) return p.received_bytes == p.size_bytes ? Integrity::complete : Integrity::cut;
  // The collector marks only a line it cut, so a whole line with the mark is not what was written.
  if (p.suffix == kCollectorTruncationMark && p.received_bytes < p.size_bytes) return Integrity::cut_marked;
  return Integrity::corrupt;
}

}  // namespace

bool valid_name(std::string_view text, size_t max_bytes) {
  auto alnum = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'); };
  if (text.empty() || text.size() > max_bytes || !alnum(text[0])) return false;
  return std::all_of(text.begin(), text.end(), [&](char ch) { return alnum(ch) || ch == '_' || ch == '.' || ch == '-'; });
}

size_t line_length(const LineHeader& header, size_t size_bytes) {
  // n counts its own digits: the smallest length >= size_bytes that holds the
  // header with that length written in it.
  size_t base = header_length_without_size(header);
  size_t length = std::max(size_bytes, base + 1);
  while (length < base + decimal_digits(length)) ++length;
  return length;
}

void append_line(std::string& out, const LineHeader& header, size_t size_bytes) {
  size_t length = line_length(header, size_bytes);
  size_t start = out.size();
  out.reserve(start + length + 1);  // the caller usually appends '\n'
  append_header(out, header, length);

  // Padding: whole runs of the alphabet from the offset's place in it.
  size_t offset = out.size() - start;
  size_t k = pad_index(offset, header.seq);
  while (offset < length) {
    size_t take = std::min(kPadPeriod - k, length - offset);
    out += kPadAlphabet.substr(k, take);
    offset += take;
    k = 0;
  }
}

void append_opaque_line(std::string& out, const LineHeader& header, std::string_view payload) {
  // n counts its own digits: the length L with L = base + digits(L) + 1 + payload.
  const size_t fixed = header_length_without_size(header) + 1 + payload.size();
  size_t length = fixed + 1;
  while (length != fixed + decimal_digits(length)) length = fixed + decimal_digits(length);
  out.reserve(out.size() + length + 2);
  append_header(out, header, length);
  out += kOpaqueMark;
  out += payload;
}

std::string format_line(const LineHeader& header, size_t size_bytes) {
  std::string out;
  append_line(out, header, size_bytes);
  return out;
}

std::optional<ParsedLine> parse_line(std::string_view text) {
  if (!text.starts_with(kMagic)) return std::nullopt;

  // The header: every field present, in order, well formed.
  HeaderReader reader(text);
  ParsedLine p;
  auto run_id = reader.field("r=");
  if (!run_id || !valid_name(*run_id, kMaxRunIdBytes)) return std::nullopt;
  auto container = reader.field("c=");
  if (!container || !valid_name(*container, kMaxContainerBytes)) return std::nullopt;
  auto boot = reader.number<uint32_t>("b=");
  if (!boot) return std::nullopt;
  auto seq = reader.number<uint64_t>("s=");
  if (!seq) return std::nullopt;
  auto time_ns = reader.number<int64_t>("t=");
  if (!time_ns) return std::nullopt;
  auto size = reader.number<uint64_t>("n=");
  if (!size) return std::nullopt;
  auto stream = reader.stream();
  if (!stream) return std::nullopt;
  p.run_id = *run_id;
  p.container = *container;
  p.boot = *boot;
  p.seq = *seq;
  p.time_ns = *time_ns;
  p.size_bytes = *size;
  p.stream = *stream;

  // A line cut just before the header's last space, then marked: that space
  // is the mark's. Whole fields all the same, so it counts as cut and marked.
  size_t header_bytes = reader.position();
  if (text.substr(header_bytes - 1) == kCollectorTruncationMark) {
    p.received_bytes = header_bytes - 1;
    p.suffix = kCollectorTruncationMark;
    p.integrity = p.size_bytes >= header_bytes ? Integrity::cut_marked : Integrity::corrupt;
    return p;
  }

  // An opaque payload: whatever bytes it holds are the receiver's to compare
  // with the daemon's copy.
  std::string_view rest = text.substr(header_bytes);
  if (!rest.empty() && rest.front() == kOpaqueMark) {
    p.received_bytes = text.size();
    p.integrity = Integrity::opaque;
    return p;
  }

  // The padding runs to the first space; a space starts what a collector added.
  size_t space = rest.find(' ');
  std::string_view padding = rest.substr(0, space);
  if (space != std::string_view::npos) p.suffix = rest.substr(space);
  p.received_bytes = header_bytes + padding.size();
  p.integrity = judge(p, header_bytes, padding);
  return p;
}

const char* integrity_name(Integrity integrity) {
  switch (integrity) {
    case Integrity::complete: return "complete";
    case Integrity::cut: return "cut";
    case Integrity::cut_marked: return "cut_marked";
    case Integrity::corrupt: return "corrupt";
    case Integrity::opaque: return "opaque";
  }
  return "corrupt";
}

}  // namespace leakcheck::loggen
