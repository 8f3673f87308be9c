#pragma once
// Reading a run's report.json, and writing the files rendered from it.

#include <nlohmann/json.hpp>
#include <string>

#include "util/result.h"

namespace leakcheck::reports {

// `path` is a report.json or a run directory holding one. An error names the
// file, and for a parse error the byte where it failed; a document whose
// `schema` is not leakcheck.report/<n> is an error too.
Result<nlohmann::json> load_report(const std::string& path);

// The file load_report reads for `path`.
std::string report_path(const std::string& path);

// report.html and junit.xml beside report.json in `run_dir`, rendered from
// `report`. Writes each to a temporary name, then renames it into place.
Status write_rendered(const std::string& run_dir, const nlohmann::json& report);

}  // namespace leakcheck::reports
