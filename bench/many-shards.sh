#!/usr/bin/env bash
# Many small groups (issue 15): what SHARDS shards x 3 replicas cost on 3 silos against 16 shards.
# In one run, each cluster a fresh ./run.sh --shards N in a temporary data dir:
#   1. 16 shards: idle CPU per silo (utime+stime from /proc/<pid>/stat over IDLE seconds, after
#      SETTLE seconds of rest) and RSS; then wrk writes (128 connections, random keys, put.lua).
#   2. SHARDS shards: time from silo s1's process start (/proc) until GET /cluster shows every
#      data shard with 3 voters and a leader; idle CPU and RSS as above; memory per replica =
#      (RSS_N - RSS_16) / (N - 16) per silo (each silo holds one replica of every shard).
#   3. one write at a time, alternately to a busy key and to a shard never written since the
#      start (all of them led by s1, the silo written to): p50 of each (bench/many-shards.py).
#   4. one key written in every shard (bench/many-shards.py keys/write), then the same wrk writes
#      as in 1: writes/s against 16 shards.
#   5. once the silos' CPU has settled after those writes (as before the idle measurement),
#      kill -9 silo s3 (run.sh's supervisor starts it again after 0.1 s, as its restart policy does)
#      and time until it serves every shard again. "Served" means both, checked in this order:
#      s3's /metrics shows a replica holding at least one key for every data shard (so it
#      recovered each from its WAL up to the write of step 4), and a write to every shard sent to
#      s3's HTTP API succeeded (s3 routes, and every shard has a leader that commits), failed
#      writes retried. The time includes the supervisor's pause and the write sweep itself.
#      Then when s3's log shows each step of its start (Orleans starting, WAL recovered, replicas
#      loaded, ready, HTTP up), in seconds after the kill (bench/many-shards.py phases).
#   6. the whole cluster stopped cleanly and started again from its WALs (./run.sh without
#      --fresh): time from s1's process start until every silo serves every shard, as in 5 (the
#      metrics of s1, s2 and s3, then writes to every shard through s1), and each silo's start
#      steps after s1's process start.
# Prints every figure against its target with PASS/FAIL.
#   usage: bench/many-shards.sh [SHARDS]      (default 10000)
# Environment: MULTIRAFT_READY_TIMEOUT (seconds for the SHARDS cluster to be ready, default 600),
# MULTIRAFT_BALANCE_TIMEOUT (seconds more to wait for leaders and replicas balanced before the idle
# measurement, default 600; it goes on unbalanced after that),
# MULTIRAFT_IDLE_SECONDS (default 20), MULTIRAFT_SETTLE_SECONDS (rest before measuring idle,
# default 15), MULTIRAFT_SETTLE_MAX_SECONDS (after that rest, 5 s windows until the silos' CPU stops
# falling, at most this long; default 120), MULTIRAFT_WRK_SECONDS (default 15),
# MULTIRAFT_RESTART_TIMEOUT (default 180).
# Targets (issue 15): idle < 5% of one core per silo; <= 16 KB per idle replica; one silo restarted
# serves every shard in < 10 s, the whole cluster from cold in < 30 s; writes/s over SHARDS shards
# >= 0.8x over 16; an idle shard's write p50 at most 2 ms above a busy shard's.
# CPU figures are only as good as the machine is quiet: other processes on its cores slow the
# silos (and their timers) down. Logs under .run/bench/many-shards-<time>/ (progress-*.txt: the
# silos' CPU and RSS every 5 s while a cluster starts; s*.log: the silos' logs of each cluster).
# Exit status: 0 all targets met, 3 one missed, 1 the run failed.
set -euo pipefail
cd "$(dirname "$0")/.."
die() { echo "many-shards.sh: $*" >&2; exit 1; }
shards=${1:-10000}
[[ $shards =~ ^[0-9]+$ && $shards -gt 16 ]] || die "SHARDS must be a whole number above 16, got '$shards'"
idle=${MULTIRAFT_IDLE_SECONDS:-20}
settle=${MULTIRAFT_SETTLE_SECONDS:-15}
settle_max=${MULTIRAFT_SETTLE_MAX_SECONDS:-120}
wrk_secs=${MULTIRAFT_WRK_SECONDS:-15}
restart_timeout=${MULTIRAFT_RESTART_TIMEOUT:-180}
ready_timeout=${MULTIRAFT_READY_TIMEOUT:-600}
balance_timeout=${MULTIRAFT_BALANCE_TIMEOUT:-600}
command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"
command -v curl >/dev/null || die "curl is missing (apt-get install curl)"
source bench/lib/cluster.sh
bench_workdirs many-shards
sampler=""
cleanup() {
  [[ -n $sampler ]] && kill "$sampler" 2>/dev/null || true
  stop_cluster
  keep_logs last
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
helper() { python3 bench/many-shards.py "$@"; }
hz=$(getconf CLK_TCK)
btime=$(awk '$1 == "btime" {print $2}' /proc/stat)
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }

