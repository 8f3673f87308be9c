#include "stats/order.h"

#include <algorithm>
#include <cmath>

namespace leakcheck::stats {

double value_at_rank(std::vector<double>& v, double rank) {
  const double n = static_cast<double>(v.size());
  rank = std::clamp(rank, 1.0, n);
  const double whole = std::floor(rank);
  const double fraction = rank - whole;
  auto k = v.begin() + static_cast<std::ptrdiff_t>(whole) - 1;
  std::nth_element(v.begin(), k, v.end());
  const double low = *k;
  if (fraction == 0 || k + 1 == v.end()) return low;
  // After nth_element everything right of k is >= *k: its minimum is rank k+1.
  const double high = *std::min_element(k + 1, v.end());
  return low + fraction * (high - low);
}

double median(std::vector<double>& v) { return value_at_rank(v, (static_cast<double>(v.size()) + 1) / 2); }

double percentile(std::vector<double>& v, double p) {
  const double fraction = std::clamp(p, 0.0, 100.0) / 100;
  return value_at_rank(v, 1 + fraction * (static_cast<double>(v.size()) - 1));
}

}  // namespace leakcheck::stats
