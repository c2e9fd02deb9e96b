#!/usr/bin/env bash
# bpfnic-loadgen against the real data path (dp-attach on the lab's server veth):
# accounting, RTT and queuing delay read from replies, CSV/JSON/SVG outputs, IPv4 and
# IPv6, both request formats, several clients and flows, the calibration, bad usage,
# and hostile replies (a mangling user-space echo on another port).
. "$(dirname "$0")/../lib.sh"

export BPFNIC_LAB=${BPFNIC_LAB_PREFIX:-t}lg
LG=$BUILD/bpfnic-loadgen
DP=$BUILD/tests/tools/dp-attach
ECHO=$BUILD/tests/tools/lg-echo
tmp=$(mktemp -d /tmp/bpfnic-lg.XXXXXX)
on_exit "rm -rf '$tmp'"

lab down >/dev/null 2>&1
if ! lab up >"$tmp/lab.log" 2>&1; then
	fail "lab up"; cat "$tmp/lab.log"; exit 1
fi
on_exit "lab down >/dev/null 2>&1"
eval "$(lab env)"
cli() { ip netns exec "$LAB_CLI_NS" "$@"; }

# The data path on the server veth: short requests at zero service time (what
# --calibrate needs), long ones at 20 us.
dp_pid=
start_dp() {
	ip netns exec "$LAB_SRV_NS" "$DP" --iface "$LAB_SRV_IF" --cpus 0,1 --port 7777 \
		--short-us 0 --long-us 20 --stats-json "$tmp/dp.json" >"$tmp/dp.out" 2>&1 &
	dp_pid=$!
	for _ in $(seq 100); do
		grep -q ready "$tmp/dp.out" && return 0
		kill -0 "$dp_pid" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}
if start_dp; then ok "dp-attach ready on $LAB_SRV_IF"; else
	fail "dp-attach ready"; cat "$tmp/dp.out"; exit 1
fi
on_exit "kill $dp_pid 2>/dev/null; wait $dp_pid 2>/dev/null"

# jq over the run's JSON.
jqr() { jq -r "$1" "$2"; }
jqe() { jq -e "$@" >/dev/null; }

# check_accounting NAME JSON: per class and in total, sent = received + lost.
check_accounting() {
	local name=$1 f=$2 bad
	bad=$(jq -r '[.steps[] | (.classes | to_entries[] | .value), . |
		select(.sent != .received + .lost)] | length' "$f")
	check_eq "$name: sent = received + lost, per class and step" 0 "$bad"
}

# ---------------------------------------------------------------------------------
# IPv4, extended format, bimodal, low rate: every request comes back.
# Drains of 5 s: on a machine stalled by other work a reply can take seconds, and
# the drain ends as soon as every request is answered anyway.
cli "$LG" --target "$LAB_SRV_IP4:7777" --rate 2000 --duration 1s --warmup 200ms --drain 5s \
	--mix short=90,long=10 --service long=100us --csv "$tmp/v4.csv" --json "$tmp/v4.json" \
	>"$tmp/v4.out" 2>"$tmp/v4.err"
check_eq "ipv4 ext run exits 0" 0 $?
check_eq "no progress line when stderr is not a terminal" "" "$(cat "$tmp/v4.err")"
check "table on stdout names both classes" grep -q "long qdelay" "$tmp/v4.out"
sent=$(jqr '.steps[0].sent' "$tmp/v4.json")
check "ipv4: requests were sent ($sent)" test "${sent:-0}" -gt 1000
check_eq "ipv4: every request came back (lost)" 0 "$(jqr '.steps[0].lost' "$tmp/v4.json")"
check_eq "ipv4: no invalid reply" 0 "$(jqr '.steps[0].invalid' "$tmp/v4.json")"
check_accounting ipv4 "$tmp/v4.json"
check "ipv4: RTT > 0 for both classes" jqe \
	'.steps[0].classes.short.rtt_us.min > 0 and .steps[0].classes.long.rtt_us.min > 0' "$tmp/v4.json"
