#pragma once
// The Docker Engine API client shared by the collector and the harness.
//
// Short requests go through a bounded pool of keep-alive connections; follow
// requests (logs?follow=1, /events) each get a FollowStream that owns a
// connection of its own. Everything is an Asio C++20 coroutine and runs on the
// executor given at construction: one io_context thread (or a strand) drives
// any number of streams, and the client starts no thread of its own (no
// resolver: see endpoint.h).
//
// Threading: call every member from coroutines on that executor.
// Versioning: the first request asks GET /version and speaks
// min(engine's ApiVersion, options.max_api_version), refusing engines below
// kMinApiVersion; every later request is prefixed with it ("/v1.41/...").
// Call negotiate() once at start-up to fail early; concurrent first requests
// before that may each ask /version (harmless, same answer).
// Errors: daemon replies other than 2xx are errors with code 0 and a context
// "GET /v1.41/containers/x/json: 404 Not Found: No such container: x";
// transport failures carry the errno (ETIMEDOUT, ECONNREFUSED, ENOENT for a
// missing socket, ECANCELED, ...). Where "not there" is an ordinary answer the
// result type says so (inspect_container, remove_container).
// Cancellation: a terminal cancellation of the awaiting coroutine (e.g.
// co_spawn with bind_cancellation_slot) ends any operation promptly with an
// ECANCELED result, not an exception (see cancellation.h); its connection is
// closed, not reused.
// Shutdown: co_await shutdown() before destroying the client: it closes the
// pool and waits (bounded) for requests in flight. Follow streams belong to
// their callers, who close them.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "docker/api_version.h"
#include "docker/endpoint.h"
#include "docker/follow_stream.h"
#include "docker/http.h"
#include "docker/pool.h"
#include "docker/types.h"
#include "util/result.h"

namespace leakcheck::docker {

struct ClientOptions {
  PoolOptions pool;               // includes connect_timeout, used by follow streams too
  RequestLimits limits;           // header/body deadlines and the body limit of JSON replies
  std::size_t logs_limit_bytes = 64u << 20;  // bound of a non-follow logs body
  ApiVersion max_api_version = kMaxApiVersion;
};

class Client {
 public:
  Client(boost::asio::any_io_executor executor, Endpoint endpoint, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const Endpoint& endpoint() const { return pool_.endpoint(); }
  boost::asio::any_io_executor executor() const { return executor_; }

  // --- versions ---
  // GET /version (unversioned) once; later calls return the chosen version.
  boost::asio::awaitable<Result<ApiVersion>> negotiate();
  std::optional<ApiVersion> api_version() const { return api_version_; }
  boost::asio::awaitable<Result<VersionInfo>> version();
  boost::asio::awaitable<Status> ping();  // GET /_ping: is the engine there?

  // --- containers ---
  boost::asio::awaitable<Result<std::vector<ContainerSummary>>> list_containers(ListOptions options = {});
  // nullopt when there is no such container (404).
  boost::asio::awaitable<Result<std::optional<ContainerInfo>>> inspect_container(std::string id);
  // The new container's id.
  boost::asio::awaitable<Result<std::string>> create_container(ContainerSpec spec);
  // Already running (304) counts as success.
  boost::asio::awaitable<Status> start_container(std::string id);
  // SIGTERM, then SIGKILL after `timeout`. Already stopped (304) counts as success.
  boost::asio::awaitable<Status> stop_container(std::string id,
                                                std::chrono::seconds timeout = std::chrono::seconds(10));
  boost::asio::awaitable<Status> restart_container(std::string id,
                                                   std::chrono::seconds timeout = std::chrono::seconds(10));
  boost::asio::awaitable<Status> kill_container(std::string id, std::string signal = "SIGKILL");
  boost::asio::awaitable<Status> pause_container(std::string id);
  boost::asio::awaitable<Status> unpause_container(std::string id);
  // false when there was no such container (404). `force` kills a running one.
  boost::asio::awaitable<Result<bool>> remove_container(std::string id, bool force = true);
  // Blocks until the container exits, at most `timeout`; its exit code.
  boost::asio::awaitable<Result<int>> wait_container(std::string id, std::chrono::nanoseconds timeout);

  // The whole log so far (follow=0), raw: for non-TTY containers 8-byte
  // frame headers precede every payload. At most options.logs_limit_bytes,
  // else EMSGSIZE.
  boost::asio::awaitable<Result<std::string>> container_logs(std::string id, LogsOptions options = {});

  // --- streams (each on a connection of its own, never from the pool) ---
  boost::asio::awaitable<Result<FollowStream>> follow_logs(std::string id, LogsOptions options = {},
                                                           FollowOptions follow = {});
  // Newline-delimited JSON events (parse each line with parse_event).
  boost::asio::awaitable<Result<FollowStream>> events(EventsOptions options = {},
                                                      FollowOptions follow = {});

  // --- images ---
  // POST /images/create?fromSrc=- : `docker import` of a root filesystem tarball.
  boost::asio::awaitable<Status> import_image(std::string tarball, std::string repository,
                                              std::string tag);
  boost::asio::awaitable<Result<bool>> image_exists(std::string name);

  // --- anything else ---
  // `request.target` without the version prefix, e.g. "/info"; any status is
  // returned as a Response. Uses the pool and the default limits.
  boost::asio::awaitable<Result<Response>> send(Request request);

  // Stops intake, closes idle connections, aborts requests in flight and
  // waits for them, at most `max_wait`. Error if some did not finish.
  boost::asio::awaitable<Status> shutdown(std::chrono::nanoseconds max_wait = std::chrono::seconds(5));

  PoolStats pool_stats() const { return pool_.stats(); }

 private:
  // Versioned target (written back into `request`, for error messages),
  // pooled connection, one retry on a stale keep-alive connection; any status
  // comes back as a Response. Callers co_await it at once: `request` lives in
  // their frame.
  boost::asio::awaitable<Result<Response>> call(Request& request, RequestLimits limits,
                                                bool versioned = true);
  boost::asio::awaitable<Result<Response>> call_ok(Request request, RequestLimits limits,
                                                   bool versioned = true);
  boost::asio::awaitable<Result<std::string>> versioned(std::string target);
  boost::asio::awaitable<Status> post_action(std::string id, std::string action, std::string query,
                                             RequestLimits limits, bool not_modified_is_ok);

  boost::asio::any_io_executor executor_;
  ClientOptions options_;
  ConnectionPool pool_;
  std::optional<ApiVersion> api_version_;
};

}  // namespace leakcheck::docker
