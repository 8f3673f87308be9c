#pragma once
// Checks at start that what the collector talks to answers, so that a wrong
// address fails at once with one line naming it (exit 2) instead of a
// collector that runs and retries for ever.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <string>

#include "collector/config.h"
#include "docker/endpoint.h"
#include "util/result.h"

namespace leakcheck::collector {

// How long the Loki sink has to accept a TCP connection at start.
inline constexpr Nanos kSinkProbeTimeout = 3s;

// A Loki sink accepts a TCP connection within `timeout` (nothing is sent;
// the connection is closed at once). Other sinks: Ok. The error names the URL.
boost::asio::awaitable<Status> probe_sink(boost::asio::any_io_executor executor, const SinkConfig& sink, Nanos timeout);

// What to tell a user whose Docker engine is unreachable: for EACCES on a
// unix socket, who may use it and why that matters; otherwise "".
std::string docker_access_hint(const Error& error, const docker::Endpoint& endpoint);

}  // namespace leakcheck::collector
