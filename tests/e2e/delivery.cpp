#include "tests/e2e/delivery.h"

#include <charconv>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "loggen/line_format.h"

namespace leakcheck::testing {

namespace {

using nlohmann::json;

Result<int64_t> decimal(std::string_view text, std::string_view what) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value < 0)
    return Error{0, std::string(what) + ": not a decimal number: \"" + std::string(text) + "\""};
  return value;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// Splits "TIMESTAMP rest" into its time and rest.
Result<int64_t> take_timestamp(std::string_view& message) {
  auto space = message.find(' ');
  if (space == std::string_view::npos) return Error{0, "log message without a timestamp: \"" + std::string(message.substr(0, 80)) + "\""};
  auto ts = parse_rfc3339_utc_ns(message.substr(0, space));
  message.remove_prefix(space + 1);
  return ts;
}

std::string preview(std::string_view text) {
  return text.size() <= 100 ? std::string(text) : std::string(text.substr(0, 100)) + "...(" + std::to_string(text.size()) + " bytes)";
}

Result<std::string> string_field(const json& o, const char* key, const std::string& where) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_string()) return Error{0, where + ": \"" + key + "\" missing or not a string"};
  return it->get<std::string>();
}

}  // namespace

Result<int64_t> parse_rfc3339_utc_ns(std::string_view t) {
  auto bad = [&] { return Error{0, "not an RFC 3339 UTC time: \"" + std::string(t) + "\""}; };
  // YYYY-MM-DDTHH:MM:SS[.fraction]Z
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t.back() != 'Z')
    return bad();
  auto num = [&](size_t pos, size_t len) -> int64_t {
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(t.data() + pos, t.data() + pos + len, v);
    return ec == std::errc() && ptr == t.data() + pos + len ? v : -1;
  };
  int64_t y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return bad();
  int64_t frac_ns = 0;
  std::string_view frac = t.substr(19, t.size() - 20);
  if (!frac.empty()) {
    if (frac[0] != '.' || frac.size() < 2 || frac.size() > 10) return bad();
    int64_t digits = num(20, frac.size() - 1);
    if (digits < 0) return bad();
    frac_ns = digits;
    for (size_t i = frac.size() - 1; i < 9; ++i) frac_ns *= 10;
  }
  int64_t seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  return seconds * 1'000'000'000 + frac_ns;
}

Result<std::vector<TruthLine>> decode_daemon_logs(std::string_view raw, bool tty) {
  std::vector<TruthLine> out;
  if (tty) {
    while (!raw.empty()) {
      auto newline = raw.find('\n');
      if (newline == std::string_view::npos) return Error{0, "TTY log ends without a newline"};
      std::string_view message = raw.substr(0, newline);
      raw.remove_prefix(newline + 1);
      auto ts = take_timestamp(message);
      if (!ts) return ts.error();
      if (!message.ends_with('\r')) return Error{0, "TTY line without \\r\\n: \"" + preview(message) + "\""};
      message.remove_suffix(1);
      out.push_back(TruthLine{"stdout", *ts, std::string(message)});
    }
    return out;
  }
  // Per stream: the line being joined from split messages.
  std::map<int, TruthLine> open;
  while (!raw.empty()) {
    if (raw.size() < 8) return Error{0, "log ends inside a frame header"};
    int stream = static_cast<unsigned char>(raw[0]);
    uint32_t size = 0;
    for (int i = 4; i < 8; ++i) size = size << 8 | static_cast<unsigned char>(raw[i]);
    if ((stream != 1 && stream != 2) || raw[1] || raw[2] || raw[3] || raw.size() - 8 < size)
      return Error{0, "bad frame header or short frame in the daemon's log"};
    std::string_view message = raw.substr(8, size);
    raw.remove_prefix(8 + size);
    auto ts = take_timestamp(message);
    if (!ts) return ts.error();
    auto [it, fresh] = open.try_emplace(stream);
    if (fresh) it->second = TruthLine{stream == 1 ? "stdout" : "stderr", *ts, ""};
    bool ends = message.ends_with('\n');
    if (ends) message.remove_suffix(1);
    it->second.text += message;
    if (ends) {
      out.push_back(std::move(it->second));
      open.erase(it);
    }
  }
  if (!open.empty()) return Error{0, "the daemon's log ends inside a line"};
  return out;
}

