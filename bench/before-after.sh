#!/usr/bin/env bash
# This tree's MultiRaft against an earlier commit's, on this machine, with the same wrk write
# workload as bench/side-by-side.sh (random keys, 100-byte values, 128 connections, PUT /kv on
# silo s1), in ROUNDS interleaved rounds: the earlier commit's ./run.sh --fresh (from a
# temporary git worktree), then this tree's. Each cluster gets the same unmeasured warmup.
# Prints every round, each build's medians, and the ratio after/before of the median writes/s,
# with PASS when it is at least MIN_RATIO (default 0.9).
#   usage: bench/before-after.sh REV [SECONDS] [ROUNDS]      (defaults 10 and 3)
# Environment: MULTIRAFT_WARMUP (seconds, default 10), MIN_RATIO (default 0.9), and
# MULTIRAFT_READY_TIMEOUT / MULTIRAFT_SHARDS as in side-by-side.sh.
# Exit status: 0 target met, 3 missed, 1 the run itself failed.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bench/before-after.sh REV [SECONDS] [ROUNDS]}
secs=${2:-10}
rounds=${3:-3}
warmup=${MULTIRAFT_WARMUP:-10}
min_ratio=${MIN_RATIO:-0.9}
http=http://127.0.0.1:8080

die() { echo "before-after.sh: $*" >&2; exit 1; }
[[ $secs =~ ^[0-9]+$ && $secs -gt 0 ]] || die "SECONDS must be a positive whole number, got '$secs'"
[[ $rounds =~ ^[0-9]+$ && $rounds -gt 0 ]] || die "ROUNDS must be a positive whole number, got '$rounds'"
git rev-parse --verify -q "$rev^{commit}" >/dev/null || die "'$rev' is not a commit of this repository"
command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"

source bench/lib/cluster.sh
bench_workdirs before-after
before="$tmp/before"
cleanup() { stop_cluster; git worktree remove --force "$before" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
git worktree add -q --detach "$before" "$rev"
# The earlier tree reads ../shared like this one does.
[[ -e "$tmp/shared" ]] || ln -s "$(realpath ../shared)" "$tmp/shared"

declare -A figures
measure() { # name tree round
  local name=$1 tree=$2 round=$3 file="$out/$1-r$3.txt"
  echo "== round $round, $name ($tree): starting run.sh --fresh"
  start_cluster "$tree" "$out/cluster-$name-r$round.log"
  sync
  if ((warmup > 0)); then
    wrk -t2 -c128 -d"${warmup}s" -s bench/wrk/put.lua "$http" >"$out/$name-r$round-warmup.txt" 2>&1 || true
  fi
  wrk -t2 -c128 -d"${secs}s" --latency -s bench/wrk/put.lua "$http" >"$file" 2>&1 || { cat "$file" >&2; die "wrk against $name failed"; }
  figures[$name,$round]=$(wrk_figures "$file") || { cat "$file" >&2; die "could not read wrk's figures for $name"; }
  echo "   ${figures[$name,$round]}  (requests/s p50-ms p99-ms errors)"
  stop_cluster
}

for round in $(seq "$rounds"); do
  measure before "$before" "$round"
  measure after . "$round"
done

pairs=$(for r in $(seq "$rounds"); do echo "${figures[before,$r]}|${figures[after,$r]}"; done)
python3 - "$rev" "$min_ratio" "$pairs" <<'PY'
import statistics, sys
rev, min_ratio = sys.argv[1], float(sys.argv[2])
pairs = [line.split("|") for line in sys.argv[3].splitlines() if line]
rows = [(tuple(map(float, b.split())), tuple(map(float, a.split()))) for b, a in pairs]
print(f"\n128 connections, writes/s and p50/p99 (ms); before = {rev}, after = this tree")
print("round  before w/s  p50    p99    | after w/s  p50    p99    | after/before")
for i, (b, a) in enumerate(rows, 1):
    print(f"{i:<6} {b[0]:>10,.0f}  {b[1]:<6.2f} {b[2]:<6.2f} | {a[0]:>9,.0f}  {a[1]:<6.2f} {a[2]:<6.2f} | {a[0] / b[0]:.2f}")
mb = statistics.median(r[0][0] for r in rows)
ma = statistics.median(r[1][0] for r in rows)
ratio = ma / mb
print(f"medians: before {mb:,.0f} w/s (p99 {statistics.median(r[0][2] for r in rows):.1f} ms), "
      f"after {ma:,.0f} w/s (p99 {statistics.median(r[1][2] for r in rows):.1f} ms)")
verdict = "PASS" if ratio >= min_ratio else "FAIL"
print(f"after/before = {ratio:.2f} (target >= {min_ratio}): {verdict}")
sys.exit(0 if ratio >= min_ratio else 3)
PY
