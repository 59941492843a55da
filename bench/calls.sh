#!/usr/bin/env bash
# SIPp call-rate ramp against `node dist/main.js` as shipped (npm run bench:calls): its default flags, only
# --host 127.0.0.1, --port and --rtp-ports set to stay on loopback and free ports. Any other flag
# (BENCH_SERVER_FLAGS) is named next to the figures.
#
# Steps of basic calls (sipp/stress_test.xml: INVITE -> 200 -> ACK -> BYE, no RTP from SIPp, zero hold
# time) at BENCH_RATES calls/s, each bounded to min(rate*BENCH_SECONDS, BENCH_MAX_CALLS) calls and to a
# wall-clock bound. Per step: failed calls, INVITE->200 response time p50/p99 (sipp -trace_rtt, rtd 1),
# the server's CPU (from /proc utime+stime over the step) and RSS (ps -o rss). The ramp stops at the first
# step with a failure. SIPp's response times come in whole 4 ms ticks here (its coarse clock), so when
# tcpdump is installed (apt-get install -y tcpdump) each step is also captured on lo and the INVITE->200
# latency is read off the wire in microseconds (bench/wire-latency.ts): columns wire_p50/wire_p99. The
# capture costs CPU on the same two cores, so only steps up to BENCH_WIRE_MAX_RATE (default 1000, the
# rate of the issue's latency aim) are captured.
# Last line, for the highest zero-failure step:
#   max_cps=N p50_ms=X p99_ms=Y rss_mb=Z flags="…"   (flags: the non-default ones, "defaults" when none)
# (max_cps is the step's offered rate, or the achieved rate when SIPp reached less than 80 % of it.)
#
#   BENCH_RATES="100 250 500 1000 2000"  BENCH_SECONDS=5  BENCH_MAX_CALLS=10000
#   BENCH_WARMUP_SECONDS=0  # first, that many seconds of calls at the first rate, not measured: a steady-state
#                           # figure for a single rate (JIT warm, and the old generation past its first growth)
#   BENCH_SERVER_FLAGS="--overload-threshold 0"  # more flags for the server (split on spaces)
#   BENCH_TARGET=mock   # against the SIPp UAS mock (sipp/mock/stress_test_uas.xml) instead of the server
#   BENCH_TARGET=sip    # against the npm `sip` package's minimal UAS (bench/sip-reference-uas.cjs): the
#                       # yardstick the issue names, measured on the same machine and harness
# Only 127.0.0.1.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rates=${BENCH_RATES:-100 250 500 1000 2000}
seconds=${BENCH_SECONDS:-5}
max_calls=${BENCH_MAX_CALLS:-10000}
target=${BENCH_TARGET:-server}
out=$root/bench/results/calls-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
node_bin=$root/node_modules/.bin/node
[ -x "$node_bin" ] || node_bin=$(command -v node)
command -v sipp >/dev/null 2>&1 || { echo "bench:calls: sipp not installed (apt-get install sip-tester)" >&2; exit 1; }

