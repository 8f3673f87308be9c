#include "harness/faults.h"

#include <signal.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <deque>
#include <exception>
#include <limits>
#include <sys/stat.h>
#include <sys/wait.h>

#include "docker/client.h"
#include "harness/engine_process.h"
#include "harness/fleet.h"
#include "harness/target.h"
#include "receiver/receiver.h"

namespace leakcheck::harness {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

double seconds(Nanos d) { return std::chrono::duration<double>(d).count(); }

std::string format_seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", s);
  return text;
}

asio::awaitable<void> sleep_until(Clock::time_point t) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_at(t);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

// dockerd_restart: SIGTERM, then SIGKILL this long after; then the new
// engine must answer /_ping within kEngineUpTimeout.
constexpr auto kEngineStopTimeout = 30s;
constexpr auto kEngineUpTimeout = 60s;

// Where a restarted engine's output goes when its old stdout was no file:
// the bootstrap's log if there is one here, else the run directory.
std::string fallback_engine_log(const std::string& run_dir) {
  struct stat st{};
  if (::stat(".state", &st) == 0 && S_ISDIR(st.st_mode)) return ".state/dockerd.log";
  return run_dir + "/dockerd.log";
}

// A churn worker that is told to stop removes what it made, but gives up
// this long after (the containers are then left to the run's cleanup, and
// their delivery is unknown).
constexpr auto kChurnGiveUp = 60s;

}  // namespace

std::string fault_summary(const FaultRecord& r) {
  std::string out = r.text + ": " + (r.outcome.empty() ? "not applied" : r.outcome);
  for (const std::string& e : r.errors) out += "; ERROR " + e;
  return out;
}

bool faults_happened(const std::vector<FaultRecord>& records) {
  return std::all_of(records.begin(), records.end(), [](const FaultRecord& r) { return r.errors.empty(); });
}

FaultRunner::FaultRunner(docker::Client& client, receiver::Receiver& sink, TargetProcess& target, Fleet& fleet,
                         const Scenario& scenario, std::string run_id, std::vector<std::string> target_argv,
                         std::string run_dir, Clock::time_point run_start, Logger& log)
    : client_(client),
      sink_(sink),
      target_(target),
      fleet_(fleet),
      scenario_(scenario),
      run_id_(std::move(run_id)),
      target_argv_(std::move(target_argv)),
      run_dir_(std::move(run_dir)),
      run_start_(run_start),
      log_(log) {
  // One state per fault, never resized: coroutines hold references into it.
  states_.resize(scenario_.faults.size());
  for (size_t i = 0; i < states_.size(); ++i) {
    const Fault& f = scenario_.faults[i];
    FaultRecord& r = states_[i].record;
    r.action = fault_action_name(f.action);
    r.text = fault_text(f);
    r.at_s = seconds(f.at);
    r.for_s = seconds(f.length);
  }
}

FaultRunner::~FaultRunner() = default;

double FaultRunner::since_start(Clock::time_point t) const {
  return std::chrono::duration<double>(t - run_start_).count();
}

void FaultRunner::note(State& state, const std::string& error) {
  state.record.errors.push_back(error);
  log_.error("fault: " + error, {{"fault", state.record.text}});
}

asio::awaitable<void> FaultRunner::step(Clock::time_point now) {
  for (size_t i = 0; i < states_.size(); ++i) {
    const Fault& f = scenario_.faults[i];
    if (states_[i].phase == Phase::pending && now >= run_start_ + f.at) co_await begin(i);
    if (states_[i].phase == Phase::applying && now >= run_start_ + f.at + f.length) co_await end(i, false);
  }
}

