#pragma once
// What the end-to-end tests of `leakcheck run` share: reading what a run
// printed and wrote, and checking it left nothing behind.

#include <nlohmann/json.hpp>
#include <string>

namespace leakcheck::testing {

// The report a `leakcheck run` printed ("report: DIR/report.json"); "" if none.
std::string report_path_from(const std::string& out);
// The run directory holding `report_path`.
std::string dir_of(const std::string& report_path);
nlohmann::json read_json(const std::string& path);
// Containers (any state) labelled leakcheck.run=<run_id>.
int leftover_containers(const std::string& run_id);
// The criterion of a report with this text, or nullptr.
const nlohmann::json* criterion(const nlohmann::json& report, const std::string& text);
// scripts/validate-report on a run directory or report.json: "" when valid,
// else what it printed.
std::string schema_errors(const std::string& source_dir, const std::string& report);

}  // namespace leakcheck::testing