Status check_loggen_lines(const std::vector<TruthLine>& lines, std::string_view run_id, std::string_view name,
                          bool tty, std::optional<std::size_t> expected_lines) {
  std::string who = "container " + std::string(name) + ": ";
  std::set<uint64_t> seqs;
  for (const TruthLine& l : lines) {
    auto parsed = loggen::parse_line(l.text);
    if (!parsed) return Error{0, who + "not a loggen line: \"" + preview(l.text) + "\""};
    if (parsed->integrity != loggen::Integrity::complete)
      return Error{0, who + "loggen line not complete (" + loggen::integrity_name(parsed->integrity) + ")"};
    if (parsed->run_id != run_id || parsed->container != name || parsed->boot != 1)
      return Error{0, who + "line of another run, container or boot: \"" + preview(l.text) + "\""};
    std::string letter_stream = parsed->stream == loggen::Stream::out ? "stdout" : "stderr";
    if (!tty && letter_stream != l.stream)
      return Error{0, who + "line written to " + letter_stream + " logged as " + l.stream};
    if (!seqs.insert(parsed->seq).second) return Error{0, who + "sequence " + std::to_string(parsed->seq) + " twice"};
  }
  if (!seqs.empty() && *seqs.rbegin() + 1 != seqs.size())
    return Error{0, who + "sequence numbers are not 0.." + std::to_string(seqs.size() - 1) + " (the daemon lost lines?)"};
  if (expected_lines && lines.size() != *expected_lines)
    return Error{0, who + std::to_string(lines.size()) + " lines, expected " + std::to_string(*expected_lines)};
  return Ok{};
}

Result<std::vector<DeliveredLine>> parse_ndjson(std::string_view text) {
  std::vector<DeliveredLine> out;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    auto newline = text.find('\n');
    if (newline == std::string_view::npos) return Error{0, "NDJSON line " + std::to_string(line_no) + " has no newline"};
    std::string where = "NDJSON line " + std::to_string(line_no);
    json o = json::parse(text.substr(0, newline), nullptr, /*allow_exceptions=*/false);
    text.remove_prefix(newline + 1);
    if (!o.is_object() || o.size() != 6) return Error{0, where + ": not an object of exactly 6 fields"};
    DeliveredLine d;
    auto ts = string_field(o, "ts", where);
    auto container = string_field(o, "container", where);
    auto id = string_field(o, "container_id", where);
    auto stream = string_field(o, "stream", where);
    auto line = string_field(o, "line", where);
    for (const auto* r : {&ts, &container, &id, &stream, &line})
      if (!*r) return r->error();
    auto ts_ns = decimal(*ts, where + ": ts");
    if (!ts_ns) return ts_ns.error();
    auto truncated = o.find("truncated");
    if (truncated == o.end() || !truncated->is_boolean()) return Error{0, where + ": \"truncated\" missing or not a bool"};
    out.push_back(DeliveredLine{*container, *id, *stream, *ts_ns, *line, truncated->get<bool>()});
  }
  return out;
}

Result<std::vector<DeliveredLine>> parse_loki_push(std::string_view body,
                                                   const std::map<std::string, std::string>& static_labels) {
  json root = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!root.is_object() || root.size() != 1 || !root.contains("streams") || !root["streams"].is_array())
    return Error{0, "push body is not {\"streams\": [...]}"};
  std::vector<DeliveredLine> out;
  for (const json& s : root["streams"]) {
    if (!s.is_object() || s.size() != 2 || !s.contains("stream") || !s.contains("values") ||
        !s["stream"].is_object() || !s["values"].is_array())
      return Error{0, "push stream is not {\"stream\": {...}, \"values\": [...]}: " + s.dump().substr(0, 200)};
    std::map<std::string, std::string> labels;
    for (const auto& [key, value] : s["stream"].items()) {
      if (!value.is_string()) return Error{0, "label " + key + " is not a string"};
      labels[key] = value.get<std::string>();
    }
    std::map<std::string, std::string> expected_keys = static_labels;
    for (const char* key : {"container", "container_id", "stream"}) {
      if (!labels.contains(key)) return Error{0, std::string("stream without the label ") + key};
      expected_keys[key] = labels[key];
    }
    if (labels != expected_keys) return Error{0, "stream labels are not container, container_id, stream and the static ones: " + s["stream"].dump()};
    const std::string& short_id = labels["container_id"];
    if (short_id.size() != 12 || short_id.find_first_not_of("0123456789abcdef") != std::string::npos)
      return Error{0, "container_id label is not 12 hex digits: " + short_id};
    for (const json& v : s["values"]) {
      if (!v.is_array() || v.size() != 2 || !v[0].is_string() || !v[1].is_string())
        return Error{0, "value is not [\"<ns>\", \"<line>\"]: " + v.dump().substr(0, 200)};
      auto ts = decimal(v[0].get<std::string>(), "value timestamp");
      if (!ts) return ts.error();
      out.push_back(DeliveredLine{labels["container"], short_id, labels["stream"], *ts, v[1].get<std::string>(), false});
    }
  }
  return out;
}