# The pid of this run's silo ID (its data dir is in the command line, so other clusters' silos never match).
silo_pid() { pgrep -f -- "MultiRaft.Silo.dll --silo-id $1 .*--data-dir $tmp/data/$1 " | head -1; }
# A process's start in seconds since the epoch: boot time plus field 22 of /proc/<pid>/stat (clock ticks).
started_at() { awk -v b="$btime" -v hz="$hz" '{printf "%.2f\n", b + $22 / hz}' "/proc/$1/stat"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '$1 == "VmRSS:" {print $2}' "/proc/$1/status"; }
keep_logs() { for f in "$tmp"/data/s*.log; do [[ -e $f ]] && cp "$f" "$out/$1-$(basename "$f")"; done; return 0; }

# Every 5 s until killed: each silo's CPU since the last line (% of one core) and RSS, and readiness.
sample() { # file shards
  local file=$1 want=$2 s pid t line
  declare -A last
  while :; do
    line="$(date +%T)"
    for s in s1 s2 s3; do
      pid=$(silo_pid $s) || true
      if [[ -n $pid ]]; then
        t=$(cpu_ticks "$pid")
        line+="  $s cpu $(( (t - ${last[$s]:-$t}) * 100 / hz / 5 ))% rss $(( $(rss_kb "$pid") / 1024 )) MB"
        last[$s]=$t
      else
        line+="  $s down"
      fi
    done
    echo "$line  | $(python3 bench/cluster-ready.py http://127.0.0.1:8080 "$want" 2>&1)" >>"$file"
    sleep 5
  done
}

# Starts a cluster of N shards (fresh, or resume) with a sampler beside it; sets `ready_after`:
# seconds from s1's process start until start_cluster saw it ready.
start() { # name n [resume]
  local name=$1 n=$2 pid
  sample "$out/progress-$name.txt" "$n" &
  sampler=$!
  MULTIRAFT_SHARDS=$n MULTIRAFT_READY_TIMEOUT=$ready_timeout start_cluster . "$out/cluster-$name.log" "${3:-fresh}"
  local ready; ready=$(now)
  kill "$sampler" 2>/dev/null || true
  sampler=""
  pid=$(silo_pid s1) || die "no process for silo s1"
  ready_after=$(echo "$ready - $(started_at "$pid")" | bc)
}

# Waits until the silos' CPU has stopped falling, that is a 5 s window costing them no more than
# 10% less than the one before (at most $settle_max seconds); prints how long that took.
settle_cpu() {
  local s p prev="" cur w0 settled pids=()
  for s in s1 s2 s3; do
    p=$(silo_pid $s) || { echo "(no process for silo $s)"; return; }
    pids+=("$p")
  done
  settled=$(now)
  while (( $(echo "$(since "$settled") < $settle_max" | bc) )); do
    w0=0; for s in "${pids[@]}"; do w0=$(( w0 + $(cpu_ticks "$s") )); done
    sleep 5
    cur=-$w0; for s in "${pids[@]}"; do cur=$(( cur + $(cpu_ticks "$s") )); done
    [[ -n $prev ]] && (( cur * 10 >= prev * 9 - 2 )) && break
    prev=$cur
  done
  echo "$(printf '%.0f' "$(since "$settled")") s (last 5 s window: $(( cur * 100 / hz / 5 ))% of a core over the three silos)"
}

