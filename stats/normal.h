#pragma once
// The standard normal distribution, through std::erfc: accurate in the far
// tail too (|z| = 30 gives p = 9.8e-198, where 1 - cdf would round to 0; from
// |z| of about 38.5 p underflows to 0).

#include <cmath>

namespace leakcheck::stats {

// Phi(z) = P(Z <= z) = erfc(-z / sqrt 2) / 2.
inline double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// P(|Z| >= |z|) = erfc(|z| / sqrt 2).
inline double two_sided_p_value(double z) { return std::erfc(std::fabs(z) / std::sqrt(2.0)); }

// The two-sided 95 % quantile used throughout (Phi(1.96) = 0.9750).
inline constexpr double z_95 = 1.96;

}  // namespace leakcheck::stats
