#!/usr/bin/env bash
# How long two new silos take to get their share of replicas and leaders, under a write load.
# Starts ./run.sh --fresh (3 silos, 16 shards) in a temporary data dir, fills keys
# key00000001..key00100000 (bench/wrk/fill.lua), runs wrk writes (put.lua, CONNECTIONS connections)
# against s1 for 10 s to measure p99 before, then starts silos s4 and s5 and keeps the same load
# running until GET /cluster shows five active silos, no move in progress, and replicas and
# leaderships per silo within one of each other (bench/balanced.py). Prints how long the new
# silos took to start and join (process start to the router listing them) and to rebalance
# (from then to balance), the requests, failures (non-2xx and socket errors) and latency of
# each phase (before, joining, moving, and 10 s after on the balanced five), and p99 while moving
# against p99 before.
#   usage: bench/rebalance.sh [CONNECTIONS]      (default 16: wrk's connections for the load)
# With 16 the load saturates a 2-core machine, where the two new silo processes then start (and
# JIT-compile) on the cores the load already uses; fewer connections leave the cores headroom, as
# new machines would bring their own.
# Targets (issue 13): rebalanced (join to balance) in < 30 s, 0 failed requests, p99 during <= 2x p99 before.
# Logs under .run/bench/rebalance-<time>/ (progress.txt: how the balance went, second by second). Exit status: 0 all targets met, 3 one missed, 1 the run failed.
set -euo pipefail
cd "$(dirname "$0")/.."
die() { echo "rebalance.sh: $*" >&2; exit 1; }
conns=${1:-16}
[[ $conns =~ ^[1-9][0-9]*$ ]] || die "CONNECTIONS must be a positive whole number, got '$conns'"
threads=$(( conns < 2 ? 1 : 2 ))
command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"
source bench/lib/cluster.sh
bench_workdirs rebalance
new_silos=()
wrk_pid=""
cleanup() {
  [[ -n $wrk_pid ]] && kill "$wrk_pid" 2>/dev/null || true
  for p in "${new_silos[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  stop_cluster
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== starting ./run.sh --fresh (log: $out/cluster.log)"
start_cluster . "$out/cluster.log"
until python3 bench/balanced.py http://127.0.0.1:8080 3 >/dev/null; do sleep 0.5; done

echo "== filling 100,000 keys"
wrk -t2 -c32 -d120s -s bench/wrk/fill.lua http://127.0.0.1:8080 -- 2 >"$out/fill.txt" 2>&1
read -r fill_rps _ _ fill_errors < <(wrk_figures_nolatency "$out/fill.txt") || die "could not read the fill's figures"
fill_requests=$(awk '/requests in/ {print $1}' "$out/fill.txt")
((fill_requests >= 100000)) || die "the fill wrote only $fill_requests keys (need 100,000; log: $out/fill.txt)"
echo "   $fill_requests writes ($fill_errors failed)"

echo "== 10 s of writes before (wrk, $conns connections on s1)"
wrk -t$threads -c$conns -d10s --latency -s bench/wrk/put.lua http://127.0.0.1:8080 >"$out/before.txt" 2>&1
read -r b_rps b_p50 b_p99 b_errors < <(wrk_figures "$out/before.txt") || die "could not read wrk's figures"
b_requests=$(awk '/requests in/ {print $1}' "$out/before.txt")

# One load through three back-to-back wrk runs (a few ms apart): before, while the new silos
# start and join, and while the replicas and leaders move (the figure the target is about).
wrk -t$threads -c$conns -d300s --latency -s bench/wrk/put.lua http://127.0.0.1:8080 >"$out/joining.txt" 2>&1 &
wrk_pid=$!
sleep 0.5
started=$(date +%s.%N)
for n in 4 5; do
  dotnet .run/bin/MultiRaft.Silo.dll --silo-id s$n --silo-port 1111$n --gateway-port 3000$((n - 1)) --http-port 808$((n - 1)) --workers 1 \
    --data-dir "$tmp/s$n" --join 127.0.0.1:11111 >"$out/s$n.log" 2>&1 &
  new_silos+=($!)
done
echo "== started s4 and s5"
elapsed() { echo "$(date +%s.%N) - $started" | bc; }
verdict=""
last=""
progress() { [[ $verdict != "$last" ]] && printf '%6.1f s  %s\n' "$(elapsed)" "$verdict" >>"$out/progress.txt"; last=$verdict; }
# Both new silos are members once the router lists five active silos.
until verdict=$(python3 bench/balanced.py http://127.0.0.1:8080 5) || [[ $verdict != *"active silos"* && $verdict != "no answer"* ]]; do
  progress
  (( $(echo "$(elapsed) > 240" | bc) )) && die "s4 and s5 not members after 240 s: $verdict"
  sleep 0.1
done
joined=$(elapsed)
stop_wrk() { kill -INT "$wrk_pid" 2>/dev/null || true; wait "$wrk_pid" 2>/dev/null || true; wrk_pid=""; }
stop_wrk
wrk -t$threads -c$conns -d300s --latency -s bench/wrk/put.lua http://127.0.0.1:8080 >"$out/moving.txt" 2>&1 &
wrk_pid=$!
echo "== s4 and s5 are members after $joined s; rebalancing"
until verdict=$(python3 bench/balanced.py http://127.0.0.1:8080 5); do
  progress
  (( $(echo "$(elapsed) > 240" | bc) )) && die "not balanced after 240 s: $verdict"
  sleep 0.1
done
took=$(elapsed)
rebalance=$(echo "$took - $joined" | bc)
stop_wrk
curl -fsS http://127.0.0.1:8080/cluster >"$out/cluster-after.json" || true
# The same load on the balanced five-silo cluster: what the machine gives five silos once nothing moves.
wrk -t$threads -c$conns -d10s --latency -s bench/wrk/put.lua http://127.0.0.1:8080 >"$out/after.txt" 2>&1
read -r a_rps a_p50 a_p99 a_errors < <(wrk_figures "$out/after.txt") || die "could not read wrk's figures (after)"
a_requests=$(awk '/requests in/ {print $1}' "$out/after.txt")
read -r j_rps j_p50 j_p99 j_errors < <(wrk_figures "$out/joining.txt") || die "could not read wrk's figures (joining)"
read -r d_rps d_p50 d_p99 d_errors < <(wrk_figures "$out/moving.txt") || die "could not read wrk's figures (moving)"
j_requests=$(awk '/requests in/ {print $1}' "$out/joining.txt")
d_requests=$(awk '/requests in/ {print $1}' "$out/moving.txt")

printf '\ns4 and s5 members %.1f s after starting their processes; balanced %.1f s later (%.1f s in all): %s\n' \
  "$joined" "$rebalance" "$took" "$verdict"
printf 'before:  %s requests, %s failed, %.0f writes/s, p50 %s ms, p99 %s ms\n' "$b_requests" "$b_errors" "$b_rps" "$b_p50" "$b_p99"
printf 'joining: %s requests, %s failed, %.0f writes/s, p50 %s ms, p99 %s ms\n' "$j_requests" "$j_errors" "$j_rps" "$j_p50" "$j_p99"
printf 'moving:  %s requests, %s failed, %.0f writes/s, p50 %s ms, p99 %s ms\n' "$d_requests" "$d_errors" "$d_rps" "$d_p50" "$d_p99"
ratio=$(echo "scale=2; $d_p99 / $b_p99" | bc)
printf 'after:   %s requests, %s failed, %.0f writes/s, p50 %s ms, p99 %s ms  (balanced, nothing moving)\n' "$a_requests" "$a_errors" "$a_rps" "$a_p50" "$a_p99"
printf 'p99 while moving / before: %s\n' "$ratio"
# Five silo processes share the same two cores that three had: the balanced five-silo cluster's own
# p99 tells how much of the slowdown is the move and how much the machine.
printf 'p99 while moving / after (balanced five): %s\n' "$(echo "scale=2; $d_p99 / $a_p99" | bc)"
status=0
if (( $(echo "$rebalance < 30" | bc) )); then echo "PASS  rebalanced in under 30 s"; else echo "FAIL  rebalanced in 30 s or more"; status=3; fi
if ((b_errors + j_errors + d_errors + a_errors == 0)); then echo "PASS  no failed request"; else echo "FAIL  failed requests: $b_errors before, $j_errors joining, $d_errors moving, $a_errors after"; status=3; fi
if (( $(echo "$ratio <= 2" | bc) )); then echo "PASS  p99 while moving <= 2x before"; else echo "FAIL  p99 while moving > 2x before"; status=3; fi
exit $status
