#pragma once
// Numbers in the one-line explanations the statistics give (internal).

#include <cstdio>
#include <string>

namespace leakcheck::stats {

// Up to `digits` significant digits, %g style: "17", "0.0312", "1.2e-09".
inline std::string number_text(double v, int digits = 3) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

// "p=0.034", "p=1.2e-09"; "p<1e-300" where the normal tail underflows.
inline std::string p_text(double p) { return p < 1e-300 ? "p<1e-300" : "p=" + number_text(p, 2); }

}  // namespace leakcheck::stats
