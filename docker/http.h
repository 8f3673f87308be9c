#pragma once
// HTTP exchanges with the daemon as plain data, so that only transport.cpp
// needs Boost.Beast.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "util/result.h"

namespace leakcheck::docker {

using namespace std::chrono_literals;

struct Request {
  Request() = default;  // not an aggregate: see types.h
  Request(std::string http_method, std::string request_target)
      : method(std::move(http_method)), target(std::move(request_target)) {}
  std::string method = "GET";  // GET, POST, DELETE, HEAD, PUT
  std::string target;          // "/v1.41/containers/json?all=1": path and encoded query
  std::string body;            // sent with Content-Length; POST without body sends 0
  std::string content_type = "application/json";
};

struct Response {
  unsigned status = 0;
  std::string reason;
  std::string content_type;
  std::string body;
};

// Deadlines and bounds of one short request on a pooled connection.
struct RequestLimits {
  // From the start of writing the request to the end of the response header.
  std::chrono::nanoseconds header_timeout = 30s;
  // Reading the whole body after the header (a total, not an idle timeout:
  // short requests have short bodies).
  std::chrono::nanoseconds body_timeout = 60s;
  std::size_t body_limit_bytes = 16u << 20;
};

inline bool is_success(unsigned status) { return status >= 200 && status < 300; }

// "GET /v1.41/containers/json", for error contexts.
std::string describe(const Request& request);

// The error for a non-2xx reply: "GET /v1.41/containers/x/json: 404 Not Found:
// No such container: x". Code 0: it is the daemon's answer, not an errno.
Error http_error(const Request& request, unsigned status, std::string_view reason,
                 std::string_view body);

}  // namespace leakcheck::docker
