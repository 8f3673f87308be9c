#include "stats/mann_kendall.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "stats/normal.h"

namespace leakcheck::stats {
namespace {

int sign(double x) { return (x > 0) - (x < 0); }

// Sums over the groups of equal values in v of a(a-1), a(a-1)(a-2) and
// a(a-1)(2a+5), a being the group's size.
struct TieSums {
  double pairs = 0;
  double triples = 0;
  double variance = 0;
};

TieSums tie_sums(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  TieSums sums;
  for (std::size_t begin = 0; begin < v.size();) {
    std::size_t end = begin + 1;
    while (end < v.size() && v[end] == v[begin]) ++end;
    const double a = static_cast<double>(end - begin);
    sums.pairs += a * (a - 1);
    sums.triples += a * (a - 1) * (a - 2);
    sums.variance += a * (a - 1) * (2 * a + 5);
    begin = end;
  }
  return sums;
}

}  // namespace

MannKendall mann_kendall(std::span<const Sample> samples, std::size_t max_points) {
  const std::vector<Sample> sorted = sorted_finite(samples);
  return mann_kendall_of_points(bin_by_time(sorted, max_points));
}

MannKendall mann_kendall_of_points(std::span<const Sample> points) {
  MannKendall mk;
  mk.n = points.size();
  for (std::size_t i = 0; i < points.size(); ++i) {
    for (std::size_t j = i + 1; j < points.size(); ++j) {
      mk.s += sign(points[j].t_s - points[i].t_s) * sign(points[j].value - points[i].value);
    }
  }

  std::vector<double> times;
  std::vector<double> values;
  for (const Sample& p : points) {
    times.push_back(p.t_s);
    values.push_back(p.value);
  }
  const TieSums a = tie_sums(std::move(times));
  const TieSums b = tie_sums(std::move(values));
  const double n = static_cast<double>(mk.n);

  // Step 1: Var(S), with both tie corrections.
  if (mk.n >= 2) {
    mk.var_s = (n * (n - 1) * (2 * n + 5) - a.variance - b.variance) / 18 + a.pairs * b.pairs / (2 * n * (n - 1));
  }
  if (mk.n >= 3) mk.var_s += a.triples * b.triples / (9 * n * (n - 1) * (n - 2));

  // Step 2: Z with the continuity correction, and its two-sided p-value.
  if (mk.var_s > 0 && mk.s != 0) {
    const double s = static_cast<double>(mk.s);
    mk.z = (s > 0 ? s - 1 : s + 1) / std::sqrt(mk.var_s);
    mk.p_value = two_sided_p_value(mk.z);
  }

  // Step 3: tau-b.
  const double n0 = n * (n - 1) / 2;
  const double denominator = (n0 - a.pairs / 2) * (n0 - b.pairs / 2);
  if (denominator > 0) mk.tau_b = static_cast<double>(mk.s) / std::sqrt(denominator);
  return mk;
}

}  // namespace leakcheck::stats
