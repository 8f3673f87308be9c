#include "collector/preflight.h"

#include "collector/http_url.h"
#include "docker/connection.h"

namespace leakcheck::collector {

boost::asio::awaitable<Status> probe_sink(boost::asio::any_io_executor executor, const SinkConfig& sink, Nanos timeout) {
  if (sink.kind != "loki") co_return Ok{};
  auto url = parse_http_url(sink.url);
  if (!url) co_return url.error();
  docker::Endpoint endpoint{docker::Endpoint::Kind::tcp, "", url->host, url->port};
  auto connection = co_await docker::Connection::open(executor, endpoint, timeout, "POST " + url->path);
  if (!connection) {
    // The URL is what the user wrote and can fix; the endpoint and request
    // the transport names add nothing to it.
    const int code = connection.error().code;
    std::string within = code == ETIMEDOUT ? " within " + format_duration(timeout) : "";
    co_return Error(code, "cannot connect to the Loki sink " + sink.url + within);
  }
  co_return Ok{};  // the connection closes as it goes out of scope
}

std::string docker_access_hint(const Error& error, const docker::Endpoint& endpoint) {
  if (error.code != EACCES || endpoint.kind != docker::Endpoint::Kind::unix_socket) return "";
  return "permission denied on the Docker socket " + endpoint.path +
         ": access to it is root-equivalent; run the collector as a user in the socket's group (usually docker) "
         "or through a read-only socket proxy (README, Security)";
}

}  // namespace leakcheck::collector
