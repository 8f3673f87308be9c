#include "harness/run.h"

#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>

#include "collector/sinks.h"
#include "docker/client.h"
#include "docker/pool.h"
#include "harness/faults.h"
#include "harness/fleet.h"
#include "harness/image.h"
#include "harness/progress.h"
#include "harness/report.h"
#include "harness/scenario.h"
#include "harness/series_table.h"
#include "harness/target.h"
#include "harness/verdict.h"
#include "probes/sampler.h"
#include "probes/snapshot_json.h"
#include "reports/report_file.h"
#include "receiver/receiver.h"
#include "util/io_main.h"

namespace leakcheck::harness {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr int kExitPass = 0, kExitFail = 1, kExitError = 2, kExitInterrupted = 130;

std::string make_run_id() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
  std::random_device rd;
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%04x", rd() & 0xffff);
  return std::string("lc") + stamp + "-" + suffix;
}

Status make_dirs(const std::string& path) {
  std::string partial;
  size_t start = 0;
  while (start != std::string::npos) {
    size_t slash = path.find('/', start + 1);
    partial = path.substr(0, slash);
    if (!partial.empty() && ::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST)
      return errno_error("cannot create " + partial);
    start = slash;
  }
  return Ok{};
}

Status write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return errno_error("cannot write " + path);
  return Ok{};
}

