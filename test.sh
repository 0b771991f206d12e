#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine: restores packages, builds in Release
# (warnings are errors), runs each test project, and prints one closing line
# "N passed, N failed, N skipped". Extra arguments go to `dotnet test` (e.g. --filter ...).
#   MULTIRAFT_SEED=<n>    replay one seed of the randomized simulation
#   MULTIRAFT_SOAK=<n>    run n seeds of the randomized simulation instead of the CI count
#   MULTIRAFT_PG=<conn>   run the PostgreSQL storage tests against this server (an Npgsql connection
#                         string) instead of a throwaway server started from Debian's postgresql package
#   MULTIRAFT_CHROMIUM=<path>  the browser of the live view test (/ui) instead of Debian's chromium package
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null; then
  echo "test.sh: the .NET SDK (dotnet) is not on PATH; install .NET SDK 10 first" >&2
  exit 2
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# The PostgreSQL storage tests start their own throwaway server from the package's binaries
# (/usr/lib/postgresql/<version>/bin) unless MULTIRAFT_PG names one. Debian's package would
# also create and start a "main" cluster service; the tests never use it, so it is not created.
if [ -z "${MULTIRAFT_PG:-}" ] && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    mkdir -p /etc/postgresql-common/createcluster.d
    echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/multiraft-no-main-cluster.conf
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "test.sh: the PostgreSQL tests need Debian's postgresql package (sudo apt-get install postgresql)" >&2
    echo "         or MULTIRAFT_PG set to a connection string; without either they fail" >&2
  fi
fi

# The live view test (/ui) loads the page in a real headless Chromium from Debian's package.
if [ -z "${MULTIRAFT_CHROMIUM:-}" ] && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    # Without the recommended extras (print and network services a headless test never uses).
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
  else
    echo "test.sh: the live view test needs Debian's chromium package (sudo apt-get install chromium)" >&2
    echo "         or MULTIRAFT_CHROMIUM set to a Chromium or Chrome executable; without either it fails" >&2
  fi
fi

dotnet restore MultiRaft.sln --nologo -v quiet
dotnet build MultiRaft.sln -c Release --no-restore --nologo -v quiet -clp:ErrorsOnly

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
for proj in tests/*/*.csproj; do
  echo "== $(basename "$(dirname "$proj")")"
  if ! dotnet test "$proj" -c Release --no-build --nologo "$@" 2>&1 | tee -a "$log"; then
    status=1
  fi
done

# One closing line for the whole run, summed over the projects' summaries.
awk '
  /(Passed|Failed)!  - Failed:/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:")  { f += $(i+1) }
      if ($i == "Passed:")  { p += $(i+1) }
      if ($i == "Skipped:") { s += $(i+1) }
    }
    n++
  }
  END {
    gsub(",", "", p); gsub(",", "", f)
    printf "%d passed, %d failed, %d skipped\n", p, f, s
    if (n == 0) exit 3
  }' "$log" || status=1
exit $status
