#pragma once
// Line charts as inline SVG for the HTML report: time on x (seconds, minutes
// or hours, whichever reads best for the run's length), one or more series on
// y with a legend, the warmup shaded, and straight lines for a criterion's
// fitted trend and threshold. Pure functions: a chart description in, SVG
// text out. Every string of the description is escaped when drawn.

#include <string>
#include <vector>

namespace leakcheck::reports {

struct ChartSeries {
  std::string name;            // legend text
  std::vector<double> values;  // one per time of the chart; NaN: no sample (a gap)
  bool emphasized = false;     // thicker and dark: the total of a breakdown
};

enum class LineStyle {
  trend,      // a fitted trend: dashed, in the colour of its series
  threshold,  // a criterion's bound: dash-dotted red
};

// A straight line from (t0_s, y0) to (t1_s, y1), clipped to the plot. The
// y range stretches towards a line only so far beyond the data (the larger of
// their span, twice their magnitude and 10 units), so a threshold rising for
// a day leaves the plot rather than flattening the data.
struct ChartLine {
  std::string label;  // legend text
  double t0_s = 0, y0 = 0, t1_s = 0, y1 = 0;
  LineStyle style = LineStyle::trend;
  int series_index = -1;  // a trend's series (its colour); -1: none
};

struct LineChart {
  std::string title;
  std::string y_unit;      // the y axis label: "fds", "MiB", "% of one core"
  std::vector<double> t_s;  // sample times, seconds since the run started, ascending
  std::vector<ChartSeries> series;
  std::vector<ChartLine> lines;
  double warmup_s = 0;     // shaded from the start to here; 0: none
  int width = 580;         // of the whole chart, in CSS pixels
  int plot_height = 190;   // of the plot area; the title, axes and legend add to it
};

// `<svg class="chart" width=... height=... viewBox=...>...</svg>`. A chart
// without a finite value still renders (axes and a "no samples" note).
std::string render_line_chart(const LineChart& chart);

// Evenly spaced ticks, the step 1, 2 or 5 times a power of ten, covering
// [lo, hi]: the first <= lo, the last >= hi, at most `max_count` of them,
// as many as that allows.
std::vector<double> nice_ticks(double lo, double hi, int max_count);

// The unit of the time axis for a run of `span_s` seconds: seconds up to
// 5 minutes, minutes up to 5 hours, hours beyond.
struct TimeUnit {
  double seconds = 1;  // seconds per unit
  const char* name = "s";
};
TimeUnit time_unit_for(double span_s);

}  // namespace leakcheck::reports
