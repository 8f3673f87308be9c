#include "harness/scenario.h"

#include <charconv>

#include "util/yaml_fields.h"

namespace leakcheck::harness {

namespace {

constexpr const char* kSeriesStatistics[] = {"growth_per_min", "max", "min", "mean", "last", "p99",
                                             "projected_hours_to_exhaustion"};
constexpr const char* kDeliveryFigures[] = {"loss_pct", "duplicates", "out_of_order", "latency_p50", "latency_p99",
                                            "latency_max", "target_exit_code", "target_stop_seconds"};

bool is_latency(const std::string& name) { return name.starts_with("latency_") || name == "target_stop_seconds"; }

// Reads `{op: value}` where value is a number, or a duration for latencies.
void read_bound(YamlObject& o, const std::string& key_for_errors, bool duration, Criterion& c) {
  int found = 0;
  for (auto [name, op] : {std::pair{"lt", Op::lt}, {"le", Op::le}, {"gt", Op::gt}, {"ge", Op::ge}, {"eq", Op::eq}}) {
    if (!o.has(name)) continue;
    ++found;
    c.op = op;
    if (duration) {
      Nanos d{0};
      o.read_duration(name, d);
      c.bound = std::chrono::duration<double>(d).count();
    } else {
      o.read(name, c.bound);
    }
  }
  if (found != 1) o.fail(key_for_errors, "needs exactly one of lt, le, gt, ge, eq");
}

void read_criterion(YamlObject& o, Criterion& c) {
  if (o.has("series") == o.has("delivery")) {
    o.fail("series", "a criterion names either a series or a delivery figure");
    return;
  }
  if (o.has("delivery")) {
    c.delivery = true;
    c.statistic = "value";
    o.read("delivery", c.name);
    bool known = false;
    for (const char* f : kDeliveryFigures) known |= c.name == f;
    if (!known) {
      std::string list;
      for (const char* f : kDeliveryFigures) list += (list.empty() ? "" : ", ") + std::string(f);
      o.fail("delivery", "unknown delivery figure \"" + c.name + "\" (one of " + list + ")");
      return;
    }
    read_bound(o, "delivery", is_latency(c.name), c);
  } else {
    o.read("series", c.name);
    for (const char* stat : kSeriesStatistics) {
      if (!o.has(stat)) continue;
      if (!c.statistic.empty()) {
        o.fail(stat, "one statistic per criterion");
        return;
      }
      c.statistic = stat;
      o.object(stat, [&](YamlObject& bound) { read_bound(bound, "bound", false, c); });
    }
    if (c.statistic.empty() && !o.failed())
      o.fail("series", "needs a statistic: growth_per_min, max, min, mean, last, p99 or projected_hours_to_exhaustion");
  }
  c.text = c.name + (c.delivery ? "" : " " + c.statistic) + " " + op_text(c.op) + " " +
           (is_latency(c.name) ? format_duration(Nanos(static_cast<int64_t>(c.bound * 1e9))) : [&] {
             char buf[32];
             std::snprintf(buf, sizeof buf, "%g", c.bound);
             return std::string(buf);
           }());
}

void read_profile(YamlObject& o, LogProfile& p) {
  o.read("rate", p.rate);
  o.read("burst", p.burst);
  o.read_duration("idle_first", p.idle_first);
  o.read("stderr_share", p.stderr_share);
  o.read("size", p.size_bytes);
  o.read("long_every", p.long_every);
  o.read("long_size", p.long_size_bytes);
  if (p.stderr_share < 0 || p.stderr_share > 1) o.fail("stderr_share", "must be between 0 and 1");
}

void read_group(YamlObject& o, FleetGroup& g) {
  o.read("name", g.name);
  o.read("count", g.count);
  o.read("tty", g.tty);
  o.object("profile", [&](YamlObject& p) { read_profile(p, g.profile); });
  if (o.has("restart_every")) {
    Nanos d{0};
    o.read_duration("restart_every", d);
    g.restart_every = d;
  }
  if (o.has("recreate_every")) {
    Nanos d{0};
    o.read_duration("recreate_every", d);
    g.recreate_every = d;
  }
  o.read("memory", g.memory_bytes);
  bool name_ok = !g.name.empty() && g.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
  if (!name_ok) o.fail("name", "a group needs a name of lowercase letters, digits and '-'");
  if (g.count == 0 || g.count > 1000) o.fail("count", "between 1 and 1000");
}

}  // namespace

std::vector<Criterion> default_criteria() {
  auto node = YAML::Load(R"(
- {series: fds.total, growth_per_min: {lt: 5}}
- {series: threads.total, growth_per_min: {lt: 10}}
- {delivery: loss_pct, eq: 0}
- {delivery: latency_p99, lt: 1s}
- {series: sockets.tcp.close_wait, max: {lt: 5}}
)");
  std::vector<Criterion> out;
  for (size_t i = 0; i < node.size(); ++i) {
    YamlObject o(node[i], "(defaults)");
    Criterion c;
    read_criterion(o, c);
    out.push_back(c);
  }
  return out;
}

Result<Scenario> parse_scenario(const YAML::Node& root, const std::string& file) {
  Scenario s;
  YamlObject o(root, file);
  o.read("name", s.name);
  o.read("description", s.description);
  o.read("seed", s.seed);
  o.read_duration("duration", s.duration);
  o.read_duration("warmup", s.warmup);
  o.read_duration("sample_interval", s.sample_interval);
  o.read_duration("drain", s.drain);
  o.read("expect_fail", s.expect_fail);
  o.objects("fleet", [&](YamlObject& g, size_t) {
    s.fleet.emplace_back();
    read_group(g, s.fleet.back());
  });
  o.object("target", [&](YamlObject& t) {
    t.read("command", s.target.command);
    t.read("env", s.target.env);
    t.read("metrics_url", s.target.metrics_url);
    t.read("include_children", s.target.include_children);
    t.read_duration("stop_timeout", s.target.stop_timeout);
    if (s.target.command.empty() && !t.failed()) t.fail("command", "needs the target's argv, e.g. [\"{collector}\", ...]");
  });
  o.read("observe", s.observe);
  bool has_criteria = o.has("criteria");
  o.objects("criteria", [&](YamlObject& c, size_t) {
    s.criteria.emplace_back();
    read_criterion(c, s.criteria.back());
  });
  if (!o.failed()) {
    if (s.name.empty()) o.fail("name", "a scenario needs a name");
    else if (!o.has("target")) o.fail("target", "a scenario needs a target");
    else if (s.fleet.empty()) o.fail("fleet", "a scenario needs at least one fleet group");
    else if (s.sample_interval < 100ms) o.fail("sample_interval", "at least 100ms");
    else if (s.warmup >= s.duration) o.fail("warmup", "must be shorter than the duration");
  }
  if (auto status = o.finish(); !status) return status.error();
  if (!has_criteria) s.criteria = default_criteria();
  return s;
}

Result<Scenario> load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  auto root = load_yaml_file(path);
  if (!root) return root.error();
  auto as_written = parse_scenario(*root, path);
  if (!as_written || overrides.empty()) return as_written;
  std::string all;
  for (const std::string& assignment : overrides) {
    if (auto applied = apply_override(*root, assignment); !applied) return applied.error();
    all += (all.empty() ? "" : " ") + assignment;
  }
  auto overridden = parse_scenario(*root, path);
  if (overridden) return overridden;
  // The file was fine: the override is to blame, and its value has no line.
  std::string message = overridden.error().message();
  if (message.starts_with(path + ":")) {
    size_t key = message.find(": ", path.size());
    if (key != std::string::npos) message = message.substr(key + 2);
  }
  return Error{0, "--set " + all + ": " + message};
}

