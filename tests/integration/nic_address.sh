#!/usr/bin/env bash
# Sharing the box: with Address= set to the server's first addresses, a second UDP
# service on the same port, on a second address of the same interface, keeps its
# traffic (its echo comes back byte for byte, never a bpfnic reply, even for
# request-shaped datagrams), while bpfnic answers its own addresses; status counts
# the other service's datagrams under other_address. Without Address=, bpfnic takes
# them. A bad Address= is refused.
. "$(dirname "$0")/daemon_env.bash"

daemon_setup ad
in_srv() { ip netns exec "$LAB_SRV_NS" "$@"; }
in_cli() { ip netns exec "$LAB_CLI_NS" "$@"; }
OTHER4=198.18.0.3
OTHER6=2001:2::3
in_srv ip addr add "$OTHER4/24" dev "$LAB_SRV_IF"
in_srv ip addr add "$OTHER6/64" dev "$LAB_SRV_IF" nodad
D_DAEMON_EXTRA="Address=$LAB_SRV_IP4, $LAB_SRV_IP6" daemon_config
daemon_start
check_eq "status: the addresses requests are taken for" "[\"$LAB_SRV_IP4\",\"$LAB_SRV_IP6\"]" \
	"$(status_get .addresses)"
check "bpfnicctl status shows them" bash -c \
	"'$BPFNICCTL' --socket '$SOCK' status | grep -q '^interface .*addresses $LAB_SRV_IP4 $LAB_SRV_IP6\$'"

# The other service: a UDP echo on the same port, on the second addresses.
in_srv timeout 60 socat UDP4-RECVFROM:7777,bind="$OTHER4",fork EXEC:cat &
on_exit "kill $! 2>/dev/null"
in_srv timeout 60 socat UDP6-RECVFROM:7777,bind="[$OTHER6]",fork EXEC:cat &
on_exit "kill $! 2>/dev/null"
listening() { [ "$(in_srv ss -Hulnp 'sport = :7777' | grep -c socat)" = 2 ]; }
wait_until 10 listening || fail "the echo service listens on both addresses"

# A 25-byte bpfnic request: a bpfnic reply would carry the scheduler's and the worker's
# stamps; the echo is the datagram unchanged.
REQ='bpfnic-c\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0'
# echo_back TARGET N: N requests, each from its own socket; how many came back unchanged.
echo_back() {
	local i n=0
	printf "$REQ" >"$TMPD/req"
	for ((i = 0; i < $2; i++)); do
		in_cli timeout 5 socat -t 0.3 - "$1" <"$TMPD/req" >"$TMPD/echo" 2>/dev/null
		cmp -s "$TMPD/req" "$TMPD/echo" && n=$((n + 1))
	done
	echo "$n"
}
check_eq "the other service's IPv4 address gets its traffic, unchanged" 10 \
	"$(echo_back "UDP4:$OTHER4:7777" 10)"
check_eq "the other service's IPv6 address gets its traffic, unchanged" 10 \
	"$(echo_back "UDP6:[$OTHER6]:7777" 10)"
r=$(send --count 500 --rate 2500)
check_eq "bpfnic answers its own IPv4 address" 500 "$(kv received "$r")"
r=$(ip netns exec "$LAB_CLI_NS" "$UDPSEND" --dst "$LAB_SRV_IP6" --count 200 --rate 2000 --drain-ms 5000)
check_eq "bpfnic answers its own IPv6 address" 200 "$(kv received "$r")"
counted() { [ "$(status_get '"\(.totals.other_address) \(.totals.requests) \(.totals.replies)"')" = "20 700 700" ]; }
if wait_until 10 counted; then
	ok "status: 20 datagrams for other addresses passed, 700 requests, 700 replies"
else
	fail "status counts (other_address requests replies): $(status_get '[.totals.other_address, .totals.requests, .totals.replies]')"
fi
daemon_stop

# Without Address=, bpfnic takes them: what the other service gets back is a reply.
D_DAEMON_EXTRA= daemon_config
daemon_start
check_eq "without Address=, the other address's requests are bpfnic's" 0 \
	"$(echo_back "UDP4:$OTHER4:7777" 3)"
daemon_stop

# A bad address is refused whole, with the key and the reason.
D_DAEMON_EXTRA="Address=$LAB_SRV_IP4 198.18.0.256" daemon_config
"$BPFNICD" --check-config --config "$CONF" >/dev/null 2>"$TMPD/err"
check_eq "a bad Address= fails --check-config (78)" 78 "$?"
check "the message names the key and the value" \
	grep -q "Address=.*'198.18.0.256' is not an IPv4 or IPv6 address" "$TMPD/err"