# Idle CPU (% of one core) and RSS (KB) of each silo over $idle seconds: sets cpu[name,sN], rss[name,sN].
declare -A cpu rss
measure_idle() { # name
  local name=$1 s t1 started elapsed waited
  declare -A t0 pids
  # Idle means nothing moving: the leader balancer may still be spreading leaderships (at 10,000
  # shards it takes minutes), and later steps need shards led by s1.
  waited=$(now)
  until python3 bench/balanced.py http://127.0.0.1:8080 3 >/dev/null 2>&1; do
    (( $(echo "$(since "$waited") > $balance_timeout" | bc) )) && break
    sleep 1
  done
  echo "   balanced after $(printf '%.1f' "$(since "$waited")") s more; resting ${settle}s, then measuring ${idle}s idle ($(python3 bench/balanced.py http://127.0.0.1:8080 3 2>&1))"
  sleep "$settle"
  for s in s1 s2 s3; do pids[$s]=$(silo_pid $s) || die "no process for silo $s"; done
  # A cluster just started may still be draining its start-up work (at 10,000 shards, for a
  # minute or so after it is balanced): idle is measured once the silos' CPU has stopped falling.
  echo "   CPU settled $(settle_cpu) after the rest"
  for s in s1 s2 s3; do t0[$s]=$(cpu_ticks "${pids[$s]}"); done
  started=$(now)
  sleep "$idle"
  elapsed=$(since "$started")
  for s in s1 s2 s3; do
    t1=$(cpu_ticks "${pids[$s]}")
    cpu[$name,$s]=$(echo "scale=2; ($t1 - ${t0[$s]}) * 100 / $hz / $elapsed" | bc)
    rss[$name,$s]=$(rss_kb "${pids[$s]}")
    printf '   %s idle: %5.2f%% of a core, RSS %d MB\n' "$s" "${cpu[$name,$s]}" $(( ${rss[$name,$s]} / 1024 ))
  done
  echo "   after: $(python3 bench/balanced.py http://127.0.0.1:8080 3 2>&1)"
}

run_wrk() { # name: sets writes[name]
  wrk -t2 -c128 -d"${wrk_secs}s" --latency -s bench/wrk/put.lua http://127.0.0.1:8080 >"$out/wrk-$1.txt" 2>&1
  local rps p50 p99 errors
  read -r rps p50 p99 errors < <(wrk_figures "$out/wrk-$1.txt") || die "could not read wrk's figures ($out/wrk-$1.txt)"
  writes[$1]=$rps
  echo "   $rps writes/s, p50 $p50 ms, p99 $p99 ms, $errors errors"
}
declare -A writes

