#!/usr/bin/env bash
# CPU per call of `node dist/main.js` as shipped (npm run bench:cpu): a figure that a shared, noisy machine
# does not distort the way it distorts calls/s. The server runs with its default flags (only --host, --port,
# --rtp-ports are set, to stay on 127.0.0.1 and free ports) under --cpu-prof, SIPp offers BENCH_CALLS basic
# calls (sipp/stress_test.xml) at BENCH_RATE calls/s, then the server stops on SIGINT and writes its profile.
# Prints, per call: the process's CPU (utime+stime from /proc over the load, every thread: GC helpers too) and
# the main thread's busy time from the profile, split by where it goes (bench/cpu-profile.cjs).
#
#   BENCH_RATE=400 BENCH_CALLS=6000       # 15 s of load, below saturation: calls answered 503 by the
#                                         # overload control would cost CPU without counting as calls
#   BENCH_SERVER_FLAGS="--log-level warn" # any non-default flag: named in the output
#   BENCH_OUT=DIR                         # keep the profile there (default bench/results/cpu-<time>)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rate=${BENCH_RATE:-400}
calls=${BENCH_CALLS:-6000}
flags=${BENCH_SERVER_FLAGS:-}
out=${BENCH_OUT:-$root/bench/results/cpu-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
node_bin=$root/node_modules/.bin/node
[ -x "$node_bin" ] || node_bin=$(command -v node)
command -v sipp >/dev/null 2>&1 || { echo "bench:cpu: sipp not installed (apt-get install sip-tester)" >&2; exit 1; }
read -r sport lport <<<"$("$node_bin" "$root/sipp/free-ports.cjs" 2 4)"

(cd "$root" && exec "$node_bin" --cpu-prof --cpu-prof-dir="$out" dist/main.js --host 127.0.0.1 --port "$sport" \
  --rtp-ports "${BENCH_RTP_PORTS:-30000-39999}" $flags) >"$out/server.log" 2>&1 &
pid=$!
trap 'kill -KILL "$pid" 2>/dev/null' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$out/server.log" && break; sleep 0.1; done
grep -q "listening on" "$out/server.log" || { echo "bench:cpu: server not ready"; cat "$out/server.log"; exit 1; }

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0; }
c0=$(cpu_ticks)
(cd "$out" && timeout -k 5 $((calls / rate + 40)) sipp "127.0.0.1:$sport" -sf "$root/sipp/stress_test.xml" \
  -i 127.0.0.1 -p "$lport" -nostdin -r "$rate" -m "$calls" -d 0 -l $((rate * 4)) -max_recv_loops 10000 \
  -timeout $((calls / rate + 30))s -trace_stat -stf stat.csv -fd 1 >sipp.out 2>&1)
sleep 1 # the last BYEs
c1=$(cpu_ticks)
rss_kb=$(ps -o rss= -p "$pid" | tr -d ' ')
kill -INT "$pid"; wait "$pid" 2>/dev/null; trap - EXIT

ok=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "SuccessfulCall(C)") c = i } END { print $c + 0 }' "$out/stat.csv")
failed=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "FailedCall(C)") c = i } END { print $c + 0 }' "$out/stat.csv")
log_lines=$(wc -l <"$out/server.log")
echo "server: node dist/main.js ${flags:-(default flags)}; $ok calls ok, $failed failed at $rate calls/s; stdout $log_lines lines; RSS $((rss_kb / 1024)) MB"
cpu=$(awk -v d=$((c1 - c0)) -v t="$(getconf CLK_TCK)" -v n="$ok" 'BEGIN { printf "%.3f", (n > 0 ? 1000 * d / t / n : 0) }')
[ "$failed" = 0 ] || echo "WARNING: $failed calls failed (503 from overload control?): the figure is not clean; lower BENCH_RATE"
echo "process_cpu_ms_per_call=$cpu"
"$node_bin" "$root/bench/cpu-profile.cjs" "$out" "$ok" "$cpu" "${BENCH_TOP:-14}"
echo "results: $out"
