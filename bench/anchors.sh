#!/usr/bin/env bash
# npm run bench:anchors -- [-n ROUNDS] [-O PORT_OFFSET] [-x "run_cps.sh options"] [TARGET...]
#
# effect-sip side by side with Kamailio and the npm `sip` package, from one run: a thin wrapper over
# ../shared/anchors/run_anchors.sh (ANCHORS_DIR to point elsewhere; its README says what it measures).
# Our target is `node dist/main.js` as shipped: default flags, only --host 127.0.0.1, --port and --rtp-ports
# set; BENCH_SERVER_FLAGS adds flags, and the table names them. Each round runs every target once, fresh, in
# an order rotated per round (so all meet the same background load); the table gives medians over rounds.
#
#   TARGETS: custom (ours) kamailio node-sip (default), also sipp-uas-1m (the harness ceiling), kamailio-min
#   -n 3          rounds
#   -O 0          added to every anchor port (5070…5100; SIPp's UAC on port+1000)
#   -x "-r 800 -s 3 -b 2"   options for run_cps.sh, split on spaces (so a one-rate ladder here; its default
#                           ladder is 100 … 12800 calls/s with 3 bisection steps)
#   BENCH_RTP_PORTS=30000-39999  our RTP ports
# Kamailio is Debian's `kamailio` (apt-get install -y kamailio); a target whose program is missing is skipped.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
anchors=${ANCHORS_DIR:-}
for d in "$root/../shared/anchors" "$root/../../shared/anchors"; do
  [ -z "$anchors" ] && [ -f "$d/run_anchors.sh" ] && anchors=$(cd "$d" && pwd)
done
[ -n "$anchors" ] || { echo "bench:anchors: ../shared/anchors not found (set ANCHORS_DIR)" >&2; exit 1; }
rounds=3; offset=0; extra=""
while getopts "n:O:x:h" o; do
  case $o in n) rounds=$OPTARG;; O) offset=$OPTARG;; x) extra=$OPTARG;; *) sed -n '2,/^set -u/p' "$0" | sed '$d'; exit 0;; esac
done
shift $((OPTIND - 1))
wanted=${*:-custom kamailio node-sip}
targets=""
for t in $wanted; do
  case $t in
    kamailio|kamailio-min) command -v kamailio >/dev/null 2>&1 || { echo "skipped $t: kamailio not installed (apt-get install -y kamailio)"; continue; } ;;
    sipp-uas*) command -v sipp >/dev/null 2>&1 || { echo "skipped $t: sipp not installed"; continue; } ;;
  esac
  targets="$targets $t"
done
node_bin=$root/node_modules/.bin/node
[ -x "$node_bin" ] || node_bin=$(command -v node)
[ -f "$root/dist/main.js" ] || (cd "$root" && npm run build --silent) || exit 1
flags=${BENCH_SERVER_FLAGS:-}
export TARGET_PORT=5100 # run_anchors.sh adds the offset to it, as to every anchor's port
# --max-semi-space-size=16 is what the default --gc atomic restarts node with (execve): given up front, the
# server starts once, within the harness's 10 s start-up bound on a loaded machine.
export TARGET_CMD="$node_bin --max-semi-space-size=16 $root/dist/main.js --host 127.0.0.1 --port $((TARGET_PORT + offset)) --rtp-ports ${BENCH_RTP_PORTS:-30000-39999} $flags"
export NODE_PATH=$root/node_modules${NODE_PATH:+:$NODE_PATH} # npm `sip`, a devDependency, for node-sip
out=$root/bench/results/anchors-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"

read -r -a order <<<"$targets"
for k in $(seq 1 "$rounds"); do
  echo "== round $k: ${order[*]}"
  bash "$anchors/run_anchors.sh" -n 1 -O "$offset" -x "$extra" -o "$out/r$k" "${order[@]}" | grep -v '^|' | grep -v '^# out'
  order=("${order[@]:1}" "${order[0]}") # rotate
done

label() { case $1 in custom) echo "effect-sip: node dist/main.js, ${flags:+flags $flags}${flags:-default flags}";; kamailio) echo "Kamailio (2 workers)";;
  node-sip) echo "npm sip minimal UAS";; sipp-uas-1m) echo "SIPp UAS, 1 MiB buffer (ceiling)";; *) echo "$1";; esac; }
median() { grep -v '^NA$' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "NA"; exit } if (NR % 2) print v[(NR + 1) / 2]; else printf "%g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
cat "$out"/r*/anchors.csv 2>/dev/null | grep -v '^anchor,' >"$out/all.csv"
{
  echo "| target | max clean calls/s, median (runs) | p50 INVITE->200 ms | p99 INVITE->200 ms | target CPU % at max |"
  echo "|---|---|---|---|---|"
  for t in $targets; do
    rows=$(awk -F, -v a="$t" '$1 == a' "$out/all.csv")
    [ -n "$rows" ] || { echo "| $(label "$t") | no run (see $out) | | | |"; continue; }
    col() { echo "$rows" | cut -d, -f"$1" | median; }
    echo "| $(label "$t") | $(col 3) ($(echo "$rows" | cut -d, -f3 | paste -sd' ' -)) | $(col 4) | $(col 5) | $(col 6) |"
  done
} | tee "$out/table.md"
echo "rounds: $rounds, run_cps.sh options: ${extra:-(defaults)}; results: $out"
