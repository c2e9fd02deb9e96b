#!/usr/bin/env bash
# The worker threads' scheduling class ([Daemon] WorkerScheduling=): bpfnicd gives the
# cpumap kernel thread of each candidate CPU the configured class at start, a reload
# changes it live (other: SCHED_OTHER, nice 0 again), a bad value keeps the running
# one, and status shows each thread. The threads are found here independently of the
# daemon: the cpumap of the XDP program on the lab's interface (bpftool), then the
# kernel threads named cpumap/CPU/map:ID, read with chrt and /proc/PID/sched. Without
# CAP_SYS_NICE the daemon warns once, says why, and carries on.
. "$(dirname "$0")/daemon_env.bash"

command -v bpftool >/dev/null || bail "bpftool installed (scripts/install-deps)"
daemon_setup wk
daemon_config
daemon_start

# The cpumap of the program attached to the lab's server interface.
cpumap_id() {
	local prog map
	prog=$(ip -n "$LAB_SRV_NS" -j link show dev "$LAB_SRV_IF" | jq -r '.[0].xdp.prog.id // empty')
	[ -n "$prog" ] || return 1
	for map in $(bpftool -j prog show id "$prog" | jq -r '.map_ids[]'); do
		[ "$(bpftool -j map show id "$map" | jq -r .type)" = cpumap ] && { echo "$map"; return 0; }
	done
	return 1
}
MAP=$(cpumap_id) || bail "found the cpumap of the XDP program on $LAB_SRV_IF"
diag "cpumap id $MAP"

# The kernel thread of CPU $1 for our map, from /proc (kernel threads only: ppid 2).
thread_of() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = "cpumap/$1/map:$MAP" ] || continue
		[ "$(awk '{ print $4 }' "$p/stat" 2>/dev/null)" = 2 ] && { basename "$p"; return 0; }
	done
	return 1
}
T0=$(thread_of 0) && T1=$(thread_of 1) || bail "found the kernel threads cpumap/{0,1}/map:$MAP"
diag "threads: CPU 0 pid $T0, CPU 1 pid $T1"

# "CLASS PRIORITY NICE" of a pid: chrt's policy name and priority, and the nice value
# (field 19 of /proc/PID/stat, the 17th after the command's closing parenthesis).
sched_of() {
	local out
	out=$(chrt -p "$1") || return 1
	printf '%s %s %s' "$(sed -n 's/.*policy: //p' <<<"$out")" \
		"$(sed -n 's/.*priority: //p' <<<"$out")" "$(sed 's/.*) //' "/proc/$1/stat" | awk '{ print $17 }')"
}
# The kernel's own number for the class ("policy : 1" is SCHED_FIFO).
policy_num() { awk '$1 == "policy" { print $3 }' "/proc/$1/sched"; }

# ---- the default: fifo:49
check_eq "CPU 0's thread runs SCHED_FIFO priority 49 (chrt)" "SCHED_FIFO 49 0" "$(sched_of "$T0")"
check_eq "CPU 1's thread runs SCHED_FIFO priority 49 (chrt)" "SCHED_FIFO 49 0" "$(sched_of "$T1")"
check_eq "/proc/PID/sched agrees: policy 1 (SCHED_FIFO) on both" "1 1" \
	"$(policy_num "$T0") $(policy_num "$T1")"
check "the log says so" grep -q "worker threads of CPUs 0-1 now run as fifo:49" "$DLOG"

# ---- status shows each thread (cpu_use needs two windows)
has_use() { [ "$(status_get '[.workers.threads[].cpu_use | numbers] | length')" = 2 ]; }
wait_until 10 has_use
check_eq "status: setting and no problem" "fifo:49 null" \
	"$(status_get '"\(.workers.scheduling) \(.workers.problem)"')"
check_eq "status: each thread's CPU, pid, class, priority, nice" \
	"0 $T0 fifo 49 0,1 $T1 fifo 49 0" \
	"$(status_get '[.workers.threads[] | "\(.cpu) \(.pid) \(.class) \(.priority) \(.nice)"] | join(",")')"
check "status: each thread's CPU use is a number in 0..1" \
	jq -e '[.workers.threads[].cpu_use | select(type == "number" and . >= 0 and . <= 1)] | length == 2' \
	<<<"$(ctl --json status)"
out=$(ctl status)
check "bpfnicctl status prints the threads" \
	bash -c "grep -q 'workers     fifo:49, in force' <<<'$out' && grep -qE '^ +0 +$T0 +fifo +49 +0 ' <<<'$out'"
grep -A3 '^workers' <<<"$out" | sed 's/^/# status: /'

# ---- reloads
# A nice value set by hand meanwhile: other means nice 0 as well, what the kernel
# gives a new thread.
renice -n 5 -p "$T0" >/dev/null
D_DAEMON_EXTRA="WorkerScheduling=other" daemon_config
check "reload to other" ctl_ok reload
check_eq "both threads back to SCHED_OTHER, nice 0" "SCHED_OTHER 0 0|SCHED_OTHER 0 0" \
	"$(sched_of "$T0")|$(sched_of "$T1")"
check_eq "status shows other" "other other,other" \
	"$(status_get '"\(.workers.scheduling) \([.workers.threads[].class] | join(","))"')"

D_DAEMON_EXTRA="WorkerScheduling=rr:20" daemon_config
kill -HUP "$DPID"
rr20() { [ "$(sched_of "$T0")|$(sched_of "$T1")" = "SCHED_RR 20 0|SCHED_RR 20 0" ]; }
check "SIGHUP to rr:20: both threads SCHED_RR priority 20" wait_until 15 rr20

D_DAEMON_EXTRA="WorkerScheduling=fifo:100" daemon_config
ctl reload 2>"$TMPD/err"
check_eq "a reload with WorkerScheduling=fifo:100 is refused" 1 "$?"
check "the refusal says what the key takes" grep -q "WorkerScheduling=.*fifo:N or rr:N" "$TMPD/err"
check "the threads keep rr:20" rr20
check_eq "status keeps rr:20" "rr:20" "$(status_get .workers.scheduling)"
daemon_stop

# ---- without CAP_SYS_NICE: a warning with the reason, once; the daemon carries on
daemon_config
: >"$DLOG"
ip netns exec "$LAB_SRV_NS" setpriv --bounding-set=-sys_nice -- "$BPFNICD" --config "$CONF" \
	--log-target stderr --log-level debug >>"$DLOG" 2>&1 </dev/null &
DPID=$!
wait_until 30 ctl_quiet status || bail "bpfnicd without CAP_SYS_NICE answers status"
MAP=$(cpumap_id) && T0=$(thread_of 0) || bail "found the new cpumap thread of CPU 0"
check_eq "its threads stay SCHED_OTHER" "SCHED_OTHER 0 0" "$(sched_of "$T0")"
problem=$(status_get .workers.problem)
diag "status: $problem"
check "status names the reason" grep -q 'lacks CAP_SYS_NICE' <<<"$problem"
sleep 0.5 # a few ticks: the warning must not repeat
check_eq "the log warns once" 1 "$(grep -c 'lacks CAP_SYS_NICE' "$DLOG")"
grep -m1 'lacks CAP_SYS_NICE' "$DLOG" | sed 's/^/# log: /'
res=$(send --count 20 --rate 1000)
check_eq "requests are answered all the same" 20 "$(kv received "$res")"
