#!/usr/bin/env bash
# Runs the closed-loop load generator (bench/LoadGen) against a running local cluster
# (./run.sh: silos s1..s3 serve HTTP on 127.0.0.1:8080-8082), clients spread over all three.
#   usage: bench/loadgen.sh [loadgen options...]
# Defaults, each replaced when you pass the option yourself:
#   --url http://127.0.0.1:8080 http://127.0.0.1:8081 http://127.0.0.1:8082 (not with --orleans)
#   --clients 64 --duration 10 --warmup 2 --read-ratio 0.5 --keys 100000 --value-size 100
# e.g. bench/loadgen.sh --read-ratio 0 --clients 128 --json
# Through the Orleans client (MultiRaftClient) instead of HTTP, to ./run.sh's gateways:
#   bench/loadgen.sh --orleans 127.0.0.1:30000,127.0.0.1:30001,127.0.0.1:30002 --read-ratio 0 --clients 128
# Set MULTIRAFT_ARTIFACTS to build into that folder instead of bench/LoadGen/bin and obj.
set -euo pipefail
cd "$(dirname "$0")/.."
defaults=(
  "--url|http://127.0.0.1:8080 http://127.0.0.1:8081 http://127.0.0.1:8082"
  "--clients|64" "--duration|10" "--warmup|2" "--read-ratio|0.5" "--keys|100000" "--value-size|100"
)
args=("$@")
passed() { # name: whether the caller gave the option
  local a
  for a in "${args[@]}"; do [[ $a == "$1" || $a == "$1="* ]] && return 0; done
  return 1
}
# --url and --orleans are two targets, and the generator refuses both at once.
orleans=false
passed --orleans && orleans=true
for d in "${defaults[@]}"; do
  name=${d%%|*} value=${d#*|}
  given=false
  passed "$name" && given=true
  [[ $name == --url ]] && $orleans && given=true
  if ! $given; then
    read -r -a values <<<"$value"
    args+=("$name" "${values[@]}")
  fi
done
build=(dotnet build bench/LoadGen -c Release --nologo -v quiet)
[[ -n ${MULTIRAFT_ARTIFACTS:-} ]] && build+=(--artifacts-path "$MULTIRAFT_ARTIFACTS")
"${build[@]}" >/dev/null || { "${build[@]}" >&2; exit 1; }
if [[ -n ${MULTIRAFT_ARTIFACTS:-} ]]; then
  dll=$MULTIRAFT_ARTIFACTS/bin/LoadGen/release/multiraft-loadgen.dll
else
  dll=bench/LoadGen/bin/Release/net10.0/multiraft-loadgen.dll
fi
exec dotnet "$dll" "${args[@]}"
