#include "docker/json.h"

#include <nlohmann/json.hpp>

namespace leakcheck::docker {

namespace {

using nlohmann::json;

Result<json> parse_json(std::string_view body, const char* what) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error{0, std::string("invalid JSON in ") + what + " reply"};
  return j;
}

std::string get_string(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool get_bool(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

template <typename Int>
Int get_int(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<Int>() : Int{};
}

Labels get_labels(const json& j, const char* key) {
  Labels out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return out;  // Docker writes null for "no labels"
  for (const auto& [k, v] : it->items())
    if (v.is_string()) out.emplace(k, v.get<std::string>());
  return out;
}

std::string strip_slash(std::string name) {
  if (!name.empty() && name.front() == '/') name.erase(0, 1);
  return name;
}

ContainerState parse_state(const json& s) {
  ContainerState st;
  st.status = get_string(s, "Status");
  st.running = get_bool(s, "Running");
  st.paused = get_bool(s, "Paused");
  st.restarting = get_bool(s, "Restarting");
  st.oom_killed = get_bool(s, "OOMKilled");
  st.dead = get_bool(s, "Dead");
  st.pid = get_int<int>(s, "Pid");
  st.exit_code = get_int<int>(s, "ExitCode");
  st.error = get_string(s, "Error");
  st.started_at = get_string(s, "StartedAt");
  st.finished_at = get_string(s, "FinishedAt");
  return st;
}

}  // namespace

Result<VersionInfo> parse_version(std::string_view body) {
  auto j = parse_json(body, "/version");
  if (!j) return j.error();
  if (!j->is_object()) return Error{0, "/version reply is not a JSON object"};
  VersionInfo v;
  v.version = get_string(*j, "Version");
  auto api = parse_api_version(get_string(*j, "ApiVersion"));
  if (!api) return Error{0, "/version reply: " + api.error().context};
  v.api_version = *api;
  if (auto min = parse_api_version(get_string(*j, "MinAPIVersion"))) v.min_api_version = *min;
  v.os = get_string(*j, "Os");
  v.arch = get_string(*j, "Arch");
  v.kernel_version = get_string(*j, "KernelVersion");
  return v;
}

Result<std::vector<ContainerSummary>> parse_container_list(std::string_view body) {
  auto j = parse_json(body, "container list");
  if (!j) return j.error();
  if (!j->is_array()) return Error{0, "container list reply is not a JSON array"};
  std::vector<ContainerSummary> out;
  out.reserve(j->size());
  for (const auto& c : *j) {
    ContainerSummary s;
    s.id = get_string(c, "Id");
    if (s.id.empty()) return Error{0, "container list reply: an entry without Id"};
    if (auto names = c.find("Names"); names != c.end() && names->is_array())
      for (const auto& n : *names)
        if (n.is_string()) s.names.push_back(strip_slash(n.get<std::string>()));
    s.image = get_string(c, "Image");
    s.state = get_string(c, "State");
    s.status = get_string(c, "Status");
    s.labels = get_labels(c, "Labels");
    s.created = get_int<std::int64_t>(c, "Created");
    out.push_back(std::move(s));
  }
  return out;
}

Result<ContainerInfo> parse_container_inspect(std::string_view body) {
  auto j = parse_json(body, "container inspect");
  if (!j) return j.error();
  ContainerInfo info;
  if (j->is_object()) info.id = get_string(*j, "Id");
  if (info.id.empty()) return Error{0, "container inspect reply without Id"};
  info.name = strip_slash(get_string(*j, "Name"));
  info.image = get_string(*j, "Image");
  info.created = get_string(*j, "Created");
  info.log_path = get_string(*j, "LogPath");
  info.restart_count = get_int<int>(*j, "RestartCount");
  if (auto cfg = j->find("Config"); cfg != j->end() && cfg->is_object()) {
    info.tty = get_bool(*cfg, "Tty");
    info.labels = get_labels(*cfg, "Labels");
  }
  if (auto st = j->find("State"); st != j->end() && st->is_object()) info.state = parse_state(*st);
  return info;
}

Result<std::string> parse_create_response(std::string_view body) {
  auto j = parse_json(body, "container create");
  if (!j) return j.error();
  std::string id = j->is_object() ? get_string(*j, "Id") : std::string();
  if (id.empty()) return Error{0, "container create reply without Id"};
  return id;
}

Result<int> parse_wait_response(std::string_view body) {
  auto j = parse_json(body, "container wait");
  if (!j) return j.error();
  if (!j->is_object() || !j->contains("StatusCode"))
    return Error{0, "container wait reply without StatusCode"};
  if (auto err = j->find("Error"); err != j->end() && err->is_object()) {
    std::string msg = get_string(*err, "Message");
    if (!msg.empty()) return Error{0, "container wait: " + msg};
  }
  return get_int<int>(*j, "StatusCode");
}

Result<Event> parse_event(std::string_view line) {
  auto j = parse_json(line, "/events");
  if (!j) return j.error();
  if (!j->is_object()) return Error{0, "/events line is not a JSON object"};
  Event e;
  e.type = get_string(*j, "Type");
  e.action = get_string(*j, "Action");
  if (auto actor = j->find("Actor"); actor != j->end() && actor->is_object()) {
    e.actor_id = get_string(*actor, "ID");
    e.attributes = get_labels(*actor, "Attributes");
  }
  e.time_nano = get_int<std::int64_t>(*j, "timeNano");
  if (e.type.empty() || e.action.empty()) return Error{0, "/events line without Type or Action"};
  return e;
}

std::string filters_json(const Filters& filters) {
  json j = json::object();
  for (const auto& [key, values] : filters) j[key] = values;
  return j.dump();
}

std::string container_spec_json(const ContainerSpec& spec) {
  json j = json::object();
  j["Image"] = spec.image;
  if (!spec.cmd.empty()) j["Cmd"] = spec.cmd;
  if (!spec.entrypoint.empty()) j["Entrypoint"] = spec.entrypoint;
  if (!spec.env.empty()) j["Env"] = spec.env;
  if (!spec.user.empty()) j["User"] = spec.user;
  j["Labels"] = spec.labels;
  j["Tty"] = spec.tty;
  j["AttachStdin"] = false;
  j["AttachStdout"] = false;
  j["AttachStderr"] = false;
  json host = json::object();
  host["NetworkMode"] = spec.network_mode;
  if (spec.memory_bytes > 0) host["Memory"] = spec.memory_bytes;
  host["AutoRemove"] = spec.auto_remove;
  host["LogConfig"] = {{"Type", spec.log_driver}, {"Config", spec.log_options}};
  j["HostConfig"] = std::move(host);
  if (spec.network_mode == "none") j["NetworkDisabled"] = true;
  return j.dump();
}

std::string error_message_from_body(std::string_view body, std::size_t max_bytes) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::string msg;
  if (!j.is_discarded() && j.is_object()) msg = get_string(j, "message");
  if (msg.empty()) {
    auto first = body.find_first_not_of(" \t\r\n");
    auto last = body.find_last_not_of(" \t\r\n");
    msg = first == std::string_view::npos ? std::string() : std::string(body.substr(first, last - first + 1));
  }
  if (msg.size() > max_bytes) {
    msg.resize(max_bytes);
    msg += "...";
  }
  return msg;
}

std::optional<std::string> progress_error(std::string_view body) {
  while (!body.empty()) {
    auto nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) continue;
    std::string err = get_string(j, "error");
    if (!err.empty()) return err;
  }
  return std::nullopt;
}

}  // namespace leakcheck::docker