check "ipv4: queuing delay read from every reply" jqe \
	'.steps[0].classes | (.short.qdelay_us.count == .short.received and .short.received > 0
	 and .long.qdelay_us.count == .long.received and .long.received > 0
	 and .short.qdelay_us.max > 0)' "$tmp/v4.json"
check "ipv4: the server spun the requested 100 us for long requests" jqe \
	'.steps[0].classes.long.rtt_us.min >= 100 and .config.service_us.long == 100' "$tmp/v4.json"
check "ipv4: receive times are the kernel's stamps" jqe '.steps[0].kernel_rx_timestamps' "$tmp/v4.json"
check "ipv4: the measured window on the wall clock, now" jqe --argjson now "$(date +%s)" \
	'.steps[0] | (.wall_end_ns - .wall_start_ns == 1e9) and .warmup_start_ns < .wall_start_ns
	 and (.wall_end_ns / 1e9 - $now | fabs) < 60' "$tmp/v4.json"
check "ipv4: histograms that hold every measured reply" jqe \
	'.steps[0] | ([.classes.short.rtt_hist.buckets[][1]] | add) == .classes.short.received
	 and ([.send_lag_hist.buckets[][1]] | add) == .sent and .classes.long.qdelay_hist.count == .classes.long.received' \
	"$tmp/v4.json"
# (Whether the step is valid depends on how punctual this machine let the client be.)
check "ipv4: a reason exactly when not valid; nothing dropped by the client" jqe \
	'.steps[0] | .valid == (.reason == "") and .client_rx_drops == 0' "$tmp/v4.json"
check "json: config and environment" jqe \
	'.config.target == "198.18.0.1:7777" and .config.format == "ext" and .config.mix.long == 10
	 and (.environment.kernel | length > 0) and (.environment.cpu_model | length > 0)
	 and (.environment.governor | length > 0) and (.steps | length == 1)' "$tmp/v4.json"
check_eq "csv: header as documented" \
	"step,clients,offered_rps,achieved_rps,class,sent,received,lost,invalid,send_failures,rtt_p50_us,rtt_p90_us,rtt_p99_us,rtt_p999_us,rtt_p9999_us,rtt_max_us,rtt_mean_us,qdelay_p50_us,qdelay_p90_us,qdelay_p99_us,qdelay_p999_us,qdelay_p9999_us,qdelay_max_us,qdelay_mean_us,sendlag_p99_us,client_rx_drops,wall_start_ns,wall_end_ns,valid,reason" \
	"$(head -1 "$tmp/v4.csv")"
check_eq "csv: one row per class, 30 columns each" "short:30 long:30" \
	"$(tail -n +2 "$tmp/v4.csv" | awk -F, '{printf "%s%s:%d", (NR == 1 ? "" : " "), $5, NF}')"
check_eq "csv: sent column matches json" "$(jqr '.steps[0].classes.short.sent' "$tmp/v4.json")" \
	"$(awk -F, '$5 == "short" {print $6}' "$tmp/v4.csv")"

# On a terminal, a progress line goes to stderr (script(1) gives the run a pty).
script -qec "ip netns exec $LAB_CLI_NS $LG --target $LAB_SRV_IP4:7777 --rate 1000 --duration 300ms \
	--warmup 0 --drain 300ms >/dev/null" "$tmp/tty.log" >/dev/null 2>&1
check "progress line on stderr when it is a terminal" grep -q "step 1/1 .*sent [0-9]* *received" "$tmp/tty.log"

# ---------------------------------------------------------------------------------
# IPv6, the paper's exact 25-byte request (matched by count after the drain).
cli "$LG" --target "[$LAB_SRV_IP6]:7777" --rate 2000 --duration 1s --warmup 200ms --drain 5s \
	--format paper --arrivals constant --json "$tmp/v6.json" >"$tmp/v6.out" 2>&1
