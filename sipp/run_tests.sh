#!/usr/bin/env bash
# The SIPp suite: every scenario of sipp/*.xml against a fresh `node dist/main.js` in the right mode.
#
#   bash sipp/run_tests.sh                 # against the real server (builds dist/ when stale)
#   SIPP_TARGET=mock bash sipp/run_tests.sh   # against the SIPp UAS mocks in sipp/mock/ (reference flows)
#   SIPP_ONLY="basic_call hold_resume" bash sipp/run_tests.sh   # a subset
#
# Per scenario: free ports from the OS, server started and awaited ("listening on", bounded), sipp run with
# bounded -m / -timeout / -timeout_error, the server stopped (SIGTERM, then SIGKILL after a bound).
# A scenario passes when sipp exits 0, successful calls == -m, and its extra check (if any) holds.
# Everything lands in sipp/results/ (stat CSV, error/message logs, final screens, server logs, summary.txt).
# Last line: "sipp: N passed, N failed"; exit status 1 when anything failed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
results=$here/results
target=${SIPP_TARGET:-server}
only=${SIPP_ONLY:-}
ready_bound=${SIPP_READY_SECONDS:-20}

node_bin=$root/node_modules/.bin/node
[ -x "$node_bin" ] || node_bin=$(command -v node)

if ! command -v sipp >/dev/null 2>&1; then
  echo "sipp: not installed (apt-get install sip-tester)" >&2
  echo "sipp: 0 passed, 1 failed"
  exit 1
fi