// The last `max_lines` lines of a file, reading at most its last `max_bytes`.
std::vector<std::string> last_lines(const std::string& path, size_t max_lines, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return {};
  const std::streamoff size = in.tellg();
  const std::streamoff from = std::max<std::streamoff>(0, size - static_cast<std::streamoff>(max_bytes));
  in.seekg(from);
  std::string text(static_cast<size_t>(size - from), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  std::vector<std::string> lines;
  size_t start = 0;
  if (from > 0) start = text.find('\n') == std::string::npos ? text.size() : text.find('\n') + 1;  // a cut first line
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (lines.size() > max_lines) lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(max_lines));
  return lines;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// --duration: the scenario's times scale with it, so a 4 h soak run for
// 2 min keeps its shape (warmup fraction, churn per run).
void scale_scenario(Scenario& s, Nanos duration) {
  double factor = std::chrono::duration<double>(duration) / std::chrono::duration<double>(s.duration);
  // Whole milliseconds: the scaled times read well in reports ("7.5s", not "7499999999ns").
  auto scale = [&](Nanos d) {
    return Nanos(std::llround(static_cast<double>(d.count()) * factor / 1e6) * 1'000'000);
  };
  s.warmup = scale(s.warmup);
  for (auto& g : s.fleet) {
    if (g.restart_every) g.restart_every = std::max<Nanos>(scale(*g.restart_every), 2s);
    if (g.recreate_every) g.recreate_every = std::max<Nanos>(scale(*g.recreate_every), 4s);
    g.profile.alloc_after = scale(g.profile.alloc_after);  // a container_oom fault's `at`
  }
  for (auto& f : s.faults) {
    f.at = scale(f.at);
    f.length = scale(f.length);
  }
  s.duration = duration;
}

uint16_t free_port() {
  // Bind port 0 on loopback, read it back, release it: the target binds it next.
  asio::io_context ioc;
  asio::ip::tcp::acceptor a(ioc, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

struct Sleeper {
  explicit Sleeper(asio::any_io_executor ex) : timer(ex) {}
  asio::steady_timer timer;
  asio::awaitable<void> until(std::chrono::steady_clock::time_point t) {
    timer.expires_at(t);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
};

// Metrics of the target, scraped over HTTP every sample.
class Scraper {
 public:
  Scraper(asio::any_io_executor ex, collector::HttpUrl url)
      : url_(std::move(url)),
        pool_(ex, docker::Endpoint{docker::Endpoint::Kind::tcp, "", url_.host, url_.port}, options()) {}
  asio::awaitable<std::vector<std::pair<std::string, double>>> scrape() {
    std::vector<std::pair<std::string, double>> out;
    auto lease = co_await pool_.acquire("GET " + url_.path);
    if (!lease) co_return out;
    docker::Request request("GET", url_.path);
    docker::RequestLimits limits;
    limits.header_timeout = 2s;
    limits.body_timeout = 2s;
    limits.body_limit_bytes = 4u << 20;
    docker::Connection::Failure failure;
    auto response = co_await lease->connection().exchange(request, limits, failure);
    if (!response || response->status != 200) co_return out;
    for (auto& [name, value] : parse_prometheus_text(response->body)) out.emplace_back("metrics." + name, value);
    co_return out;
  }
  asio::awaitable<void> shutdown() {
    pool_.shutdown();
    co_await pool_.wait_drained(1s);
  }

 private:
  static docker::PoolOptions options() {
    docker::PoolOptions o;
    o.max_connections = 1;
    o.connect_timeout = 1s;
    o.acquire_timeout = 2s;
    return o;
  }
  collector::HttpUrl url_;
  docker::ConnectionPool pool_;
};

struct Environment {
  std::string kernel, docker_version, docker_api, toolkit_version, hostname;
};

Environment environment_of(const docker::VersionInfo* v) {
  Environment e;
  utsname u{};
  if (::uname(&u) == 0) e.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
  if (v) {
    e.docker_version = v->version;
    e.docker_api = v->api_version.text();
  }
  e.toolkit_version = std::string(LEAKCHECK_VERSION) + " (" + LEAKCHECK_GIT_COMMIT + ")";
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  e.hostname = host;
  return e;
}

}  // namespace

namespace {

struct RunContext {
  const RunOptions& options;
  Logger& log;
  Scenario scenario;
  std::string scenario_text;
  std::string run_id;
  std::string run_dir;
  bool interrupted = false;
};

int64_t now_unix_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The figures of one sample: the target (with descendants), observed
// processes, and the target's own metrics.
struct SampleOutcome {
  std::vector<std::pair<std::string, double>> values;
  bool target_gone = false;
  std::optional<double> nofile_soft;
};

SampleOutcome take_sample(probes::Sampler& sampler, pid_t target, const Scenario& s) {
  SampleOutcome out;
  probes::SampleOptions options;
  options.include_descendants = s.target.include_children;
  auto r = sampler.sample(target, options);
  if (auto* snap = std::get_if<probes::ProcessSnapshot>(&r)) {
    out.values = probes::to_series(*snap);
    if (snap->limits.nofile_soft) out.nofile_soft = static_cast<double>(*snap->limits.nofile_soft);
  } else {
    out.target_gone = true;
  }
  probes::SampleOptions observe_options;
  observe_options.with_pss = false;
  for (const std::string& name : s.observe) {
    auto pids = probes::find_processes_by_name(name);
    if (pids.empty()) continue;
    auto o = sampler.sample(pids.front(), observe_options);
    if (auto* snap = std::get_if<probes::ProcessSnapshot>(&o))
      for (auto& [series, value] : probes::to_series(*snap)) out.values.emplace_back("observe." + name + "." + series, value);
  }
  return out;
}

double series_value(const std::vector<std::pair<std::string, double>>& values, const std::string& name) {
  for (const auto& [n, v] : values)
    if (n == name) return v;
  return -1;
}

asio::awaitable<int> run_main(RunContext& ctx) {
  auto executor = co_await asio::this_coro::executor;
  const Scenario& s = ctx.scenario;
  Logger& log = ctx.log;
  RunRecord record;
  record.run_id = ctx.run_id;
  record.scenario_file = ctx.options.scenario_path;
  record.scenario_text = ctx.scenario_text;
  record.scenario = &s;
  record.started_unix_ns = now_unix_ns();
  SeriesTable table;
  record.samples = &table;
  receiver::DeliveryReport delivery;
  auto write_report = [&](const std::string& verdict) {
    record.verdict = verdict;
    record.finished_unix_ns = now_unix_ns();
    record.target_stderr_tail = last_lines(ctx.run_dir + "/target.stderr.log", 40, 16 * 1024);
    const std::string text = report_json(record);
    if (auto w = write_file(ctx.run_dir + "/report.json", text); !w)
      log.error("cannot write the report", {{"error", w.error().message()}});
    try {
      if (auto w = reports::write_rendered(ctx.run_dir, nlohmann::json::parse(text)); !w)
        log.error("cannot write report.html or junit.xml", {{"error", w.error().message()}});
    } catch (const std::exception& e) {  // a renderer bug must not cost the run its report.json
      log.error("cannot render report.html or junit.xml", {{"error", e.what()}});
    }
    if (auto w = write_file(ctx.run_dir + "/samples.csv", table.to_csv()); !w)
      log.error("cannot write samples", {{"error", w.error().message()}});
  };

  // Ctrl-C (or SIGTERM) from here on stops the run cleanly: whatever was
  // created is removed and a report marked incomplete is written.
  Sleeper sleeper(executor);
  asio::signal_set signals(executor, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    ctx.interrupted = true;
    sleeper.timer.cancel();
  });

  // 1. The engine, the image, the receiver.
  auto endpoint = docker::parse_endpoint(ctx.options.docker_host);
  if (!endpoint) {
    log.error("bad docker host", {{"error", endpoint.error().message()}});
    co_return kExitError;
  }
  docker::Client client(executor, *endpoint);
  auto version = co_await client.version();
  if (!version) {
    log.error("the Docker engine is unavailable", {{"docker_host", endpoint->text()}, {"error", version.error().message()}});
    co_return kExitError;
  }
  Environment env = environment_of(&*version);
  record.environment = {{"kernel", env.kernel}, {"docker_version", env.docker_version}, {"docker_api", env.docker_api},
                        {"toolkit_version", env.toolkit_version}, {"hostname", env.hostname}};
  auto image = co_await ensure_loggen_image(client, ctx.options.loggen_path);
  if (!image) {
    log.error("cannot build the test image", {{"error", image.error().message()}});
    co_return kExitError;
  }
  receiver::ReceiverOptions receiver_options;
  receiver_options.ledger.run_id = ctx.run_id;
  receiver_options.ledger.series_start_ns = record.started_unix_ns;
  receiver_options.ledger.series_interval_ns = s.sample_interval.count();
  receiver::Receiver sink(executor, receiver_options);
  if (auto started = sink.start(); !started) {
    log.error("cannot start the receiver", {{"error", started.error().message()}});
    co_return kExitError;
  }

  // 2. The fleet, then the target. From here on every exit path cleans up.
  Fleet fleet(client, s, ctx.run_id, *image, log);
  TargetProcess target;
  int exit_code = kExitError;
  auto cleanup = [&]() -> asio::awaitable<void> {
    auto removed = co_await Fleet::remove_all(client, ctx.run_id);
    if (!removed) log.error("cannot remove the run's containers; run `leakcheck clean`", {{"error", removed.error().message()}});
    co_await sink.stop(2s);
    co_await client.shutdown(2s);
  };
  uint16_t metrics_port = free_port();
  std::map<std::string, std::string> placeholders = {
      {"sink_url", sink.push_url()},     {"state_dir", ctx.run_dir + "/state"},
      {"docker_host", endpoint->text()}, {"run_dir", ctx.run_dir},
      {"run_id", ctx.run_id},            {"collector", ctx.options.collector_path},
      {"metrics_port", std::to_string(metrics_port)}};
  std::vector<std::string> argv;
  for (const auto& arg : s.target.command) {
    auto expanded = expand_placeholders(arg, placeholders);
    if (!expanded) {
      log.error("bad target command", {{"error", expanded.error().message()}});
      record.error = expanded.error().message();
      write_report("ERROR");
      co_await cleanup();
      co_return kExitError;
    }
    argv.push_back(*expanded);
  }
  record.target_command = argv;
  if (auto started = target.start(argv, s.target.env, ctx.run_dir + "/target.stdout.log", ctx.run_dir + "/target.stderr.log");
      !started) {
    log.error("the target failed to start", {{"error", started.error().message()}});
    record.error = started.error().message();
    write_report("ERROR");
    co_await cleanup();
    co_return kExitError;
  }
  // The target first, the fleet after: the target finds the containers as
  // they start, and no line waits for the target to come up (that would be
  // the harness's latency, not the target's).
  Sleeper settle(executor);
  co_await settle.until(std::chrono::steady_clock::now() + 1s);
  auto fleet_started = co_await fleet.start();
  if (auto& started = fleet_started; !started) {
    log.error("cannot start the fleet", {{"error", started.error().message()}});
    record.error = started.error().message();
    write_report("ERROR");
    co_await cleanup();
    co_return kExitError;
  }
  std::unique_ptr<Scraper> scraper;
  if (!s.target.metrics_url.empty()) {
    auto url = expand_placeholders(s.target.metrics_url, placeholders);
    auto parsed = url ? collector::parse_http_url(*url) : Result<collector::HttpUrl>(url.error());
    if (parsed) scraper = std::make_unique<Scraper>(executor, *parsed);
    else log.warn("metrics_url ignored", {{"error", parsed.error().message()}});
  }
  log.info("run started", {{"run", ctx.run_id}, {"scenario", s.name}, {"containers", std::to_string(fleet.size())},
                           {"target_pid", std::to_string(target.pid())}, {"run_dir", ctx.run_dir}});

  // 3. Sample until the duration is over, the target dies, or Ctrl-C.
  probes::Sampler sampler;
  Progress progress(ctx.options.terminal);
  auto start = std::chrono::steady_clock::now();
  auto end = start + s.duration;
  auto next = start;
  FaultRunner faults(client, sink, target, fleet, s, ctx.run_id, argv, ctx.run_dir, start, log);
  while (!ctx.interrupted && std::chrono::steady_clock::now() < end) {
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    SampleOutcome sample = take_sample(sampler, target.pid(), s);
    if (scraper) {
      auto scraped = co_await scraper->scrape();
      sample.values.insert(sample.values.end(), scraped.begin(), scraped.end());
    }
    const auto& totals = sink.ledger().totals();
    sample.values.emplace_back("delivery.lines_received", static_cast<double>(totals.boots.delivered));
    receiver::LatencyHistogram recent = sink.ledger().take_recent_latency();
    if (recent.count() > 0) {
      sample.values.emplace_back("delivery.latency_p50_s", static_cast<double>(recent.percentile(50)) / 1e9);
      sample.values.emplace_back("delivery.latency_p99_s", static_cast<double>(recent.percentile(99)) / 1e9);
      sample.values.emplace_back("delivery.latency_max_s", static_cast<double>(recent.max()) / 1e9);
    }
    if (sample.nofile_soft) record.nofile_soft = sample.nofile_soft;
    bool planned_gap = faults.target_down();  // a planned restart: nothing to sample, and no crash
    if (!planned_gap && (sample.target_gone || target.poll())) {
      record.target.crashed = true;
      log.error("the target exited during the run");
      break;
    }
    if (!planned_gap) table.add_sample(t, sample.values);
    progress.update(ProgressFigures{t, std::chrono::duration<double>(s.duration).count(),
                                    series_value(sample.values, "fds.total"),
                                    series_value(sample.values, "threads.total"),
                                    series_value(sample.values, "sockets.tcp.total"),
                                    series_value(sample.values, "sockets.unix.total"), totals.boots.delivered,
                                    "running"});
    co_await fleet.churn(std::chrono::steady_clock::now());
    co_await faults.step(std::chrono::steady_clock::now());
    next += s.sample_interval;
    co_await sleeper.until(std::max(next, std::chrono::steady_clock::now()));
  }
  progress.finish();
  co_await faults.finish();  // before the drain: the receiver answers again, nothing stays paused
  record.complete = !ctx.interrupted && !record.target.crashed;

  // 4. Stop writing, let the target deliver what it has, stop the target.
  log.info("stopping the fleet and draining");
  co_await fleet.stop();
  auto drain_end = std::chrono::steady_clock::now() + (ctx.interrupted ? 2s : s.drain);
  uint64_t last = sink.ledger().totals().boots.delivered;
  auto quiet_since = std::chrono::steady_clock::now();
  while (!record.target.crashed && std::chrono::steady_clock::now() < drain_end) {
    co_await sleeper.until(std::chrono::steady_clock::now() + 500ms);
    uint64_t now_delivered = sink.ledger().totals().boots.delivered;
    if (now_delivered != last) {
      last = now_delivered;
      quiet_since = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - quiet_since > 3s) {
      break;  // nothing new for 3 s: delivered what it will
    }
  }
  record.faults = faults.records();  // after the drain: a restart's duplicates have come
  TargetExit exit = co_await target.stop(s.target.stop_timeout);
  record.target.exit_code = exit.exit_code;
  record.target.signal = exit.signal;
  record.target.stop_seconds = exit.stop_seconds;
  record.target.killed = exit.killed;

  // 5. Ground truth from the daemon, then the verdict.
  receiver::GroundTruth truth(ctx.run_id);
  std::vector<ContainerTruth> truths = co_await fleet.truth();
  for (const ContainerTruth& c : truths) {
    if (!c.error.empty()) {
      log.warn("cannot read a container's log; its delivery is unknown", {{"container", c.name}, {"error", c.error}});
      continue;
    }
    truth.add_container(c.name);
    for (const std::string& line : c.lines) truth.add_line(c.name, line);
  }
  delivery = receiver::reconcile(sink.ledger(), truth);
  record.delivery = &delivery;
  record.fleet_containers = fleet.size();
  record.fleet_restarts = fleet.restarts();
  record.fleet_recreations = fleet.recreations();
  record.criteria = judge(s, table, delivery, record.target, record.nofile_soft);
  record.fd_exhaustion_hours =
      projected_fd_exhaustion_hours(table, std::chrono::duration<double>(s.warmup).count(), record.nofile_soft);
  bool all_passed = !record.target.crashed && faults_happened(record.faults);
  for (const auto& v : record.criteria) all_passed = all_passed && v.passed;
  std::string verdict = ctx.interrupted ? "INCOMPLETE" : all_passed ? "PASS" : "FAIL";
  write_report(verdict);
  if (scraper) co_await scraper->shutdown();
  co_await cleanup();

  // 6. The answer, readable.
  std::fprintf(stdout, "%s: %s (run %s)\n", s.name.c_str(), verdict.c_str(), ctx.run_id.c_str());
  for (const auto& v : record.criteria) {
    char value[64];
    std::snprintf(value, sizeof value, "%.4g", v.value);
    std::fprintf(stdout, "  %-4s %-48s value %s%s%s\n", v.passed ? "ok" : "FAIL", v.criterion.text.c_str(),
                 v.evaluated ? value : "n/a", v.shape.empty() ? "" : (" (" + v.shape + ")").c_str(),
                 v.evaluated ? "" : (" - " + v.detail).c_str());
  }
  if (record.target.crashed) std::fprintf(stdout, "  FAIL the target exited during the run\n");
  for (const auto& f : record.faults)
    std::fprintf(stdout, "  %-4s fault %s\n", f.errors.empty() ? "ok" : "FAIL", fault_summary(f).c_str());
  std::fprintf(stdout, "  delivery: %llu of %llu lines, %llu missing, %llu duplicated; report: %s/report.json\n",
               static_cast<unsigned long long>(delivery.totals.counts.delivered),
               static_cast<unsigned long long>(delivery.totals.expected),
               static_cast<unsigned long long>(delivery.totals.missing),
               static_cast<unsigned long long>(delivery.totals.counts.duplicates), ctx.run_dir.c_str());
  exit_code = ctx.interrupted ? kExitInterrupted : all_passed ? kExitPass : kExitFail;
  co_return exit_code;
}

}  // namespace

int run_scenario(const RunOptions& options, Logger& log) {
  auto scenario = load_scenario(options.scenario_path, options.overrides);
  if (!scenario) {
    std::fprintf(stderr, "leakcheck run: %s\n", scenario.error().message().c_str());
    return kExitError;
  }
  RunContext ctx{options, log, std::move(*scenario), read_text(options.scenario_path), make_run_id(), ""};
  if (options.duration) scale_scenario(ctx.scenario, *options.duration);
  ctx.run_dir = options.runs_dir + "/" + ctx.run_id;
  if (auto made = make_dirs(ctx.run_dir + "/state"); !made) {
    std::fprintf(stderr, "leakcheck run: %s\n", made.error().message().c_str());
    return kExitError;
  }
  return run_io_main(run_main(ctx), kExitError, log);
}

int clean_leftovers(const std::string& docker_host, const std::string& run_id, Logger& log) {
  auto endpoint = docker::parse_endpoint(docker_host);
  if (!endpoint) {
    log.error("bad docker host", {{"error", endpoint.error().message()}});
    return kExitError;
  }
  auto clean = [&]() -> asio::awaitable<int> {
    docker::Client client(co_await asio::this_coro::executor, *endpoint);
    auto removed = co_await Fleet::remove_all(client, run_id);
    co_await client.shutdown(2s);
    if (!removed) {
      log.error("cannot remove leftovers", {{"error", removed.error().message()}});
      co_return kExitError;
    }
    std::fprintf(stdout, "removed %zu container(s) labelled %s\n", *removed, kRunLabel);
    co_return kExitPass;
  };
  return run_io_main(clean(), kExitError, log);
}

}  // namespace leakcheck::harness
