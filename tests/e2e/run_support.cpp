#include "tests/e2e/run_support.h"

#include <fstream>
#include <sstream>

#include "tests/e2e/subprocess.h"

namespace leakcheck::testing {

std::string report_path_from(const std::string& out) {
  auto at = out.find("report: ");
  if (at == std::string::npos) return "";
  auto end = out.find('\n', at);
  return out.substr(at + 8, end - at - 8);
}

std::string dir_of(const std::string& report_path) { return report_path.substr(0, report_path.rfind('/')); }

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

int leftover_containers(const std::string& run_id) {
  CommandOutput r = run_command({"docker", "ps", "-aq", "--filter", "label=leakcheck.run=" + run_id});
  std::istringstream lines(r.out);
  int n = 0;
  for (std::string line; std::getline(lines, line);) ++n;
  return n;
}

const nlohmann::json* criterion(const nlohmann::json& report, const std::string& text) {
  for (const nlohmann::json& c : report["criteria"])
    if (c["text"] == text) return &c;
  return nullptr;
}

std::string schema_errors(const std::string& source_dir, const std::string& report) {
  CommandOutput r = run_command({source_dir + "/scripts/validate-report", report});
  return r.exit_code == 0 ? "" : r.out + r.err;
}

}  // namespace leakcheck::testing