check_eq "ipv6 paper run exits 0" 0 $?
check "ipv6 paper: 25-byte requests" jqe '.config.request_bytes == 25' "$tmp/v6.json"
check "ipv6 paper: every request came back, none invalid" jqe \
	'.steps[0].sent > 1000 and .steps[0].lost == 0 and .steps[0].invalid == 0' "$tmp/v6.json"
check "ipv6 paper: RTT and queuing delay measured" jqe \
	'.steps[0].classes.short | (.rtt_us.min > 0 and .qdelay_us.count == .received)' "$tmp/v6.json"
check_accounting "ipv6 paper" "$tmp/v6.json"

# ---------------------------------------------------------------------------------
# A sweep with several clients, flows and pinning, plotted.
cli "$LG" --target "$LAB_SRV_IP4:7777" --sweep 1000:3000:2000 --threads 2 --cpus 0,1 --flows 4 \
	--duration 500ms --warmup 100ms --drain 5s --mix short=50,long=50 \
	--csv "$tmp/sw.csv" --json "$tmp/sw.json" --plot "$tmp/sw.svg" >"$tmp/sw.out" 2>&1
check_eq "sweep exits 0" 0 $?
check_eq "sweep: two steps, two clients each" "1000:2 3000:2" \
	"$(jq -r '[.steps[] | "\(.offered_rps|floor):\(.clients)"] | join(" ")' "$tmp/sw.json")"
check_eq "sweep: csv rows = steps x classes" 4 "$(tail -n +2 "$tmp/sw.csv" | wc -l)"
check_accounting sweep "$tmp/sw.json"
check "sweep: nothing lost" jqe '[.steps[].lost] | add == 0' "$tmp/sw.json"
check "plot: an SVG was drawn" grep -q "<svg" "$tmp/sw.svg"

cli "$LG" --target "$LAB_SRV_IP4:7777" --clients 1:2 --rate 1000 --duration 500ms --warmup 100ms \
	--drain 1s --json "$tmp/cl.json" >"$tmp/cl.out" 2>&1
check_eq "clients steps exit 0" 0 $?
check_eq "clients: client count and offered rate step together" "1:1000 2:2000" \
	"$(jq -r '[.steps[] | "\(.clients):\(.offered_rps|floor)"] | join(" ")' "$tmp/cl.json")"

# ---------------------------------------------------------------------------------
# Calibration against the data path at zero service time.
cli "$LG" --target "$LAB_SRV_IP4:7777" --calibrate --duration 300ms --warmup 100ms --drain 300ms \
	--json "$tmp/cal.json" >"$tmp/cal.out" 2>&1
check_eq "calibrate exits 0" 0 $?
check "calibrate: reports the timing floor and the ceiling" \
	grep -q "timing floor at 1000 rps" "$tmp/cal.out"
# (Which rates are valid depends on how noisy the machine is: only the shape is tested.)
check "calibrate: a ceiling per thread and a timing floor from real replies" jqe \
	'(.calibration.max_valid_rps_per_thread | type == "number")
	 and .calibration.timing_floor.rtt_us.min > 0
	 and .calibration.timing_floor.qdelay_us.count > 0' "$tmp/cal.json"
check "calibrate: measures the CPU's own stalls and the on-schedule rate" jqe \
	'.calibration.cpu_stalls.seconds > 0.5 and .calibration.max_on_schedule_rps_per_thread >=
	 .calibration.max_valid_rps_per_thread' "$tmp/cal.json"
grep -E 'stalled|floor|ceiling|on schedule' "$tmp/cal.out" | sed 's/^ */# /'

# The data path's own count agrees: it served at least what the loadgen measured.
kill -INT "$dp_pid"; wait "$dp_pid" 2>/dev/null
served=$(jq '.processed | add' "$tmp/dp.json" 2>/dev/null)
check "data path served requests ($served)" test "${served:-0}" -gt 10000

