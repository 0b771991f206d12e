# Shared by the benchmark scripts (sourced, not run): wrk's figures, and starting and stopping a
# local 3-silo cluster with a tree's own ./run.sh. The caller sets `tmp` (a scratch directory)
# and `out` (where logs go), with bench_workdirs, and defines `die`.

# bench_workdirs NAME: out=.run/bench/NAME-<date-time> (created) for this run's logs, tmp=a new scratch directory.
bench_workdirs() {
  out=.run/bench/$1-$(date +%Y%m%d-%H%M%S)
  mkdir -p "$out"
  tmp=$(mktemp -d)
}

# Prints "requests/s p50-ms p99-ms errors" from wrk --latency output; latency units us/ms/s/m/h.
wrk_figures() {
  awk '
    function ms(v,  n) {
      n = v + 0
      if (v ~ /us$/) return n / 1000
      if (v ~ /ms$/) return n
      if (v ~ /s$/) return n * 1000
      if (v ~ /m$/) return n * 60000
      if (v ~ /h$/) return n * 3600000
      return n
    }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    $1 == "Requests/sec:" { rps = $2 + 0 }
    /Non-2xx or 3xx responses:/ { errors += $NF }
    /Socket errors:/ { for (i = 4; i <= NF; i += 2) errors += $i + 0 }
    END {
      if (rps == "" || p50 == "" || p99 == "") exit 1
      printf "%.2f %.3f %.3f %d\n", rps, p50, p99, errors
    }' "$1"
}

cluster_pid=""

# start_cluster TREE LOG [resume]: ./run.sh --fresh (--shards $MULTIRAFT_SHARDS if set) of
# TREE in a scratch data dir ($tmp/data), in its own process group; returns once GET /cluster on
# 8080 shows every data shard ready, within MULTIRAFT_READY_TIMEOUT seconds (default 300, a first
# build included). With resume, ./run.sh restarts the cluster the last start left in that data
# dir from its WALs (its /cluster then answers with the leaders recorded before the stop).
start_cluster() {
  local tree=$1 log=$2 mode=${3:-fresh} port deadline status fresh=(--fresh) shards=()
  # Only when asked: an older tree's run.sh (before-after.sh) may not know --shards.
  [[ -n ${MULTIRAFT_SHARDS:-} ]] && shards=(--shards "$MULTIRAFT_SHARDS")
  for port in 8080 8081 8082 11111 11112 11113 30000 30001 30002; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port is already in use: is a cluster running?"; fi
  done
  if [[ $mode == resume ]]; then fresh=(); else rm -rf "$tmp/data"; fi
  (cd "$tree" && exec setsid ./run.sh "${fresh[@]}" --data-dir "$tmp/data" "${shards[@]}") >"$log" 2>&1 &
  cluster_pid=$!
  deadline=$((SECONDS + ${MULTIRAFT_READY_TIMEOUT:-300}))
  until status=$(python3 bench/cluster-ready.py http://127.0.0.1:8080 "${MULTIRAFT_SHARDS:-16}"); do
    if ! kill -0 "$cluster_pid" 2>/dev/null; then
      tail -n 30 "$log" >&2
      die "$tree/run.sh exited before the cluster was ready"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$log" >&2
      die "cluster not ready after ${MULTIRAFT_READY_TIMEOUT:-300}s: $status"
    fi
    sleep 0.5
  done
  echo "   $status"
}

stop_cluster() {
  [[ -n $cluster_pid ]] || return 0
  if kill -0 "$cluster_pid" 2>/dev/null; then
    kill -TERM "$cluster_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$cluster_pid" 2>/dev/null || break; sleep 0.2; done
    # run.sh did not stop its silos in 20 s: end its whole process group (it was started with setsid).
    kill -0 "$cluster_pid" 2>/dev/null && kill -KILL -- "-$cluster_pid" 2>/dev/null || true
  fi
  wait "$cluster_pid" 2>/dev/null || true
  cluster_pid=""
}

# Prints "requests/s 0 0 errors" from wrk output without --latency.
wrk_figures_nolatency() {
  awk '
    $1 == "Requests/sec:" { rps = $2 + 0 }
    /Non-2xx or 3xx responses:/ { errors += $NF }
    /Socket errors:/ { for (i = 4; i <= NF; i += 2) errors += $i + 0 }
    END { if (rps == "") exit 1; printf "%.2f 0 0 %d\n", rps, errors }' "$1"
}
