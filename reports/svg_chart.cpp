#include "reports/svg_chart.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

#include "reports/text.h"

namespace leakcheck::reports {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Colour-blind-friendly categorical colours (Tableau 10), then the total's.
constexpr std::array<const char*, 10> kPalette = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                                  "#b07aa1", "#edc948", "#ff9da7", "#9c755f", "#bab0ac"};
constexpr const char* kEmphasisColour = "#111827";
constexpr const char* kThresholdColour = "#dc2626";

// Text metrics without a font engine: an 11 px sans-serif averages about
// 6.2 px per character, which is all the layout needs (labels are short,
// legends wrap with room to spare).
constexpr double kCharWidth = 6.2;
constexpr std::size_t kLegendMaxChars = 64;
// At most about this many hover markers (each a <circle> with a <title>) per chart.
constexpr std::size_t kMaxMarkers = 1200;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A step of 1, 2 or 5 times 10^exponent, at least `raw`.
struct Step {
  int mantissa = 1;
  int exponent = 0;
  double value() const { return mantissa * std::pow(10.0, exponent); }
  // k steps, computed so that 3 * 0.2 is 0.6 and not 0.6000000000000001.
  double times(long k) const {
    double m = static_cast<double>(k) * mantissa;
    return exponent < 0 ? m / std::pow(10.0, -exponent) : m * std::pow(10.0, exponent);
  }
};

Step nice_step(double raw) {
  if (!(raw > 0) || !std::isfinite(raw)) return {};
  int exponent = static_cast<int>(std::floor(std::log10(raw)));
  double f = raw / std::pow(10.0, exponent);
  if (f <= 1 + 1e-9) return {1, exponent};
  if (f <= 2 + 1e-9) return {2, exponent};
  if (f <= 5 + 1e-9) return {5, exponent};
  return {1, exponent + 1};
}

int decimals_for_step(double step) {
  if (!(step > 0)) return 0;
  return std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
}

std::string tick_label(double v, double step) { return format_fixed(v, decimals_for_step(step)); }

std::string time_label(double t_s, const TimeUnit& unit) {
  return format_value(t_s / unit.seconds) + " " + unit.name;
}

std::string truncate(const std::string& s, std::size_t max_chars) {
  if (s.size() <= max_chars) return s;
  std::size_t cut = max_chars - 1;
  // Do not cut inside a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "…";
}

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
};

// The y range: the data (a constant padded by a tenth of its value, at least
// 1, so it sits mid-plot), and the lines only so far beyond them (the larger
// of the data's span, twice their magnitude, and 10 units: small counts such
// as threads get room for a threshold), so that a threshold rising for a day,
// or a fit far from the data, leaves the plot rather than flattening the
// data. From zero when the data sit closer to it than to their span.
Range y_range(const LineChart& chart) {
  Range data;
  for (const auto& s : chart.series)
    for (double v : s.values) data.add(v);
  if (!data.empty() && data.hi - data.lo < 1e-12) {
    double pad = std::max(std::fabs(data.hi) * 0.1, 1.0);
    data.lo = data.lo >= 0 && data.lo - pad < 0 ? 0 : data.lo - pad;
    data.hi += pad;
  }
  Range r = data;
  if (data.empty()) {
    for (const auto& l : chart.lines) {
      r.add(l.y0);
      r.add(l.y1);
    }
  } else {
    double reach = std::max({data.hi - data.lo, 2 * std::max(std::fabs(data.hi), std::fabs(data.lo)), 10.0});
    for (const auto& l : chart.lines)
      for (double v : {l.y0, l.y1})
        if (std::isfinite(v)) r.add(std::clamp(v, data.lo - reach, data.hi + reach));
  }
  if (r.empty()) return {0, 1};
  if (r.lo >= 0 && r.lo <= 0.5 * r.hi) r.lo = 0;
  if (r.hi - r.lo < 1e-12) r.hi = r.lo + 1;
  return r;
}

