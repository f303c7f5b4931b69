#!/usr/bin/env bash
# Mutation testing (Stryker.NET, the local tool dotnet-stryker) over the rule-bearing code. Not part of CI: a full
# pass takes hours on two cores. Each target has its config in tools/mutation/<target>.json (the project mutated,
# the test project that must kill the mutants, and which files are mutated); the reports land in
# StrykerOutput/<target>/ (json + html), and the scores and surviving mutants are copied by hand into
# docs/quality/mutation.md.
#
#   bash tools/mutation.sh                      every target, smallest first
#   bash tools/mutation.sh audit-domain grpc    the named targets
#   STRYKER_ARGS="--since:main" bash tools/mutation.sh consent-domain
#                                               only files changed since main (any Stryker option passes through)
#   MUTATION_CONCURRENCY=2 bash tools/mutation.sh tenancy
#                                               test sessions at once (default: the config's, 1; a shared
#                                               two-core machine has no room for more than 2)
#   MUTATE='**/Capacity.cs **/Reviews.cs' bash tools/mutation.sh consent-domain
#                                               only these files of the target (in place of the config's globs)
#   MUTATION_COVERAGE=all bash tools/mutation.sh messaging
#                                               Stryker's coverage analysis in place of the config's (perTest
#                                               misattributes code that runs on a background thread, e.g. a
#                                               hosted service's loop: its mutants run against the wrong tests)
#   MUTATE_FROM=StrykerOutput/audit-domain/reports/mutation-report.json bash tools/mutation.sh audit-domain
#                                               only the mutants that report left undetected (survived or no
#                                               coverage), by their text spans: the re-run after new tests;
#                                               tools/mutation/combine.py folds it into the full run's report
#
# A target's previous report is kept in StrykerOutput/<target>.previous/ when it runs again.
#
# Targets: consent-domain, audit-domain, procurement-domain, grpc-roles, messaging, tenancy.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null
# The interop tests (Platform.Grpc.Tests against grpc-js, the audit log's JavaScript verifier) need the npm peers, as
# in tools/test.sh; without them they fail in Stryker's initial run and every mutant only they would kill survives.
if [ -f tests/interop/package.json ] && [ ! -d tests/interop/node_modules ]; then
  npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error
fi

# target -> the test project whose tests must kill the mutants
declare -A tests=(
  [grpc-roles]=tests/Platform.Grpc.Tests
  [audit-domain]=tests/Audit.Domain.Tests
  [procurement-domain]=tests/Procurement.Domain.Tests
  [consent-domain]=tests/Consent.Domain.Tests
  [tenancy]=tests/Platform.Persistence.Tests
  [messaging]=tests/Platform.Messaging.Tests
)
all=(grpc-roles audit-domain procurement-domain consent-domain tenancy messaging)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

status=0
for target in "${targets[@]}"; do
  config="tools/mutation/$target.json"
  [ -f "$config" ] || { echo "no such target: $target (see tools/mutation/)" >&2; exit 2; }
  config="$PWD/$config"
  if [ -n "${MUTATION_COVERAGE:-}" ]; then
    own="$(mktemp --suffix=.json)"
    python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); c["stryker-config"]["coverage-analysis"] = sys.argv[2]; json.dump(c, open(sys.argv[3], "w"))' \
      "$config" "$MUTATION_COVERAGE" "$own"
    config="$own"
  fi
  out="$PWD/StrykerOutput/$target"
  mutate=()
  if [ -n "${MUTATE_FROM:-}" ]; then
    while IFS= read -r pattern; do mutate+=(--mutate "$pattern"); done < <(python3 tools/mutation/survivors.py "$MUTATE_FROM")
    [ ${#mutate[@]} -gt 0 ] || { echo "$MUTATE_FROM: no undetected mutants to re-run" >&2; continue; }
  fi
  set -f
  for pattern in ${MUTATE:-}; do mutate+=(--mutate "$pattern"); done
  set +f
  if [ -d "$out" ]; then rm -rf "$out.previous"; mv "$out" "$out.previous"; fi
  echo "== $target ($(date -u +%H:%M:%S))"
  concurrency=()
  [ -z "${MUTATION_CONCURRENCY:-}" ] || concurrency=(--concurrency "$MUTATION_CONCURRENCY")
  # shellcheck disable=SC2086
  if ! (cd "${tests[$target]}" && dotnet stryker --config-file "$config" --output "$out" --skip-version-check "${concurrency[@]}" "${mutate[@]}" ${STRYKER_ARGS:-}); then
    status=1
  fi
  report=$(find "$out" -name mutation-report.json | head -n1)
  [ -n "$report" ] && python3 tools/mutation/summary.py "$target" "$report"
done
exit "$status"
