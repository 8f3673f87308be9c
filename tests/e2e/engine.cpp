#include "tests/e2e/engine.h"

#include <unistd.h>

#include <atomic>
#include <iostream>

#include "harness/image.h"

namespace leakcheck::testing {

namespace {

asio::awaitable<Result<std::string>> create_and_start(docker::Client& client, docker::ContainerSpec spec) {
  auto id = co_await client.create_container(std::move(spec));
  if (!id) co_return id.error();
  auto started = co_await client.start_container(*id);
  if (!started) co_return started.error();
  co_return id;
}

asio::awaitable<Status> remove_labelled(docker::Client& client, std::string label) {
  docker::ListOptions list;
  list.all = true;
  list.filters["label"].push_back(label);
  auto containers = co_await client.list_containers(list);
  if (!containers) co_return containers.error();
  for (const auto& c : *containers) {
    auto removed = co_await client.remove_container(c.id, /*force=*/true);
    if (!removed) co_return removed.error();
  }
  co_return Ok{};
}

asio::awaitable<Status> negotiate(docker::Client& client) {
  auto version = co_await client.negotiate();
  if (!version) co_return version.error();
  co_return Ok{};
}

}  // namespace

std::string unique_run_id(const std::string& prefix) {
  static std::atomic<int> counter{0};
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch()).count() % 100000000;
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" + std::to_string(now);
}

TestEngine::TestEngine(std::string run_id) : run_id_(std::move(run_id)) {
  auto endpoint = docker::endpoint_from_environment();
  docker::ClientOptions options;
  options.pool.connect_timeout = 3s;
  client_ = std::make_unique<docker::Client>(io_.get_executor(),
                                             endpoint ? *endpoint : *docker::parse_endpoint(docker::kDefaultDockerHost),
                                             options);
}

TestEngine::~TestEngine() {
  if (!connected_) return;
  auto removed = remove_all();
  if (!removed) std::cerr << "removing the containers of " << run_id_ << ": " << removed.error().message() << "\n";
  auto drained = run_sync(io_, client_->shutdown(5s), 10s);
  (void)drained;  // nothing left to do about a slow shutdown at the end of a test
}

Status TestEngine::connect() {
  auto version = run(negotiate(*client_), 10s);
  if (!version)
    return Error{version.error().code, "Docker engine not usable at " + endpoint_text() + " (" +
                                           version.error().context + "); the end-to-end tests need one "
                                           "(dockerd --iptables=false --bridge=none), they do not skip"};
  connected_ = true;
  return Ok{};
}

Status TestEngine::remove_all() {
  // A fresh client on a fresh io_context: the test's own may be mid-request
  // after a timeout.
  asio::io_context io;
  docker::Client cleaner(io.get_executor(), client_->endpoint());
  auto removed = run_sync(io, remove_labelled(cleaner, label()), 60s);
  auto drained = run_sync(io, cleaner.shutdown(5s), 10s);
  (void)drained;
  return removed;
}

Result<std::string> TestEngine::use_loggen_image(const std::string& loggen_path) {
  auto image = run(harness::ensure_loggen_image(*client_, loggen_path), 120s);
  if (image) image_ = *image;
  return image;
}

Result<std::string> TestEngine::start(const std::string& name, std::vector<std::string> cmd, bool tty) {
  if (image_.empty()) return Error{0, "start " + name + ": no image (call use_loggen_image first)"};
  docker::ContainerSpec spec;
  spec.name = name;
  spec.image = image_;
  spec.cmd = std::move(cmd);
  spec.tty = tty;
  spec.labels = {{"leakcheck.run", run_id_}};
  spec.network_mode = "none";
  spec.memory_bytes = 64 << 20;
  return run(create_and_start(*client_, std::move(spec)), 30s);
}

Status TestEngine::stop(const std::string& id, std::chrono::seconds timeout) {
  return run(client_->stop_container(id, timeout), timeout + 30s);
}

Result<int> TestEngine::wait_exit(const std::string& id, std::chrono::nanoseconds timeout) {
  return run(client_->wait_container(id, timeout), timeout + 10s);
}

Result<std::string> TestEngine::logs(const std::string& id) {
  docker::LogsOptions options;
  options.timestamps = true;
  return run(client_->container_logs(id, options), 60s);
}

Result<std::optional<docker::ContainerInfo>> TestEngine::inspect(const std::string& id) {
  return run(client_->inspect_container(id), 30s);
}

}  // namespace leakcheck::testing
