#pragma once
// Where the Docker engine listens: DOCKER_HOST syntax, parsed without I/O.

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace leakcheck::docker {

inline constexpr std::string_view kDefaultDockerHost = "unix:///var/run/docker.sock";
// What the docker CLI assumes for "tcp://host" without a port (plain HTTP; TLS
// on 2376 is not supported).
inline constexpr std::uint16_t kDefaultTcpPort = 2375;

struct Endpoint {
  enum class Kind { unix_socket, tcp };
  Kind kind = Kind::unix_socket;
  std::string path;        // unix_socket: absolute path of the socket
  std::string address;     // tcp: a numeric IPv4 or IPv6 address ("localhost" became 127.0.0.1)
  std::uint16_t port = 0;  // tcp

  // The canonical DOCKER_HOST form, for messages: "unix:///var/run/docker.sock",
  // "tcp://127.0.0.1:2375", "tcp://[::1]:2375".
  std::string text() const;
  // The HTTP Host header value. Docker ignores it, HTTP/1.1 requires one.
  std::string host_header() const;
};

// Parses "unix:///path" or "tcp://host[:port][/]". The tcp host must be a
// numeric address or "localhost": name resolution would need Asio's resolver,
// which runs getaddrinfo on a hidden helper thread, and the client promises
// that one io_context thread drives everything. Errors name the offending text.
Result<Endpoint> parse_endpoint(std::string_view text);

// DOCKER_HOST when set and not empty, else kDefaultDockerHost.
Result<Endpoint> endpoint_from_environment();

}  // namespace leakcheck::docker
