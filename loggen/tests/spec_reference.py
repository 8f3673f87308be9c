#!/usr/bin/env python3
"""An independent rendering of the loggen spec (loggen/line_format.h and the
stderr choice in loggen/schedule.h), written from the comments, not the C++.
The literal lines and counts the tests assert come from here; run it to
re-derive them after a deliberate change of the format."""

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
M = 2**64


def line(run, name, boot, seq, time_ns, stream, size):
    base = 24 + len(run) + len(name) + len(str(boot)) + len(str(seq)) + len(str(time_ns))
    n = max(size, base + 1)
    while n < base + len(str(n)):
        n += 1
    header = f"lc1 r={run} c={name} b={boot} s={seq} t={time_ns} n={n} {stream} "
    return header + "".join(ALPHABET[(i + seq) % 62] for i in range(len(header), n))


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) % M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % M
    return z ^ (z >> 31)


def stream_for(seed, seq, share):
    if share <= 0:
        return "o"
    if share >= 1:
        return "e"
    return "e" if mix64((seed + (seq + 1) * 0x9E3779B97F4A7C15) % M) < int(share * M) else "o"


def stderr_count(seed, share, lines):
    return sum(stream_for(seed, s, share) == "e" for s in range(lines))


if __name__ == "__main__":
    assert mix64(0x9E3779B97F4A7C15) == 0xE220A8397B1DCDAF  # splitmix64(0)'s first output
    print(line("smoke-1", "steady-3", 1, 0, 1718000000123456789, "o", 80))
    print(line("run1", "web-1", 2, 17, 1700000000000000000, "e", 90))
    print(line("r", "c", 0, 0, 0, "o", 32))
    print("seed 42, 0.2, first 20:", "".join(stream_for(42, s, 0.2) for s in range(20)))
    for seed, share, lines in [(42, 0.2, 10000), (7, 0.2, 10000), (0, 0.5, 10000), (42, 0.2, 200)]:
        print(f"stderr lines seed={seed} share={share} of {lines}: {stderr_count(seed, share, lines)}")
    print("seed 42 vs 43 at 0.5, 1000 lines, differing:",
          sum(stream_for(42, s, 0.5) != stream_for(43, s, 0.5) for s in range(1000)))
