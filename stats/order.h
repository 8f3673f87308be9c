#pragma once
// Order statistics at fractional ranks: the one primitive behind the median,
// the percentiles and Sen's confidence interval.

#include <vector>

namespace leakcheck::stats {

// The value at 1-based rank r among v's values in ascending order, linearly
// interpolated between neighbouring ranks when r is not an integer:
//   x_(floor r) + (r - floor r) * (x_(floor r + 1) - x_(floor r)).
// r is clamped to [1, v.size()]. v is reordered (std::nth_element, O(n)) but
// keeps its values. Precondition: v is not empty.
double value_at_rank(std::vector<double>& v, double rank);

// Rank (n+1)/2: the middle value, or the mean of the two middle values.
double median(std::vector<double>& v);

// The p-th percentile, p in [0, 100], by linear interpolation between closest
// ranks: rank 1 + (p/100)*(n-1) (Hyndman & Fan type 7; numpy's default, Excel's
// PERCENTILE.INC). p50 is the median; p0 and p100 are min and max. Chosen over
// nearest-rank so p50 and the median agree; on integer counts a percentile can
// fall between two observed values.
double percentile(std::vector<double>& v, double p);

}  // namespace leakcheck::stats
