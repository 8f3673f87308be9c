#include "harness/scenario.h"

#include <algorithm>
#include <charconv>

#include "util/yaml_fields.h"

namespace leakcheck::harness {

namespace {

constexpr const char* kSeriesStatistics[] = {"growth_per_min", "max", "min", "mean", "last", "p99",
                                             "projected_hours_to_exhaustion", "after_fault"};
constexpr const char* kDeliveryFigures[] = {"loss_pct",    "duplicates",  "out_of_order", "corrupt",
                                            "empty_missing", "latency_p50", "latency_p99",  "latency_max",
                                            "target_exit_code", "target_stop_seconds"};

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
      o.fail("series", "needs a statistic: growth_per_min, max, min, mean, last, p99, projected_hours_to_exhaustion "
                       "or after_fault");
    if (c.statistic == "after_fault") {
      o.read_duration("settle", c.settle);
      o.read("baseline_samples", c.baseline_samples);
      if (c.baseline_samples == 0) o.fail("baseline_samples", "at least 1");
    }
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
  o.read_choice("content", p.content, {"normal", "pathological"});
  o.read_duration("alloc_after", p.alloc_after);
  o.read("alloc_mb", p.alloc_mb);
  if (p.stderr_share < 0 || p.stderr_share > 1) o.fail("stderr_share", "must be between 0 and 1");
  if (o.has("alloc_after") && p.alloc_mb == 0) o.fail("alloc_after", "needs alloc_mb");
  if (p.alloc_mb > 65536) o.fail("alloc_mb", "at most 65536 (64 GiB)");
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


constexpr std::pair<FaultAction, const char*> kFaultActions[] = {
    {FaultAction::sink_outage, "sink_outage"},         {FaultAction::target_restart, "target_restart"},
    {FaultAction::container_churn, "container_churn"}, {FaultAction::container_pause, "container_pause"},
    {FaultAction::container_oom, "container_oom"},     {FaultAction::dockerd_restart, "dockerd_restart"}};
constexpr std::pair<OutageMode, const char*> kOutageModes[] = {
    {OutageMode::status_503, "status_503"}, {OutageMode::refuse, "refuse"}, {OutageMode::slow, "slow"}};

// The keys of one fault that only some actions have; the rest are unknown
// keys for the others, so `mode` on a target_restart is an error.
void read_fault_action_keys(YamlObject& o, Fault& f, Scenario& s) {
  switch (f.action) {
    case FaultAction::sink_outage: {
      std::string mode;
      if (!o.has("mode")) return o.fail("mode", "sink_outage needs a mode: status_503, refuse or slow");
      o.read_choice("mode", mode, {"status_503", "refuse", "slow"});
      for (auto [m, name] : kOutageModes)
        if (mode == name) f.mode = m;
      if (f.mode == OutageMode::slow) {
        o.read_duration("delay", f.delay);
        if (f.delay.count() == 0) o.fail("delay", "must be more than 0");
      }
      break;
    }
    case FaultAction::target_restart:
      if (!o.has("for")) f.length = 1s;  // down for a second: a crash and a supervisor's restart
      o.read_choice("signal", f.signal, {"SIGKILL", "SIGTERM"});
      break;
    case FaultAction::container_churn:
      f.profile.rate = "5";  // a few lines a second from each
      o.read("count", f.count);
      o.object("profile", [&](YamlObject& p) { read_profile(p, f.profile); });
      if (f.count == 0 || f.count > 1000) o.fail("count", "between 1 and 1000");
      if (f.profile.alloc_mb != 0) o.fail("profile", "a churn container does not allocate (alloc_mb)");
      break;
    case FaultAction::container_pause:
    case FaultAction::container_oom: {
      if (!o.has("group"))
        return o.fail("group", std::string(fault_action_name(f.action)) + " needs the fleet group it acts on");
      o.read("group", f.group);
      FleetGroup* group = nullptr;
      std::string names;
      for (FleetGroup& g : s.fleet) {
        names += (names.empty() ? "" : ", ") + g.name;
        if (g.name == f.group) group = &g;
      }
      if (!group) return o.fail("group", "no fleet group \"" + f.group + "\" (groups: " + names + ")");
      // A restart or recreation would undo a pause and repeat an OOM kill.
      if (group->restart_every || group->recreate_every)
        return o.fail("group", "group \"" + f.group + "\" restarts or is recreated; a fault needs a group that does not");
      if (f.action == FaultAction::container_oom) {
        if (!o.has("for")) f.length = 10s;  // time for the kernel to kill them, then checked
        f.alloc_mb = 4 * std::max<uint64_t>(group->memory_bytes >> 20, 1);  // over any default swap allowance too
        o.read("alloc_mb", f.alloc_mb);
        if (f.alloc_mb == 0 || f.alloc_mb > 65536) o.fail("alloc_mb", "between 1 and 65536");
        if (group->profile.alloc_mb != 0) return o.fail("group", "group \"" + f.group + "\" already allocates (alloc_mb)");
        // The group's loggens allocate `at` into their life: they start
        // just before the run's clock, so the kill comes at `at` or a moment
        // before.
        group->profile.alloc_after = f.at;
        group->profile.alloc_mb = f.alloc_mb;
      }
      break;
    }
    case FaultAction::dockerd_restart:
      // The harness never starts the engine itself (scripts/lib/bootstrap.sh
      // does), so restarting it always needs the scenario's consent.
      if (!s.allow_engine_restart)
        return o.fail("action", "dockerd_restart stops the machine's Docker engine and everything running on it; "
                                "set `allow_engine_restart: true` in the scenario to allow it");
      break;
  }
}

void read_fault(YamlObject& o, Fault& f, Scenario& s) {
  std::string action;
  std::string list;
  for (auto [a, name] : kFaultActions) list += (list.empty() ? "" : ", ") + std::string(name);
  if (!o.has("action")) return o.fail("action", "a fault needs an action: " + list);
  o.read("action", action);
  bool known = false;
  for (auto [a, name] : kFaultActions)
    if (action == name) {
      f.action = a;
      known = true;
    }
  if (!known) return o.fail("action", "unknown fault action \"" + action + "\" (one of " + list + ")");
  if (!o.has("at")) return o.fail("at", "a fault needs `at`: its time from the start of the run, e.g. 30s");
  o.read_duration("at", f.at);
  bool needs_for = f.action != FaultAction::target_restart && f.action != FaultAction::container_oom;
  if (needs_for && !o.has("for")) return o.fail("for", std::string(fault_action_name(f.action)) + " needs `for`: how long it applies, e.g. 20s");
  o.read_duration("for", f.length);
  if (o.failed()) return;
  read_fault_action_keys(o, f, s);
  if (o.failed()) return;
  if (needs_for && f.length.count() == 0) return o.fail("for", "must be more than 0");
  if (f.at >= s.duration)
    return o.fail("at", format_duration(f.at) + " is not within the run's duration " + format_duration(s.duration));
  if (f.at + f.length > s.duration)
    return o.fail("for", "the fault would end at " + format_duration(f.at + f.length) + ", after the run's duration " +
                             format_duration(s.duration));
  // Two faults of one kind at once would undo each other's restore.
  for (size_t i = 0; i + 1 < s.faults.size(); ++i) {
    const Fault& other = s.faults[i];
    bool overlap = f.at < other.at + other.length && other.at < f.at + f.length;
    if (other.action == f.action && overlap && (f.group.empty() || f.group == other.group))
      return o.fail("at", "overlaps faults[" + std::to_string(i) + "] (" + fault_text(other) + ")");
  }
}

}  // namespace

std::string_view fault_action_name(FaultAction action) {
  for (auto [a, name] : kFaultActions)
    if (a == action) return name;
  return "?";
}

std::string_view outage_mode_name(OutageMode mode) {
  for (auto [m, name] : kOutageModes)
    if (m == mode) return name;
  return "?";
}

std::string fault_text(const Fault& f) {
  std::string what(fault_action_name(f.action));
  switch (f.action) {
    case FaultAction::sink_outage:
      what += " " + std::string(outage_mode_name(f.mode));
      if (f.mode == OutageMode::slow) what += " " + format_duration(f.delay);
      break;
    case FaultAction::target_restart: what += " " + f.signal; break;
    case FaultAction::container_churn: what += " " + std::to_string(f.count); break;
    case FaultAction::container_pause:
    case FaultAction::container_oom: what += " " + f.group; break;
    case FaultAction::dockerd_restart: break;
  }
  return what + " at " + format_duration(f.at) + " for " + format_duration(f.length);
}

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
  o.read("allow_engine_restart", s.allow_engine_restart);
  // After the fleet and the duration: a fault names a group and must fit the run.
  o.objects("faults", [&](YamlObject& f, size_t) {
    s.faults.emplace_back();
    read_fault(f, s.faults.back(), s);
  });
  bool has_criteria = o.has("criteria");
  o.objects("criteria", [&](YamlObject& c, size_t) {
    s.criteria.emplace_back();
    read_criterion(c, s.criteria.back());
    if (c.has("after_fault") && s.faults.empty()) c.fail("after_fault", "the scenario has no faults");
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
