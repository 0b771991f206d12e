#!/usr/bin/env bash
# Storage benchmark in one run: starts a throwaway PostgreSQL server (Debian's package, in a
# temporary directory on a free loopback port), then runs bench/Storage.Bench, which measures
# the disk's raw fdatasync pace, the file WAL and PostgreSQL side by side, and stops the server.
#   usage: bench/storage.sh [seconds-per-step]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [[ -z $bin ]]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
as_pg=()
[[ $(id -u) == 0 ]] && as_pg=(runuser -u postgres --)
dir=$(mktemp -d)
chmod 755 "$dir"
[[ $(id -u) == 0 ]] && chown postgres "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" stop -m fast >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=50" start >/dev/null
export MULTIRAFT_PG="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Pooling=true"
dotnet run -c Release --project bench/Storage.Bench -- "$secs"
