#include "collector/sink_format.h"

#include <nlohmann/json.hpp>
#include <tuple>

namespace leakcheck::collector {

namespace {

using nlohmann::json;

std::string dump(const json& j) {
  // Invalid UTF-8 in a log line must not abort a batch.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string line_text(const LogRecord& r) { return r.truncated ? r.text + kTruncationMark : r.text; }

std::string short_id(const std::string& id) { return id.substr(0, 12); }

}  // namespace

std::string loki_push_body(std::span<const LogRecord> records,
                           const std::map<std::string, std::string>& static_labels) {
  // Streams in order of first appearance; their values in the order given.
  std::map<std::tuple<std::string, LogStream>, size_t> index;
  json streams = json::array();
  for (const LogRecord& r : records) {
    auto key = std::make_tuple(r.container_id, r.stream);
    auto it = index.find(key);
    if (it == index.end()) {
      json labels(static_labels);
      labels["container"] = r.container_name;
      labels["container_id"] = short_id(r.container_id);
      labels["stream"] = std::string(stream_name(r.stream));
      streams.push_back({{"stream", std::move(labels)}, {"values", json::array()}});
      it = index.emplace(key, streams.size() - 1).first;
    }
    streams[it->second]["values"].push_back({std::to_string(r.timestamp_ns), line_text(r)});
  }
  return dump({{"streams", std::move(streams)}});
}

std::string ndjson_lines(std::span<const LogRecord> records) {
  std::string out;
  for (const LogRecord& r : records) {
    json line = {{"ts", std::to_string(r.timestamp_ns)},
                 {"container", r.container_name},
                 {"container_id", r.container_id},
                 {"stream", std::string(stream_name(r.stream))},
                 {"line", r.text},
                 {"truncated", r.truncated}};
    out += dump(line);
    out += '\n';
  }
  return out;
}

}  // namespace leakcheck::collector
