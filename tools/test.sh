#!/usr/bin/env bash
# The project's test command (README.md). On a fresh machine it installs what the tests need (redis-server,
# PostgreSQL 15 if absent, Chromium, the npm interop peers, the local dotnet tools), runs every test project in Platform.sln,
# and ends with one line of totals read from the TRX results: "N passed, N failed, N skipped".
#
# It cannot hang or shrink silently: a test host stuck for 10 minutes (--blame-hang-timeout) is dumped and killed, and
# a crashed one is reported (--blame-crash), both as failures; a summary lists each test project's results; a test
# project of Platform.sln that produced no results, and a test that never ran, are named and counted as failures; and
# a total below the floor in tests/expected-minimum.txt fails the run. When tests are added, raise the floor to the new
# total (the summary prints it) in the same commit; lower it only with a commit message that says which tests went and why.
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
command -v npm >/dev/null || apt_install nodejs npm
# The GraphQL explorer's browser test drives Debian's Chromium with playwright-core; nothing may download a browser.
[ -x /usr/bin/chromium ] || apt_install chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# The repository's local .NET tools (.config/dotnet-tools.json): dotnet-ef, which generates and scripts migrations.
dotnet tool restore >/dev/null

if [ -f tests/interop/package.json ]; then
  npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error
fi

results=TestResults
rm -rf "$results"
# Tests keep what people should look at (a screenshot, an audit report) under $PLATFORM_TEST_RESULTS/artifacts.
export PLATFORM_TEST_RESULTS="$PWD/$results"
set +e
dotnet test Platform.sln --logger trx --results-directory "$results" \
  --blame-crash --blame-hang-timeout "${TEST_HANG_TIMEOUT:-10m}" --blame-hang-dump-type mini -warnaserror "$@"
rc=$?
set -e

counter() { grep -o "<Counters [^>]*" "$1" | grep -o " $2=\"[0-9]*\"" | grep -o "[0-9]*" | awk '{s+=$1} END {print s+0}'; }
passed=0 failed=0 skipped=0 problems=0
seen=" "
echo
echo "results per test project:"
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  # sed reads the whole file (no `| head`: under pipefail, grep killed by SIGPIPE on a large TRX would end the script).
  project=$(sed -n 's/.*codeBase="\([^"]*\)".*/\1/p' "$trx" | sed -n 1p | xargs -r basename | sed 's/\.dll$//')
  [ -n "$project" ] || project="(no tests) $(basename "$trx")"
  p=$(counter "$trx" passed)
  f=$(( $(counter "$trx" failed) + $(counter "$trx" error) + $(counter "$trx" timeout) + $(counter "$trx" aborted) ))
  s=$(counter "$trx" notExecuted)
  printf '  %-32s %5d passed %3d failed %3d skipped\n' "$project" "$p" "$f" "$s"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  seen="$seen$project "
  # A test that never ran is named, not silently dropped.
  grep -o '<UnitTestResult [^>]*outcome="NotExecuted"[^>]*' "$trx" | grep -o 'testName="[^"]*"' | sed "s/testName=/    not run: /" || true
done

# Every test project in the solution must have produced results (a project whose host crashed before writing, or
# that was dropped from discovery, would otherwise vanish from the totals).
for csproj in $(dotnet sln Platform.sln list | grep -E '^tests/.*\.Tests\.csproj$' | tr '\\' '/'); do
  name=$(basename "$csproj" .csproj)
  case "$seen" in *" $name "*) ;; *) echo "  $name: NO RESULTS (the project did not run)"; problems=$((problems + 1)) ;; esac
done

total=$((passed + failed + skipped))
floor=$(tr -dc '0-9' < tests/expected-minimum.txt)
echo "total $total tests; floor ${floor:-none} (tests/expected-minimum.txt)"
if [ -n "$floor" ] && [ "$total" -lt "$floor" ]; then
  echo "FAIL: $total tests ran, fewer than the floor of $floor: tests were lost (see the projects above)" >&2
  problems=$((problems + 1))
fi
if [ "$skipped" -gt 0 ]; then
  problems=$((problems + 1))
fi
if [ "$problems" -gt 0 ] && [ "$rc" = 0 ]; then rc=1; fi
if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
  # The run failed without a failing test counted (a build error, a crashed or hung test host, a missing project,
  # a total under the floor): count it as a failure.
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$rc"
