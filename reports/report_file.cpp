#include "reports/report_file.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "reports/html.h"
#include "reports/junit.h"

namespace leakcheck::reports {

namespace {

bool is_directory(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Status write_atomically(const std::string& path, const std::string& text) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return errno_error("cannot write " + temp);
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) return errno_error("cannot rename " + temp + " to " + path);
  return Ok{};
}

}  // namespace

std::string report_path(const std::string& path) {
  return is_directory(path) ? path + (path.ends_with('/') ? "" : "/") + "report.json" : path;
}

Result<nlohmann::json> load_report(const std::string& path) {
  const std::string file = report_path(path);
  std::ifstream in(file, std::ios::binary);
  if (!in) return errno_error("cannot read " + file);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    return Error(0, file + ": not JSON: " + e.what());
  }
  if (!doc.is_object() || !doc.contains("schema") || !doc["schema"].is_string() ||
      !doc["schema"].get<std::string>().starts_with("leakcheck.report/"))
    return Error(0, file + ": not a leakcheck report (no \"schema\": \"leakcheck.report/1\")");
  if (doc["schema"] != "leakcheck.report/1")
    return Error(0, file + ": schema " + doc["schema"].get<std::string>() +
                             " is newer than this leakcheck reads (leakcheck.report/1)");
  return doc;
}

Status write_rendered(const std::string& run_dir, const nlohmann::json& report) {
  if (auto w = write_atomically(run_dir + "/report.html", render_report_html(report)); !w) return w;
  return write_atomically(run_dir + "/junit.xml", render_junit_xml(report));
}

}  // namespace leakcheck::reports
