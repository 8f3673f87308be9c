#include "docker/query.h"

#include <cstdio>

#include "docker/json.h"

namespace leakcheck::docker {

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string format_unix_time(std::chrono::nanoseconds since_epoch) {
  long long ns = since_epoch.count() < 0 ? 0 : since_epoch.count();
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%09lld", ns / 1'000'000'000, ns % 1'000'000'000);
  return buf;
}

Query& Query::add(std::string_view key, std::string_view value) {
  text_ += text_.empty() ? '?' : '&';
  text_ += url_encode(key);
  text_ += '=';
  text_ += url_encode(value);
  return *this;
}

Query& Query::add_filters(const Filters& filters) {
  if (!filters.empty()) add("filters", filters_json(filters));
  return *this;
}

std::string list_containers_target(const ListOptions& options) {
  Query q;
  if (options.all) q.add_flag("all", true);
  q.add_filters(options.filters);
  return "/containers/json" + q.str();
}

std::string container_target(std::string_view id, std::string_view action) {
  std::string t = "/containers/" + url_encode(id);
  if (!action.empty()) {
    t += '/';
    t += action;
  }
  return t;
}

std::string image_target(std::string_view name, std::string_view action) {
  std::string t = "/images/";
  for (char ch : name) {
    if (ch == '/' || ch == ':' || ch == '@')
      t += ch;  // pchar in RFC 3986; the daemon matches /images/{name:.*}
    else
      t += url_encode(std::string_view(&ch, 1));
  }
  if (!action.empty()) {
    t += '/';
    t += action;
  }
  return t;
}

std::string logs_target(std::string_view id, const LogsOptions& options, bool follow) {
  Query q;
  q.add_flag("stdout", options.include_stdout).add_flag("stderr", options.include_stderr);
  if (follow) q.add_flag("follow", true);
  if (options.timestamps) q.add_flag("timestamps", true);
  if (options.since) q.add("since", format_unix_time(*options.since));
  if (options.until) q.add("until", format_unix_time(*options.until));
  if (options.tail) q.add("tail", std::to_string(*options.tail));
  return container_target(id, "logs") + q.str();
}

std::string events_target(const EventsOptions& options) {
  Query q;
  if (options.since) q.add("since", format_unix_time(*options.since));
  if (options.until) q.add("until", format_unix_time(*options.until));
  q.add_filters(options.filters);
  return "/events" + q.str();
}

}  // namespace leakcheck::docker
