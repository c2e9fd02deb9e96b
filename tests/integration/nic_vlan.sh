#!/usr/bin/env bash
# VLANs: requests in 802.1Q-tagged frames, and in QinQ frames (an 802.1ad tag outside
# the 802.1Q one), are served and their replies leave with the same tags. This kernel
# has no VLAN devices, so vlanping crafts the frames and sends them from the client's
# veth with a packet socket, and reads the replies back (the outer tag from the
# socket's metadata, where the receiving kernel puts it). Address= holds for tagged
# frames too: a tagged request for another address passes to the stack.
. "$(dirname "$0")/daemon_env.bash"

daemon_setup vl
VLANPING=$BUILD/tests/tools/vlanping
D_DAEMON_EXTRA="Address=$LAB_SRV_IP4 $LAB_SRV_IP6" daemon_config
daemon_start
mac=$(ip -n "$LAB_SRV_NS" -j link show "$LAB_SRV_IF" | jq -r '.[0].address')

# tagged NAME ARGS...: 20 tagged requests; every one answered on its VLAN, right
# checksums, right stamps.
tagged() {
	local name=$1 out; shift
	out=$(ip netns exec "$LAB_CLI_NS" "$VLANPING" --iface "$LAB_CLI_IF" --dst-mac "$mac" \
		--count 20 "$@")
	if [ $? -eq 0 ]; then
		ok "$name: 20/20 replies on the request's VLAN"
	else
		fail "$name"
		sed 's/^/# /' <<<"$out"
	fi
}
tagged "802.1Q VLAN 42, IPv4" --src "$LAB_CLI_IP4" --dst "$LAB_SRV_IP4"
tagged "802.1Q VLAN 4094, IPv6" --src "$LAB_CLI_IP6" --dst "$LAB_SRV_IP6" --vid 4094
tagged "QinQ (802.1ad 100, 802.1Q 42), IPv4" --src "$LAB_CLI_IP4" --dst "$LAB_SRV_IP4" --qinq
tagged "QinQ (802.1ad 100, 802.1Q 7), IPv6" --src "$LAB_CLI_IP6" --dst "$LAB_SRV_IP6" --qinq --vid 7
all_served() { [ "$(status_get '"\(.totals.requests) \(.totals.replies)"')" = "80 80" ]; }
check "status: 80 tagged requests, 80 replies" wait_until 10 all_served

# For an address outside Address=: not ours, no reply, counted.
out=$(ip netns exec "$LAB_CLI_NS" "$VLANPING" --iface "$LAB_CLI_IF" --dst-mac "$mac" --count 5 \
	--timeout-ms 500 --src "$LAB_CLI_IP4" --dst 198.18.0.9)
check_eq "a tagged request for another address gets no reply" 0 "$(sed -n 's/^valid=//p' <<<"$out")"
other() { [ "$(status_get .totals.other_address)" = 5 ]; }
check "status: counted under other_address, not as requests" wait_until 10 other
check_eq "requests unchanged" 80 "$(status_get .totals.requests)"

# Untagged requests still work next to tagged ones.
r=$(send --count 100 --rate 2000)
check_eq "untagged requests too" 100 "$(kv received "$r")"
check "bpfnicd still running" daemon_alive
