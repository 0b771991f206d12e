#!/usr/bin/env bash
# MultiRaft against etcd on this machine, one after the other, with the same wrk write workload
# (random keys key00000001..key00100000, 100-byte values, wrk -t2 --latency), in ROUNDS rounds:
#   1. etcd: ../shared/bench/etcd/etcd3.sh put 128 S, then put 1 S (a fresh 3-member cluster each);
#   2. MultiRaft: ./run.sh --fresh in a temporary data dir, wait until GET /cluster shows every
#      data shard with 3 replicas and a leader, a short unmeasured warmup (the JIT), then wrk with
#      bench/wrk/put.lua at 128 and 1 connections against silo s1's HTTP port; stop the cluster;
#   3. after the last round, a table of writes/s, p50, p99 per round and connection count, the
#      medians over the rounds, the MultiRaft/etcd ratios of those medians, and PASS/FAIL against
#      the targets: at 128 connections writes/s >= 3x etcd and p99 no worse; at 1 connection p50
#      no worse. Interleaving the systems and taking medians keeps one noisy window (this kind of
#      machine varies by +-20% from minute to minute) from deciding the verdict either way.
#   usage: bench/side-by-side.sh [SECONDS] [ROUNDS]      (defaults 10 and 3)
# Environment: MULTIRAFT_READY_TIMEOUT (seconds to wait for the cluster, default 300, the first
# Release build included), MULTIRAFT_SHARDS (data shards expected, default 16),
# MULTIRAFT_WARMUP (seconds, default 10: the silos reach steady throughput after the JIT tiers up),
# MULTIRAFT_BALANCE_LEADERS (default false: every leader on s1, the silo wrk talks to, as etcd's).
# Exit status: 0 all targets met, 3 a target missed, 1 the run itself failed.
# wrk's raw output and the clusters' logs are kept under .run/bench/side-by-side-<time>/.
set -euo pipefail
cd "$(dirname "$0")/.."
# etcd3.sh sends every request to etcd's leader. The same here: with leader balancing off, the
# bootstrap silo s1 that wrk talks to leads every shard. MULTIRAFT_BALANCE_LEADERS=true measures
# the default instead (leaders spread, so s1 forwards two writes in three to another silo).
export MultiRaft__BalanceLeaders=${MULTIRAFT_BALANCE_LEADERS:-false}
secs=${1:-10}
rounds=${2:-3}
warmup=${MULTIRAFT_WARMUP:-10}
http=http://127.0.0.1:8080
etcd3=../shared/bench/etcd/etcd3.sh

die() { echo "side-by-side.sh: $*" >&2; exit 1; }
[[ $secs =~ ^[0-9]+$ && $secs -gt 0 ]] || die "SECONDS must be a positive whole number, got '$secs'"
[[ $rounds =~ ^[0-9]+$ && $rounds -gt 0 ]] || die "ROUNDS must be a positive whole number, got '$rounds'"
[[ -f $etcd3 ]] || die "$etcd3 not found (the shared folder sits beside the repository)"
[[ -x ./run.sh ]] || die "./run.sh not found: it starts the local 3-silo cluster"

need=()
command -v etcd >/dev/null || need+=(etcd-server)
command -v etcdctl >/dev/null || need+=(etcd-client)
command -v wrk >/dev/null || need+=(wrk)
command -v python3 >/dev/null || need+=(python3)
if ((${#need[@]})); then
  [[ $(id -u) == 0 ]] || die "missing ${need[*]}: install them (apt-get install ${need[*]}) or run as root"
  echo "installing ${need[*]} ..."
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
real_wrk=$(command -v wrk)

source bench/lib/cluster.sh
bench_workdirs side-by-side

cleanup() { stop_cluster; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# etcd3.sh always passes -t2, and wrk refuses more threads than connections; this shim, first on
# etcd3.sh's PATH, lowers the thread count to the connection count and changes nothing else.
mkdir -p "$tmp/shim"
cat >"$tmp/shim/wrk" <<EOF
#!/usr/bin/env bash
c=""
for a in "\$@"; do case \$a in -c*) c=\${a#-c} ;; esac; done
args=()
for a in "\$@"; do
  case \$a in -t*) t=\${a#-t}; [[ -n \$c && \$t -gt \$c ]] && a="-t\$c" ;; esac
  args+=("\$a")
done
exec "$real_wrk" "\${args[@]}"
EOF
chmod +x "$tmp/shim/wrk"

declare -A figures
run_etcd() {
  local conns=$1 file="$out/etcd-r$round-c$1.txt"
  echo "== round $round, etcd: put, $conns connection(s), $secs s"
  sync # each system starts with no one else's dirty pages being written back under it
  PATH="$tmp/shim:$PATH" bash "$etcd3" put "$conns" "$secs" >"$file" 2>&1 || { cat "$file" >&2; die "etcd run at $conns connection(s) failed"; }
  figures[etcd,$conns,$round]=$(wrk_figures "$file") || { cat "$file" >&2; die "could not read wrk's figures for etcd at $conns connection(s)"; }
  echo "   ${figures[etcd,$conns,$round]}  (requests/s p50-ms p99-ms errors)"
}

run_multiraft() {
  local conns=$1 file="$out/multiraft-r$round-c$1.txt" threads=$(( $1 < 2 ? $1 : 2 ))
  echo "== round $round, MultiRaft: PUT /kv, $conns connection(s), $secs s"
  "$real_wrk" -t"$threads" -c"$conns" -d"${secs}s" --latency -s bench/wrk/put.lua "$http" >"$file" 2>&1 \
    || { cat "$file" >&2; die "wrk against MultiRaft at $conns connection(s) failed"; }
  figures[multiraft,$conns,$round]=$(wrk_figures "$file") || { cat "$file" >&2; die "could not read wrk's figures for MultiRaft at $conns connection(s)"; }
  echo "   ${figures[multiraft,$conns,$round]}  (requests/s p50-ms p99-ms errors)"
}

for round in $(seq "$rounds"); do
  # (a) etcd
  run_etcd 128
  run_etcd 1

  # (b) MultiRaft
  log="$out/cluster-r$round.log"
  echo "== round $round, MultiRaft: starting ./run.sh --fresh (log: $log)"
  start_cluster . "$log"
  sync # the build and etcd's files must not be written back during the measurement
  if ((warmup > 0)); then
    echo "   warmup: ${warmup} s at 128 connections (not measured)"
    "$real_wrk" -t2 -c128 -d"${warmup}s" -s bench/wrk/put.lua "$http" >"$out/multiraft-r$round-warmup.txt" 2>&1 || true
  fi
  run_multiraft 128
  run_multiraft 1
  echo "== MultiRaft: stopping the cluster"
  stop_cluster
done

# (c) the table
args=()
for round in $(seq "$rounds"); do
  args+=("${figures[etcd,128,$round]}" "${figures[multiraft,128,$round]}" "${figures[etcd,1,$round]}" "${figures[multiraft,1,$round]}")
done
python3 bench/side-by-side-table.py "$secs" "${args[@]}"
