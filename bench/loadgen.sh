#!/usr/bin/env bash
# Runs the closed-loop load generator (bench/LoadGen) against a running local cluster
# (./run.sh: silos s1..s3 serve HTTP on 127.0.0.1:8080-8082), clients spread over all three.
#   usage: bench/loadgen.sh [loadgen options...]
# Defaults, each replaced when you pass the option yourself:
#   --url http://127.0.0.1:8080 http://127.0.0.1:8081 http://127.0.0.1:8082
#   --clients 64 --duration 10 --warmup 2 --read-ratio 0.5 --keys 100000 --value-size 100
# e.g. bench/loadgen.sh --read-ratio 0 --clients 128 --json
# Set MULTIRAFT_ARTIFACTS to build into that folder instead of bench/LoadGen/bin and obj.
set -euo pipefail
cd "$(dirname "$0")/.."
defaults=(
  "--url|http://127.0.0.1:8080 http://127.0.0.1:8081 http://127.0.0.1:8082"
  "--clients|64" "--duration|10" "--warmup|2" "--read-ratio|0.5" "--keys|100000" "--value-size|100"
)
args=("$@")
for d in "${defaults[@]}"; do
  name=${d%%|*} value=${d#*|}
  given=false
  for a in "$@"; do [[ $a == "$name" || $a == "$name="* ]] && given=true; done
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
