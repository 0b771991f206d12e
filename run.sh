#!/usr/bin/env bash
# Starts a local 3-silo MultiRaft cluster on loopback: Orleans silos with development clustering
# (s1 holds the membership table) and the file WAL under the data directory. Prints the
# endpoints, restarts a silo that exits (a crash, kill -9, or Orleans declaring it dead), like a
# container restart policy "on-failure" (a silo that stops cleanly, as one the cluster removed
# does, stays down, and so does one that refuses its settings, exit code 2), and stops all three
# silos cleanly on Ctrl+C (or SIGTERM).
#   usage: ./run.sh [--data-dir DIR] [--fresh] [--shards N]
#     --data-dir DIR   where the silos keep their WALs (default .run/data); a restart resumes it
#     --fresh          delete the data directory first (a brand-new cluster)
#     --shards N       data shards of a new cluster (default 16)
#     --workers N      engine workers per silo (default 1: the three silos share this machine's cores)
# Silo s1: Orleans silo port 11111, gateway 30000, HTTP 8080 (dashboard at /dashboard);
# s2: 11112/30001/8081; s3: 11113/30002/8082.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
data="$root/.run/data" fresh=0 shards=16 workers=1
while (($#)); do
  case $1 in
    --data-dir) data=$(realpath -m "$2"); shift 2 ;;
    --fresh) fresh=1; shift ;;
    --shards) shards=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

if ! command -v dotnet >/dev/null; then
  echo "run.sh: the .NET SDK (dotnet) is not on PATH; install .NET SDK 10 first" >&2
  exit 2
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

for port in 11111 11112 11113 30000 30001 30002 8080 8081 8082; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "run.sh: port $port is already in use (another cluster running?)" >&2
    exit 1
  fi
done

bin="$root/.run/bin"
# The silo is compiled ahead of time (ReadyToRun): a restarted silo otherwise spends a fifth of
# its first seconds in the JIT, and at 10,000 shards took about twice as long to serve again.
case "$(uname -m)" in
  aarch64|arm64) rid=linux-arm64 ;;
  *) rid=linux-x64 ;;
esac
echo "run.sh: building the silo (Release, ReadyToRun) and the CLI..."
dotnet publish Silo/Silo/Silo.csproj -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -o "$bin" \
  --nologo -v quiet -clp:ErrorsOnly >/dev/null
dotnet build Client/Cli/Cli.csproj -c Release -o "$root/.run/cli" --nologo -v quiet -clp:ErrorsOnly >/dev/null

((fresh)) && rm -rf "$data"
mkdir -p "$data"
# Set while stopping: a silo that exits then (Ctrl+C reaches it too) is not restarted.
stopflag="$data/.run-stopping"
rm -f "$stopflag"
supervisors=()
stop() {
  trap - INT TERM EXIT
  touch "$stopflag"
  echo; echo "run.sh: stopping the silos..."
  for p in "${supervisors[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "$stopflag"
  echo "run.sh: stopped; data kept in $data"
}
trap stop INT TERM EXIT

# Runs one silo and starts it again whenever it exits on its own; a TERM (or INT) stops the silo
# and the loop. The silo's own log is appended to across restarts. Like Docker's restart policy,
# the pause before a restart starts at 0.1 s and doubles (up to 10 s) while the silo keeps
# failing within 10 s of starting, so a silo that cannot start does not spin.
supervise() { # id args...
  local id=$1 child="" stopping=0 code pause=0.1 began
  shift
  trap 'stopping=1; [[ -n $child ]] && kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM INT
  while :; do
    began=$SECONDS
    dotnet "$bin/MultiRaft.Silo.dll" "$@" >>"$data/$id.log" 2>&1 &
    child=$!
    wait "$child" && code=0 || code=$?
    { ((stopping)) || [[ -e $stopflag ]]; } && exit 0
    if ((code == 0)); then
      # A clean stop not asked for here: the cluster removed the silo (multiraft silo remove)
      # or someone stopped it on purpose. Like a restart policy "on-failure", leave it down.
      echo "run.sh: $(date +%T) silo $id stopped cleanly (removed from the cluster, or stopped); not restarting it" >&2
      exit 0
    fi
    if ((code == 2)); then
      # The silo refused its settings (its log says which): starting it again cannot help.
      echo "run.sh: $(date +%T) silo $id refused its settings (exit code 2); not restarting it (log: $data/$id.log)" >&2
      exit 2
    fi
    ((SECONDS - began >= 10)) && pause=0.1
    echo "run.sh: $(date +%T) silo $id exited with code $code; restarting it in ${pause}s (log: $data/$id.log)" >&2
    sleep "$pause"
    pause=$(awk -v p="$pause" 'BEGIN { p *= 2; print (p > 10 ? 10 : p) }')
    [[ -e $stopflag ]] && exit 0
  done
}

start() { # id n
  local id=$1 n=$2
  local args=(--silo-id "$id" --silo-port $((11110 + n)) --gateway-port $((29999 + n)) --http-port $((8079 + n))
              --data-dir "$data/$id" --shards "$shards" --workers "$workers")
  # Development clustering: every silo but the first names the first silo's silo endpoint.
  ((n > 1)) && args+=(--join 127.0.0.1:11111)
  supervise "$id" "${args[@]}" &
  supervisors+=($!)
}
start s1 1
# The others join once the first silo's HTTP port answers (they would retry anyway): it opens
# after Orleans is up on it, and any answer will do. Asking for /cluster instead, with a 1 s
# limit, made them wait 4.7 s more at 10,000 shards, where that answer is megabytes.
for _ in $(seq 120); do
  curl -sS -m 1 -o /dev/null http://127.0.0.1:8080/ 2>/dev/null && break
  sleep 0.25
done
start s2 2
start s3 3

echo "run.sh: waiting for every shard to have 3 replicas and a leader..."
ready=0
for _ in $(seq 120); do
  # The body goes through a pipe: at thousands of shards it is megabytes, past the 128 KB a
  # single command-line argument may hold, and the check would fail every time.
  if curl -fsS -m 10 http://127.0.0.1:8080/cluster 2>/dev/null | python3 -c 'import json,sys
d=json.load(sys.stdin); s=[x for x in d["shards"] if x["id"]!=0]
sys.exit(0 if s and all(len(x["replicas"])==3 and x.get("leaderSilo") for x in s) else 1)' 2>/dev/null; then
    ready=1; break
  fi
  sleep 0.5
done
((ready)) || echo "run.sh: the cluster is not fully replicated yet; it keeps trying (see $data/*.log)" >&2

cat <<EOT

MultiRaft is running: 3 silos, $shards shards, data in $data (logs: $data/s*.log)
  HTTP API   http://127.0.0.1:8080   http://127.0.0.1:8081   http://127.0.0.1:8082
  dashboard  http://127.0.0.1:8080/dashboard
  gateways   127.0.0.1:30000   127.0.0.1:30001   127.0.0.1:30002 (Orleans)
Try:
  curl -X PUT --data-binary 'hello' http://127.0.0.1:8080/kv/greeting
  curl -i http://127.0.0.1:8081/kv/greeting
  curl http://127.0.0.1:8082/cluster
  dotnet .run/cli/multiraft.dll get greeting
  dotnet .run/cli/multiraft.dll cluster status
A silo that exits is restarted. Ctrl+C stops the cluster.
EOT
wait