read -r sport lport mport <<<"$("$node_bin" "$root/sipp/free-ports.cjs" 3 4)"
gc_log=$out/gc.log # the target's GC pauses (bench/gc-observer.ts), for the gc_* columns
pid=""
tpid=""
cleanup() {
  [ -n "$tpid" ] && kill -INT "$tpid" 2>/dev/null
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  pid=""
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

if [ "$target" = mock ]; then
  sipp -sf "$root/sipp/mock/stress_test_uas.xml" -i 127.0.0.1 -p "$sport" -nostdin -max_recv_loops 10000 \
    >"$out/target.log" 2>&1 &
  pid=$!
  ready() { ss -Hlnu "sport = :$sport" 2>/dev/null | grep -q .; }
elif [ "$target" = sip ]; then
  (cd "$root" && BENCH_GC_LOG="$gc_log" exec "$node_bin" --import ./bench/gc-observer.ts bench/sip-reference-uas.cjs "$sport") \
    >"$out/target.log" 2>&1 &
  pid=$!
  ready() { grep -q "listening on" "$out/target.log"; }
else
  [ -f "$root/dist/main.js" ] || (cd "$root" && npm run build --silent) || exit 1
  (cd "$root" && BENCH_GC_LOG="$gc_log" exec "$node_bin" --import ./bench/gc-observer.ts dist/main.js --host 127.0.0.1 --port "$sport" \
    --rtp-ports 30000-39999 ${BENCH_SERVER_FLAGS:-}) >"$out/target.log" 2>&1 &
  pid=$!
  ready() { grep -q "listening on" "$out/target.log"; }
fi
flags=${BENCH_SERVER_FLAGS:-}; [ "$target" = server ] || flags=""
described="node dist/main.js, default flags${flags:+ except $flags}"
[ "$target" = server ] || described="$target"
echo "target: $described"
for _ in $(seq 1 200); do
  kill -0 "$pid" 2>/dev/null || { echo "bench:calls: target exited"; cat "$out/target.log"; exit 1; }
  ready && break
  sleep 0.1
done
ready || { echo "bench:calls: target not ready after 20 s"; exit 1; }

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0; }
stat_field() { # stat_field FILE COLUMN: the last line's value of a sipp -trace_stat column
  awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i } END { print (c ? $c : 0) }' "$1"
}
gc_figures() { # gc_figures FROM TO: "<longest pause ms> <% of wall time in GC pauses> <major GCs>" between two epoch times
  awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b { t += $2; if ($2 > m) m = $2; if ($3 == "major") n++ }
    END { printf "%.1f %.1f %d\n", m, (b > a ? t / (10 * (b - a)) : 0), n }' "$gc_log" 2>/dev/null || echo "NA NA NA"
}
percentile() { # percentile FILE P: nearest-rank percentile of the response_time_ms column
  tail -n +2 "$1" | cut -d';' -f2 | sort -n | awk -v p="$2" '{ v[NR] = $1 } END {
    if (NR == 0) { print "NA"; exit } i = int((p / 100) * NR + 0.999999); if (i < 1) i = 1; print v[i] }'
}

# load DIR RATE CALLS [sipp args…]: basic calls from SIPp at RATE, in DIR (stat.csv, sipp.out), bounded in time.
load() {
  local dir=$1 rate=$2 calls=$3; shift 3
  local bound=$((calls / rate + 20))
  (cd "$dir" && timeout -k 5 $((bound + 10)) sipp "127.0.0.1:$sport" -sf "$root/sipp/stress_test.xml" \
    -i 127.0.0.1 -p "$lport" -mi 127.0.0.1 -mp "$mport" -nostdin -r "$rate" -m "$calls" -d 0 \
    -l $((rate * 4)) -max_recv_loops 10000 -timeout "${bound}s" -timeout_error -recv_timeout 10000 \
    -trace_stat -stf stat.csv -fd 1 "$@" >sipp.out 2>&1)
}

warmup=${BENCH_WARMUP_SECONDS:-0}
if [ "$warmup" -gt 0 ]; then
  wrate=${rates%% *}; wcalls=$((wrate * warmup)); wdir=$out/warmup; mkdir -p "$wdir"
  load "$wdir" "$wrate" "$wcalls"
  wrc=$?
  echo "warm-up: $wcalls calls at $wrate cps, $(stat_field "$wdir/stat.csv" "SuccessfulCall(C)") ok, $(stat_field "$wdir/stat.csv" "FailedCall(C)") failed (not measured)" | tee "$out/warmup.txt"
  [ "$wrc" -eq 0 ] || { echo "bench:calls: the warm-up failed (sipp exit $wrc); see $wdir"; exit 1; }
  sleep 1
fi