# Polls until every silo of SILOS shows as many replicas holding keys as the key file has shards (its /metrics), then
# writes every key through URL; the elapsed time since START goes to `served_after`.
served() { # start url silos...
  local start=$1 url=$2 s port
  shift 2
  for s in "$@"; do
    port=$((8079 + ${s#s}))
    # One process polls every 0.1 s until the silo has loaded or the time is up.
    helper loaded "http://127.0.0.1:$port" "$s" "$out/keys.txt" "$(echo "$restart_timeout - $(since "$start")" | bc)" >"$tmp/loaded.txt" 2>&1 \
      || die "$s has not loaded every shard after ${restart_timeout}s: $(cat "$tmp/loaded.txt")"
  done
  local loaded; loaded=$(since "$start")
  helper write "$url" "$out/keys.txt" "$restart_timeout" >"$tmp/sweep.txt" || die "writes to every shard failed after the restart: $(cat "$tmp/sweep.txt")"
  served_after=$(since "$start")
  printf '   every replica loaded after %.1f s; a write to every shard succeeded after %.1f s (%s)\n' "$loaded" "$served_after" "$(cat "$tmp/sweep.txt")"
}

echo "== 16 shards (log: $out/cluster-16.log)"
start 16 16
printf '   ready %.1f s after s1 started\n' "$ready_after"
ready16=$ready_after
measure_idle 16
echo "== wrk writes, 128 connections, ${wrk_secs}s, 16 shards"
run_wrk 16
stop_cluster
keep_logs 16

echo "== $shards shards (log: $out/cluster-$shards.log; progress: $out/progress-$shards.txt)"
start "$shards" "$shards"
cold_fresh=$ready_after
printf '   ready %.1f s after s1 started\n' "$cold_fresh"
measure_idle "$shards"
helper keys http://127.0.0.1:8080 "$out/keys.txt"

echo "== single writes: a busy shard against shards idle since the start (all led by s1)"
read -r busy_p50 busy_p99 idle_p50 idle_p99 < <(helper latency http://127.0.0.1:8080 "$out/keys.txt" s1 200) || die "the latency run failed"
echo "   busy p50 $busy_p50 ms (p99 $busy_p99), idle p50 $idle_p50 ms (p99 $idle_p99)"

echo "== one key written in every shard"
helper write http://127.0.0.1:8080 "$out/keys.txt" 120 || die "could not write a key in every shard"
echo "== wrk writes, 128 connections, ${wrk_secs}s, $shards shards"
run_wrk "$shards"

# The restart is timed on an idle cluster, as issue 15 states its targets: not while the silos
# still digest the load just before (applying, relocating the WAL's oldest entries, collecting).
echo "== the silos' CPU settled $(settle_cpu) after the writes"
echo "== kill -9 silo s3; run.sh starts it again"
pid=$(silo_pid s3) || die "no process for silo s3"
kill -9 "$pid"
killed=$(now)
served "$killed" http://127.0.0.1:8082 s3
restart_one=$served_after
echo "   s3's start after the kill: $(helper phases "$tmp/data/s3.log" "$killed")"

echo "== the whole cluster stopped and started again from its WALs"
stop_cluster
keep_logs "$shards"
start "$shards-restart" "$shards" resume
pid=$(silo_pid s1) || die "no process for silo s1"
restarted=$(started_at "$pid")
served "$restarted" http://127.0.0.1:8080 s1 s2 s3
restart_all=$served_after
for s in s1 s2 s3; do echo "   $s's start after s1's: $(helper phases "$tmp/data/$s.log" "$restarted")"; done

failed=0
verdict() { # ok figure target
  local v=PASS
  (( $1 )) || { v=FAIL; failed=1; }
  printf '%-4s  %-72s  %s\n' "$v" "$2" "$3"
}
max() { printf '%s\n' "$@" | sort -g | tail -1; }
{
  echo
  echo "many-shards.sh $shards ($(date -u +%FT%TZ), $(nproc) cores; CPU figures are noisy on a shared machine)"
  printf '      16 shards idle: %s%% %s%% %s%% of a core, RSS %s %s %s MB (s1 s2 s3); ready %.1f s after s1 started\n' \
    "${cpu[16,s1]}" "${cpu[16,s2]}" "${cpu[16,s3]}" $((rss[16,s1] / 1024)) $((rss[16,s2] / 1024)) $((rss[16,s3] / 1024)) "$ready16"
  cpu_max=$(max "${cpu[$shards,s1]}" "${cpu[$shards,s2]}" "${cpu[$shards,s3]}")
  verdict "$(echo "$cpu_max < 5" | bc)" \
    "idle CPU, $shards shards: ${cpu[$shards,s1]}% ${cpu[$shards,s2]}% ${cpu[$shards,s3]}% of a core" "< 5% per silo"
  per=()
  for s in s1 s2 s3; do per+=("$(( (rss[$shards,$s] - rss[16,$s]) * 1024 / (shards - 16) ))"); done
  per_max=$(max "${per[@]}")
  verdict "$(( per_max <= 16384 ))" \
    "memory per idle replica: ${per[0]} ${per[1]} ${per[2]} bytes (RSS $((rss[$shards,s1] / 1024)) $((rss[$shards,s2] / 1024)) $((rss[$shards,s3] / 1024)) MB)" "<= 16 KB"
  verdict "$(echo "$restart_one < 10" | bc)" "one silo killed and restarted: serves every shard after $(printf '%.1f' "$restart_one") s" "< 10 s"
  verdict "$(echo "$restart_all < 30" | bc)" \
    "whole cluster from cold (WALs): serves every shard $(printf '%.1f' "$restart_all") s after s1 started (fresh: ready in $(printf '%.1f' "$cold_fresh") s)" "< 30 s"
  ratio=$(echo "scale=3; ${writes[$shards]} / ${writes[16]}" | bc)
  verdict "$(echo "$ratio >= 0.8" | bc)" "writes/s, 128 connections: ${writes[$shards]} over $shards shards, ${writes[16]} over 16: ${ratio}x" ">= 0.8x"
  gap=$(echo "$idle_p50 - $busy_p50" | bc)
  verdict "$(echo "$gap <= 2" | bc)" "single write p50: idle shard $idle_p50 ms, busy shard $busy_p50 ms ($(printf '%+.3f' "$gap") ms)" "<= +2 ms"
} >"$out/figures.txt" # not through a pipe: the verdicts must set $failed in this shell, not a subshell
cat "$out/figures.txt"
((failed)) && exit 3
exit 0