mkdir -p "$results"
rm -f "$results"/*

# name | transport | server flags | sipp flags (must include -m) | wall-clock bound (s) | extra check
scenarios=(
  "basic_call|udp|--mode answer --media echo|-m 1|20|"
  "call_rejection|udp|--mode reject --reject-code 486|-m 3 -r 5|15|"
  "call_cancel|udp|--mode ring-then-answer --answer-delay 10000|-m 2 -r 2|15|"
  "options_ping|udp|--mode answer|-m 3 -r 5|15|"
  "hold_resume|udp|--mode answer --media echo|-m 1|20|"
  "early_media|udp|--mode early-media --answer-delay 1000 --media tone|-m 1|15|"
  "multiple_codecs|udp|--mode answer|-m 1|15|"
  "forking_test|udp|--mode ring-then-answer --answer-delay 1000|-m 1|15|"
  "stress_test|udp|--mode answer --media silence|-m 200 -r 50 -l 100 -d 200|25|"
  "stress_test_tcp|udp,tcp|--mode answer --media silence|-t t1 -m 20 -r 10 -d 100|20|"
  "timeout_test|udp|--mode answer|-m 1|20|retrans_200"
)

# N free ports (UDP and TCP both free on 127.0.0.1), asked of the OS, each with the three above it free too
# (SIPp binds -mp and -mp+1..3 for audio and video RTP/RTCP).
free_ports() { "$node_bin" "$root/sipp/free-ports.cjs" "$1" 4; }

build_if_stale() {
  if [ ! -f "$root/dist/main.js" ] || [ -n "$(find "$root/src" -name '*.ts' -newer "$root/dist/main.js" -print -quit)" ]; then
    echo "sipp: building (dist/main.js missing or older than src/)"
    (cd "$root" && npm run build --silent) || return 1
  fi
}

target_pid=""
stop_target() {
  [ -n "$target_pid" ] || return 0
  if kill -0 "$target_pid" 2>/dev/null; then
    kill -TERM "$target_pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$target_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$target_pid" 2>/dev/null && { echo "  (SIGKILL after 5 s)"; kill -KILL "$target_pid" 2>/dev/null; }
  fi
  wait "$target_pid" 2>/dev/null
  target_pid=""
}
trap 'stop_target' EXIT
trap 'stop_target; exit 130' INT TERM

# start_target NAME TRANSPORT FLAGS PORT MEDIA_PORT RTP_RANGE -> sets target_pid; 0 when ready
start_target() {
  local name=$1 transport=$2 flags=$3 port=$4 mport=$5 rtp=$6 log=$results/$1.target.log
  if [ "$target" = mock ]; then
    local t=u1; [ "$transport" = "udp,tcp" ] && t=t1
    local mock=$here/mock/${name%_tcp}_uas.xml
    sipp -sf "$mock" -t "$t" -i 127.0.0.1 -p "$port" -mi 127.0.0.1 -mp "$mport" -nostdin \
      -trace_err -error_file "$results/$name.mock-errors.log" >"$log" 2>&1 &
    target_pid=$!
    local proto=u; [ "$t" = t1 ] && proto=t
    for _ in $(seq 1 $((ready_bound * 10))); do
      kill -0 "$target_pid" 2>/dev/null || return 1
      ss -Hln"$proto" "sport = :$port" 2>/dev/null | grep -q . && return 0
      sleep 0.1
    done
    return 1
  fi
  # shellcheck disable=SC2086 # flags are a word list on purpose
  (cd "$root" && exec "$node_bin" dist/main.js --host 127.0.0.1 --port "$port" --transport "$transport" \
    --rtp-ports "$rtp" $flags) >"$log" 2>&1 &
  target_pid=$!
  for _ in $(seq 1 $((ready_bound * 10))); do
    kill -0 "$target_pid" 2>/dev/null || return 1
    grep -q "listening on" "$log" && return 0
    sleep 0.1
  done
  return 1
}

# Extra checks beyond "all calls succeeded".
check_retrans_200() { # the server retransmitted its 2xx while the ACK was withheld (RFC 3261 §13.3.1.4)
  local n
  n=$(grep -m1 -E '^ +200 <-+ +E-RTD1' "$results/$1.screen.log" | awk '{print $5}')
  [ "${n:-0}" -ge 1 ] 2>/dev/null || { echo "  no retransmitted 200 seen (Retrans column: ${n:-none})"; return 1; }
}

stat_field() { # stat_field FILE COLUMN -> value of COLUMN on the last line of a sipp -trace_stat CSV
  [ -s "$1" ] || { echo 0; return; }
  awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i } END { print (c ? $c : 0) }' "$1"
}

if [ "$target" != mock ] && ! build_if_stale; then
  echo "sipp: build failed" >&2
  echo "sipp: 0 passed, ${#scenarios[@]} failed"
  exit 1
fi

passed=0 failed=0 index=0
rows=()
for entry in "${scenarios[@]}"; do
  IFS='|' read -r name transport flags sipp_flags bound check <<<"$entry"
  index=$((index + 1))
  if [ -n "$only" ] && [[ " $only " != *" $name "* ]]; then continue; fi
  xml=${name%_tcp}.xml
  calls=$(sed -nE 's/.*-m ([0-9]+).*/\1/p' <<<"$sipp_flags")
  read -r sport lport mport tmport <<<"$(free_ports 4)"
  rtp="$((20000 + index * 200))-$((20000 + index * 200 + 199))"
  echo "sipp: $name ($xml, $target on 127.0.0.1:$sport/$transport, $flags)"
  start=$(date +%s.%N)
  result=FAIL ok=0 succ=0 fail=0 rc=-
  if start_target "$name" "$transport" "$flags" "$sport" "$tmport" "$rtp"; then
    # shellcheck disable=SC2086
    timeout -k 5 $((bound + 10)) sipp "127.0.0.1:$sport" -sf "$here/$xml" -i 127.0.0.1 -p "$lport" \
      -mi 127.0.0.1 -mp "$mport" -nostdin $sipp_flags -timeout "${bound}s" -timeout_error \
      -trace_stat -stf "$results/$name.stat.csv" -fd 1 \
      -trace_err -error_file "$results/$name.errors.log" \
      -trace_msg -message_file "$results/$name.messages.log" \
      -trace_screen -screen_file "$results/$name.screen.log" >"$results/$name.sipp.out" 2>&1
    rc=$?
    succ=$(stat_field "$results/$name.stat.csv" "SuccessfulCall(C)")
    fail=$(stat_field "$results/$name.stat.csv" "FailedCall(C)")
    if [ "$rc" -eq 0 ] && [ "$succ" = "$calls" ]; then ok=1; fi
    if [ "$ok" = 1 ] && [ -n "$check" ] && ! "check_${check}" "$name"; then ok=0; fi
  else
    if kill -0 "$target_pid" 2>/dev/null; then
      echo "  target not ready within ${ready_bound}s (see results/$name.target.log)"
    else
      echo "  target exited before it was ready (see results/$name.target.log)"
    fi
    tail -5 "$results/$name.target.log" 2>/dev/null | sed 's/^/  | /'
  fi
  stop_target
  duration=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  if [ "$ok" = 1 ]; then result=PASS passed=$((passed + 1)); else failed=$((failed + 1)); fi
  if [ "$ok" != 1 ] && [ -s "$results/$name.errors.log" ]; then
    grep -v '^The following events' "$results/$name.errors.log" | head -3 | cut -c1-300 | sed 's/^/  | /'
  fi
  echo "  $result (sipp exit $rc, $succ/$calls calls ok, $fail failed, ${duration}s)"
  rows+=("$(printf '%-16s %-5s %6s %6s %6s %5s %8s' "$name" "$result" "$calls" "$succ" "$fail" "$rc" "${duration}s")")
done

