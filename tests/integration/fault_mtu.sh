#!/usr/bin/env bash
# Fault: the MTU changes under a running bpfnicd. Lowered (1280) and raised (3000, a
# jumbo-ish frame that still fits a page), requests are served as before and the same
# program stays attached; a datagram longer than a worker serves (1480 bytes) is
# passed to the stack and counted as too_long, never half-served. Raising the
# sender's end past what native XDP on a veth takes (a page per frame: 3506 here) is
# refused by the kernel while the program is attached: the program stays, traffic too.
. "$(dirname "$0")/daemon_env.bash"

daemon_setup mt
daemon_config
daemon_start
prog=$(xdp_prog_id)

set_mtu() { # mtu: both ends of the veth
	ip -n "$LAB_SRV_NS" link set dev "$LAB_SRV_IF" mtu "$1" &&
		ip -n "$LAB_CLI_NS" link set dev "$LAB_CLI_IF" mtu "$1"
}
served() { # label
	local r
	r=$(send --count 300 --rate 1000)
	check_eq "$1: 300 requests, every one answered" 300 "$(kv received "$r")"
}
too_long() { status_get .totals.drops.too_long; }

check "MTU lowered to 1280 on both ends" set_mtu 1280
served "MTU 1280"
check "MTU raised to 3000 on both ends" set_mtu 3000
served "MTU 3000"
before=$(too_long)
# A 2000-byte datagram to the port: a frame the MTU now allows, a datagram no worker
# serves. bash's /dev/udp sends it from the client namespace.
ip netns exec "$LAB_CLI_NS" bash -c "head -c 2000 /dev/zero >/dev/udp/$LAB_SRV_IP4/7777"
counted() { [ "$(too_long)" = $((before + 1)) ]; }
check "a 2000-byte datagram is passed and counted as too_long" wait_until 10 counted

rc=0
err=$(ip -n "$LAB_CLI_NS" link set dev "$LAB_CLI_IF" mtu 9000 2>&1) || rc=$?
diag "MTU 9000 on the sending end: rc $rc: $err"
check "the kernel refuses MTU 9000 on the sending end while native XDP is attached" test "$rc" -ne 0
check_eq "the same program is still attached" "$prog" "$(xdp_prog_id)"
check "MTU back to 1500 on both ends" set_mtu 1500
served "MTU 1500 again"
check "bpfnicd kept running through every change" daemon_alive
check_eq "the same program is attached at the end" "$prog" "$(xdp_prog_id)"
