#include "docker/endpoint.h"

#include <arpa/inet.h>
#include <sys/un.h>

#include <charconv>
#include <cstdlib>

namespace leakcheck::docker {

namespace {

constexpr std::string_view kUnixScheme = "unix://";
constexpr std::string_view kTcpScheme = "tcp://";

Error bad(std::string_view text, const std::string& why) {
  return Error{0, "invalid docker host \"" + std::string(text) + "\": " + why};
}

bool is_ipv4(const std::string& s) {
  in_addr a{};
  return ::inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool is_ipv6(const std::string& s) {
  in6_addr a{};
  return ::inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

Result<Endpoint> parse_unix(std::string_view text) {
  std::string_view path = text.substr(kUnixScheme.size());
  if (path.empty() || path.front() != '/')
    return bad(text, "expected an absolute socket path, e.g. unix:///var/run/docker.sock");
  // sun_path holds the path and its terminating NUL.
  if (path.size() >= sizeof(sockaddr_un{}.sun_path))
    return bad(text, "socket path longer than " + std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                         " bytes");
  Endpoint ep;
  ep.kind = Endpoint::Kind::unix_socket;
  ep.path = std::string(path);
  return ep;
}

Result<std::uint16_t> parse_port(std::string_view text, std::string_view port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value == 0 ||
      value > 65535)
    return bad(text, "port \"" + std::string(port) + "\" is not a number in 1..65535");
  return static_cast<std::uint16_t>(value);
}

Result<Endpoint> parse_tcp(std::string_view text) {
  std::string_view rest = text.substr(kTcpScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) return bad(text, "missing host, e.g. tcp://127.0.0.1:2375");
  if (rest.find('/') != std::string_view::npos) return bad(text, "a path is not allowed after host:port");

  std::string host;
  std::string_view port;
  bool bracketed = false;
  if (rest.front() == '[') {  // [v6]:port
    auto close = rest.find(']');
    if (close == std::string_view::npos) return bad(text, "missing ']' after IPv6 address");
    host = std::string(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad(text, "expected ':port' after ']'");
      port = after.substr(1);
      if (port.empty()) return bad(text, "empty port");
    }
    bracketed = true;
  } else {
    auto colon = rest.rfind(':');
    if (colon != std::string_view::npos && rest.find(':') != colon)
      return bad(text, "an IPv6 address must be written in brackets, e.g. tcp://[::1]:2375");
    host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
      if (port.empty()) return bad(text, "empty port");
    }
  }

  Endpoint ep;
  ep.kind = Endpoint::Kind::tcp;
  ep.port = kDefaultTcpPort;
  if (!port.empty()) {
    auto p = parse_port(text, port);
    if (!p) return p.error();
    ep.port = *p;
  }
  if (host == "localhost" && !bracketed) {
    ep.address = "127.0.0.1";
  } else if (bracketed ? is_ipv6(host) : is_ipv4(host)) {
    ep.address = host;
  } else {
    return bad(text, "host \"" + host +
                         "\" must be a numeric IP address or localhost (no DNS resolution: it "
                         "would need a resolver thread)");
  }
  return ep;
}

}  // namespace

std::string Endpoint::text() const {
  if (kind == Kind::unix_socket) return std::string(kUnixScheme) + path;
  bool v6 = address.find(':') != std::string::npos;
  return std::string(kTcpScheme) + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

std::string Endpoint::host_header() const {
  if (kind == Kind::unix_socket) return "localhost";
  bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

Result<Endpoint> parse_endpoint(std::string_view text) {
  if (text.starts_with(kUnixScheme)) return parse_unix(text);
  if (text.starts_with(kTcpScheme)) return parse_tcp(text);
  return bad(text, "expected unix:///path/to/docker.sock or tcp://address:port");
}

Result<Endpoint> endpoint_from_environment() {
  const char* env = std::getenv("DOCKER_HOST");
  if (env == nullptr || *env == '\0') return parse_endpoint(kDefaultDockerHost);
  auto ep = parse_endpoint(env);
  if (!ep) return Error{0, "DOCKER_HOST: " + ep.error().context};
  return ep;
}

}  // namespace leakcheck::docker