asio::awaitable<void> FaultRunner::begin(size_t index) {
  State& st = states_[index];
  const Fault& f = scenario_.faults[index];
  st.phase = Phase::applying;
  st.record.started_s = since_start(Clock::now());
  const auto& totals = sink_.ledger().totals();
  st.delivered_at_start = totals.boots.delivered;
  st.duplicates_at_start = totals.boots.duplicates;
  receiver::ReceiverStats stats = sink_.stats();
  st.push_requests_at_start = stats.push_requests;
  st.answered_by_fault_at_start = stats.answered_by_fault;
  log_.info("fault begins", {{"fault", st.record.text}});

  if (f.action == FaultAction::sink_outage) {
    if (f.mode == OutageMode::status_503) {
      sink_.fail_with(503, Nanos::max());  // until end() clears it
    } else if (f.mode == OutageMode::slow) {
      sink_.set_delay(f.delay);
    } else {
      // Down: no new connection, and the open ones (the target's
      // keep-alive pool) cut, or it would go on pushing through them.
      st.connections_closed = stats.http.connections_open;
      st.record.figures.emplace_back("connections_closed", static_cast<double>(st.connections_closed));
      sink_.pause_accepting();
      sink_.close_connections();
    }
  } else if (f.action == FaultAction::target_restart) {
    st.old_pid = target_.pid();
    target_down_ = true;
    int signal = f.signal == "SIGTERM" ? SIGTERM : SIGKILL;
    TargetExit exit = co_await target_.stop_with(signal, scenario_.target.stop_timeout);
    st.down_since = Clock::now();
    st.record.figures.emplace_back("old_pid", st.old_pid);
    st.record.figures.emplace_back("exit_code", exit.exit_code);
    st.record.figures.emplace_back("exit_signal", exit.signal);
    st.record.figures.emplace_back("stop_seconds", exit.stop_seconds);
    if (exit.killed) note(st, "the target did not exit on " + f.signal + " within the stop timeout: killed");
  } else if (f.action == FaultAction::container_churn) {
    auto executor = co_await asio::this_coro::executor;
    spawn_worker(executor, index, churn_worker(index));
  } else if (f.action == FaultAction::dockerd_restart) {
    auto executor = co_await asio::this_coro::executor;
    spawn_worker(executor, index, engine_worker(index));
  } else if (f.action == FaultAction::container_pause) {
    st.containers = fleet_.group_containers(f.group);
    size_t paused = 0;
    for (const auto& [name, id] : st.containers) {
      auto done = co_await client_.pause_container(id);
      if (done) ++paused;
      else note(st, "cannot pause " + name + ": " + done.error().message());
    }
    st.record.figures.emplace_back("containers", static_cast<double>(st.containers.size()));
    st.record.figures.emplace_back("paused", static_cast<double>(paused));
  } else if (f.action == FaultAction::container_oom) {
    // The group's loggens allocate at `at` by themselves (their profile's
    // alloc_after); end() looks at what the kernel did.
    st.containers = fleet_.group_containers(f.group);
  }
}

void FaultRunner::spawn_worker(const asio::any_io_executor& executor, size_t index, asio::awaitable<void> worker) {
  states_[index].worker_running = true;
  asio::co_spawn(executor, std::move(worker), [this, index](std::exception_ptr e) {
    State& state = states_[index];
    state.worker_running = false;
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      note(state, std::string("the fault's worker stopped: ") + ex.what());
    }
  });
}

