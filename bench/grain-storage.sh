#!/usr/bin/env bash
# Grain storage side by side (issue 14): one Orleans workload (N grains writing their state in a
# loop, 128 callers at once) with the state in MultiRaft (3 silos, 3 replicas, file WAL), then in
# Orleans' ADO.NET provider on one PostgreSQL server (synchronous_commit on) that the program
# starts and stops itself; prints writes/s and p50/p99 for both and their ratio.
#   usage: bench/grain-storage.sh [--grains 1024] [--bytes 100,1024] [--concurrency 128] [--seconds 30] [--warmup 5]
#          [--backends multiraft,adonet] [--pg <Npgsql connection string>]
# Needs a quiet machine: the three silos of each run, the callers and PostgreSQL share its cores.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && [[ -z ${MULTIRAFT_PG:-} ]]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
dotnet run -c Release --project bench/GrainStorageBench -- "$@"
