#!/usr/bin/env bash
# The project's test command (README.md). On a fresh machine it installs what the tests need (redis-server,
# PostgreSQL 15 if absent, the npm interop peers, the local dotnet tools), runs every test project in Platform.sln,
# and ends with one line of totals read from the TRX results: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

apt_install() {
  if [ "$(id -u)" != 0 ]; then echo "missing $*: install it with: sudo apt-get install -y $*" >&2; exit 1; fi
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
command -v redis-server >/dev/null || apt_install redis-server
[ -x /usr/lib/postgresql/15/bin/pg_ctl ] || [ -n "${PLATFORM_PG_BIN:-}" ] || apt_install postgresql-15
command -v pdftotext >/dev/null || apt_install poppler-utils

# The repository's local .NET tools (.config/dotnet-tools.json): dotnet-ef, which generates and scripts migrations.
dotnet tool restore >/dev/null

if [ -f tests/interop/package.json ]; then
  npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error
fi

results=TestResults
rm -rf "$results"
set +e
dotnet test Platform.sln --logger trx --results-directory "$results" -warnaserror "$@"
rc=$?
set -e

sum() { cat "$results"/*.trx 2>/dev/null | grep -o "<Counters [^>]*" | grep -o " $1=\"[0-9]*\"" | grep -o "[0-9]*" | awk '{s+=$1} END {print s+0}'; }
trx=$(ls "$results"/*.trx 2>/dev/null | wc -l)
passed=$(sum passed)
failed=$(( $(sum failed) + $(sum error) + $(sum timeout) + $(sum aborted) ))
skipped=$(sum notExecuted)
echo "test result files: $trx"
if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
  # The run failed without a failing test counted (a build error, a crashed test host): count it as a failure.
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$rc"
