#!/usr/bin/env bash
# CheckUse, old build against new build, side by side in one run (tools/bench/README.md, "Old build against new").
#
# Starts each build's ConsentBench in --hold mode (its own PostgreSQL and 10,000-patient trust, seeded, validated and
# pinned to CPU 0, as every ConsentBench run is), then drives both alternately with the same independent load
# generator: per round and build, one closed loop of h2load (4 processes, one per body the build wrote: two own-consent
# permits, one best-interests permit, one review-overdue deny; IN_FLIGHT streams each, on CPU 1) for DURATION seconds.
# The order alternates each round. For each run it prints checks/s and the service process's CPU per check (from
# /proc/<pid>/stat; a warm CheckUse makes no database round trip), and at the end the new/old ratios as the median of
# paired rounds. The same h2load drives both builds, so the figures compare the services, not their own clients.
#
# usage: tools/bench/compare-builds.sh [OLD_DLL] [NEW_DLL]
#   env: ROUNDS (9), DURATION (10), WARMUP (20 s per build, discarded), IN_FLIGHT (8 per h2load process),
#        PATIENTS (10000), SERVER_CPUS (0), LOAD_CPUS (1),
#        PROFILE=1: both services run with perf maps (and W^X off, so perf can name JIT-compiled frames; that changes
#        the figures, so take ratios from a run without it), and after the rounds each build gets one more run under
#        `perf record -g`, whose report is printed and kept in the work directory.
set -euo pipefail
cd "$(dirname "$0")/../.."

OLD_DLL=${1:-/work/old/tools/bench/ConsentBench/bin/Release/net10.0/ConsentBench.dll}
NEW_DLL=${2:-tools/bench/ConsentBench/bin/Release/net10.0/ConsentBench.dll}
ROUNDS=${ROUNDS:-9}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-20}
IN_FLIGHT=${IN_FLIGHT:-8}
PATIENTS=${PATIENTS:-10000}
SERVER_CPUS=${SERVER_CPUS:-0}
LOAD_CPUS=${LOAD_CPUS:-1}
TICKS=$(getconf CLK_TCK)
PROFILE=${PROFILE:-0}
if [ "$PROFILE" = 1 ]; then
  command -v perf >/dev/null || { echo "PROFILE=1 needs perf" >&2; exit 1; }
  export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
fi

command -v h2load >/dev/null || { echo "h2load is missing: apt-get install -y nghttp2-client" >&2; exit 1; }
for dll in "$OLD_DLL" "$NEW_DLL"; do [ -f "$dll" ] || { echo "no build at $dll (dotnet build -c Release tools/bench/ConsentBench)" >&2; exit 1; }; done

work=$(mktemp -d /tmp/compare-builds.XXXXXX)
declare -A PID ADDRESS BODIES TOKEN
cleanup() {
  for name in old new; do
    if [ -n "${PID[$name]:-}" ] && kill -0 "${PID[$name]}" 2>/dev/null; then kill -TERM "${PID[$name]}" 2>/dev/null || true; fi
  done
  for name in old new; do
    if [ -n "${PID[$name]:-}" ]; then wait "${PID[$name]}" 2>/dev/null || true; fi
  done
}
trap cleanup EXIT

