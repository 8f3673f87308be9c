#!/usr/bin/env python3
"""Reference values for stats_test, computed independently of the C++ code.

Run: python3 stats/tests/reference.py   (standard library only)

- S counts concordant minus discordant pairs directly.
- Var(S) under H0 comes two ways: Kendall's tie-corrected formula, and, for
  small n, the exact variance of S over every permutation of the values with
  the times held fixed (what H0 means), which checks the formula itself.
- p = erfc(|Z|/sqrt 2), Z continuity-corrected; the slope's interval takes
  Sen's ranks M1 = (N - C)/2, M2 + 1 = (N + C)/2 + 1 on the fully sorted slopes,
  interpolating linearly between neighbouring ranks.
"""
import itertools
import math
from collections import Counter


def sgn(x):
    return (x > 0) - (x < 0)


def s_stat(t, y):
    return sum(sgn(t[j] - t[i]) * sgn(y[j] - y[i])
               for i in range(len(t)) for j in range(i + 1, len(t)))


def var_formula(t, y):
    n = len(t)
    ga, gb = Counter(t).values(), Counter(y).values()
    v = (n * (n - 1) * (2 * n + 5)
         - sum(a * (a - 1) * (2 * a + 5) for a in ga)
         - sum(b * (b - 1) * (2 * b + 5) for b in gb)) / 18
    v += sum(a * (a - 1) for a in ga) * sum(b * (b - 1) for b in gb) / (2 * n * (n - 1))
    if n >= 3:
        v += (sum(a * (a - 1) * (a - 2) for a in ga) * sum(b * (b - 1) * (b - 2) for b in gb)
              / (9 * n * (n - 1) * (n - 2)))
    return v


def var_exact(t, y):
    ss = [s_stat(t, p) for p in itertools.permutations(y)]
    mean = sum(ss) / len(ss)
    return sum((s - mean) ** 2 for s in ss) / len(ss)


def at_rank(sorted_v, r):
    r = min(max(r, 1.0), float(len(sorted_v)))
    k = math.floor(r)
    lo = sorted_v[k - 1]
    if r == k or k == len(sorted_v):
        return lo
    return lo + (r - k) * (sorted_v[k] - lo)


def report(name, t, y, exact=True):
    n = len(t)
    s = s_stat(t, y)
    v = var_formula(t, y)
    if exact:
        ve = var_exact(t, y)
        assert abs(v - ve) < 1e-9, (name, v, ve)
    z = 0.0 if s == 0 or v == 0 else (s - sgn(s)) / math.sqrt(v)
    p = math.erfc(abs(z) / math.sqrt(2))
    n0 = n * (n - 1) / 2
    n1 = sum(a * (a - 1) / 2 for a in Counter(t).values())
    n2 = sum(b * (b - 1) / 2 for b in Counter(y).values())
    tau = s / math.sqrt((n0 - n1) * (n0 - n2))
    slopes = sorted((y[j] - y[i]) / (t[j] - t[i])
                    for i in range(n) for j in range(n) if t[j] > t[i])
    N = len(slopes)
    c = 1.96 * math.sqrt(v)
    slope = at_rank(slopes, (N + 1) / 2)
    lo, hi = at_rank(slopes, (N - c) / 2), at_rank(slopes, (N + c) / 2 + 1)
    icpt = at_rank(sorted(yi - slope * ti for ti, yi in zip(t, y)), (n + 1) / 2)
    print(f"{name}: n={n} S={s} var={v!r} (exact permutation check: {exact}) z={z!r} p={p!r} tau_b={tau!r}")
    print(f"  pairs={N} slope={slope!r} ci=[{lo!r}, {hi!r}] intercept={icpt!r}")


report("A", [0, 1, 2, 3, 4], [1, 3, 2, 5, 4])
report("B", [0, 1, 2, 3, 4, 5], [1, 2, 2, 3, 3, 3])
report("C", [0, 0, 1, 1, 2, 3, 3, 4], [1, 2, 1, 3, 4, 3, 5, 5])
report("D", list(range(40)), [(i * 37 % 17) + 0.25 * i for i in range(40)], exact=False)
