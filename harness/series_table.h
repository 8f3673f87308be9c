#pragma once
// The samples of a run: one row per sample time, one column per named
// series. A series that appears later (a thread name, a unix peer) is empty
// (NaN) before; one that disappears is NaN after. Written out as samples.csv.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace leakcheck::harness {

class SeriesTable {
 public:
  // `t_seconds` since the start of the run.
  void add_sample(double t_seconds, const std::vector<std::pair<std::string, double>>& values);

  const std::vector<double>& times() const { return times_; }
  size_t size() const { return times_.size(); }
  bool has(const std::string& name) const { return columns_.contains(name); }
  std::vector<std::string> names() const;
  // Aligned with times(); NaN where there was no value.
  std::vector<double> values(const std::string& name) const;
  // The (t, value) pairs with t >= from_seconds and a value.
  std::vector<std::pair<double, double>> points(const std::string& name, double from_seconds = 0) const;
  std::string to_csv() const;

 private:
  std::vector<double> times_;
  std::map<std::string, std::vector<double>> columns_;
};

// A Prometheus text exposition: every sample as ("name{labels}", value);
// comments, NaN and malformed lines are skipped. Pure.
std::vector<std::pair<std::string, double>> parse_prometheus_text(const std::string& text);

}  // namespace leakcheck::harness
