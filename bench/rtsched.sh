#!/usr/bin/env bash
# The worker threads' scheduling class (WorkerScheduling=), side by side in one run on
# one lab, and the RTT floor against the kernel stack's UDP echo.
#
# Server: the real bpfnicd on the lab's server veth, policy rr, the thesis' workload
# (ShortUs=6, LongUs=60). Client: bpfnic-loadgen, one thread pinned to CPU 0, Poisson
# arrivals, 90 % short / 10 % long. Mean service time 0.9 * 6 + 0.1 * 60 = 11.4 us,
# so one worker CPU serves at most ~87,700 req/s.
#
# 1. Class: `other` against the default (fifo:49), alternating by reload within each
#    placement, RT_BENCH_ROUNDS rounds:
#      shared      Cpus=0-1: the load generator shares worker CPU 0 (the 2-CPU lab's
#                  reality);
#      not shared  Cpus=1: the load generator alone on CPU 0.
#    at two loads, RT_BENCH_LOADS (default 30000 and 60000 req/s: 17 % and 34 % of the
#    two workers' capacity when shared, 34 % and 68 % of the one worker's when not).
#    Per class and load: queuing delay and RTT p50 / p99 / p99.9 (us), the median of
#    the rounds, and the ratio other / fifo of the short p99 queuing delay.
# 2. RTT floor: 2,000 req/s, zero service time (ShortUs=0), Cpus=1, the default
#    class: bpfnic-loadgen against bpfnic (port 7777) and sockperf ping-pong
#    --full-rtt against sockperf server in the server namespace (port 7778, passed
#    to the stack by the XDP program), both clients on CPU 0 and the echo server on
#    CPU 1, the worker's CPU; alternating, RT_BENCH_ROUNDS rounds; p50 and p99.
#    The two tools measure from slightly different points: the load generator from
#    the intended send time to the kernel's receive time stamp of the reply,
#    sockperf from its send call to the return of its receive call (which adds the
#    client's wake-up).
#
# Prints figures and the commands that produced them; never passes or fails on time.
set -u
BPFNIC_TOP=${BPFNIC_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$BPFNIC_TOP/build}
LG=$BUILD/bpfnic-loadgen
BPFNICD=$BUILD/bpfnicd
CTL=$BUILD/bpfnicctl
DURATION=${RT_BENCH_DURATION:-3s}
ROUNDS=${RT_BENCH_ROUNDS:-2}
LOADS=${RT_BENCH_LOADS:-30000 60000}
FLOOR_SECONDS=${RT_BENCH_FLOOR_SECONDS:-5}
FLOOR_RATE=2000
ECHO_PORT=7778

for tool in "$LG" "$BPFNICD" "$CTL"; do
	[ -x "$tool" ] || { echo "missing $tool: run make all"; exit 1; }
done
for cmd in sockperf jq; do
	command -v $cmd >/dev/null || { echo "$cmd is not installed (scripts/install-deps)"; exit 1; }
done
[ "$(nproc)" -ge 2 ] || { echo "needs 2 CPUs (the load generator on CPU 0, a worker on CPU 1)"; exit 1; }

. "$BPFNIC_TOP/bench/lib.sh"
dpid= echo_pid=
bench_stop dpid echo_pid
bench_lab rts
stop_daemon() {
	[ -n "$dpid" ] || return 0
	kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	dpid=
}
SOCK=$tmp/control.sock
ctl() { "$CTL" --socket "$SOCK" "$@"; }

write_conf() { # CPUS SCHEDULING SHORT_US
	cat >"$tmp/bpfnicd.conf" <<EOF
[Daemon]
Interface=$LAB_SRV_IF
Cpus=$1
ControlSocket=$SOCK
WorkerScheduling=$2
[Workload]
ShortUs=$3
LongUs=60
[Policy]
Policy=rr
EOF
}
start_daemon() { # CPUS SCHEDULING SHORT_US
	stop_daemon
	write_conf "$@"
	ip netns exec "$LAB_SRV_NS" "$BPFNICD" --config "$tmp/bpfnicd.conf" --log-target stderr \
		>>"$tmp/bpfnicd.log" 2>&1 </dev/null &
	dpid=$!
	for _ in $(seq 100); do ctl status >/dev/null 2>&1 && return 0; sleep 0.1; done
	echo "bpfnicd did not start:"; tail -n 20 "$tmp/bpfnicd.log"; exit 1
}
set_class() { # CPUS SCHEDULING SHORT_US: a reload, then check the threads took it
	write_conf "$@"
	ctl reload >/dev/null || { echo "reload to $2 failed"; tail -n 5 "$tmp/bpfnicd.log"; exit 1; }
	local want=${2%%:*} got
	got=$(ctl --json status | jq -r '[.workers.threads[].class] | unique | join(",")')
	[ "$got" = "$want" ] || { echo "worker threads are '$got', not $want:"; ctl status; exit 1; }
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r)"
echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
echo "real-time limit: sched_rt_runtime_us $(cat /proc/sys/kernel/sched_rt_runtime_us) of sched_rt_period_us $(cat /proc/sys/kernel/sched_rt_period_us)"
echo

