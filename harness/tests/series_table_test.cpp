#include "harness/series_table.h"

#include <gtest/gtest.h>

#include <cmath>

namespace leakcheck::harness {
namespace {

TEST(SeriesTable, LateAndMissingSeriesAreNaN) {
  SeriesTable t;
  t.add_sample(0, {{"fds.total", 10}});
  t.add_sample(1, {{"fds.total", 11}, {"threads.worker", 2}});
  t.add_sample(2, {{"threads.worker", 3}});
  auto fds = t.values("fds.total");
  ASSERT_EQ(fds.size(), 3u);
  EXPECT_EQ(fds[0], 10);
  EXPECT_EQ(fds[1], 11);
  EXPECT_TRUE(std::isnan(fds[2]));
  auto workers = t.values("threads.worker");
  EXPECT_TRUE(std::isnan(workers[0]));
  EXPECT_EQ(workers[2], 3);
  EXPECT_EQ(t.points("threads.worker", 1.5), (std::vector<std::pair<double, double>>{{2, 3}}));
  EXPECT_EQ(t.to_csv(), "t_seconds,fds.total,threads.worker\n0.000,10,\n1.000,11,2\n2.000,,3\n");
}

TEST(SeriesTable, CsvQuotesAwkwardNames) {
  SeriesTable t;
  t.add_sample(0.5, {{"metrics.x{a=\"b,c\"}", 1}});
  EXPECT_EQ(t.to_csv(), "t_seconds,\"metrics.x{a=\"\"b,c\"\"}\"\n0.500,1\n");
}

TEST(PrometheusText, ParsesSamples) {
  auto samples = parse_prometheus_text(
      "# HELP go_goroutines Number of goroutines.\n# TYPE go_goroutines gauge\ngo_goroutines 31\n"
      "lines_total{stream=\"stdout\",path=\"a b\"} 1.5e3 1700000000\nbroken line\nnan_metric NaN\n\n");
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0], (std::pair<std::string, double>{"go_goroutines", 31}));
  EXPECT_EQ(samples[1], (std::pair<std::string, double>{"lines_total{stream=\"stdout\",path=\"a b\"}", 1500}));
}

}  // namespace
}  // namespace leakcheck::harness
