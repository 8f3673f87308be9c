#include "collector/discovery.h"

#include <fnmatch.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

#include "docker/client.h"
#include "docker/json.h"

namespace leakcheck::collector {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

bool label_matches(const std::string& spec, const std::map<std::string, std::string>& labels) {
  auto eq = spec.find('=');
  if (eq == std::string::npos) return labels.contains(spec);
  auto it = labels.find(spec.substr(0, eq));
  return it != labels.end() && it->second == spec.substr(eq + 1);
}

bool name_matches(const std::string& glob, const std::string& name) {
  return ::fnmatch(glob.c_str(), name.c_str(), 0) == 0;
}

template <typename Match>
bool any_of(const std::vector<std::string>& specs, Match&& match) {
  for (const auto& spec : specs)
    if (match(spec)) return true;
  return false;
}

// Sleeps on a timer used as a condition variable; false when stopping.
asio::awaitable<void> sleep_on(asio::steady_timer& timer, std::chrono::nanoseconds d) {
  timer.expires_after(d);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

bool wanted(const FilterConfig& f, const std::string& name, const std::map<std::string, std::string>& labels) {
  auto by_label = [&](const std::string& s) { return label_matches(s, labels); };
  auto by_name = [&](const std::string& s) { return name_matches(s, name); };
  if (!f.include_labels.empty() && !any_of(f.include_labels, by_label)) return false;
  if (!f.include_names.empty() && !any_of(f.include_names, by_name)) return false;
  return !any_of(f.exclude_labels, by_label) && !any_of(f.exclude_names, by_name);
}

Discovery::Discovery(CollectorContext& context, FollowerFactory factory)
    : ctx_(context),
      factory_(factory),
      wake_(context.executor),
      reconcile_wake_(context.executor),
      loops_done_(context.executor) {}

asio::awaitable<Status> Discovery::initial() {
  auto status = co_await reconcile();
  if (!status) co_return status;
  // Cursors of containers removed while the collector was not running.
  docker::ListOptions all;
  all.all = true;
  auto listed = co_await ctx_.docker.list_containers(all);
  if (!listed) co_return listed.error();
  std::set<std::string> existing;
  for (const auto& c : *listed) existing.insert(c.id);
  for (const std::string& id : ctx_.cursors.ids())
    if (!existing.contains(id)) (void)ctx_.cursors.forget(id);
  co_return Ok{};
}

asio::awaitable<Status> Discovery::reconcile() {
  docker::ListOptions all;
  all.all = true;
  auto listed = co_await ctx_.docker.list_containers(all);
  if (!listed) co_return listed.error();
  std::set<std::string> existing;
  for (const auto& c : *listed) {
    existing.insert(c.id);
    std::string name = c.names.empty() ? c.id.substr(0, 12) : c.names.front();
    if (!wanted(ctx_.config.filters, name, c.labels)) continue;
    if (c.state != "running") {
      // Stopped while we were not following it (e.g. the collector was
      // down): what it wrote after its cursor is still to be read. A
      // follower reads it to the end and rests; only a missing follower is
      // created, so reconciles do not keep waking it.
      if (!followers_.contains(c.id) && ctx_.cursors.cursor_for(c.id)) co_await follow(c.id);
      continue;
    }
    if (auto it = followers_.find(c.id); it != followers_.end()) it->second->container_started();
    else co_await follow(c.id);
  }
  // Removed without our seeing the destroy event.
  std::vector<std::string> gone;
  for (const auto& [id, follower] : followers_)
    if (!existing.contains(id)) gone.push_back(id);
  for (const auto& id : gone) co_await removed(id);
  co_return Ok{};
}

asio::awaitable<void> Discovery::follow(const std::string& id) {
  if (stopping_ || followers_.contains(id) || pending_.contains(id)) co_return;
  pending_.insert(id);
  auto info = co_await ctx_.docker.inspect_container(id);
  pending_.erase(id);
  if (stopping_ || followers_.contains(id) || !info || !*info) co_return;
  const docker::ContainerInfo& c = **info;
  if (!wanted(ctx_.config.filters, c.name, c.labels)) co_return;
  auto follower = factory_(ctx_, FollowTarget{c.id, c.name, c.tty});
  follower->start();
  ctx_.log.info("following container", {{"container", c.name}, {"id", c.id.substr(0, 12)},
                                        {"tty", c.tty ? "true" : "false"}});
  followers_.emplace(c.id, std::move(follower));
}

asio::awaitable<void> Discovery::removed(const std::string& id) {
  auto it = followers_.find(id);
  if (it == followers_.end()) co_return;
  auto follower = std::move(it->second);
  followers_.erase(it);
  co_await follower->stop();
  if (auto forgotten = ctx_.cursors.forget(id); !forgotten)
    ctx_.log.warn("cannot delete the cursor of a removed container", {{"error", forgotten.error().message()}});
  ctx_.log.info("container removed", {{"id", id.substr(0, 12)}});
}

asio::awaitable<void> Discovery::handle_event(const docker::Event& event) {
  if (event.type != "container") co_return;
  if (event.action == "start") {
    if (auto it = followers_.find(event.actor_id); it != followers_.end()) it->second->container_started();
    else co_await follow(event.actor_id);
  } else if (event.action == "destroy") {
    co_await removed(event.actor_id);
  }
  // "die": the follower's stream ends by itself once the log is read to its end.
}

asio::awaitable<void> Discovery::events_loop() {
  auto backoff = 1s;
  bool first = true;
  while (!stopping_) {
    docker::EventsOptions options;
    options.filters = {{"type", {"container"}}, {"event", {"start", "die", "destroy"}}};
    docker::FollowOptions follow_options;
    follow_options.idle_timeout = 0ns;  // the events stream is silent while nothing happens
    auto stream = co_await ctx_.docker.events(options, follow_options);
    if (stopping_) break;
    if (!stream) {
      ctx_.metrics.events_reconnects.fetch_add(1, std::memory_order_relaxed);
      ctx_.log.warn("cannot open the Docker events stream; retrying", {{"error", stream.error().message()}});
      co_await sleep_on(wake_, backoff);
      backoff = std::min<std::chrono::seconds>(backoff * 2, 30s);
      continue;
    }
    backoff = 1s;
    events_ = &*stream;
    // Whatever happened while we were not listening.
    if (!first) (void)co_await reconcile();
    first = false;
    std::string buffer;
    std::vector<char> chunk(16 * 1024);
    while (!stopping_) {
      auto n = co_await stream->read_some(chunk);
      if (!n || *n == 0) break;
      buffer.append(chunk.data(), *n);
      size_t newline;
      while ((newline = buffer.find('\n')) != std::string::npos) {
        std::string line = buffer.substr(0, newline);
        buffer.erase(0, newline + 1);
        if (auto event = docker::parse_event(line)) co_await handle_event(*event);
      }
      if (buffer.size() > (1 << 20)) buffer.clear();  // no event is that long: resync
    }
    events_ = nullptr;
    stream->close();
    if (!stopping_) {
      ctx_.metrics.events_reconnects.fetch_add(1, std::memory_order_relaxed);
      co_await sleep_on(wake_, 1s);
    }
  }
}

asio::awaitable<void> Discovery::reconcile_loop() {
  while (!stopping_) {
    co_await sleep_on(reconcile_wake_, ctx_.config.reconcile_interval);
    if (stopping_) break;
    auto status = co_await reconcile();
    if (!status)
      ctx_.log.warn("reconcile failed", {{"error", status.error().message()}});
  }
}

void Discovery::start() {
  for (auto loop : {&Discovery::events_loop, &Discovery::reconcile_loop}) {
    ++loops_running_;
    asio::co_spawn(ctx_.executor, (this->*loop)(), [this](std::exception_ptr) {
      --loops_running_;
      loops_done_.cancel();
    });
  }
}

asio::awaitable<void> Discovery::stop() {
  stopping_ = true;
  if (events_) events_->close();
  wake_.cancel();
  reconcile_wake_.cancel();
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (loops_running_ > 0 && std::chrono::steady_clock::now() < deadline) {
    loops_done_.expires_at(deadline);
    boost::system::error_code ec;
    co_await loops_done_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  // Every follower stops at once; then wait for each. The shared state
  // outlives this coroutine should the wait give up.
  struct Stopping {
    explicit Stopping(asio::any_io_executor ex) : all_stopped(ex) {}
    std::vector<std::unique_ptr<Follower>> followers;
    size_t remaining = 0;
    asio::steady_timer all_stopped;
  };
  auto state = std::make_shared<Stopping>(ctx_.executor);
  for (auto& [id, follower] : followers_) state->followers.push_back(std::move(follower));
  followers_.clear();
  state->remaining = state->followers.size();
  for (auto& follower : state->followers)
    asio::co_spawn(ctx_.executor, follower->stop(), [state](std::exception_ptr) {
      if (--state->remaining == 0) state->all_stopped.cancel();
    });
  if (state->remaining > 0) {
    state->all_stopped.expires_after(30s);
    boost::system::error_code ec;
    co_await state->all_stopped.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (state->remaining > 0) ctx_.log.error("followers did not stop in time", {{"count", std::to_string(state->remaining)}});
}

}  // namespace leakcheck::collector
