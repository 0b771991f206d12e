#!/usr/bin/env python3
"""Prints bench/side-by-side.sh's table and verdict; exits 0 when every target is met, 3 when not.

usage: side-by-side-table.py SECONDS FIGURES...
FIGURES come four per round, in the order etcd@128, MultiRaft@128, etcd@1, MultiRaft@1; each is
"requests/s p50-ms p99-ms errors" as the script's wrk_figures prints it. The targets are judged
on the medians over the rounds: each system's median writes/s, p50 and p99 per connection count.
"""
import statistics
import sys

SYSTEMS = ("etcd", "multiraft")


def parse(text):
    rps, p50, p99, errors = text.split()
    return float(rps), float(p50), float(p99), int(errors)


def ratio(a, b):
    return a / b if b > 0 else float("inf")


def main(argv):
    secs, raw = argv[1], argv[2:]
    if not raw or len(raw) % 4:
        sys.exit(f"side-by-side-table.py: expected four figures per round, got {len(raw)}")
    rounds = [raw[i:i + 4] for i in range(0, len(raw), 4)]
    # runs[conns][system] = one (rps, p50, p99, errors) per round
    runs = {128: {s: [] for s in SYSTEMS}, 1: {s: [] for s in SYSTEMS}}
    for etcd128, mr128, etcd1, mr1 in rounds:
        runs[128]["etcd"].append(parse(etcd128))
        runs[128]["multiraft"].append(parse(mr128))
        runs[1]["etcd"].append(parse(etcd1))
        runs[1]["multiraft"].append(parse(mr1))

    median = {c: {s: tuple(statistics.median(r[k] for r in runs[c][s]) for k in range(3)) for s in SYSTEMS} for c in runs}

    print()
    print(f"Writes, {secs} s per run, {len(rounds)} round(s), wrk --latency, 100-byte values, keys key00000001..key00100000")
    print(f"{'conns':>5}  {'round':>6}  {'system':<10} {'writes/s':>11} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}  {'ratio':>6}")
    for conns in (128, 1):
        for i in range(len(rounds)):
            e, m = runs[conns]["etcd"][i], runs[conns]["multiraft"][i]
            print(f"{conns:>5}  {i + 1:>6}  {'etcd':<10} {e[0]:>11,.1f} {e[1]:>9.3f} {e[2]:>9.3f} {e[3]:>7}")
            print(f"{conns:>5}  {i + 1:>6}  {'multiraft':<10} {m[0]:>11,.1f} {m[1]:>9.3f} {m[2]:>9.3f} {m[3]:>7}  {ratio(m[0], e[0]):>5.2f}x")
        for s in SYSTEMS:
            f = median[conns][s]
            print(f"{conns:>5}  {'median':>6}  {s:<10} {f[0]:>11,.1f} {f[1]:>9.3f} {f[2]:>9.3f}")
    print()

    results = []
    e, m = median[128]["etcd"], median[128]["multiraft"]
    w = ratio(m[0], e[0])
    print(f"128 connections, medians: MultiRaft/etcd writes/s {w:.2f}x, p50 {ratio(m[1], e[1]):.2f}x, p99 {ratio(m[2], e[2]):.2f}x")
    results.append(("128 connections: writes/s >= 3x etcd (medians)", w >= 3))
    results.append(("128 connections: p99 no worse than etcd (medians)", m[2] <= e[2]))
    e, m = median[1]["etcd"], median[1]["multiraft"]
    print(f"  1 connection, medians:  MultiRaft/etcd writes/s {ratio(m[0], e[0]):.2f}x, p50 {ratio(m[1], e[1]):.2f}x, p99 {ratio(m[2], e[2]):.2f}x")
    results.append(("1 connection: p50 no worse than etcd (medians)", m[1] <= e[1]))
    if any(r[3] for c in runs for r in runs[c]["multiraft"]):
        results.append(("MultiRaft answered every request with 2xx", False))
    print()
    for name, ok in results:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(ok for _, ok in results) else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv))