# ---- 1. class against class ------------------------------------------------------------
# run_load TAG RATE: one loadgen step; prints "class qd50 qd99 qd999 rtt50 rtt99 rtt999
# valid" per class.
run_load() {
	local tag=$1 rate=$2 cmd
	cmd="$LG --target $LAB_SRV_IP4:7777 --rate $rate --mix short=90,long=10 --cpus 0 --duration $DURATION --warmup 500ms --drain 1s --quiet --json $tmp/$tag.json"
	echo "\$ ip netns exec $LAB_CLI_NS $cmd" >>"$tmp/commands"
	# shellcheck disable=SC2086
	ip netns exec "$LAB_CLI_NS" $cmd >"$tmp/$tag.out" 2>&1 || { cat "$tmp/$tag.out" >&2; return 1; }
	jq -r '.steps[0] as $s | $s.classes | to_entries[] | .key as $c | .value |
		"\($c) \(.qdelay_us.p50) \(.qdelay_us.p99) \(.qdelay_us["p99.9"]) \(.rtt_us.p50) \(.rtt_us.p99) \(.rtt_us["p99.9"]) \(if $s.valid then 1 else 0 end) \(.lost)"' \
		"$tmp/$tag.json"
}

: >"$tmp/results"
for placement in shared notshared; do
	[ $placement = shared ] && cpus=0-1 || cpus=1
	start_daemon "$cpus" other 6
	for ((round = 1; round <= ROUNDS; round++)); do
		for rate in $LOADS; do
			for sched in other fifo:49; do
				set_class "$cpus" "$sched" 6
				run_load "$placement-$rate-${sched%%:*}-$round" "$rate" |
					sed "s/^/$placement $rate ${sched%%:*} $round /" >>"$tmp/results"
			done
		done
	done
done
stop_daemon
echo "commands (one per run; the server's WorkerScheduling= alternates between runs by reload):"
sort -u "$tmp/commands" | sed 's/--json [^ ]*/--json FILE/' | sort -u | sed 's/^/  /'
echo "  server: bpfnicd with Cpus=0-1 (shared) or Cpus=1 (not shared), Policy=rr, ShortUs=6, LongUs=60"
echo

