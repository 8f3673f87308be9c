#include "collector/prometheus_text.h"

#include <gtest/gtest.h>

namespace leakcheck::collector {
namespace {

TEST(PrometheusText, GroupsSamplesUnderOneHelpAndType) {
  PrometheusText p;
  p.gauge("lc_streams_open", "Follow streams open now.", 3);
  p.counter("lc_lines_total", "Lines read.", 10, {{"stream", "stdout"}});
  p.counter("lc_lines_total", "Lines read.", 2, {{"stream", "stderr"}});
  p.gauge("lc_ratio", "A fraction.", 0.25);
  EXPECT_EQ(p.text(),
            "# HELP lc_streams_open Follow streams open now.\n# TYPE lc_streams_open gauge\nlc_streams_open 3\n"
            "# HELP lc_lines_total Lines read.\n# TYPE lc_lines_total counter\n"
            "lc_lines_total{stream=\"stdout\"} 10\nlc_lines_total{stream=\"stderr\"} 2\n"
            "# HELP lc_ratio A fraction.\n# TYPE lc_ratio gauge\nlc_ratio 0.25\n");
}

TEST(PrometheusText, EscapesLabelValues) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace leakcheck::collector
