#!/usr/bin/env bash
# How long a leader transfer takes under a write load. Starts ./run.sh --fresh (3 silos, 16
# shards) in a temporary data dir, runs wrk writes (put.lua, 16 connections) against s1, and
# moves the leadership of every data shard to the next silo (s1 -> s2 -> s3 -> s1) through
# POST /cluster/shards/{id}/transfer-leader, ROUNDS times over (default 3), one transfer at a
# time. Each call answers once the named silo's replica leads. Prints p50/p99/max of the calls'
# times, refused or failed calls, and wrk's requests and failures over the whole run.
#   usage: bench/transfer-leader.sh [ROUNDS]
# Targets (issue 13): p99 < 200 ms, no failed request.
# Logs under .run/bench/transfer-<time>/. Exit status: 0 targets met, 3 one missed, 1 the run failed.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
die() { echo "transfer-leader.sh: $*" >&2; exit 1; }
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive whole number, got '$rounds'"
command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"
source bench/lib/cluster.sh
bench_workdirs transfer
wrk_pid=""
cleanup() {
  [[ -n $wrk_pid ]] && kill "$wrk_pid" 2>/dev/null || true
  stop_cluster
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== starting ./run.sh --fresh (log: $out/cluster.log)"
start_cluster . "$out/cluster.log"
until python3 bench/balanced.py http://127.0.0.1:8080 3 >/dev/null; do sleep 0.5; done

wrk -t2 -c16 -d600s --latency -s bench/wrk/put.lua http://127.0.0.1:8080 >"$out/wrk.txt" 2>&1 &
wrk_pid=$!
sleep 3
echo "== $rounds rounds of transfers over every data shard, under load"
failed=0
: >"$out/times.txt"
for ((round = 1; round <= rounds; round++)); do
  # shard id and the silo that leads it now, from the router's view.
  while read -r shard leader; do
    case $leader in s1) to=s2 ;; s2) to=s3 ;; *) to=s1 ;; esac
    read -r code secs < <(curl -sS -o "$out/last-answer.json" -w '%{http_code} %{time_total}\n' -m 10 \
      -X POST -H 'Content-Type: application/json' -d "{\"to\":\"$to\"}" "http://127.0.0.1:8080/cluster/shards/$shard/transfer-leader" || echo "000 0")
    if [[ $code == 200 ]]; then
      echo "$secs" >>"$out/times.txt"
    else
      failed=$((failed + 1))
      echo "shard $shard to $to: HTTP $code $(cat "$out/last-answer.json" 2>/dev/null)" >>"$out/failures.txt"
    fi
  done < <(curl -fsS http://127.0.0.1:8080/cluster | python3 -c '
import json, sys
view = json.load(sys.stdin)
for s in view["shards"]:
    if s["id"] != 0:
        print(s["id"], s.get("leaderSilo") or "s1")')
  # The next round reads the leaders this one made: wait until the heartbeats have reported them.
  sleep 1.5
done
kill -INT "$wrk_pid" 2>/dev/null || true
wait "$wrk_pid" 2>/dev/null || true
wrk_pid=""
read -r rps p50 p99 errors < <(wrk_figures "$out/wrk.txt") || die "could not read wrk's figures"
requests=$(awk '/requests in/ {print $1}' "$out/wrk.txt")
read -r n t50 t99 tmax < <(sort -n "$out/times.txt" | awk '{ v[NR] = $1 * 1000 } END {
  if (NR == 0) { print 0, 0, 0, 0; exit }
  i50 = int(0.50 * NR + 0.999); i99 = int(0.99 * NR + 0.999)
  printf "%d %.1f %.1f %.1f\n", NR, v[i50], v[i99], v[NR] }')
printf '\n%d transfers answered 200: p50 %s ms, p99 %s ms, max %s ms; %d refused or failed\n' "$n" "$t50" "$t99" "$tmax" "$failed"
printf 'writes during the run: %s requests, %s failed, %.0f writes/s, p50 %s ms, p99 %s ms\n' "$requests" "$errors" "$rps" "$p50" "$p99"
status=0
if (( $(echo "$t99 < 200" | bc) )) && ((n > 0)); then echo "PASS  transfer p99 under 200 ms"; else echo "FAIL  transfer p99 200 ms or more"; status=3; fi
if ((failed == 0 && errors == 0)); then echo "PASS  no failed request"; else echo "FAIL  $failed transfers and $errors writes failed"; status=3; fi
exit $status
