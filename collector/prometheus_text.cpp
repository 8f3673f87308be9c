#include "collector/prometheus_text.h"

#include <cmath>
#include <cstdio>

namespace leakcheck::collector {

std::string escape_label_value(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void PrometheusText::counter(const std::string& name, const std::string& help, double value,
                             const MetricLabels& labels) {
  sample(name, help, "counter", value, labels);
}

void PrometheusText::gauge(const std::string& name, const std::string& help, double value,
                           const MetricLabels& labels) {
  sample(name, help, "gauge", value, labels);
}

void PrometheusText::sample(const std::string& name, const std::string& help, const char* type, double value,
                            const MetricLabels& labels) {
  if (name != last_name_) {
    out_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    last_name_ = name;
  }
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i) out_ += ',';
      out_ += labels[i].first + "=\"" + escape_label_value(labels[i].second) + '"';
    }
    out_ += '}';
  }
  char buf[64];
  // Integers print exactly; others with enough digits to round-trip.
  if (std::floor(value) == value && std::fabs(value) < 1e15) std::snprintf(buf, sizeof buf, " %.0f\n", value);
  else std::snprintf(buf, sizeof buf, " %.17g\n", value);
  out_ += buf;
}

}  // namespace leakcheck::collector
