#include "stats/criteria.h"

#include <limits>

#include "stats/summary.h"
#include "stats/text.h"

namespace leakcheck::stats {
namespace {

constexpr double never = std::numeric_limits<double>::infinity();

// Whether the whole interval [low, high] satisfies the bound.
bool interval_satisfies(double low, double high, Bound bound) {
  switch (bound.op) {
    case Op::lt:
    case Op::le: return satisfies(high, bound.op, bound.value);
    case Op::gt:
    case Op::ge: return satisfies(low, bound.op, bound.value);
    case Op::eq: return low == bound.value && high == bound.value;
  }
  return false;
}

std::string hours_text(double hours) { return hours == never ? "never" : number_text(hours) + " h"; }

CriterionResult judge_growth(const ShapeResult& shape, Bound bound, const CriterionOptions& options) {
  const Trend& t = *shape.whole;
  CriterionResult r;
  r.value = t.growth_per_min();
  r.fit = CriterionResult::Fit{t.theil_sen.slope_per_s, t.theil_sen.intercept, t.first_t_s, t.last_t_s};
  r.ci_low = t.ci_low_per_min();
  r.ci_high = t.ci_high_per_min();
  r.p_value = t.p_value();
  r.detail = "Theil-Sen " + number_text(r.value) + "/min (95% CI " + number_text(*r.ci_low) + " to " +
             number_text(*r.ci_high) + "), Mann-Kendall " + p_text(*r.p_value) + ", " +
             std::to_string(t.samples) + " samples";
  r.passed = options.conservative ? interval_satisfies(*r.ci_low, *r.ci_high, bound)
                                  : satisfies(r.value, bound.op, bound.value);
  return r;
}

CriterionResult judge_projection(const ShapeResult& shape, double limit, Bound bound,
                                 const CriterionOptions& options) {
  const bool levelled_off = shape.shape == Shape::plateau;
  const Trend& t = levelled_off ? *shape.tail : *shape.whole;
  const Projection p = project_exhaustion(t, limit, options.project_from, options.alpha);
  CriterionResult r;
  r.value = p.hours.value_or(never);
  r.fit = CriterionResult::Fit{t.theil_sen.slope_per_s, t.theil_sen.intercept, t.first_t_s, t.last_t_s};
  // A faster slope reaches the limit sooner: the slope's upper end gives the
  // hours' lower end.
  r.ci_low = hours_to_limit(p.from_level, t.ci_high_per_min(), limit).value_or(never);
  r.ci_high = hours_to_limit(p.from_level, t.ci_low_per_min(), limit).value_or(never);
  r.p_value = t.p_value();
  r.detail = std::string(levelled_off ? "rate of the last part (a plateau): " : "") + p.reason +
             " (95% CI " + hours_text(*r.ci_low) + " to " + hours_text(*r.ci_high) + ")";
  r.passed = options.conservative ? interval_satisfies(*r.ci_low, *r.ci_high, bound)
                                  : satisfies(r.value, bound.op, bound.value);
  return r;
}

Result<CriterionResult> judge_summary(std::span<const Sample> samples, Statistic statistic, Bound bound) {
  auto s = summarize(samples);
  if (!s) return s.error();
  CriterionResult r;
  switch (statistic) {
    case Statistic::max: r.value = s->max; break;
    case Statistic::min: r.value = s->min; break;
    case Statistic::mean: r.value = s->mean; break;
    case Statistic::last: r.value = s->last; break;
    case Statistic::p99: r.value = s->p99; break;
    default: return Error(0, std::string(statistic_name(statistic)) + " is not a summary figure");
  }
  r.detail = std::string(statistic_name(statistic)) + " " + number_text(r.value, 6) + " over " +
             std::to_string(s->count) + " samples";
  r.passed = satisfies(r.value, bound.op, bound.value);
  return r;
}

}  // namespace

std::string_view statistic_name(Statistic statistic) {
  switch (statistic) {
    case Statistic::growth_per_min: return "growth_per_min";
    case Statistic::max: return "max";
    case Statistic::min: return "min";
    case Statistic::mean: return "mean";
    case Statistic::last: return "last";
    case Statistic::p99: return "p99";
    case Statistic::projected_hours_to_exhaustion: return "projected_hours_to_exhaustion";
  }
  return "unknown";
}

std::optional<Statistic> parse_statistic(std::string_view name) {
  for (Statistic s : {Statistic::growth_per_min, Statistic::max, Statistic::min, Statistic::mean, Statistic::last,
                      Statistic::p99, Statistic::projected_hours_to_exhaustion}) {
    if (statistic_name(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view op_symbol(Op op) {
  switch (op) {
    case Op::lt: return "<";
    case Op::le: return "<=";
    case Op::gt: return ">";
    case Op::ge: return ">=";
    case Op::eq: return "==";
  }
  return "?";
}

bool satisfies(double value, Op op, double bound) {
  switch (op) {
    case Op::lt: return value < bound;
    case Op::le: return value <= bound;
    case Op::gt: return value > bound;
    case Op::ge: return value >= bound;
    case Op::eq: return value == bound;
  }
  return false;
}

Result<CriterionResult> evaluate_criterion(std::span<const Sample> samples, Statistic statistic, Bound bound,
                                           const CriterionOptions& options) {
  Result<CriterionResult> r = CriterionResult{};
  if (statistic == Statistic::growth_per_min || statistic == Statistic::projected_hours_to_exhaustion) {
    if (statistic == Statistic::projected_hours_to_exhaustion && !options.limit) {
      return Error(0, "projected_hours_to_exhaustion needs a limit (e.g. the target's RLIMIT_NOFILE)");
    }
    ShapeOptions shape_options;
    shape_options.alpha = options.alpha;
    shape_options.max_points = options.max_points;
    const ShapeResult shape = classify_shape(samples, shape_options);
    if (!shape.whole) return Error(0, std::string(statistic_name(statistic)) + ": " + shape.reason);
    r = statistic == Statistic::growth_per_min ? judge_growth(shape, bound, options)
                                               : judge_projection(shape, *options.limit, bound, options);
    r->shape = shape.shape;
    r->detail += "; shape " + std::string(shape_name(shape.shape)) + ": " + shape.reason;
  } else {
    r = judge_summary(samples, statistic, bound);
    if (!r) return r;
  }
  r->statistic = statistic;
  r->bound = bound;
  return r;
}

}  // namespace leakcheck::stats
