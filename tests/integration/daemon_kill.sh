#!/usr/bin/env bash
# Fail-open: `kill -9` of bpfnicd takes its XDP program with it (bpf_link owned by the
# process), the interface falls back to the normal stack, and ping works.
. "$(dirname "$0")/daemon_env.bash"

daemon_setup kl
daemon_config
daemon_start

check "XDP program attached while bpfnicd runs" xdp_attached
r=$(send --count 200 --rate 1000)
check_eq "requests answered by the data path" 200 "$(kv received "$r")"

prog_id=$(ip -n "$LAB_SRV_NS" -d link show dev "$LAB_SRV_IF" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
check "the attached program is bpfnicd's scheduler" \
	bash -c "bpftool prog show id '$prog_id' | grep -q bpfnic_sched"

kill -KILL "$DPID"
wait "$DPID" 2>/dev/null
DPID=
check_fail_open "after kill -9" "$prog_id"
"$BPFNICCTL" --socket "$SOCK" --timeout 2000 status 2>/dev/null
check_eq "bpfnicctl reports the dead daemon as unreachable" 3 "$?"

# A new daemon attaches again on the same interface (nothing stale in the way).
daemon_start
check "a restarted bpfnicd attaches again" xdp_attached
r=$(send --count 200 --rate 1000)
check_eq "requests answered after the restart" 200 "$(kv received "$r")"