# --- client side (issue: ClientSessionManager): SIPp is the UAS, `node dist/main.js call` the UAC ---------
# name | call flags | expected exit of the call command | regexp its output must match
client_scenarios=(
  "answer|--duration 2|0|received [1-9][0-9]* packets"
  "busy||1|rejected 486"
  "early_media|--duration 1|0|early media"
  "forking|--duration 1|0|hung up by local"
  "forking_two_200|--duration 2|0|hung up by local"
  "auth|--duration 1 --user alice --password secret|0|hung up by local"
  "bye_407|--duration 1 --user alice --password secret|0|hung up by local"
  "redirect|--duration 1|0|hung up by local"
  "no_answer|--ring-timeout 2|1|timed out \(ring\)"
  "register|register --duration 1 --expires 60 --user alice --password secret|0|^unregistered"
)
for entry in "${client_scenarios[@]}"; do
  [ "$target" = mock ] && break # the client flows need our client; there is no mock of it
  IFS='|' read -r cname cflags cexit cregex <<<"$entry"
  name=client_$cname
  index=$((index + 1))
  if [ -n "$only" ] && [[ " $only " != *" $name "* ]]; then continue; fi
  read -r sport lport mport <<<"$(free_ports 3)"
  rtp="$((20000 + index * 200))-$((20000 + index * 200 + 199))"
  echo "sipp: $name (client/$cname.xml as UAS on 127.0.0.1:$sport, call $cflags)"
  start=$(date +%s.%N)
  ok=0 rc=- crc=-
  sipp -sf "$here/client/$cname.xml" -i 127.0.0.1 -p "$sport" -mi 127.0.0.1 -mp "$mport" -rtp_echo -m 1 -nostdin \
    -timeout 25s -timeout_error -trace_stat -stf "$results/$name.stat.csv" -fd 1 \
    -trace_err -error_file "$results/$name.errors.log" -trace_msg -message_file "$results/$name.messages.log" \
    >"$results/$name.sipp.out" 2>&1 &
  uas=$!
  for _ in $(seq 1 50); do ss -Hlnu "sport = :$sport" 2>/dev/null | grep -q . && break; sleep 0.1; done
  if [[ "$cflags" == register* ]]; then
    command=(register "sip:alice@127.0.0.1" --registrar "127.0.0.1:$sport" --port "$lport")
    cflags=${cflags#register}
  else
    command=(call "sip:service@127.0.0.1:$sport" --port "$lport" --rtp-ports "$rtp")
  fi
  if kill -0 "$uas" 2>/dev/null; then
    # shellcheck disable=SC2086
    (cd "$root" && timeout -k 5 30 "$node_bin" dist/main.js "${command[@]}" $cflags) >"$results/$name.call.log" 2>&1
    crc=$?
  else # SIPp failed at start (its output says why); calling it would only wait for the timeout
    echo "  sipp exited before the call:"
    tail -3 "$results/$name.sipp.out" | sed 's/^/  | /'
    : >"$results/$name.call.log"
  fi
  for _ in $(seq 1 100); do kill -0 "$uas" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$uas" 2>/dev/null && kill -TERM "$uas" 2>/dev/null
  wait "$uas"
  rc=$?
  succ=$(stat_field "$results/$name.stat.csv" "SuccessfulCall(C)")
  fail=$(stat_field "$results/$name.stat.csv" "FailedCall(C)")
  if [ "$rc" -eq 0 ] && [ "$succ" = 1 ] && [ "$crc" = "$cexit" ] && grep -Eqm1 "$cregex" "$results/$name.call.log"; then ok=1; fi
  duration=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  if [ "$ok" = 1 ]; then result=PASS passed=$((passed + 1)); else result=FAIL failed=$((failed + 1)); fi
  if [ "$ok" != 1 ]; then
    echo "  call exited $crc (want $cexit), output must match /$cregex/:"
    tail -6 "$results/$name.call.log" | sed 's/^/  | /'
    [ -s "$results/$name.errors.log" ] && grep -v '^The following events' "$results/$name.errors.log" | head -3 | cut -c1-300 | sed 's/^/  | /'
  fi
  echo "  $result (sipp exit $rc, $succ/1 calls ok, $fail failed, call exit $crc, ${duration}s)"
  rows+=("$(printf '%-16s %-5s %6s %6s %6s %5s %8s' "$name" "$result" 1 "$succ" "$fail" "$rc" "${duration}s")")
done

{
  printf '%-16s %-5s %6s %6s %6s %5s %8s\n' scenario result calls ok failed exit duration
  printf '%s\n' "${rows[@]}"
  echo "target: $target"
} | tee "$results/summary.txt"
echo "sipp: $passed passed, $failed failed" | tee -a "$results/summary.txt"
[ "$failed" -eq 0 ]