// Liang–Barsky: clips the segment to the rectangle; false when it misses it.
bool clip_segment(double& x0, double& y0, double& x1, double& y1, double xmin, double ymin, double xmax,
                  double ymax) {
  double t_enter = 0, t_leave = 1, dx = x1 - x0, dy = y1 - y0;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {x0 - xmin, xmax - x0, y0 - ymin, ymax - y0};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return false;
      continue;
    }
    double t = q[i] / p[i];
    if (p[i] < 0) t_enter = std::max(t_enter, t);
    else t_leave = std::min(t_leave, t);
  }
  if (t_enter > t_leave) return false;
  double nx0 = x0 + t_enter * dx, ny0 = y0 + t_enter * dy;
  x1 = x0 + t_leave * dx;
  y1 = y0 + t_leave * dy;
  x0 = nx0;
  y0 = ny0;
  return true;
}

struct Plot {
  double left, top, width, height;
  double t0, t1, lo, hi;
  double x(double t) const { return left + (t - t0) / (t1 - t0) * width; }
  double y(double v) const { return top + (hi - v) / (hi - lo) * height; }
};

// The series as an SVG path, at most two points (its min and max) per pixel
// column, so a day of 1 s samples draws as fast as a minute and keeps its
// spikes. NaN breaks the line.
std::string series_path(const Plot& plot, const std::vector<double>& t_s, const std::vector<double>& values) {
  std::string d;
  bool pen_down = false;
  int subpath_points = 0;
  // A lone point draws nothing by itself; a tiny segment with round caps shows it as a dot.
  auto end_subpath = [&] {
    if (subpath_points == 1) d += " h0.1";
    pen_down = false;
    subpath_points = 0;
  };
  long column = std::numeric_limits<long>::min();
  std::size_t min_i = 0, max_i = 0, count = 0;
  auto flush = [&] {
    if (count == 0) return;
    std::size_t a = std::min(min_i, max_i), b = std::max(min_i, max_i);
    for (std::size_t i : {a, b}) {
      d += pen_down ? " L" : " M";
      d += num(plot.x(t_s[i])) + "," + num(plot.y(values[i]));
      pen_down = true;
      ++subpath_points;
      if (a == b) break;
    }
    count = 0;
  };
  std::size_t n = std::min(t_s.size(), values.size());
  for (std::size_t i = 0; i < n; ++i) {
    double v = values[i];
    if (!std::isfinite(v) || !std::isfinite(t_s[i])) {
      flush();
      end_subpath();
      continue;
    }
    long col = std::lround(std::floor(plot.x(t_s[i])));
    if (col != column) {
      flush();
      column = col;
    }
    if (count == 0 || v < values[min_i]) min_i = i;
    if (count == 0 || v > values[max_i]) max_i = i;
    ++count;
  }
  flush();
  end_subpath();
  return d.empty() ? d : d.substr(1);
}

struct LegendItem {
  std::string label;
  std::string colour;
  double stroke_width;
  const char* dash;  // "" for solid
};

const char* dash_of(LineStyle style) { return style == LineStyle::trend ? "6 4" : "8 3 2 3"; }

std::string series_colour(const LineChart& chart, std::size_t index) {
  if (chart.series[index].emphasized) return kEmphasisColour;
  std::size_t ordinal = 0;
  for (std::size_t i = 0; i < index; ++i)
    if (!chart.series[i].emphasized) ++ordinal;
  return kPalette[ordinal % kPalette.size()];
}

std::string line_colour(const LineChart& chart, const ChartLine& line) {
  if (line.style == LineStyle::threshold) return kThresholdColour;
  if (line.series_index >= 0 && static_cast<std::size_t>(line.series_index) < chart.series.size())
    return series_colour(chart, static_cast<std::size_t>(line.series_index));
  return "#374151";
}

