#pragma once
// A snapshot as JSON (schema "leakcheck.probe/1", docs/probe-json.md) and as
// flat named series for time series ("fds.total", "sockets.tcp.close_wait").

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <utility>
#include <vector>

#include "probes/snapshot.h"

namespace leakcheck::probes {

inline constexpr const char* kProbeSchema = "leakcheck.probe/1";

nlohmann::ordered_json to_json(const ProcessSnapshot& snapshot);

// Every figure of the snapshot's totals under its stable series name. Names
// are public API: scenarios and reports refer to them.
std::vector<std::pair<std::string, double>> to_series(const ProcessSnapshot& snapshot);

}  // namespace leakcheck::probes