# Starts one build in hold mode and waits until it prints where to send CheckUse.
start() {
  local name=$1 dll=$2 log="$work/$1.log"
  : >"$log"
  # Each build names its own commit (ConsentBench asks git in the working directory otherwise).
  BENCH_COMMIT=$(git -C "$(dirname "$dll")" rev-parse --short HEAD 2>/dev/null || echo unknown) \
    dotnet "$dll" --hold 86400 --patients "$PATIENTS" --server-cpus "$SERVER_CPUS" --load-cpus "$LOAD_CPUS" >"$log" 2>&1 &
  PID[$name]=$!
  local line=""
  for _ in $(seq 1 1800); do
    line=$(grep -m1 '^holding for' "$log" || true)
    [ -n "$line" ] && break
    kill -0 "${PID[$name]}" 2>/dev/null || { echo "$name build exited before holding:" >&2; cat "$log" >&2; exit 1; }
    sleep 1
  done
  [ -n "$line" ] || { echo "$name build did not start within 30 minutes" >&2; exit 1; }
  # holding for N s: http://127.0.0.1:PORT/platform.consent.v1.ConsentService/CheckUse, bodies DIR/h2load-body-N, token FILE
  ADDRESS[$name]=$(sed -E 's/^holding for [0-9]+ s: ([^,]*), bodies .*/\1/' <<<"$line")
  BODIES[$name]=$(sed -E 's/.*, bodies (.*)\/h2load-body-N, token .*/\1/' <<<"$line")
  TOKEN[$name]=$(cat "$(sed -E 's/.*, token (.*)$/\1/' <<<"$line")")
  echo "$name: $dll, pid ${PID[$name]}, $(grep -m1 '^ConsentBench' "$log" | sed -E 's/ +CPUs online.*//'), $(grep -m1 '^seeded' "$log" | cut -d';' -f1)"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One closed loop against a build: prints "checks_per_second cpu_us_per_check".
run() {
  local name=$1 seconds=$2 outs=() i
  local before; before=$(cpu_ticks "${PID[$name]}")
  for i in 0 1 2 3; do
    taskset -c "$LOAD_CPUS" h2load -t 1 -c 1 -m "$IN_FLIGHT" -D "$seconds" -d "${BODIES[$name]}/h2load-body-$i" \
      -H "content-type: application/grpc" -H "te: trailers" -H "authorization: Bearer ${TOKEN[$name]}" "${ADDRESS[$name]}" >"$work/h2load-$i.out" 2>&1 &
    outs+=($!)
  done
  for i in "${outs[@]}"; do wait "$i"; done
  local after; after=$(cpu_ticks "${PID[$name]}")
  local rate=0 done_=0 bad=0
  for i in 0 1 2 3; do
    rate=$(awk -v r="$rate" '/^finished in/ {gsub(",", "", $4); print r + $4}' "$work/h2load-$i.out")
    done_=$(awk -v d="$done_" '/^requests:/ {print d + $8}' "$work/h2load-$i.out")
    bad=$(awk -v b="$bad" '/^requests:/ {print b + $10 + $12} ' "$work/h2load-$i.out")
    bad=$(awk -v b="$bad" '/^status codes:/ {print b + $5 + $7 + $9}' "$work/h2load-$i.out")
  done
  [ "$bad" = 0 ] || { echo "$name: $bad failed, errored or non-2xx requests" >&2; cat "$work"/h2load-*.out >&2; exit 1; }
  awk -v r="$rate" -v t=$((after - before)) -v n="$done_" -v hz="$TICKS" 'BEGIN {printf "%.0f %.1f\n", r, (t / hz) * 1e6 / n}'
}

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "compare-builds $(date -u '+%Y-%m-%d %H:%M') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg); $ROUNDS rounds of ${DURATION} s per build," \
  "h2load 4 processes x ${IN_FLIGHT} streams on CPU(s) $LOAD_CPUS, services on CPU(s) $SERVER_CPUS"
start old "$OLD_DLL"
start new "$NEW_DLL"

# Warm both (tiered JIT, caches), discarded.
run old "$WARMUP" >/dev/null
run new "$WARMUP" >/dev/null

: >"$work/rounds"
for round in $(seq 1 "$ROUNDS"); do
  order="old new"; [ $((round % 2)) = 0 ] && order="new old"
  declare -A R=()
  for name in $order; do
    R[$name]=$(run "$name" "$DURATION")
    printf 'round %2d  %-3s %8s checks/s  %7s us CPU per check\n' "$round" "$name" ${R[$name]}
  done
  echo "${R[old]} ${R[new]}" >>"$work/rounds"
done

echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
for name in old new; do
  col=$([ "$name" = old ] && echo 1 || echo 3)
  printf '%-3s median %8.0f checks/s  %6.1f us CPU per check\n' "$name" \
    "$(awk -v c=$col '{print $c}' "$work/rounds" | median)" "$(awk -v c=$((col + 1)) '{print $c}' "$work/rounds" | median)"
done
throughput=$(awk '{print $3 / $1}' "$work/rounds" | median)
# CPU per check the other way round, so that above 1 means the new build does more checks per CPU-second.
efficiency=$(awk '{print $2 / $4}' "$work/rounds" | median)
echo "new/old throughput      = $(printf '%.3f' "$throughput") median of paired rounds ($(awk '{printf "%.2f ", $3 / $1}' "$work/rounds"))"
echo "new/old CPU efficiency  = $(printf '%.3f' "$efficiency") median of paired rounds (old CPU per check / new; $(awk '{printf "%.2f ", $2 / $4}' "$work/rounds"))"

if [ "$PROFILE" = 1 ]; then
  for name in old new; do
    perf record -q -F 999 -g -p "${PID[$name]}" -o "$work/perf-$name.data" -- sleep "$DURATION" >/dev/null 2>&1 &
    recorder=$!
    result=$(run "$name" "$DURATION")
    wait "$recorder" || true
    echo
    echo "== $name under perf: $result (checks/s, us CPU per check); $work/perf-$name.data"
    echo "-- self time by module"
    perf report -i "$work/perf-$name.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep '%' | head -8
    echo "-- inclusive time of the gRPC layers and the check"
    perf report -i "$work/perf-$name.data" --children --sort symbol --stdio -g none 2>/dev/null | grep '%' |
      grep -E 'Grpc\.AspNetCore|Platform\.Grpc|CallPolicyInterceptor|UseChecker::CheckAsync|ConsentGrpcService::CheckUse|JwtBearer|Authorization|HostingApplication::ProcessRequestAsync|Http2Stream`1.*ProcessRequests' |
      cut -c1-200 | head -25
  done
fi