# ---------------------------------------------------------------------------------
# Hostile replies: every 5th reply mangled by a user-space echo (truncated, foreign
# magic, unknown class, unstamped, duplicate). Port 7778: the data path is gone anyway.
ip netns exec "$LAB_SRV_NS" "$ECHO" --port 7778 --mangle 5 --timeout 60 >"$tmp/echo.out" 2>&1 &
echo_pid=$!
on_exit "kill $echo_pid 2>/dev/null"
for _ in $(seq 50); do grep -q ready "$tmp/echo.out" && break; sleep 0.1; done
for fmt in ext paper; do
	cli "$LG" --target "$LAB_SRV_IP4:7778" --rate 1000 --duration 1s --warmup 100ms --drain 1s \
		--format $fmt --json "$tmp/m-$fmt.json" >"$tmp/m-$fmt.out" 2>&1
	check_eq "mangled $fmt: exits 0" 0 $?
	check "mangled $fmt: broken replies counted invalid, never measured" jqe \
		'.steps[0] | (.invalid > 100 and .lost > 100
		 and .classes.short.rtt_us.count == .classes.short.received)' "$tmp/m-$fmt.json"
	check_accounting "mangled $fmt" "$tmp/m-$fmt.json"
done
check "mangled ext: duplicates are caught by sequence number" jqe \
	'.steps[0].invalid > (.steps[0].lost * 0.9)' "$tmp/m-ext.json"
kill "$echo_pid" 2>/dev/null

# ---------------------------------------------------------------------------------
# Usage: every bad flag or value is one line naming it, exit 2.
bad_cases=(
	"--rate|--target 198.18.0.1:7777 --rate fast"
	"--target|--target 198.18.0.1"
	"--target|--rate 5"
	"--sweep|--target 198.18.0.1:7777 --sweep 5:1:1"
	"--clients|--target 198.18.0.1:7777 --clients 0:1"
	"--duration|--target 198.18.0.1:7777 --duration 1h"
	"--arrivals|--target 198.18.0.1:7777 --arrivals bursty"
	"--mix|--target 198.18.0.1:7777 --mix short=0,long=0"
	"--class|--target 198.18.0.1:7777 --class medium"
	"--format|--target 198.18.0.1:7777 --format json"
	"--threads|--target 198.18.0.1:7777 --threads 0"
	"--cpus|--target 198.18.0.1:7777 --cpus 9999"
	"--flows|--target 198.18.0.1:7777 --flows 0"
	"--seed|--target 198.18.0.1:7777 --seed x"
	"--nope|--target 198.18.0.1:7777 --nope"
	"--drain|--target 198.18.0.1:7777 --drain"
	"--csv|--target 198.18.0.1:7777 --csv /nonexistent/dir/x.csv"
)
for c in "${bad_cases[@]}"; do
	flag=${c%%|*} args=${c#*|}
	# shellcheck disable=SC2086
	"$LG" $args >"$tmp/bad.out" 2>"$tmp/bad.err"
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/bad.err")" -eq 1 ] && grep -q -- "$flag" "$tmp/bad.err" &&
		[ ! -s "$tmp/bad.out" ]; then
		ok "usage: $args -> exit 2 naming $flag"
	else
		fail "usage: $args -> rc $rc, stderr: $(cat "$tmp/bad.err")"
	fi
done
"$LG" --help >"$tmp/help.out"
check_eq "--help exits 0" 0 $?
check "--help documents --calibrate and the CSV columns" \
	grep -q -e "--calibrate" -e "sendlag_p99_us" "$tmp/help.out"
check "--help says what makes a step NOT VALID, and how runs merge" \
	bash -c "grep -q 'more than 25 %\|above 25 %' '$tmp/help.out' && grep -q 'SO_RXQ_OVFL' '$tmp/help.out' &&
		grep -q '^MERGE' '$tmp/help.out'"
