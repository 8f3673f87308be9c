#include "docker/http.h"

#include "docker/json.h"

namespace leakcheck::docker {

std::string describe(const Request& request) {
  // The query can carry a whole filters JSON; keep contexts to one readable line.
  constexpr std::size_t kMaxTarget = 200;
  std::string target = request.target.size() > kMaxTarget
                           ? request.target.substr(0, kMaxTarget) + "..."
                           : request.target;
  return request.method + " " + target;
}

Error http_error(const Request& request, unsigned status, std::string_view reason,
                 std::string_view body) {
  std::string context = describe(request) + ": " + std::to_string(status);
  if (!reason.empty()) context += " " + std::string(reason);
  std::string message = error_message_from_body(body);
  if (!message.empty()) context += ": " + message;
  return Error{0, context};
}

}  // namespace leakcheck::docker
