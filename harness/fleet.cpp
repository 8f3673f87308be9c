#include "harness/fleet.h"

#include <cstdio>

#include "collector/frame_decoder.h"
#include "collector/line_assembler.h"

namespace leakcheck::harness {

namespace asio = boost::asio;

std::vector<std::string> loggen_argv(const LogProfile& p, const std::string& run_id, const std::string& name,
                                     uint64_t seed) {
  std::vector<std::string> argv{kLoggenPath, "--run", run_id, "--name", name, "--boot-file", "/boot",
                                "--seed", std::to_string(seed), "--size", std::to_string(p.size_bytes)};
  if (!p.rate.empty()) argv.insert(argv.end(), {"--rate", p.rate});
  if (!p.burst.empty()) argv.insert(argv.end(), {"--burst", p.burst});
  if (p.idle_first.count() > 0) argv.insert(argv.end(), {"--idle-first", format_duration(p.idle_first)});
  if (p.stderr_share > 0) {
    char share[32];
    std::snprintf(share, sizeof share, "%g", p.stderr_share);
    argv.insert(argv.end(), {"--stderr-share", share});
  }
  if (p.long_every > 0)
    argv.insert(argv.end(), {"--long-every", std::to_string(p.long_every), "--long-size", std::to_string(p.long_size_bytes)});
  if (p.content != "normal") argv.insert(argv.end(), {"--content", p.content});
  if (p.alloc_mb > 0)
    argv.insert(argv.end(), {"--alloc-after", format_duration(p.alloc_after), "--alloc-mb", std::to_string(p.alloc_mb)});
  return argv;
}

Fleet::Fleet(docker::Client& client, const Scenario& scenario, std::string run_id, std::string image, Logger& log)
    : client_(client), scenario_(scenario), run_id_(std::move(run_id)), image_(std::move(image)), log_(log) {
  auto now = std::chrono::steady_clock::now();
  for (const FleetGroup& g : scenario_.fleet) {
    for (size_t i = 0; i < g.count; ++i) {
      Member m;
      m.group = &g;
      m.index = i;
      // Churn is staggered across a group, so restarts do not all land at once.
      if (g.restart_every) m.next_restart = now + *g.restart_every + *g.restart_every * i / g.count;
      if (g.recreate_every) m.next_recreate = now + *g.recreate_every + *g.recreate_every * i / g.count;
      containers_.push_back(m);
    }
  }
}

asio::awaitable<Result<std::string>> Fleet::create_started(const std::string& name, const std::string& group,
                                                          const LogProfile& profile, bool tty, uint64_t memory_bytes,
                                                          uint64_t seed) {
  docker::ContainerSpec spec;
  spec.name = name;
  spec.image = image_;
  spec.cmd = loggen_argv(profile, run_id_, name, seed);
  spec.labels = {{kRunLabel, run_id_}, {kGroupLabel, group}};
  spec.tty = tty;
  spec.network_mode = "none";
  spec.memory_bytes = static_cast<int64_t>(memory_bytes);
  spec.log_driver = "json-file";
  auto id = co_await client_.create_container(spec);
  if (!id) co_return Error{id.error().code, "create container " + name + ": " + id.error().message()};
  auto started = co_await client_.start_container(*id);
  if (!started) co_return Error{started.error().code, "start container " + name + ": " + started.error().message()};
  co_return *id;
}

asio::awaitable<Status> Fleet::create(Member& m) {
  m.name = run_id_ + "-" + m.group->name + "-" + std::to_string(m.index) +
           (m.generation ? "-r" + std::to_string(m.generation) : "");
  // Deterministic from the scenario's seed: a run is reproducible from its file.
  auto group_ordinal = static_cast<uint64_t>(m.group - scenario_.fleet.data());
  uint64_t seed = scenario_.seed * 1'000'003 + group_ordinal * 10'007 + m.index * 101 + m.generation;
  auto id = co_await create_started(m.name, m.group->name, m.group->profile, m.group->tty, m.group->memory_bytes, seed);
  if (!id) co_return id.error();
  m.id = *id;
  co_return Ok{};
}

asio::awaitable<Result<std::string>> Fleet::start_extra(const std::string& name, const std::string& group,
                                                       const LogProfile& profile, uint64_t seed) {
  auto id = co_await create_started(name, group, profile, false, 64u << 20, seed);
  if (id) ++extras_started_;
  co_return id;
}

asio::awaitable<Status> Fleet::retire_extra(const std::string& name, const std::string& id, const std::string& group) {
  auto stopped = co_await client_.stop_container(id, std::chrono::seconds(5));
  if (!stopped) log_.warn("stop failed", {{"container", name}, {"error", stopped.error().message()}});
  retired_.push_back(co_await read_truth(name, id, group, false));
  auto removed = co_await client_.remove_container(id, true);
  if (!removed) co_return Error{removed.error().code, "remove container " + name + ": " + removed.error().message()};
  co_return Ok{};
}

std::vector<std::pair<std::string, std::string>> Fleet::group_containers(const std::string& group) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Member& m : containers_)
    if (m.group->name == group) out.emplace_back(m.name, m.id);
  return out;
}