asio::awaitable<void> FaultRunner::end(size_t index, bool early) {
  State& st = states_[index];
  const Fault& f = scenario_.faults[index];
  st.phase = Phase::ended;
  receiver::ReceiverStats stats = sink_.stats();
  std::string cut_short = early ? " (ended early: the run ended)" : "";

  if (f.action == FaultAction::sink_outage) {
    uint64_t pushes = stats.push_requests - st.push_requests_at_start;
    st.record.figures.emplace_back("push_requests", static_cast<double>(pushes));
    if (f.mode == OutageMode::status_503) {
      sink_.clear_faults();
      uint64_t failed = stats.answered_by_fault - st.answered_by_fault_at_start;
      st.record.figures.emplace_back("answered_503", static_cast<double>(failed));
      st.record.outcome = "the receiver answered 503 to " + std::to_string(failed) + " pushes";
    } else if (f.mode == OutageMode::slow) {
      sink_.set_delay(Nanos::zero());
      st.record.outcome = "the receiver waited " + format_duration(f.delay) + " before answering each of " +
                          std::to_string(pushes) + " pushes";
    } else {
      auto resumed = sink_.resume_accepting();
      if (!resumed) note(st, "the receiver cannot listen again: " + resumed.error().message());
      st.record.outcome = "the receiver refused connections (" + std::to_string(st.connections_closed) +
                          " open ones closed)";
    }
  } else if (f.action == FaultAction::target_restart) {
    co_await restart_target(st, f);
  } else if (f.action == FaultAction::container_churn || f.action == FaultAction::dockerd_restart) {
    // The worker removes the last containers (or starts the engine) on its
    // own schedule, and writes the outcome when it is done.
  } else if (f.action == FaultAction::container_pause) {
    size_t unpaused = 0;
    for (const auto& [name, id] : st.containers) {
      auto done = co_await client_.unpause_container(id);
      if (done) ++unpaused;
      else note(st, "cannot unpause " + name + ": " + done.error().message());
    }
    st.record.figures.emplace_back("unpaused", static_cast<double>(unpaused));
    st.record.outcome = "paused " + std::to_string(unpaused) + " of " + std::to_string(st.containers.size()) +
                        " containers of group " + f.group;
  } else if (f.action == FaultAction::container_oom) {
    co_await check_oom(st, f);
  }
  uint64_t delivered = sink_.ledger().totals().boots.delivered;
  st.record.received_during = delivered - st.delivered_at_start;
  if (f.action == FaultAction::container_churn || f.action == FaultAction::dockerd_restart)
    co_return;  // the worker ends it
  st.record.ended_s = since_start(Clock::now());
  st.record.outcome += cut_short;
  log_.info("fault ends", {{"fault", st.record.text}, {"outcome", st.record.outcome}});
}

asio::awaitable<void> FaultRunner::restart_target(State& st, const Fault& f) {
  // Down for `for` at least, even when the sample interval is longer.
  auto up_at = st.down_since + f.length;
  if (Clock::now() < up_at) co_await sleep_until(up_at);
  ++restarts_;
  // Its own log files: the first run's stay as they were.
  std::string base = run_dir_ + "/target.restart-" + std::to_string(restarts_);
  auto started = target_.start(target_argv_, scenario_.target.env, base + ".stdout.log", base + ".stderr.log");
  double down_s = std::chrono::duration<double>(Clock::now() - st.down_since).count();
  target_down_ = false;
  st.record.figures.emplace_back("down_seconds", down_s);
  if (!started) {
    note(st, "the target did not start again: " + started.error().message());
    co_return;
  }
  st.record.figures.emplace_back("new_pid", target_.pid());
  st.record.outcome = f.signal + " to pid " + std::to_string(st.old_pid) + ", started again as pid " +
                      std::to_string(target_.pid()) + " after " + format_seconds(down_s) + " down";
}

asio::awaitable<void> FaultRunner::check_oom(State& st, const Fault& f) {
  size_t killed = 0;
  for (const auto& [name, id] : st.containers) {
    auto info = co_await client_.inspect_container(id);
    if (!info || !*info) {
      note(st, "cannot inspect " + name + ": " + (info ? std::string("no such container") : info.error().message()));
      continue;
    }
    const docker::ContainerState& state = (*info)->state;
    if (state.oom_killed) {
      ++killed;
    } else {
      note(st, name + " was not OOM-killed (" + state.status + ", exit code " + std::to_string(state.exit_code) + ")");
    }
  }
  st.record.figures.emplace_back("containers", static_cast<double>(st.containers.size()));
  st.record.figures.emplace_back("oom_killed", static_cast<double>(killed));
  st.record.outcome = std::to_string(killed) + " of " + std::to_string(st.containers.size()) + " containers of group " +
                      f.group + " OOM-killed by the kernel (" + std::to_string(f.alloc_mb) + " MiB allocated)";
}