if ! jq -e . "$tmp"/*.json >/dev/null 2>&1 || [ ! -s "$tmp/results" ]; then
	echo "no results"; exit 1
fi
# Median over rounds of each figure; the ratio other/fifo of short qdelay p99.
awk -v rounds="$ROUNDS" '
function median(key, n,   i, j, t, a) {
	for (i = 1; i <= n; i++) a[i] = v[key, i]
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
	k = $1 SUBSEP $2 SUBSEP $3 SUBSEP $5
	n[k]++
	for (f = 6; f <= 11; f++) v[k SUBSEP f, n[k]] = $f
	if (!$12) invalid[k]++
	lost[k] += $13
	keys[k] = 1
}
END {
	split("shared notshared", places, " ")
	names["shared"] = "shared: Cpus=0-1, load generator on worker CPU 0"
	names["notshared"] = "not shared: Cpus=1, load generator alone on CPU 0"
	workers["shared"] = 2; workers["notshared"] = 1
	mean_us = 0.9 * 6 + 0.1 * 60 # the mix and service times of write_conf and run_load
	for (p = 1; p <= 2; p++) {
		pl = places[p]
		printf "%s\n", names[pl]
		printf "  %-7s %-6s %-5s  %8s %8s %8s   %8s %8s %8s  %s\n", "req/s", "class", "sched",
			"qd p50", "qd p99", "qd p99.9", "rtt p50", "rtt p99", "rtt p99.9", "note"
		nrates = 0
		for (kk in keys) { split(kk, parts, SUBSEP); if (parts[1] == pl && !(parts[2] in seen)) { seen[parts[2]] = 1; rates[++nrates] = parts[2] + 0 } }
		for (i = 1; i <= nrates; i++) for (j = i + 1; j <= nrates; j++) if (rates[j] < rates[i]) { t = rates[i]; rates[i] = rates[j]; rates[j] = t }
		for (r = 1; r <= nrates; r++) {
			rate = rates[r]
			split("short long", classes, " ")
			for (c = 1; c <= 2; c++) for (s = 1; s <= 2; s++) {
				sched = s == 1 ? "other" : "fifo"
				k = pl SUBSEP rate SUBSEP sched SUBSEP classes[c]
				if (!(k in n)) continue
				note = ""
				if (invalid[k]) note = note sprintf("%d run(s) NOT VALID ", invalid[k])
				if (lost[k]) note = note sprintf("lost %d", lost[k])
				printf "  %-7s %-6s %-5s  %8.1f %8.1f %8.1f   %8.1f %8.1f %8.1f  %s\n", rate, classes[c], sched,
					median(k SUBSEP 6, n[k]), median(k SUBSEP 7, n[k]), median(k SUBSEP 8, n[k]),
					median(k SUBSEP 9, n[k]), median(k SUBSEP 10, n[k]), median(k SUBSEP 11, n[k]), note
				if (classes[c] == "short") p99[pl, rate, sched] = median(k SUBSEP 7, n[k])
			}
			printf "  %-7s = %.0f %% of the capacity of %d worker CPU(s), %.0f req/s each at %.1f us per request\n",
				rate, 100 * rate * mean_us / 1e6 / workers[pl], workers[pl], 1e6 / mean_us, mean_us
			if (p99[pl, rate, "fifo"] > 0)
				printf "  %-7s short qdelay p99, other / fifo: %.1fx\n", rate, p99[pl, rate, "other"] / p99[pl, rate, "fifo"]
		}
		delete seen
		printf "\n"
	}
	printf "(medians of %d alternating rounds; all times in us)\n", rounds
}' "$tmp/results"
echo

# ---- 2. RTT floor ------------------------------------------------------------------------
start_daemon 1 fifo:49 0
ip netns exec "$LAB_SRV_NS" taskset -c 1 sockperf server -i "$LAB_SRV_IP4" -p $ECHO_PORT \
	>"$tmp/sockperf-server.log" 2>&1 &
echo_pid=$!
sleep 0.5
# A 56-byte payload for both: the load generator's extended request.
lg_cmd="$LG --target $LAB_SRV_IP4:7777 --rate $FLOOR_RATE --class short --cpus 0 --duration ${FLOOR_SECONDS}s --warmup 500ms --quiet"
sp_cmd="sockperf ping-pong -i $LAB_SRV_IP4 -p $ECHO_PORT -m 56 --mps $FLOOR_RATE -t $FLOOR_SECONDS --full-rtt"
: >"$tmp/floor"
for ((round = 1; round <= ROUNDS; round++)); do
	# shellcheck disable=SC2086
	ip netns exec "$LAB_CLI_NS" $lg_cmd --json "$tmp/floor-$round.json" >/dev/null 2>&1 &&
		jq -r '.steps[0].classes.short | "bpfnic \(.rtt_us.p50) \(.rtt_us.p99)"' \
			"$tmp/floor-$round.json" >>"$tmp/floor"
	# shellcheck disable=SC2086
	ip netns exec "$LAB_CLI_NS" taskset -c 0 $sp_cmd >"$tmp/sockperf-$round.out" 2>&1
	awk '/percentile 50.000 =/ { p50 = $NF } /percentile 99.000 =/ { p99 = $NF }
		END { if (p50 != "" && p99 != "") print "stack", p50, p99 }' "$tmp/sockperf-$round.out" >>"$tmp/floor"
done
echo "RTT floor: $FLOOR_RATE req/s, zero service time, bpfnic worker (fifo:49) and echo server on CPU 1"
echo "  \$ ip netns exec $LAB_CLI_NS $lg_cmd"
echo "  \$ ip netns exec $LAB_SRV_NS taskset -c 1 sockperf server -i $LAB_SRV_IP4 -p $ECHO_PORT"
echo "  \$ ip netns exec $LAB_CLI_NS taskset -c 0 $sp_cmd"
awk -v rounds="$ROUNDS" '
{ n[$1]++; p50[$1, n[$1]] = $2; p99[$1, n[$1]] = $3 }
function med(arr, who, k,   i, j, t, a) {
	for (i = 1; i <= k; i++) a[i] = arr[who, i]
	for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
END {
	if (!n["bpfnic"] || !n["stack"]) { print "  no result (see the tools output)"; exit 1 }
	b50 = med(p50, "bpfnic", n["bpfnic"]); b99 = med(p99, "bpfnic", n["bpfnic"])
	s50 = med(p50, "stack", n["stack"]); s99 = med(p99, "stack", n["stack"])
	printf "  %-44s %9s %9s\n", "", "p50 (us)", "p99 (us)"
	printf "  %-44s %9.1f %9.1f\n", "bpfnic (bpfnic-loadgen, port 7777)", b50, b99
	printf "  %-44s %9.1f %9.1f\n", "kernel stack UDP echo (sockperf, port 7778)", s50, s99
	printf "  %-44s %9.2f %9.2f\n", "bpfnic / stack", b50 / s50, b99 / s99
	printf "  (medians of %d alternating rounds)\n", rounds
}' "$tmp/floor"
echo
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
