#include "harness/series_table.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string_view>

namespace leakcheck::harness {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// CSV field: quoted when it holds a comma, quote or newline.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
}  // namespace

void SeriesTable::add_sample(double t_seconds, const std::vector<std::pair<std::string, double>>& values) {
  size_t row = times_.size();
  times_.push_back(t_seconds);
  for (const auto& [name, value] : values) {
    auto& column = columns_[name];
    column.resize(row, kNaN);
    column.push_back(value);
  }
  for (auto& [name, column] : columns_) column.resize(row + 1, kNaN);
}

std::vector<std::string> SeriesTable::names() const {
  std::vector<std::string> out;
  for (const auto& [name, column] : columns_) out.push_back(name);
  return out;
}

std::vector<double> SeriesTable::values(const std::string& name) const {
  auto it = columns_.find(name);
  if (it == columns_.end()) return std::vector<double>(times_.size(), kNaN);
  return it->second;
}

std::vector<std::pair<double, double>> SeriesTable::points(const std::string& name, double from_seconds) const {
  std::vector<std::pair<double, double>> out;
  auto it = columns_.find(name);
  if (it == columns_.end()) return out;
  for (size_t i = 0; i < times_.size(); ++i)
    if (times_[i] >= from_seconds && !std::isnan(it->second[i])) out.emplace_back(times_[i], it->second[i]);
  return out;
}

std::string SeriesTable::to_csv() const {
  std::string out = "t_seconds";
  for (const auto& [name, column] : columns_) out += "," + csv_field(name);
  out += '\n';
  char buf[64];
  for (size_t i = 0; i < times_.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%.3f", times_[i]);
    out += buf;
    for (const auto& [name, column] : columns_) {
      out += ',';
      if (!std::isnan(column[i])) {
        std::snprintf(buf, sizeof buf, "%.17g", column[i]);
        out += buf;
      }
    }
    out += '\n';
  }
  return out;
}

std::vector<std::pair<std::string, double>> parse_prometheus_text(const std::string& text) {
  std::vector<std::pair<std::string, double>> out;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    if (line.empty() || line[0] == '#') continue;
    // name{labels} value [timestamp]; label values may hold spaces, so the
    // name ends at the closing brace when there is one.
    size_t name_end = line.find('{') != std::string_view::npos && line.find('{') < line.find(' ')
                          ? line.find('}')
                          : line.find(' ');
    if (name_end == std::string_view::npos) continue;
    if (line[name_end] == '}') ++name_end;
    std::string_view value_text = line.substr(name_end);
    while (!value_text.empty() && value_text.front() == ' ') value_text.remove_prefix(1);
    value_text = value_text.substr(0, value_text.find(' '));
    double value = 0;
    auto [ptr, ec] = std::from_chars(value_text.data(), value_text.data() + value_text.size(), value);
    if (ec != std::errc() || std::isnan(value)) continue;
    out.emplace_back(std::string(line.substr(0, name_end)), value);
  }
  return out;
}

}  // namespace leakcheck::harness
