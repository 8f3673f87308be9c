#include "reports/svg_chart.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

namespace leakcheck::reports {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

// The value of attribute `name` of the element that starts at or before
// `pos` (the last "<" before it). No std::regex: GCC 12 warns inside it under
// the sanitizers.
std::string attribute(const std::string& svg, std::size_t pos, const std::string& name) {
  std::size_t element = svg.rfind('<', pos);
  std::size_t end = svg.find('>', element);
  std::size_t at = svg.find(" " + name + "=\"", element);
  if (element == std::string::npos || at == std::string::npos || at > end) return "";
  at += name.size() + 3;
  return svg.substr(at, svg.find('"', at) - at);
}

std::vector<double> seconds(std::size_t n) {
  std::vector<double> t;
  for (std::size_t i = 0; i < n; ++i) t.push_back(static_cast<double>(i));
  return t;
}

LineChart fd_chart() {
  LineChart c;
  c.title = "File descriptors";
  c.y_unit = "fds";
  c.t_s = seconds(91);
  std::vector<double> total, socket;
  for (double t : c.t_s) {
    total.push_back(20 + 1.2 * t);
    socket.push_back(8 + 1.2 * t);
  }
  c.series = {{"total", total, true}, {"socket", socket, false}};
  c.warmup_s = 22.5;
  return c;
}

TEST(NiceTicks, StepsOfOneTwoOrFiveCoveringTheRange) {
  EXPECT_EQ(nice_ticks(0, 93, 6), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(nice_ticks(18, 20, 6), (std::vector<double>{18, 18.5, 19, 19.5, 20}));
  EXPECT_EQ(nice_ticks(0, 1, 6), (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1}));
  EXPECT_EQ(nice_ticks(-3, 7, 6), (std::vector<double>{-5, 0, 5, 10}));
  EXPECT_EQ(nice_ticks(0, 128, 8), (std::vector<double>{0, 20, 40, 60, 80, 100, 120, 140}));
  EXPECT_EQ(nice_ticks(0, 751741, 6),
            (std::vector<double>{0, 200000, 400000, 600000, 800000}));
  // A constant range still gives ticks around it.
  EXPECT_EQ(nice_ticks(5, 5, 6).size(), 6u);
  EXPECT_LE(nice_ticks(5, 5, 6).front(), 5);
  EXPECT_GE(nice_ticks(5, 5, 6).back(), 5);
}

TEST(TimeUnit, SecondsThenMinutesThenHours) {
  EXPECT_STREQ(time_unit_for(90).name, "s");
  EXPECT_STREQ(time_unit_for(300).name, "s");
  EXPECT_STREQ(time_unit_for(1800).name, "min");
  EXPECT_EQ(time_unit_for(1800).seconds, 60);
  EXPECT_STREQ(time_unit_for(86400).name, "h");
}

TEST(LineChart, HasExplicitSizeAndViewBox) {
  std::string svg = render_line_chart(fd_chart());
  ASSERT_EQ(svg.rfind("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"", 0), 0u);
  std::string width = attribute(svg, 0, "width"), height = attribute(svg, 0, "height");
  EXPECT_EQ(width, "580.0");
  EXPECT_EQ(attribute(svg, 0, "viewBox"), "0 0 " + width + " " + height);
  EXPECT_GT(std::atof(height.c_str()), 200);
  EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
}

TEST(LineChart, DrawsWarmupAxesLegendAndTooltips) {
  std::string svg = render_line_chart(fd_chart());
  EXPECT_NE(svg.find(">warmup</text>"), std::string::npos);
  EXPECT_NE(svg.find("fill=\"#eef1f5\""), std::string::npos);  // the band
  EXPECT_NE(svg.find(">time since start (s)</text>"), std::string::npos);
  EXPECT_NE(svg.find(">fds</text>"), std::string::npos);
  // y ticks 0..140 by 20 (data 8..128, near enough to zero to start there), x ticks every 10 s.
  EXPECT_NE(svg.find(">140</text>"), std::string::npos);
  EXPECT_NE(svg.find(">90</text>"), std::string::npos);
  // Legend: both series; the total is emphasized (dark, thicker).
  EXPECT_NE(svg.find(">total</text>"), std::string::npos);
  EXPECT_NE(svg.find(">socket</text>"), std::string::npos);
  EXPECT_NE(svg.find("stroke=\"#111827\" stroke-width=\"2.6\""), std::string::npos);
  // Every sample of a short run has a hover tooltip.
  EXPECT_EQ(count(svg, "<circle class=\"pt\""), 2u * 91);
  EXPECT_NE(svg.find("<title>total at 10 s: 32 fds</title>"), std::string::npos);
}

TEST(LineChart, TrendDashedThresholdRedAndClippedToThePlot) {
  LineChart c = fd_chart();
  c.lines.push_back({"trend +72/min", 22.5, 47, 90, 128, LineStyle::trend, 0});
  // A threshold that would leave the plot far above it.
  c.lines.push_back({"limit < 5/min", 22.5, 47, 90, 100000, LineStyle::threshold, 0});
  std::string svg = render_line_chart(c);
  EXPECT_NE(svg.find("stroke-dasharray=\"6 4\"><title>trend +72/min</title>"), std::string::npos);
  auto threshold = svg.find("stroke=\"#dc2626\" stroke-width=\"1.6\" stroke-dasharray=\"8 3 2 3\">");
  ASSERT_NE(threshold, std::string::npos);
  EXPECT_EQ(svg.compare(svg.rfind('<', threshold), 6, "<line "), 0);
  EXPECT_GE(std::atof(attribute(svg, threshold, "y2").c_str()), 34.0);  // the top of the plot
  // The y axis did not stretch to 100000.
  EXPECT_EQ(svg.find(">100,000</text>"), std::string::npos);
  // Both lines are in the legend.
  EXPECT_NE(svg.find(">limit &lt; 5/min</text>"), std::string::npos);
}

TEST(LineChart, ALineFarFromTheDataDoesNotFlattenThem) {
  LineChart c = fd_chart();
  c.lines.push_back({"a fit far off", 22.5, -50000, 90, -40000, LineStyle::trend, 0});
  std::string svg = render_line_chart(c);
  // Data 8..128: the range stops at most 256 (twice the magnitude) below them.
  EXPECT_EQ(svg.find("-50,000"), std::string::npos);
  EXPECT_NE(svg.find(">-200</text>"), std::string::npos);
  EXPECT_EQ(svg.find(">-400</text>"), std::string::npos);
}

TEST(LineChart, HorizontalThresholdAboveFlatDataIsInRange) {
  LineChart c;
  c.title = "TCP";
  c.y_unit = "sockets";
  c.t_s = seconds(10);
  c.series = {{"close_wait", std::vector<double>(10, 0.0), false}};
  c.lines.push_back({"limit: max < 5", 0, 5, 9, 5, LineStyle::threshold, 0});
  std::string svg = render_line_chart(c);
  EXPECT_NE(svg.find(">5</text>"), std::string::npos);  // a tick at the bound
  EXPECT_NE(svg.find("<title>limit: max &lt; 5</title></line>"), std::string::npos);
}

TEST(LineChart, AConstantSitsMidPlot) {
  LineChart c;
  c.title = "constant";
  c.t_s = seconds(10);
  c.series = {{"unix sockets", std::vector<double>(10, 18.0), false}};
  std::string svg = render_line_chart(c);
  // y ticks (right-aligned labels): 18 +- 1.8, widened to whole numbers.
  EXPECT_NE(svg.find("text-anchor=\"end\">16</text>"), std::string::npos);
  EXPECT_NE(svg.find("text-anchor=\"end\">20</text>"), std::string::npos);
  EXPECT_EQ(svg.find("text-anchor=\"end\">0</text>"), std::string::npos);
}

TEST(LineChart, NaNBreaksTheLineAndALonePointShows) {
  LineChart c;
  c.title = "gaps";
  c.t_s = seconds(7);
  c.series = {{"s", {1, 2, kNaN, 3, kNaN, 4, 5}, false}};
  std::string svg = render_line_chart(c);
  auto path = svg.find("<path ");
  ASSERT_NE(path, std::string::npos);
  std::string d = attribute(svg, path, "d");
  EXPECT_EQ(count(d, "M"), 3u);
  EXPECT_EQ(count(d, "L"), 2u);
  EXPECT_EQ(count(d, "h0.1"), 1u);  // the lone sample at t = 3
}

TEST(LineChart, LongSeriesAreDecimatedToPixelColumns) {
  LineChart c;
  c.title = "a day";
  const std::size_t n = 86400;
  c.t_s = seconds(n);
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<double>(i % 100);
  c.series = {{"sawtooth", v, false}};
  std::string svg = render_line_chart(c);
  EXPECT_STREQ(time_unit_for(n).name, "h");
  EXPECT_NE(svg.find("time since start (h)"), std::string::npos);
  EXPECT_LE(count(svg, " L"), 2u * 580);
  EXPECT_LE(count(svg, "<circle"), 1200u);
  EXPECT_LT(svg.size(), 200000u);
}

TEST(LineChart, WithoutSamplesStillRenders) {
  LineChart c;
  c.title = "empty";
  std::string svg = render_line_chart(c);
  EXPECT_NE(svg.find("no samples"), std::string::npos);
  c.t_s = seconds(5);
  c.series = {{"all NaN", std::vector<double>(5, kNaN), false}};
  svg = render_line_chart(c);
  EXPECT_NE(svg.find("no samples"), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
}

TEST(LineChart, EscapesEveryString) {
  LineChart c;
  c.title = "<script>t</script>";
  c.y_unit = "\"u\"";
  c.t_s = seconds(3);
  c.series = {{"a\"b'c<d>&", {1, 2, 3}, false}};
  c.lines.push_back({"<img src=x>", 0, 1, 2, 3, LineStyle::trend, 0});
  std::string svg = render_line_chart(c);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("<img"), std::string::npos);
  EXPECT_EQ(svg.find("a\"b"), std::string::npos);
  EXPECT_NE(svg.find("a&quot;b&#39;c&lt;d&gt;&amp;"), std::string::npos);
  EXPECT_NE(svg.find("aria-label=\"&lt;script&gt;t&lt;/script&gt;\""), std::string::npos);
  EXPECT_NE(svg.find("&quot;u&quot;"), std::string::npos);
}

}  // namespace
}  // namespace leakcheck::reports