std::vector<LegendItem> legend_items(const LineChart& chart) {
  std::vector<LegendItem> items;
  for (std::size_t i = 0; i < chart.series.size(); ++i)
    items.push_back({chart.series[i].name, series_colour(chart, i), chart.series[i].emphasized ? 2.6 : 1.8, ""});
  for (const auto& l : chart.lines) items.push_back({l.label, line_colour(chart, l), 1.6, dash_of(l.style)});
  return items;
}

// Positions of the legend items in rows of at most `row_width` pixels.
struct LegendPlacement {
  std::vector<std::pair<double, int>> at;  // x, row
  int rows = 0;
};
LegendPlacement place_legend(const std::vector<LegendItem>& items, double row_width) {
  LegendPlacement p;
  double x = 0;
  int row = 0;
  for (const auto& item : items) {
    double w = 24 + kCharWidth * static_cast<double>(truncate(item.label, kLegendMaxChars).size()) + 16;
    if (x > 0 && x + w > row_width) {
      x = 0;
      ++row;
    }
    p.at.emplace_back(x, row);
    x += w;
  }
  p.rows = items.empty() ? 0 : row + 1;
  return p;
}

std::string series_summary(const ChartSeries& s, const std::string& unit) {
  Range r;
  double last = kNaN;
  for (double v : s.values) {
    r.add(v);
    if (std::isfinite(v)) last = v;
  }
  if (r.empty()) return s.name + ": no samples";
  return s.name + ": last " + format_value(last) + " " + unit + ", min " + format_value(r.lo) + ", max " +
         format_value(r.hi);
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int max_count) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {0, 1};
  if (hi < lo) std::swap(lo, hi);
  if (hi - lo < 1e-12) hi = lo + 1;
  max_count = std::max(max_count, 2);
  // The smallest nice step not below (hi - lo) / (max_count - 1) that still
  // fits: the outer ticks round outwards and may need one more interval.
  Step step = nice_step((hi - lo) / (max_count - 1));
  long first = 0, last = 0;
  for (int attempt = 0; attempt < 8; ++attempt) {
    double s = step.value();
    first = static_cast<long>(std::floor(lo / s + 1e-9));
    last = static_cast<long>(std::ceil(hi / s - 1e-9));
    if (last - first <= max_count - 1) break;
    step = nice_step(s * 1.01);
  }
  std::vector<double> ticks;
  for (long k = first; k <= last; ++k) ticks.push_back(step.times(k));
  return ticks;
}

TimeUnit time_unit_for(double span_s) {
  if (span_s > 5 * 3600) return {3600, "h"};
  if (span_s > 300) return {60, "min"};
  return {1, "s"};
}

