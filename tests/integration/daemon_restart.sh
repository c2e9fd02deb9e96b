#!/usr/bin/env bash
# Restarts without losing a request, on the lab, through tests/tools/svcmgr: the part
# of systemd that matters here (the fd store, LISTEN_FDS, restarts; the systemd tier
# checks systemd itself). Under a steady load:
#   - a restart with the store disabled (the old behaviour, FileDescriptorStoreMax=0):
#     the program goes with the old process and comes back with the new: requests are
#     lost (measured, not asserted);
#   - a restart with the store: the new bpfnicd takes the running data path over
#     (program replaced in place, same maps, counters going on): not one lost;
#   - SIGKILL at a policy switch's second map write, then Restart=on-failure: taken
#     over, the half switch put right (the configured policy, whole groups), none lost;
#   - another XdpMode= or Interface= cannot be taken over as it is: the old link is
#     detached, the new one attached, with a warning;
#   - a stop releases the store: the program goes (fail-open).
. "$(dirname "$0")/daemon_env.bash"

SVCMGR=$BUILD/tests/tools/svcmgr
[ -x "$SVCMGR" ] || bail "built: $SVCMGR"
command -v strace >/dev/null || bail "strace is installed (scripts/install-deps)"
daemon_setup rs
D_INTERVAL_MS=60000 daemon_config # no tick in the way of strace's count of bpf() calls
SVC=$TMPD/svc
mkdir -p "$SVC"
SPID=

svc_start() { # svcmgr options...
	rm -f "$SVC/ready" "$SVC/main.pid"
	ip netns exec "$LAB_SRV_NS" "$SVCMGR" --dir "$SVC" "$@" -- "$BPFNICD" --config "$CONF" \
		--log-target stderr >>"$DLOG" 2>&1 </dev/null &
	SPID=$!
	wait_until 30 test -s "$SVC/ready" || bail "bpfnicd under svcmgr is ready"
	DPID=$(cat "$SVC/main.pid")
}
svc_stop() {
	[ -n "$SPID" ] || return 0
	kill -TERM "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID= DPID=
}
on_exit svc_stop
starts() { cat "$SVC/starts" 2>/dev/null || echo 0; }
ready_count() { cat "$SVC/ready" 2>/dev/null || echo 0; }
started_again() { [ "$(starts)" -gt "$1" ] && [ "$(ready_count)" -ge 1 ] && ctl_quiet status; }

# restart_under_load LABEL: 5000 requests at 1000/s, svcmgr restarts bpfnicd after
# 1.5 s; prints the sender's line.
restart_under_load() {
	local before
	send --count 5000 --rate 1000 --drain-ms 3000 >"$TMPD/load.out" &
	local lpid=$!
	sleep 1.5
	before=$(starts)
	kill -HUP "$SPID"
	wait_until 30 started_again "$before" || diag "$1: bpfnicd did not come back"
	wait "$lpid"
	cat "$TMPD/load.out"
}

# ---- the old behaviour: no store
svc_start --fd-max 0
check_eq "with the store disabled, svcmgr keeps nothing" "" "$(cat "$SVC/store")"
r=$(restart_under_load "no store")
lost_before=$(kv lost "$r")
diag "restart without the store: $r"
check "bpfnicd runs again after the restart" ctl_quiet status
svc_stop

# ---- with the store
: >"$DLOG"
# With a socket of the unit's besides the store (the metrics endpoint's, as
# bpfnicd-metrics.socket passes it): every passed fd goes to its own module.
svc_start --fd-max 32 --listen metrics:10777 # FileDescriptorStoreMax= of the unit
check "bpfnicd handed its data path to the store" grep -q '^bpfnic.link$' "$SVC/store"
# The scheduler's maps, "name=id", without this build's own .bss and .rodata.
sched_maps() {
	local id
	for id in $(bpftool prog show id "$1" --json | jq -r '.map_ids[]'); do
		bpftool map show id "$id" --json | jq -r 'select(.name | contains(".") | not) | "\(.name)=\(.id)"'
	done | sort | tr '\n' ' '
}
prog=$(xdp_prog_id)
maps=$(sched_maps "$prog")
read -r req0 _ <<<"$(server_books_settled)"
r=$(restart_under_load "store")
lost_after=$(kv lost "$r")
diag "restart with the store: $r"
diag "requests lost across a restart under 1000 requests/s: $lost_before without the store, $lost_after with it"
check_eq "not one request lost across the restart" 0 "$lost_after"
said() { grep -q "$1" "$DLOG"; }
check "the old bpfnicd left the data path to the service manager" said 'left the data path on'
check "the new one took it over" said 'took over the running data path.*maps and counters kept'
prog2=$(xdp_prog_id)
check "its own program replaced the old one in place ($prog -> $prog2)" test "$prog2" != "$prog"
check_eq "on the same maps" "$maps" "$(sched_maps "$prog2")"
read -r req _ <<<"$(server_books_settled)"
check_eq "the counters went on: 5000 more requests" $((req0 + 5000)) "$req"
metrics_served() {
	ip netns exec "$LAB_SRV_NS" curl -sf --max-time 5 http://127.0.0.1:10777/metrics >"$TMPD/metrics" &&
		grep -q '^bpfnic_requests_total' "$TMPD/metrics"
}
check "the new one serves its metrics on the socket passed with the store" metrics_served
svc_stop

