#!/usr/bin/env bash
# The policies beyond the thesis, live on the lab: switches to and from every policy
# (lwl, jsq, p2c, hash, split --long-cpus auto, dynamic spreading with each) under
# steady load lose and double no request, each shows in status at once; hash keeps a
# flow on one CPU, each of 16 flows too.
. "$(dirname "$0")/daemon_env.bash"

daemon_setup pl
D_POLICY=rr D_THRESHOLD_US=1000 daemon_config
daemon_start

# Steady load for the whole sequence (~15 s); the switches happen while it runs.
steady_load 45000 4500

advance 1000 || fail "load reaches the daemon"

# switch WANT ARGS...: bpfnicctl policy ARGS, then status must show WANT (a jq string
# of the policy object and the groups), and the load goes on.
switch() {
	local want=$1
	shift
	check "policy $*" ctl_ok policy "$@"
	check_eq "status after policy $*" "$want" \
		"$(status_get '"\(.policy.name) \(.policy.spread) \(.policy.choices) \(.policy.long_cpus) \(.groups.main) \(.groups.long)"')"
	advance 800 || fail "load continues under policy $*"
}

switch "lwl rr 2 1 [0,1] []" lwl
switch "jsq rr 2 1 [0,1] []" jsq
switch "p2c rr 3 1 [0,1] []" p2c --choices 3
switch "hash rr 3 1 [0,1] []" hash
switch "split rr 3 0 [0] [1]" split --long-cpus auto
check "status says the long group is sized automatically" \
	grep -q "split: long group sized automatically" <(ctl status)
switch "dynamic lwl 3 0 [0,1] []" dynamic --spread lwl --min-cpus 2 --max-cpus 2
switch "dynamic p2c 2 0 [0,1] []" dynamic --spread p2c --choices 2
switch "dynamic jsq 2 0 [0,1] []" dynamic --spread jsq
switch "dynamic hash 2 0 [0,1] []" dynamic --spread hash
switch "lwl hash 2 0 [0,1] []" lwl
switch "split hash 2 1 [0] [1]" split --long-cpus 1
switch "jsq hash 2 1 [0,1] []" jsq
switch "rr hash 2 1 [0,1] []" rr

# A spread that does not spread over one group is refused, naming the parameter.
ctl policy dynamic --spread split 2>"$TMPD/err"
check_eq "dynamic --spread split: refused (usage, exit 2)" 2 "$?"
check "the refusal lists the spreading policies" grep -q "rr, lwl, jsq, p2c or hash" "$TMPD/err"

check_load_lossless "the switches"

# hash: every request of a flow on one CPU (a sender is one socket: one flow).
check "policy hash" ctl_ok policy hash
cpus_of() { grep -o 'cpu[0-9]*=' <<<"$1" | sort -u | wc -l; }
r=$(send --count 2000 --rate 2000)
check_eq "one flow: nothing lost" 0 "$(kv lost "$r")"
check_eq "one flow: every request on one CPU" 1 "$(cpus_of "$r")"
# 16 flows at once: each on one CPU; with two CPUs, neither takes more than twice its
# share (all 16), and the flows are spread (each CPU gets some, as 16 random picks
# would put all on one only 2 in 65536 times).
pids=()
for i in $(seq 16); do
	send --count 200 --rate 400 >"$TMPD/flow$i.out" &
	pids+=($!)
done
on_exit "kill ${pids[*]} 2>/dev/null"
wait "${pids[@]}"
per_cpu0=0 per_cpu1=0 lost=0
for i in $(seq 16); do
	r=$(cat "$TMPD/flow$i.out")
	lost=$((lost + $(kv lost "$r")))
	[ "$(cpus_of "$r")" = 1 ] || fail "flow $i: its requests on more than one CPU: $r"
	grep -q 'cpu0=' <<<"$r" && per_cpu0=$((per_cpu0 + 1))
	grep -q 'cpu1=' <<<"$r" && per_cpu1=$((per_cpu1 + 1))
done
diag "16 flows: CPU 0 took $per_cpu0, CPU 1 took $per_cpu1"
check_eq "16 flows: nothing lost" 0 "$lost"
check "16 flows: each on one CPU, both CPUs used" test "$per_cpu0" -ge 1 -a "$per_cpu1" -ge 1 \
	-a $((per_cpu0 + per_cpu1)) -eq 16
check "bpfnicd still running" daemon_alive