asio::awaitable<void> FaultRunner::churn_worker(size_t index) {
  State& st = states_[index];
  const Fault& f = scenario_.faults[index];
  // Container k is created at at + k * spacing and removed `life` later:
  // creations and removals interleave, and the last removal is due at
  // at + for.
  const Nanos life = f.length / 4;
  const Nanos spacing = (f.length - life) / static_cast<int64_t>(f.count);
  const Clock::time_point first = run_start_ + f.at;
  const std::string group = "fault" + std::to_string(index);
  struct Live {
    std::string name, id;
    Clock::time_point remove_at;
  };
  std::deque<Live> live;  // same life for each: removed in creation order
  uint64_t next = 0, created = 0, removed = 0;
  std::optional<Clock::time_point> give_up_at;
  while (next < f.count || !live.empty()) {
    auto now = Clock::now();
    if (stopping_ && !give_up_at) give_up_at = now + kChurnGiveUp;
    if (stopping_) next = f.count;  // no more creations
    if (give_up_at && now >= *give_up_at) {
      note(st, std::to_string(live.size()) + " churn containers were not read before removal: their delivery is unknown");
      break;
    }
    if (!live.empty() && (stopping_ || now >= live.front().remove_at)) {
      Live l = live.front();
      live.pop_front();
      auto retired = co_await fleet_.retire_extra(l.name, l.id, group);
      if (retired) ++removed;
      else note(st, retired.error().message());
      continue;
    }
    if (next < f.count && now >= first + spacing * static_cast<int64_t>(next)) {
      std::string name = run_id_ + "-" + group + "-" + std::to_string(next);
      uint64_t seed = scenario_.seed * 1'000'003 + 7'000'001 * (index + 1) + next;
      ++next;
      auto id = co_await fleet_.start_extra(name, group, f.profile, seed);
      if (!id) {
        note(st, id.error().message());
        continue;
      }
      ++created;
      live.push_back(Live{name, *id, Clock::now() + life});
      continue;
    }
    auto wake = now + 200ms;  // looks at stopping_ that often
    if (next < f.count) wake = std::min(wake, first + spacing * static_cast<int64_t>(next));
    if (!live.empty()) wake = std::min(wake, live.front().remove_at);
    co_await sleep_until(wake);
  }
  if (created < f.count) note(st, "created " + std::to_string(created) + " of " + std::to_string(f.count) + " containers");
  st.record.figures.emplace_back("created", static_cast<double>(created));
  st.record.figures.emplace_back("removed", static_cast<double>(removed));
  st.record.ended_s = since_start(Clock::now());
  st.record.outcome = std::to_string(created) + " containers created and " + std::to_string(removed) +
                      " removed, each living " + format_duration(life) + "; the last removed at " +
                      format_seconds(*st.record.ended_s);
  log_.info("fault ends", {{"fault", st.record.text}, {"outcome", st.record.outcome}});
}

