#!/usr/bin/env bash
# How many bytes each call promotes to V8's old generation, in steady state (npm run bench:promotion).
#
#   bash bench/promotion.sh [SCENARIO] [MODE] [RATE] [CALLS]   (defaults: stress_test answer 1000 15000)
#
# Runs `node --trace-gc-nvp dist/main.js --mode MODE` under `sipp -sf sipp/SCENARIO.xml -r RATE -m CALLS`
# (bounded by count and time, 127.0.0.1 only) and prints promoted KB per call over the scavenges from the
# 4th second of load on (earlier ones also promote startup objects), with their mean and longest pause.
# Why: the share of calls a young-generation pause delays follows the bytes a call promotes; compare the
# figure with what a call really keeps alive (a heap snapshot mid-load) to find state held too long.
# Extra server flags: BENCH_SERVER_ARGS="--answer-delay 0 …"; extra node flags: BENCH_NODE_FLAGS.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scenario=${1:-stress_test}; mode=${2:-answer}; rate=${3:-1000}; calls=${4:-15000}
node_bin=$root/node_modules/.bin/node; [ -x "$node_bin" ] || node_bin=$(command -v node)
command -v sipp >/dev/null 2>&1 || { echo "bench:promotion: sipp not installed (apt-get install sip-tester)" >&2; exit 1; }
[ -f "$root/dist/main.js" ] || (cd "$root" && npm run build --silent) || exit 1
out=$(mktemp -d)
read -r sport lport mport <<<"$("$node_bin" "$root/sipp/free-ports.cjs" 3 4)"
launched=$(date +%s%N) # --trace-gc-nvp times count from about here
# shellcheck disable=SC2086
(cd "$root" && exec "$node_bin" --trace-gc-nvp ${BENCH_NODE_FLAGS:-} dist/main.js --host 127.0.0.1 --port "$sport" \
  --transport udp --mode "$mode" --media silence --rtp-ports 30000-39999 --max-calls 20000 --log-level warn \
  ${BENCH_SERVER_ARGS:-}) >"$out/server.log" 2>&1 &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$out"' EXIT
for _ in $(seq 1 200); do grep -q "listening on" "$out/server.log" && break; sleep 0.1; done
start=$(date +%s%N)
(cd "$out" && timeout -k 5 $((calls / rate + 40)) sipp "127.0.0.1:$sport" -sf "$root/sipp/$scenario.xml" -i 127.0.0.1 \
  -p "$lport" -mi 127.0.0.1 -mp "$mport" -nostdin -max_recv_loops 10000 -r "$rate" -m "$calls" -d 0 -l $((rate * 4)) \
  -timeout $((calls / rate + 30))s -timeout_error >sipp.out 2>&1)
rc=$?
ended=$(date +%s%N)
failed=$(grep -o 'Failed call *| *[0-9]* *| *[0-9]*' "$out/sipp.out" | tail -1 | awk '{ print $NF }')
# --trace-gc-nvp lines carry "<ms since the isolate started> ms: pause=… gc=s … promoted=<bytes> …"
first=$(( (start - launched) / 1000000 + 3000 )) # the 4th second of load, on the server's clock
last=$(( (ended - launched) / 1000000 ))
grep -E 'gc=(s|mms) ' "$out/server.log" | awk -v rate="$rate" -v first="$first" -v last="$last" -v scenario="$scenario/$mode" '
  { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } t[NR] = $2 + 0; p[NR] = v["promoted"]; q[NR] = v["pause"] }
  END {
    for (i = 1; i <= NR; i++) if (t[i] >= first && t[i] <= last) { if (!t0) { t0 = t[i]; continue } s += p[i]; t1 = t[i]; n++; pause += q[i]; if (q[i] > m) m = q[i] }
    if (n < 2) { print "bench:promotion: too few scavenges in steady state; raise CALLS"; exit 1 }
    printf "%s at %d calls/s: promoted_kb_per_call=%.2f over %d scavenges (%.1f s), pause mean %.1f ms, max %.1f ms\n",
      scenario, rate, s / 1024 / ((t1 - t0) / 1000 * rate), n, (t1 - t0) / 1000, pause / n, m }'
[ "$rc" -eq 0 ] && [ "${failed:-0}" = 0 ] || { echo "bench:promotion: sipp exit $rc, failed calls ${failed:-?}"; exit 1; }
echo "server flags beyond the defaults: --media silence --log-level warn (what one call promotes, without log lines)"
