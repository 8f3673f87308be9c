#include "stats/shape.h"

#include <algorithm>
#include <vector>

#include "stats/text.h"

namespace leakcheck::stats {
namespace {

std::string describe(const Trend& t) {
  return number_text(t.growth_per_min()) + "/min (95% CI " + number_text(t.ci_low_per_min()) + " to " +
         number_text(t.ci_high_per_min()) + ", " + p_text(t.p_value()) + ")";
}

}  // namespace

std::string_view shape_name(Shape shape) {
  switch (shape) {
    case Shape::insufficient_data: return "insufficient_data";
    case Shape::flat: return "flat";
    case Shape::growing: return "growing";
    case Shape::plateau: return "plateau";
    case Shape::shrinking: return "shrinking";
  }
  return "unknown";
}

ShapeResult classify_shape(std::span<const Sample> samples, const ShapeOptions& options) {
  ShapeResult r;
  const std::vector<Sample> sorted = sorted_finite(samples);

  // Step 1: the whole window and its last third.
  auto whole = fit_trend(sorted, options.max_points);
  if (!whole) {
    r.reason = whole.error().message();
    return r;
  }
  r.whole = *whole;
  const double from_s = whole->last_t_s - options.tail_fraction * (whole->last_t_s - whole->first_t_s);
  auto tail_begin = std::lower_bound(sorted.begin(), sorted.end(), from_s,
                                     [](const Sample& s, double t) { return s.t_s < t; });
  const std::vector<Sample> tail_samples(tail_begin, sorted.end());
  auto tail = fit_trend(tail_samples, options.max_points);
  if (tail_samples.size() < options.min_tail_samples || !tail) {
    r.reason = "the last part of the window has " + std::to_string(tail_samples.size()) + " sample(s), " +
               std::to_string(options.min_tail_samples) + " needed";
    return r;
  }
  r.tail = *tail;

  // Step 2: the rules, in the documented order.
  const std::string whole_text = "whole window " + describe(*whole);
  const std::string tail_text = "last part " + describe(*tail);
  if (significant_growth(*tail, options.alpha)) {
    r.shape = Shape::growing;
    r.reason = monotonic_rise(*whole, options.alpha)
                   ? "still growing at the end: " + tail_text + "; " + whole_text
                   : "growth began late: " + tail_text + "; " + whole_text;
  } else if (monotonic_rise(*whole, options.alpha)) {
    r.shape = Shape::plateau;
    r.reason = "rose, then levelled off (not a leak): " + whole_text + "; " + tail_text + " not significant";
  } else if (monotonic_fall(*whole, options.alpha)) {
    r.shape = Shape::shrinking;
    r.reason = "falling: " + whole_text;
  } else {
    r.shape = Shape::flat;
    r.reason = "no significant trend: " + whole_text;
  }
  return r;
}

}  // namespace leakcheck::stats