std::string DeliveryReport::text() const {
  std::string t = "expected " + std::to_string(expected) + " lines, delivered " + std::to_string(delivered) +
                  ": matched " + std::to_string(matched) + ", missing " + std::to_string(missing) + ", duplicated " +
                  std::to_string(duplicated) + ", unexpected " + std::to_string(unexpected) + ", wrong ts " +
                  std::to_string(wrong_ts) + ", wrong id " + std::to_string(wrong_id) + ", truncated " +
                  std::to_string(truncated);
  for (const auto& e : examples) t += "\n  " + e;
  return t;
}

DeliveryReport check_exactly_once(const std::map<std::string, ContainerTruth>& truth,
                                  const std::vector<DeliveredLine>& delivered, bool short_ids) {
  constexpr size_t kMaxExamples = 12;
  DeliveryReport r;
  auto example = [&](std::string e) {
    if (r.examples.size() < kMaxExamples) r.examples.push_back(std::move(e));
  };
  struct Expected {
    int64_t ts_ns;
    size_t seen = 0;
  };
  using Key = std::tuple<std::string, std::string, std::string>;  // container, stream, text
  std::map<Key, Expected> expected;
  for (const auto& [name, c] : truth)
    for (const TruthLine& l : c.lines) {
      ++r.expected;
      if (!expected.emplace(Key{name, l.stream, l.text}, Expected{l.ts_ns}).second)
        example("ground truth holds a line twice (test bug): " + name + " " + preview(l.text));
    }
  r.delivered = delivered.size();
  for (const DeliveredLine& d : delivered) {
    auto c = truth.find(d.container);
    if (c == truth.end()) {
      ++r.unexpected;
      example("line of an unknown container " + d.container + ": " + preview(d.text));
      continue;
    }
    std::string want_id = short_ids ? c->second.id.substr(0, 12) : c->second.id;
    if (d.container_id != want_id) {
      ++r.wrong_id;
      example(d.container + ": container_id " + d.container_id + ", expected " + want_id);
    }
    if (d.truncated) {
      ++r.truncated;
      example(d.container + ": marked truncated: " + preview(d.text));
    }
    auto it = expected.find(Key{d.container, d.stream, d.text});
    if (it == expected.end()) {
      ++r.unexpected;
      example(d.container + " " + d.stream + ": not in the daemon's log: " + preview(d.text));
      continue;
    }
    if (++it->second.seen > 1) {
      ++r.duplicated;
      example(d.container + " " + d.stream + ": received " + std::to_string(it->second.seen) + " times: " + preview(d.text));
    }
    if (d.ts_ns != it->second.ts_ns) {
      ++r.wrong_ts;
      example(d.container + ": ts " + std::to_string(d.ts_ns) + ", the daemon's " + std::to_string(it->second.ts_ns) +
              ": " + preview(d.text));
    }
  }
  for (const auto& [key, e] : expected) {
    if (e.seen > 0) {
      ++r.matched;
    } else {
      ++r.missing;
      example(std::get<0>(key) + " " + std::get<1>(key) + ": missing: " + preview(std::get<2>(key)));
    }
  }
  return r;
}

}  // namespace leakcheck::testing
