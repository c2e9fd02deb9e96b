#!/usr/bin/env bash
# Several RX queues: the lab's veth with two queues on each end, and bpfnic-loadgen
# with a client thread on each CPU, each sending on its own queue (XPS), so that the
# XDP scheduler runs on both CPUs at once, each with its own round-robin cursors.
# Under every policy the totals stay exact (requests = replies + drops by cause, and
# every request the client sent is counted), the scheduler ran on both CPUs, and
# round-robin's spread stays within 10 % per worker CPU.
. "$(dirname "$0")/daemon_env.bash"

export BPFNIC_LAB_QUEUES=2
daemon_setup mq
LG=$BUILD/bpfnic-loadgen
daemon_config
daemon_start
check_eq "status: two RX and two TX queues" "2 2" "$(status_get '"\(.nic.rx_queues) \(.nic.tx_queues)"')"

drops='(.totals.drops | .queue + .no_cpu + .redirect_err + .tx_err + .transmit)'
# snapshot: requests replies drops, rx requests on CPU 0 and 1, processed on CPU 0 and 1.
snapshot() {
	local s t
	s=$(ctl --json status)
	t=$(ctl --json stats)
	echo "$(jq "[.totals.requests, .totals.replies, $drops] | @tsv" -r <<<"$s")" \
		"$(jq -r '[([.rx_cpus[] | select(.cpu == 0) | .requests] | add // 0),
			  ([.rx_cpus[] | select(.cpu == 1) | .requests] | add // 0),
			  (.cpus[] | select(.cpu == 0) | .processed),
			  (.cpus[] | select(.cpu == 1) | .processed)] | @tsv' <<<"$t")"
}

# run POLICY TRAFFIC...: one second of load from two threads on CPUs 0 and 1.
run() {
	local policy=$1 before after sent; shift
	before=($(snapshot))
	ip netns exec "$LAB_CLI_NS" "$LG" --target "$LAB_SRV_IP4:7777" --rate 6000 --threads 2 \
		--cpus 0,1 --duration 1s --warmup 0 --drain 3s --quiet --json "$TMPD/lg.json" "$@" \
		>"$TMPD/lg.out" 2>&1 || { fail "$policy: bpfnic-loadgen ran"; sed 's/^/# /' "$TMPD/lg.out"; }
	sent=$(jq .steps[0].sent "$TMPD/lg.json")
	settled() {
		after=($(snapshot))
		[ $((after[0] - before[0])) -ge "$sent" ] &&
			[ $((after[0] - before[0])) -eq $((after[1] - before[1] + after[2] - before[2])) ]
	}
	wait_until 10 settled
	local req=$((after[0] - before[0])) rep=$((after[1] - before[1])) drp=$((after[2] - before[2]))
	local rx0=$((after[3] - before[3])) rx1=$((after[4] - before[4]))
	local w0=$((after[5] - before[5])) w1=$((after[6] - before[6]))
	diag "$policy: client sent $sent; requests $req, replies $rep, drops $drp; scheduler took $rx0 on CPU 0, $rx1 on CPU 1; workers served $w0 on CPU 0, $w1 on CPU 1"
	check_eq "$policy: every request the client sent is counted" "$sent" "$req"
	check_eq "$policy: requests = replies + drops by cause" "$req" "$((rep + drp))"
	check "$policy: the scheduler ran on both CPUs" test "$rx0" -gt 0 -a "$rx1" -gt 0
	check_eq "$policy: the scheduler's CPUs took every request" "$req" "$((rx0 + rx1))"
	SPREAD="$w0 $w1"
}

run rr --class short
read -r w0 w1 <<<"$SPREAD"
half=$(((w0 + w1) / 2))
check "rr: spread within 10 % per CPU ($w0, $w1 around $half)" \
	test $((w0 * 10)) -ge $((half * 9)) -a $((w0 * 10)) -le $((half * 11)) \
	-a $((w1 * 10)) -ge $((half * 9)) -a $((w1 * 10)) -le $((half * 11))

ctl_ok policy split --long-cpus 1 || fail "switch to split"
run split --mix short=90,long=10
ctl_ok policy dynamic || fail "switch to dynamic"
run dynamic --mix short=90,long=10
check "bpfnicd still running" daemon_alive
