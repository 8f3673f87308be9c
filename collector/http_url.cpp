#include "collector/http_url.h"

#include <boost/asio/ip/address.hpp>
#include <charconv>

namespace leakcheck::collector {

Result<HttpUrl> parse_http_url(std::string_view url) {
  auto bad = [&](const char* why) { return Error{0, "invalid URL \"" + std::string(url) + "\": " + why}; };
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return bad("only http:// is supported");
  std::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  HttpUrl out;
  out.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  // "[v6]:port", "host:port" or "host".
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed [");
    host = authority.substr(1, close - 1);
    if (authority.substr(close + 1).starts_with(':')) port = authority.substr(close + 2);
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (!port.empty()) {
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (ec != std::errc() || ptr != port.data() + port.size() || out.port == 0) return bad("bad port");
  }
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(host), ec);
  if (host.empty() || ec) return bad("the host must be a numeric IP address or localhost (no name resolution)");
  out.host = std::string(host);
  return out;
}

}  // namespace leakcheck::collector