printf '%-6s %7s %7s %6s %8s %7s %7s %9s %9s %6s %7s %7s %5s %6s\n' rate calls ok failed cps_real p50_ms p99_ms wire_p50 wire_p99 cpu% rss_mb gc_max gc% majors | tee "$out/summary.txt"
best=""
best_cps=0
wire_best=""
capture=""; command -v tcpdump >/dev/null 2>&1 && capture=yes
for rate in $rates; do
  calls=$((rate * seconds)); [ "$calls" -gt "$max_calls" ] && calls=$max_calls
  dir=$out/rate-$rate; mkdir -p "$dir"
  tpid=""
  if [ -n "$capture" ] && [ "$rate" -le "${BENCH_WIRE_MAX_RATE:-1000}" ]; then
    tcpdump -i lo -nn -s 700 -B 32768 -w "$dir/wire.pcap" "udp port $sport" >"$dir/tcpdump.log" 2>&1 &
    tpid=$!
    for _ in $(seq 1 50); do grep -q "listening on" "$dir/tcpdump.log" && break; sleep 0.1; done
  fi
  t0=$(date +%s.%N); c0=$(cpu_ticks)
  load "$dir" "$rate" "$calls" -trace_rtt -rtt_freq 1 -trace_err -error_file errors.log -trace_screen -screen_file screen.log
  rc=$?
  t1=$(date +%s.%N); c1=$(cpu_ticks)
  rss_kb=$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' '); rss_kb=${rss_kb:-0}
  wire_p50=NA; wire_p99=NA
  if [ -n "$tpid" ]; then
    sleep 0.3; kill -INT "$tpid" 2>/dev/null; wait "$tpid" 2>/dev/null
    wire=$("$node_bin" "$root/bench/wire-latency.ts" "$dir/wire.pcap" "$sport" 2>/dev/null)
    echo "$wire" >"$dir/wire.txt"; rm -f "$dir/wire.pcap"
    wire_p50=$(sed -n 's/.*p50_ms=\([^ ]*\).*/\1/p' <<<"$wire"); wire_p50=${wire_p50:-NA}
    wire_p99=$(sed -n 's/.*p99_ms=\([^ ]*\).*/\1/p' <<<"$wire"); wire_p99=${wire_p99:-NA}
  fi
  ok=$(stat_field "$dir/stat.csv" "SuccessfulCall(C)")
  failed=$(stat_field "$dir/stat.csv" "FailedCall(C)")
  rtt=$(ls "$dir"/stress_test_*_rtt.csv 2>/dev/null | head -1)
  p50=$( [ -n "$rtt" ] && percentile "$rtt" 50 || echo NA)
  p99=$( [ -n "$rtt" ] && percentile "$rtt" 99 || echo NA)
  elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  real_cps=$(awk -v n="$ok" -v e="$elapsed" 'BEGIN { printf "%.0f", (e > 0 ? n / e : 0) }')
  cpu=$(awk -v d=$((c1 - c0)) -v t="$ticks" -v e="$elapsed" 'BEGIN { printf "%.0f", (e > 0 ? 100 * d / t / e : 0) }')
  rss_mb=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')
  read -r gc_max gc_pct gc_majors <<<"$(gc_figures "$t0" "$t1")"
  printf '%-6s %7s %7s %6s %8s %7s %7s %9s %9s %6s %7s %7s %5s %6s\n' "$rate" "$calls" "$ok" "$failed" "$real_cps" "$p50" "$p99" "$wire_p50" "$wire_p99" "$cpu" "$rss_mb" "$gc_max" "$gc_pct" "$gc_majors" | tee -a "$out/summary.txt"
  if [ "$rc" -ne 0 ] || [ "$ok" != "$calls" ] || [ "$failed" != 0 ]; then
    echo "step $rate cps: failures (sipp exit $rc); stopping the ramp. See $dir" | tee -a "$out/summary.txt"
    grep -v '^The following events' "$dir/errors.log" 2>/dev/null | head -3 | cut -c1-300
    break
  fi
  # the offered rate counts only when SIPp actually sustained it (>= 80 %); otherwise the achieved rate
  sustained=$rate; [ "$real_cps" -lt $((rate * 8 / 10)) ] && sustained=$real_cps
  # a later step that passed but fell behind (SIPp sustained less) does not lower the best one
  if [ "$sustained" -gt "$best_cps" ]; then
    best_cps=$sustained
    best="max_cps=$sustained p50_ms=$p50 p99_ms=$p99 rss_mb=$rss_mb flags=\"${flags:-defaults}\""
  fi
  [ -n "$tpid" ] && wire_best="wire INVITE->200 at $sustained cps: p50_ms=$wire_p50 p99_ms=$wire_p99"
  kill -0 "$pid" 2>/dev/null || { echo "target died"; break; }
  sleep 1 # let the server reap the last dialogs before the next step
done

echo "target: $described, results: $out" | tee -a "$out/summary.txt"
if [ -z "$best" ]; then
  echo "max_cps=0 p50_ms=NA p99_ms=NA rss_mb=NA" | tee -a "$out/summary.txt"
  exit 1
fi
[ -n "$wire_best" ] && echo "$wire_best" | tee -a "$out/summary.txt"
echo "$best" | tee -a "$out/summary.txt"
