#!/usr/bin/env bash
# bench/cpu-ab.sh A_CHECKOUT B_CHECKOUT [ROUNDS]: CPU ms per call (bench/cpu-per-call.sh) of two built checkouts,
# interleaved A B B A A B … so both meet the same background load; prints each run and the medians.
# A checkout of an older commit: git archive COMMIT | tar -x -C DIR, link node_modules, npm run build there
# (bench/cpu-per-call.sh and bench/cpu-profile.cjs are taken from this checkout). Env as bench/cpu-per-call.sh.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
a=$1; b=$2; rounds=${3:-3}
out=${BENCH_OUT:-$here/results/cpu-ab-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
run() { # run CHECKOUT LABEL K
  mkdir -p "$1/bench" && cp "$here/cpu-per-call.sh" "$here/cpu-profile.cjs" "$1/bench/" 2>/dev/null
  BENCH_OUT="$out/$2-$3" bash "$1/bench/cpu-per-call.sh" >"$out/$2-$3.txt" 2>&1
  local v; v=$(sed -n 's/^process_cpu_ms_per_call=//p' "$out/$2-$3.txt"); local f; f=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' "$out/$2-$3.txt" | head -1)
  echo "$2 run $3: ${v:-NA} ms/call (${f:-?} failed)" | tee -a "$out/runs.txt"
  echo "$2 ${v:-NA}" >>"$out/values.txt"
}
for k in $(seq 1 "$rounds"); do
  if [ $((k % 2)) = 1 ]; then run "$a" A "$k"; run "$b" B "$k"; else run "$b" B "$k"; run "$a" A "$k"; fi
done
median() { grep "^$1 " "$out/values.txt" | awk '{ print $2 }' | grep -v NA | sort -n | awk '{ v[NR] = $1 } END { print (NR ? (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) : "NA") }'; }
echo "median CPU ms per call: A ($a) $(median A), B ($b) $(median B); results: $out"