asio::awaitable<Fleet::Revival> Fleet::start_stopped() {
  Revival out;
  for (const Member& m : containers_) {
    auto info = co_await client_.inspect_container(m.id);
    if (!info || !*info) {
      out.errors.push_back("cannot inspect " + m.name + ": " + (info ? std::string("no such container") : info.error().message()));
      continue;
    }
    if ((*info)->state.running) continue;
    ++out.stopped;
    auto started = co_await client_.start_container(m.id);
    if (started) ++out.started;
    else out.errors.push_back("cannot start " + m.name + ": " + started.error().message());
  }
  co_return out;
}

asio::awaitable<Status> Fleet::start() {
  for (Member& m : containers_) {
    auto created = co_await create(m);
    if (!created) co_return created;
  }
  co_return Ok{};
}

asio::awaitable<void> Fleet::churn(std::chrono::steady_clock::time_point now) {
  for (Member& m : containers_) {
    const FleetGroup& g = *m.group;
    if (g.recreate_every && now >= m.next_recreate) {
      m.next_recreate = now + *g.recreate_every;
      auto stopped = co_await client_.stop_container(m.id, std::chrono::seconds(5));
      if (!stopped) log_.warn("churn: stop failed", {{"container", m.name}, {"error", stopped.error().message()}});
      retired_.push_back(co_await read_truth(m.name, m.id, m.group->name, m.group->tty));
      auto removed = co_await client_.remove_container(m.id, true);
      if (!removed) log_.warn("churn: remove failed", {{"container", m.name}, {"error", removed.error().message()}});
      ++m.generation;
      ++recreations_;
      auto created = co_await create(m);
      if (!created) log_.error("churn: recreate failed", {{"error", created.error().message()}});
    } else if (g.restart_every && now >= m.next_restart) {
      m.next_restart = now + *g.restart_every;
      auto restarted = co_await client_.restart_container(m.id, std::chrono::seconds(5));
      if (!restarted) log_.warn("churn: restart failed", {{"container", m.name}, {"error", restarted.error().message()}});
      else ++restarts_;
    }
  }
}

asio::awaitable<void> Fleet::stop() {
  for (Member& m : containers_) {
    auto stopped = co_await client_.stop_container(m.id, std::chrono::seconds(5));
    if (!stopped) log_.warn("stop failed", {{"container", m.name}, {"error", stopped.error().message()}});
  }
}

asio::awaitable<ContainerTruth> Fleet::read_truth(std::string name, std::string id, std::string group, bool tty) {
  ContainerTruth truth;
  truth.name = std::move(name);
  truth.id = std::move(id);
  truth.group = std::move(group);
  docker::LogsOptions options;
  auto raw = co_await client_.container_logs(truth.id, options);
  if (!raw) {
    truth.error = raw.error().message();
    co_return truth;
  }
  using namespace collector;
  FrameDecoder decoder(FrameDecoderOptions{.raw = tty});
  LineAssembler assembler(LineAssemblerOptions{.timestamps = false, .tty = tty,
                                               .max_line_bytes = 64u << 20});
  DecodedChunk chunk;
  std::vector<LogLine> lines;
  auto decoded = decoder.feed(*raw, chunk);
  for (const FramePiece& piece : chunk.pieces) {
    auto added = assembler.add(piece, lines);
    if (!added) truth.error = added.error().message();
  }
  auto finished = assembler.finish(lines);
  if (!decoded) truth.error = decoded.error().message();
  if (!finished) truth.error = finished.error().message();
  for (LogLine& line : lines) truth.lines.push_back(std::move(line.text));
  co_return truth;
}

asio::awaitable<std::vector<ContainerTruth>> Fleet::truth() {
  std::vector<ContainerTruth> all = retired_;
  for (const Member& m : containers_) all.push_back(co_await read_truth(m.name, m.id, m.group->name, m.group->tty));
  co_return all;
}

asio::awaitable<Result<size_t>> Fleet::remove_all(docker::Client& client, const std::string& run_id) {
  docker::ListOptions options;
  options.all = true;
  options.filters = {{"label", {run_id.empty() ? std::string(kRunLabel) : std::string(kRunLabel) + "=" + run_id}}};
  auto listed = co_await client.list_containers(options);
  if (!listed) co_return listed.error();
  size_t removed = 0;
  for (const auto& c : *listed) {
    auto gone = co_await client.remove_container(c.id, true);
    if (gone) ++removed;
  }
  co_return removed;
}

}  // namespace leakcheck::harness