# ---- killed in the middle of a policy switch, restarted on failure
: >"$DLOG"
svc_start --fd-max 32 --restart-on-failure
check_eq "the policy before is rr" rr "$(status_get .policy.name)"
send --count 4000 --rate 1000 --drain-ms 3000 >"$TMPD/load.out" &
lpid=$!
sleep 1
before=$(starts)
strace -f -qq -o "$TMPD/strace.log" -e trace=bpf -e inject=bpf:signal=KILL:when=2 -p "$DPID" &
stpid=$!
traced() { [ "$(awk '/^TracerPid:/ { print $2 }' "/proc/$DPID/status" 2>/dev/null)" = "$stpid" ]; }
wait_until 10 traced || bail "strace attached to bpfnicd"
ctl --timeout 5000 policy split >/dev/null 2>&1
wait "$stpid" 2>/dev/null
check "killed at the switch's second map write" test "$(grep -c 'BPF_MAP_UPDATE_ELEM' "$TMPD/strace.log")" -ge 2
check "restarted on failure, and answering" wait_until 30 started_again "$before"
wait "$lpid"
r=$(cat "$TMPD/load.out")
diag "kill -9 mid-switch under load: $r"
check_eq "not one request lost across the kill and the restart" 0 "$(kv lost "$r")"
check "the new bpfnicd took the data path over" said 'took over the running data path'
check_eq "it runs the configured policy, not the half switch" rr "$(status_get .policy.name)"
check_eq "its groups are whole (main 0,1; long empty)" '[0,1][]' "$(status_get '"\(.groups.main)\(.groups.long)"')"

# ---- what cannot be taken over as it is: another XdpMode=, another interface
# ip link prints "xdp" (native) or "xdpgeneric" before the qdisc.
xdp_mode_is() { ip -n "$LAB_SRV_NS" link show dev "$LAB_SRV_IF" | grep -qw "$1"; }
sed -i 's/^XdpMode=native$/XdpMode=generic/' "$CONF"
: >"$DLOG"
before=$(starts)
kill -HUP "$SPID"
check "restarted with XdpMode=generic" wait_until 30 started_again "$before"
check "the program is attached in generic mode now" xdp_mode_is xdpgeneric
check "it said why it attached afresh" said 'warning: the running data path on .*XdpMode= changed'
r=$(send --count 200 --rate 1000)
check_eq "it serves in generic mode" 200 "$(kv received "$r")"
sed -i 's/^XdpMode=generic$/XdpMode=native/' "$CONF"
IF2=${LAB}-s2
ip -n "$LAB_SRV_NS" link add "$IF2" type veth peer name "${LAB}-p2" || bail "a second interface"
ip -n "$LAB_SRV_NS" link set "$IF2" up
ip -n "$LAB_SRV_NS" link set "${LAB}-p2" up
# GRO on the peer, as the lab does: then the veth transmits XDP (native mode's check).
ip netns exec "$LAB_SRV_NS" ethtool -K "${LAB}-p2" gro on >/dev/null
sed -i "s/^Interface=.*/Interface=$IF2/" "$CONF"
: >"$DLOG"
before=$(starts)
kill -HUP "$SPID"
check "restarted on another interface" wait_until 30 started_again "$before"
on_iface() { ip -n "$LAB_SRV_NS" link show dev "$1" | grep -q prog/xdp; }
check "the program left $LAB_SRV_IF" bash -c "! ip -n '$LAB_SRV_NS' link show dev '$LAB_SRV_IF' | grep -q prog/xdp"
check "and is on $IF2" on_iface "$IF2"
check "it said why" said 'warning: the running data path on .*another interface'

# ---- a stop releases the store: the program goes
prog=$(ip -n "$LAB_SRV_NS" -d link show dev "$IF2" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
svc_stop
gone_from_if2() { ! on_iface "$IF2"; }
check "after a stop (the store released), no program on $IF2" wait_until 10 gone_from_if2
prog_freed() { ! bpftool prog show id "$prog" >/dev/null 2>&1; }
check "and the program is freed" wait_until 10 prog_freed
