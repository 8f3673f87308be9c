#include "docker/client.h"

#include <cerrno>

#include "docker/cancellation.h"
#include "docker/json.h"
#include "docker/query.h"

namespace leakcheck::docker {

namespace asio = boost::asio;
using Nanos = std::chrono::nanoseconds;

namespace {

Request make(std::string method, std::string target, std::string body = {}) {
  Request r(std::move(method), std::move(target));
  r.body = std::move(body);
  return r;
}

// A retry is safe when the request cannot have been acted on: it was not
// fully written to a connection the daemon had already closed, or it is a
// read-only request that got no byte of reply.
bool worth_retrying(const Request& request, const Connection::Failure& failure) {
  bool read_only = request.method == "GET" || request.method == "HEAD";
  return failure.write_failed || (read_only && failure.nothing_received);
}

Error with_context(const Error& e, const std::string& what) { return Error{e.code, what + ": " + e.context}; }

}  // namespace

Client::Client(asio::any_io_executor executor, Endpoint endpoint, ClientOptions options)
    : executor_(executor), options_(options), pool_(executor, std::move(endpoint), options.pool) {}

Client::~Client() = default;

// ---------------------------------------------------------------------------
// Plumbing

asio::awaitable<Result<Response>> Client::call(Request& request, RequestLimits limits, bool versioned_target) {
  if (versioned_target) {
    auto target = co_await versioned(std::move(request.target));
    if (!target) co_return target.error();
    request.target = std::move(*target);
  }
  // A keep-alive connection the daemon closed a moment ago passes the
  // pre-reuse check and fails on first use; one retry on a fresh connection
  // covers that race. A fresh connection that fails is a real failure.
  for (int attempt = 0;; ++attempt) {
    if (cancelled(co_await asio::this_coro::cancellation_state))
      co_return Error{ECANCELED, endpoint().text() + ": " + describe(request) + ": cancelled"};
    auto lease = co_await pool_.acquire(describe(request));
    if (!lease) co_return lease.error();
    if (cancelled(co_await asio::this_coro::cancellation_state))
      co_return Error{ECANCELED, endpoint().text() + ": " + describe(request) + ": cancelled"};
    Connection::Failure failure;
    auto response = co_await lease->connection().exchange(request, limits, failure);
    if (response) co_return response;
    if (response.error().code == ECANCELED || !lease->reused() || attempt > 0 ||
        !worth_retrying(request, failure))
      co_return response.error();
  }
}

asio::awaitable<Result<Response>> Client::call_ok(Request request, RequestLimits limits, bool versioned_target) {
  auto response = co_await call(request, limits, versioned_target);
  if (!response) co_return response.error();
  if (!is_success(response->status))
    co_return http_error(request, response->status, response->reason, response->body);
  co_return response;
}

asio::awaitable<Result<std::string>> Client::versioned(std::string target) {
  if (!api_version_) {
    auto v = co_await negotiate();
    if (!v) co_return v.error();
  }
  co_return "/v" + api_version_->text() + target;
}

asio::awaitable<Status> Client::post_action(std::string id, std::string action, std::string query,
                                            RequestLimits limits, bool not_modified_is_ok) {
  Request request = make("POST", container_target(id, action) + query);
  auto response = co_await call(request, limits);
  if (!response) co_return response.error();
  if (is_success(response->status) || (not_modified_is_ok && response->status == 304)) co_return Ok{};
  co_return http_error(request, response->status, response->reason, response->body);
}

// ---------------------------------------------------------------------------
// Versions

asio::awaitable<Result<ApiVersion>> Client::negotiate() {
  if (api_version_) co_return *api_version_;
  auto response = co_await call_ok(make("GET", "/version"), options_.limits, /*versioned=*/false);
  if (!response) co_return response.error();
  auto info = parse_version(response->body);
  if (!info) co_return with_context(info.error(), endpoint().text());
  auto chosen = negotiate_api_version(info->api_version, options_.max_api_version);
  if (!chosen) co_return with_context(chosen.error(), endpoint().text());
  api_version_ = *chosen;
  co_return *chosen;
}

asio::awaitable<Result<VersionInfo>> Client::version() {
  auto response = co_await call_ok(make("GET", "/version"), options_.limits, /*versioned=*/false);
  if (!response) co_return response.error();
  co_return parse_version(response->body);
}

asio::awaitable<Status> Client::ping() {
  auto response = co_await call_ok(make("GET", "/_ping"), options_.limits, /*versioned=*/false);
  if (!response) co_return response.error();
  co_return Ok{};
}

// ---------------------------------------------------------------------------
// Containers

asio::awaitable<Result<std::vector<ContainerSummary>>> Client::list_containers(ListOptions options) {
  auto response = co_await call_ok(make("GET", list_containers_target(options)), options_.limits);
  if (!response) co_return response.error();
  co_return parse_container_list(response->body);
}

asio::awaitable<Result<std::optional<ContainerInfo>>> Client::inspect_container(std::string id) {
  Request request = make("GET", container_target(id, "json"));
  auto response = co_await call(request, options_.limits);
  if (!response) co_return response.error();
  if (response->status == 404) co_return std::optional<ContainerInfo>();
  if (!is_success(response->status))
    co_return http_error(request, response->status, response->reason, response->body);
  auto info = parse_container_inspect(response->body);
  if (!info) co_return info.error();
  co_return std::optional<ContainerInfo>(std::move(*info));
}

asio::awaitable<Result<std::string>> Client::create_container(ContainerSpec spec) {
  Query query;
  if (!spec.name.empty()) query.add("name", spec.name);
  auto response = co_await call_ok(make("POST", "/containers/create" + query.str(), container_spec_json(spec)),
                                   options_.limits);
  if (!response) co_return response.error();
  co_return parse_create_response(response->body);
}

asio::awaitable<Status> Client::start_container(std::string id) {
  co_return co_await post_action(std::move(id), "start", "", options_.limits, /*not_modified_is_ok=*/true);
}

asio::awaitable<Status> Client::stop_container(std::string id, std::chrono::seconds timeout) {
  // The daemon answers only after the container stopped: up to `timeout`
  // plus the time SIGKILL takes.
  RequestLimits limits = options_.limits;
  limits.header_timeout += timeout;
  co_return co_await post_action(std::move(id), "stop", Query().add("t", std::to_string(timeout.count())).str(),
                                 limits, /*not_modified_is_ok=*/true);
}

asio::awaitable<Status> Client::restart_container(std::string id, std::chrono::seconds timeout) {
  RequestLimits limits = options_.limits;
  limits.header_timeout += timeout;
  co_return co_await post_action(std::move(id), "restart",
                                 Query().add("t", std::to_string(timeout.count())).str(), limits,
                                 /*not_modified_is_ok=*/false);
}

asio::awaitable<Status> Client::kill_container(std::string id, std::string signal) {
  co_return co_await post_action(std::move(id), "kill", Query().add("signal", signal).str(), options_.limits,
                                 /*not_modified_is_ok=*/false);
}

asio::awaitable<Status> Client::pause_container(std::string id) {
  co_return co_await post_action(std::move(id), "pause", "", options_.limits, false);
}

asio::awaitable<Status> Client::unpause_container(std::string id) {
  co_return co_await post_action(std::move(id), "unpause", "", options_.limits, false);
}

asio::awaitable<Result<bool>> Client::remove_container(std::string id, bool force) {
  Request request = make("DELETE", container_target(id) + Query().add_flag("force", force).add_flag("v", true).str());
  auto response = co_await call(request, options_.limits);
  if (!response) co_return response.error();
  if (response->status == 404) co_return false;
  if (!is_success(response->status))
    co_return http_error(request, response->status, response->reason, response->body);
  co_return true;
}

asio::awaitable<Result<int>> Client::wait_container(std::string id, Nanos timeout) {
  // The daemon sends the header at once and the body when the container exits.
  RequestLimits limits = options_.limits;
  limits.body_timeout = timeout;
  auto response = co_await call_ok(make("POST", container_target(id, "wait")), limits);
  if (!response) co_return response.error();
  co_return parse_wait_response(response->body);
}

asio::awaitable<Result<std::string>> Client::container_logs(std::string id, LogsOptions options) {
  RequestLimits limits = options_.limits;
  limits.body_limit_bytes = options_.logs_limit_bytes;
  auto response = co_await call_ok(make("GET", logs_target(id, options, /*follow=*/false)), limits);
  if (!response) co_return response.error();
  co_return std::move(response->body);
}

// ---------------------------------------------------------------------------
// Streams

asio::awaitable<Result<FollowStream>> Client::follow_logs(std::string id, LogsOptions options,
                                                          FollowOptions follow) {
  auto target = co_await versioned(logs_target(id, options, /*follow=*/true));
  if (!target) co_return target.error();
  if (cancelled(co_await asio::this_coro::cancellation_state))
    co_return Error{ECANCELED, endpoint().text() + ": GET " + *target + ": cancelled"};
  co_return co_await FollowStream::open(executor_, endpoint(), make("GET", std::move(*target)), follow);
}

asio::awaitable<Result<FollowStream>> Client::events(EventsOptions options, FollowOptions follow) {
  auto target = co_await versioned(events_target(options));
  if (!target) co_return target.error();
  if (cancelled(co_await asio::this_coro::cancellation_state))
    co_return Error{ECANCELED, endpoint().text() + ": GET " + *target + ": cancelled"};
  co_return co_await FollowStream::open(executor_, endpoint(), make("GET", std::move(*target)), follow);
}

// ---------------------------------------------------------------------------
// Images

asio::awaitable<Status> Client::import_image(std::string tarball, std::string repository, std::string tag) {
  Request request = make("POST",
                         "/images/create" + Query().add("fromSrc", "-").add("repo", repository).add("tag", tag).str(),
                         std::move(tarball));
  request.content_type = "application/x-tar";
  RequestLimits limits = options_.limits;
  limits.header_timeout += std::chrono::seconds(60);  // the daemon unpacks before it answers
  auto response = co_await call_ok(std::move(request), limits);
  if (!response) co_return response.error();
  if (auto error = progress_error(response->body))
    co_return Error{0, "importing image " + repository + ":" + tag + ": " + *error};
  co_return Ok{};
}

asio::awaitable<Result<bool>> Client::image_exists(std::string name) {
  Request request = make("GET", image_target(name, "json"));
  auto response = co_await call(request, options_.limits);
  if (!response) co_return response.error();
  if (response->status == 404) co_return false;
  if (!is_success(response->status))
    co_return http_error(request, response->status, response->reason, response->body);
  co_return true;
}

// ---------------------------------------------------------------------------
// Anything else, shutdown

asio::awaitable<Result<Response>> Client::send(Request request) {
  co_return co_await call(request, options_.limits);
}

asio::awaitable<Status> Client::shutdown(Nanos max_wait) {
  pool_.shutdown();
  if (co_await pool_.wait_drained(max_wait)) co_return Ok{};
  auto s = pool_.stats();
  co_return Error{ETIMEDOUT, endpoint().text() + ": " + std::to_string(s.in_use) + " requests and " +
                                 std::to_string(s.waiting) + " waiters still in flight after shutdown"};
}

}  // namespace leakcheck::docker
