#pragma once
// Synthetic series for the tests, deterministic from their seeds (libstdc++'s
// distributions are fixed, so a seed gives the same series on every run).

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "stats/series.h"

namespace leakcheck::stats::testing {

// value(t) at t = 0, interval_s, ... up to and including duration_s.
inline std::vector<Sample> sampled(double duration_s, double interval_s, const std::function<double(double)>& value) {
  std::vector<Sample> out;
  const auto n = static_cast<std::size_t>(std::llround(duration_s / interval_s));
  for (std::size_t i = 0; i <= n; ++i) {
    const double t = static_cast<double>(i) * interval_s;
    out.push_back({t, value(t)});
  }
  return out;
}

// Adds normal noise with the given standard deviation.
inline std::vector<Sample> with_noise(std::vector<Sample> s, double sd, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, sd);
  for (Sample& x : s) x.value += noise(rng);
  return s;
}

// Adds integer jitter in {-1, 0, +1}: a count that wobbles as requests come and go.
inline std::vector<Sample> with_jitter(std::vector<Sample> s, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> jitter(-1, 1);
  for (Sample& x : s) x.value += jitter(rng);
  return s;
}

// A pool filling 0 -> 50 over its first 5 minutes, then full for 25 minutes, at 1 Hz.
inline std::vector<Sample> pool_series() {
  return sampled(30 * 60, 1, [](double t) { return std::min(50.0, std::floor(t / 6)); });
}

// The analysis's leak: from 174 fds, 17 more every minute, for 30 minutes at 1 Hz.
inline std::vector<Sample> leak_series() {
  return sampled(30 * 60, 1, [](double t) { return 174 + std::floor(t * 17 / 60); });
}

}  // namespace leakcheck::stats::testing
