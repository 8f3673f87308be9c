#include "collector/sink_format.h"

#include <charconv>
#include <string_view>
#include <utility>
#include <vector>

#include "collector/json_text.h"

namespace leakcheck::collector {

namespace {

// "1700000000000000001", quoted: Loki and the NDJSON readers take
// nanoseconds as a string (a JSON number would lose digits in a double).
void append_quoted_ns(std::string& out, int64_t ns) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, ns);
  (void)ec;  // 24 bytes hold any int64_t
  out += '"';
  out.append(digits, end);
  out += '"';
}

void append_loki_labels(std::string& out, const LogRecord& r, const std::map<std::string, std::string>& static_labels) {
  std::map<std::string_view, std::string_view> labels(static_labels.begin(), static_labels.end());
  labels["container"] = r.container_name();
  labels["container_id"] = std::string_view(r.container_id()).substr(0, 12);
  labels["stream"] = stream_name(r.stream);
  out += '{';
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, name);
    out += ':';
    append_json_string(out, value);
  }
  out += '}';
}

}  // namespace

std::string loki_push_body(std::span<const LogRecord> records,
                           const std::map<std::string, std::string>& static_labels) {
  // Streams in order of first appearance, each with its values in the order given.
  struct LokiStream {
    const LogRecord* first;
    std::string values;  // ["ts","line"],... without the brackets around them
  };
  std::vector<LokiStream> streams;
  std::map<std::pair<std::string_view, LogStream>, size_t> index;
  size_t current = 0;
  const LogRecord* previous = nullptr;
  for (const LogRecord& r : records) {
    // Records come in runs of one container and stream: look up only when the run changes.
    if (previous == nullptr || previous->source != r.source || previous->stream != r.stream) {
      auto [it, added] = index.try_emplace(std::make_pair(std::string_view(r.container_id()), r.stream), streams.size());
      if (added) streams.push_back(LokiStream{&r, {}});
      current = it->second;
    }
    previous = &r;
    std::string& values = streams[current].values;
    if (!values.empty()) values += ',';
    values += '[';
    append_quoted_ns(values, r.timestamp_ns);
    values += ",\"";
    append_json_escaped(values, r.text);
    if (r.truncated) values += kTruncationMark;
    values += "\"]";
  }
  std::string body = "{\"streams\":[";
  for (size_t i = 0; i < streams.size(); ++i) {
    if (i > 0) body += ',';
    body += "{\"stream\":";
    append_loki_labels(body, *streams[i].first, static_labels);
    body += ",\"values\":[";
    body += streams[i].values;
    body += "]}";
  }
  body += "]}";
  return body;
}

void append_ndjson_lines(std::string& out, std::span<const LogRecord> records) {
  for (const LogRecord& r : records) {
    out += "{\"container\":";
    append_json_string(out, r.container_name());
    out += ",\"container_id\":";
    append_json_string(out, r.container_id());
    out += ",\"line\":";
    append_json_string(out, r.text);
    out += ",\"stream\":\"";
    out += stream_name(r.stream);
    out += r.truncated ? "\",\"truncated\":true,\"ts\":" : "\",\"truncated\":false,\"ts\":";
    append_quoted_ns(out, r.timestamp_ns);
    out += "}\n";
  }
}

std::string ndjson_lines(std::span<const LogRecord> records) {
  std::string out;
  append_ndjson_lines(out, records);
  return out;
}

}  // namespace leakcheck::collector