Status apply_override(YAML::Node& root, const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    return Error{0, "--set " + assignment + ": expected KEY=VALUE, e.g. duration=30s"};
  std::string path = assignment.substr(0, eq);
  std::string value = assignment.substr(eq + 1);
  // Walk a.b.0.c: names index mappings, numbers index sequences.
  std::vector<YAML::Node> chain{root};
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    YAML::Node current = chain.back();
    size_t index = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
    bool numeric = ec == std::errc() && ptr == part.data() + part.size();
    if (dot == std::string::npos) {
      YAML::Node parsed = YAML::Load(value);
      if (numeric && current.IsSequence()) {
        if (index >= current.size()) return Error{0, "--set " + path + ": no element " + part};
        current[index] = parsed;
      } else {
        current[part] = parsed;
      }
      return Ok{};
    }
    if (numeric && current.IsSequence()) {
      if (index >= current.size()) return Error{0, "--set " + path + ": no element " + part};
      chain.push_back(current[index]);
    } else {
      if (!current[part].IsDefined()) current[part] = YAML::Node(YAML::NodeType::Map);
      chain.push_back(current[part]);
    }
    start = dot + 1;
  }
}

Result<std::string> expand_placeholders(const std::string& text, const std::map<std::string, std::string>& values) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find('{', i);
    if (open == std::string::npos) {
      out += text.substr(i);
      break;
    }
    size_t close = text.find('}', open);
    if (close == std::string::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, open - i);
    std::string name = text.substr(open + 1, close - open - 1);
    auto it = values.find(name);
    if (it == values.end()) return Error{0, "unknown placeholder {" + name + "} in \"" + text + "\""};
    out += it->second;
    i = close + 1;
  }
  return out;
}

}  // namespace leakcheck::harness
