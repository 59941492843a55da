#!/usr/bin/env bash
# npm run bench:memory: RSS of `node dist/main.js` as shipped (default flags; BENCH_SERVER_FLAGS adds some,
# named in the output) through a load and after it: fresh, at the end of BENCH_CALLS basic calls at
# BENCH_RATE calls/s, then every 10 s for BENCH_IDLE_SECONDS of idleness (transactions expire after 32 s);
# then BENCH_HELD calls held without traffic (< the 60 s media timeout) and RSS over BENCH_HOLD_SECONDS.
#   BENCH_RATE=300 BENCH_CALLS=9000 BENCH_IDLE_SECONDS=120 BENCH_HELD=450 BENCH_HOLD_SECONDS=45
#   BENCH_ROOT=DIR: measure another built checkout (default: this one)
set -uo pipefail
root=${BENCH_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rate=${BENCH_RATE:-300}; calls=${BENCH_CALLS:-9000}; idle=${BENCH_IDLE_SECONDS:-120}
held=${BENCH_HELD:-450}; hold=${BENCH_HOLD_SECONDS:-45}
out=${BENCH_OUT:-$here/bench/results/memory-$(date +%Y%m%d-%H%M%S)}; mkdir -p "$out"
node_bin=$here/node_modules/.bin/node
read -r sport lport <<<"$("$node_bin" "$here/sipp/free-ports.cjs" 2 4)"
"$node_bin" "$root/dist/main.js" --host 127.0.0.1 --port "$sport" --rtp-ports "${BENCH_RTP_PORTS:-30000-39999}" \
  ${BENCH_SERVER_FLAGS:-} >"$out/server.log" 2>&1 &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' EXIT
for _ in $(seq 1 200); do grep -q "listening on" "$out/server.log" && break; sleep 0.1; done
rss() { echo $(($(ps -o rss= -p "$pid") / 1024)); }
sipp_run() { # CALLS RATE HOLD_MS
  (cd "$out" && timeout -k 5 $(($1 / $2 + $3 / 1000 + 60)) sipp "127.0.0.1:$sport" -sf "$here/sipp/stress_test.xml" -i 127.0.0.1 \
    -p "$lport" -nostdin -r "$2" -m "$1" -d "$3" -l $(($1 + 10)) -max_recv_loops 10000 >>sipp.out 2>&1)
}
echo "server: node dist/main.js ${BENCH_SERVER_FLAGS:-(default flags)} ($root)"
sleep 2; echo "fresh: $(rss) MB"
sipp_run "$calls" "$rate" 0
echo "after $calls calls at $rate calls/s: $(rss) MB"
for t in $(seq 10 10 "$idle"); do sleep 10; echo "idle ${t} s: $(rss) MB"; done
sipp_run "$held" 150 $((hold * 1000 + 20000)) &
sleep $((held / 150 + 2)); echo "$held calls held: $(rss) MB"
for t in $(seq 10 10 "$hold"); do sleep 10; echo "held ${t} s: $(rss) MB"; done
echo "results: $out"