asio::awaitable<void> FaultRunner::engine_worker(size_t index) {
  State& st = states_[index];
  const Fault& f = scenario_.faults[index];
  auto finish_record = [&](const std::string& outcome) {
    st.record.outcome = outcome;
    st.record.ended_s = since_start(Clock::now());
    st.record.received_during = sink_.ledger().totals().boots.delivered - st.delivered_at_start;
    log_.info("fault ends", {{"fault", st.record.text}, {"outcome", st.record.outcome}});
  };
  // 1. Which engine: the one process on this machine, and only when the
  // run talks to it through its local socket.
  if (client_.endpoint().kind != docker::Endpoint::Kind::unix_socket) {
    note(st, "the run's engine " + client_.endpoint().text() + " is not local: it cannot be restarted from here");
    finish_record("not applied");
    co_return;
  }
  auto engine = find_engine("dockerd");
  if (!engine) {
    note(st, "cannot find the engine to restart: " + engine.error().message());
    finish_record("not applied");
    co_return;
  }
  std::string log_path = engine->log_path.empty() ? fallback_engine_log(run_dir_) : engine->log_path;
  st.record.figures.emplace_back("old_pid", engine->pid);

  // 2. Down: SIGTERM (it stops the running containers), then `for`.
  log_.info("stopping the Docker engine", {{"pid", std::to_string(engine->pid)}});
  auto stopped = co_await stop_engine(engine->pid, kEngineStopTimeout);
  if (!stopped) {
    note(st, "cannot stop the engine: " + stopped.error().message());
    finish_record("not stopped");
    co_return;
  }
  auto down_since = Clock::now();
  st.record.figures.emplace_back("stop_seconds", stopped->stop_seconds);
  if (stopped->killed) note(st, "the engine did not exit on SIGTERM within " + format_duration(kEngineStopTimeout) + ": killed");
  if (!stopping_) co_await sleep_until(down_since + f.length);

  // 3. Up again, as it ran, until it answers.
  auto started = start_engine(*engine, log_path);
  if (!started) {
    note(st, started.error().message() + " (log: " + log_path + ")");
    finish_record("stopped, not started again");
    co_return;
  }
  pid_t new_pid = *started;
  st.record.figures.emplace_back("new_pid", new_pid);
  log_.info("started the Docker engine again", {{"pid", std::to_string(new_pid)}, {"log", log_path}});
  bool answers = false;
  std::string last_error = "no answer";
  auto up_deadline = Clock::now() + kEngineUpTimeout;
  while (Clock::now() < up_deadline) {
    auto pinged = co_await client_.ping();
    if (pinged) {
      answers = true;
      break;
    }
    last_error = pinged.error().message();
    int status = 0;
    if (::waitpid(new_pid, &status, WNOHANG) == new_pid) {
      last_error = "the new engine exited (status " + std::to_string(status) + ")";
      break;
    }
    co_await sleep_until(Clock::now() + 500ms);
  }
  double down_s = std::chrono::duration<double>(Clock::now() - down_since).count();
  st.record.figures.emplace_back("down_seconds", down_s);
  if (!answers) {
    note(st, "the engine did not answer /_ping within " + format_duration(kEngineUpTimeout) + " of its start: " +
                 last_error + " (log: " + log_path + ")");
    finish_record("stopped, started again as pid " + std::to_string(new_pid) + ", not answering");
    co_return;
  }

  // 4. Its containers were stopped with it: the fleet runs again (a new
  // boot number in each container's lines).
  Fleet::Revival revived = co_await fleet_.start_stopped();
  for (const std::string& e : revived.errors) note(st, e);
  st.record.figures.emplace_back("containers_stopped", static_cast<double>(revived.stopped));
  st.record.figures.emplace_back("containers_started", static_cast<double>(revived.started));
  finish_record("SIGTERM to dockerd pid " + std::to_string(engine->pid) + " (exited after " +
                format_seconds(stopped->stop_seconds) + "), started again as pid " + std::to_string(new_pid) +
                ", answering after " + format_seconds(down_s) + " down; " + std::to_string(revived.stopped) +
                " fleet containers found stopped, " + std::to_string(revived.started) + " started again");
}

asio::awaitable<void> FaultRunner::finish() {
  stopping_ = true;
  for (size_t i = 0; i < states_.size(); ++i) {
    State& st = states_[i];
    if (st.phase == Phase::applying) {
      co_await end(i, true);
    } else if (st.phase == Phase::pending) {
      st.phase = Phase::ended;
      note(st, "not applied: the run ended at " + format_seconds(since_start(Clock::now())));
    }
  }
  // A churn worker removes what it made, then ends: every Docker call it
  // makes has a deadline and it gives up kChurnGiveUp after stopping_, so
  // this wait is bounded.
  auto busy = [&] {
    return std::any_of(states_.begin(), states_.end(), [](const State& s) { return s.worker_running; });
  };
  while (busy()) co_await sleep_until(Clock::now() + 100ms);
}

std::vector<FaultRecord> FaultRunner::records() const {
  uint64_t duplicates_now = sink_.ledger().totals().boots.duplicates;
  std::vector<FaultRecord> out;
  for (const State& st : states_) {
    FaultRecord r = st.record;
    if (r.started_s) {
      // Up to the next fault that started after this one, else up to now.
      uint64_t until = duplicates_now;
      double next_start = std::numeric_limits<double>::infinity();
      for (const State& other : states_) {
        const auto& s = other.record.started_s;
        if (&other != &st && s && *s > *r.started_s && *s < next_start) {
          next_start = *s;
          until = other.duplicates_at_start;
        }
      }
      r.duplicates = until - st.duplicates_at_start;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace leakcheck::harness
