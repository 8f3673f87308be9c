#pragma once
// The readable summary `leakcheck probe` prints by default.

#include <string>

#include "probes/snapshot.h"

namespace leakcheck::cli {

std::string render_probe_text(const probes::ProcessSnapshot& snapshot);

}  // namespace leakcheck::cli
