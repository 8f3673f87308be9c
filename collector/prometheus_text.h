#pragma once
// Prometheus text exposition format (version 0.0.4), written by hand: a few
// dozen metrics do not justify a client library.

#include <string>
#include <utility>
#include <vector>

namespace leakcheck::collector {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class PrometheusText {
 public:
  // Consecutive samples of one metric name share its HELP and TYPE lines.
  void counter(const std::string& name, const std::string& help, double value, const MetricLabels& labels = {});
  void gauge(const std::string& name, const std::string& help, double value, const MetricLabels& labels = {});

  const std::string& text() const { return out_; }

 private:
  void sample(const std::string& name, const std::string& help, const char* type, double value,
              const MetricLabels& labels);

  std::string out_;
  std::string last_name_;
};

// Escapes a label value: backslash, double quote and newline.
std::string escape_label_value(const std::string& value);

}  // namespace leakcheck::collector