std::string render_line_chart(const LineChart& chart) {
  // Time range: from the run's start (or the first sample) to the last sample.
  Range t;
  for (double v : chart.t_s) t.add(v);
  double t0 = t.empty() ? 0 : std::min(0.0, t.lo);
  double t1 = t.empty() ? std::max(chart.warmup_s, 1.0) : std::max(t.hi, t0 + 1e-3);
  TimeUnit unit = time_unit_for(t1 - t0);

  // Value range and ticks, widened to the outer ticks.
  Range values = y_range(chart);
  std::vector<double> y_ticks = nice_ticks(values.lo, values.hi, 8);
  double y_step = y_ticks.size() > 1 ? y_ticks[1] - y_ticks[0] : 1;
  std::size_t label_chars = 1;
  for (double v : y_ticks) label_chars = std::max(label_chars, tick_label(v, y_step).size());

  // Layout: title, plot, x axis, legend rows.
  const double width = std::max(chart.width, 200);
  const double left = 30 + kCharWidth * static_cast<double>(label_chars);
  Plot plot{left, 34, width - left - 16, static_cast<double>(std::max(chart.plot_height, 60)),
            t0,   t1, y_ticks.front(),   y_ticks.back()};
  const double plot_bottom = plot.top + plot.height;
  std::vector<LegendItem> legend = legend_items(chart);
  LegendPlacement placement = place_legend(legend, width - 20);
  const double legend_top = plot_bottom + 46;
  const double height = legend_top + 17.0 * placement.rows + (placement.rows ? 4 : 0);

  std::string svg;
  svg.reserve(16384);
  svg += "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" +
         num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\" role=\"img\" aria-label=\"" +
         html_escape(chart.title) +
         "\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif\" "
         "font-size=\"11\" fill=\"#374151\">\n";
  svg += "<title>" + html_escape(chart.title) + "</title>\n";
  svg += "<text x=\"10\" y=\"19\" font-size=\"13\" font-weight=\"600\" fill=\"#111827\">" +
         html_escape(chart.title) + "</text>\n";

  // Warmup band.
  if (chart.warmup_s > t0) {
    double x0 = plot.x(t0), x1 = plot.x(std::min(chart.warmup_s, t1));
    svg += "<rect x=\"" + num(x0) + "\" y=\"" + num(plot.top) + "\" width=\"" + num(x1 - x0) + "\" height=\"" +
           num(plot.height) + "\" fill=\"#eef1f5\"><title>warmup: the first " + format_duration(chart.warmup_s) +
           ", left out of the trend statistics</title></rect>\n";
    svg += "<text x=\"" + num(x0 + 4) + "\" y=\"" + num(plot.top + 12) +
           "\" font-size=\"10\" fill=\"#6b7280\">warmup</text>\n";
  }

  // Horizontal grid and y labels.
  for (double v : y_ticks) {
    double py = plot.y(v);
    svg += "<line x1=\"" + num(plot.left) + "\" y1=\"" + num(py) + "\" x2=\"" + num(plot.left + plot.width) +
           "\" y2=\"" + num(py) + "\" stroke=\"#e5e7eb\"/>";
    svg += "<text x=\"" + num(plot.left - 6) + "\" y=\"" + num(py + 3.5) + "\" text-anchor=\"end\">" +
           tick_label(v, y_step) + "</text>\n";
  }
  svg += "<text transform=\"translate(12 " + num(plot.top + plot.height / 2) +
         ") rotate(-90)\" text-anchor=\"middle\" fill=\"#4b5563\">" + html_escape(chart.y_unit) + "</text>\n";

  // Time axis.
  svg += "<line x1=\"" + num(plot.left) + "\" y1=\"" + num(plot_bottom) + "\" x2=\"" +
         num(plot.left + plot.width) + "\" y2=\"" + num(plot_bottom) + "\" stroke=\"#9ca3af\"/>\n";
  std::vector<double> x_ticks = nice_ticks(t0 / unit.seconds, t1 / unit.seconds, 10);
  double x_step = x_ticks.size() > 1 ? x_ticks[1] - x_ticks[0] : 1;
  for (double v : x_ticks) {
    double ts = v * unit.seconds;
    if (ts < t0 - 1e-9 || ts > t1 + 1e-9) continue;
    double px = plot.x(ts);
    svg += "<line x1=\"" + num(px) + "\" y1=\"" + num(plot_bottom) + "\" x2=\"" + num(px) + "\" y2=\"" +
           num(plot_bottom + 4) + "\" stroke=\"#9ca3af\"/>";
    svg += "<text x=\"" + num(px) + "\" y=\"" + num(plot_bottom + 16) + "\" text-anchor=\"middle\">" +
           tick_label(v, x_step) + "</text>\n";
  }
  svg += "<text x=\"" + num(plot.left + plot.width / 2) + "\" y=\"" + num(plot_bottom + 32) +
         "\" text-anchor=\"middle\" fill=\"#4b5563\">time since start (" + std::string(unit.name) + ")</text>\n";

  // Series: breakdowns first, the emphasized total on top.
  bool any_value = false;
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i = 0; i < chart.series.size(); ++i) {
      const ChartSeries& s = chart.series[i];
      if (s.emphasized != (pass == 1)) continue;
      std::string d = series_path(plot, chart.t_s, s.values);
      if (d.empty()) continue;
      any_value = true;
      std::string colour = series_colour(chart, i);
      svg += "<g><title>" + html_escape(series_summary(s, chart.y_unit)) + "</title><path d=\"" + d +
             "\" fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"" + (s.emphasized ? "2.6" : "1.8") +
             "\" stroke-linejoin=\"round\" stroke-linecap=\"round\"/></g>\n";
    }
  }
  if (!any_value) {
    svg += "<text x=\"" + num(plot.left + plot.width / 2) + "\" y=\"" + num(plot.top + plot.height / 2) +
           "\" text-anchor=\"middle\" fill=\"#6b7280\">no samples</text>\n";
  }

  // Trend and threshold lines, clipped to the plot.
  for (const auto& l : chart.lines) {
    double x0 = l.t0_s, y0 = l.y0, x1 = l.t1_s, y1 = l.y1;
    if (!std::isfinite(x0 + y0 + x1 + y1)) continue;
    if (!clip_segment(x0, y0, x1, y1, plot.t0, plot.lo, plot.t1, plot.hi)) continue;
    svg += "<line x1=\"" + num(plot.x(x0)) + "\" y1=\"" + num(plot.y(y0)) + "\" x2=\"" + num(plot.x(x1)) +
           "\" y2=\"" + num(plot.y(y1)) + "\" stroke=\"" + line_colour(chart, l) +
           "\" stroke-width=\"1.6\" stroke-dasharray=\"" + dash_of(l.style) + "\"><title>" +
           html_escape(l.label) + "</title></line>\n";
  }

  // Hover markers: a sample's time and value in its tooltip.
  std::size_t n = chart.t_s.size();
  std::size_t per_series = std::max<std::size_t>(20, kMaxMarkers / std::max<std::size_t>(chart.series.size(), 1));
  std::size_t stride = std::max<std::size_t>(1, (n + per_series - 1) / per_series);
  for (std::size_t si = 0; si < chart.series.size(); ++si) {
    const ChartSeries& s = chart.series[si];
    std::string name = html_escape(s.name);
    for (std::size_t i = 0; i < n && i < s.values.size(); i += stride) {
      double v = s.values[i];
      if (!std::isfinite(v) || !std::isfinite(chart.t_s[i])) continue;
      svg += "<circle class=\"pt\" cx=\"" + num(plot.x(chart.t_s[i])) + "\" cy=\"" + num(plot.y(v)) +
             "\" r=\"3.5\" fill=\"transparent\"><title>" + name + " at " + time_label(chart.t_s[i], unit) + ": " +
             format_value(v) + " " + html_escape(chart.y_unit) + "</title></circle>";
    }
    svg += "\n";
  }

  // Legend.
  for (std::size_t i = 0; i < legend.size(); ++i) {
    const LegendItem& item = legend[i];
    double x = 10 + placement.at[i].first, y = legend_top + 17.0 * placement.at[i].second;
    std::string dash = *item.dash ? std::string(" stroke-dasharray=\"") + item.dash + "\"" : "";
    svg += "<g><title>" + html_escape(item.label) + "</title><line x1=\"" + num(x) + "\" y1=\"" + num(y) +
           "\" x2=\"" + num(x + 18) + "\" y2=\"" + num(y) + "\" stroke=\"" + item.colour + "\" stroke-width=\"" +
           num(item.stroke_width) + "\"" + dash + "/><text x=\"" + num(x + 24) + "\" y=\"" + num(y + 4) + "\">" +
           html_escape(truncate(item.label, kLegendMaxChars)) + "</text></g>\n";
  }
  svg += "</svg>";
  return svg;
}

}  // namespace leakcheck::reports
