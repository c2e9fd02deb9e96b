#!/usr/bin/env bash
# What bpfnicd knows of its interface, on the lab's veth: the XDP feature flags as
# this kernel reports them for a veth (ndo-xmit only while the peer runs NAPI: GRO on
# or an XDP program), driver, MTU and queues as ip and ethtool see them, "no hardware
# IRQs", nothing to warn about; the kernel features it needs all found. When the
# interface cannot transmit the replies, native mode refuses to start and says what
# to change. Another XDP program on the interface is named (id, name, mode) with how
# to proceed, whether netlink or a bpf_link holds it.
. "$(dirname "$0")/daemon_env.bash"

daemon_setup nf
daemon_config
in_srv() { ip netns exec "$LAB_SRV_NS" "$@"; }
in_cli() { ip netns exec "$LAB_CLI_NS" "$@"; }
# start_refused NAME: bpfnicd must exit 1 with its reason on stderr (in $TMPD/err).
start_refused() {
	in_srv timeout 30 "$BPFNICD" --config "$CONF" --log-target stderr >/dev/null 2>"$TMPD/err"
	check_eq "$1: bpfnicd exits 1" 1 "$?"
	sed 's/^/# bpfnicd: /' "$TMPD/err" | tail -n 5
}
err_says() { grep -qF -- "$1" "$TMPD/err"; }

daemon_start
check_eq "status: the driver, as ethtool -i says" \
	"$(in_srv ethtool -i "$LAB_SRV_IF" | sed -n 's/^driver: //p')" "$(status_get .nic.driver)"
check_eq "status: the MTU, as ip link says" \
	"$(ip -n "$LAB_SRV_NS" -j link show "$LAB_SRV_IF" | jq .[0].mtu)" "$(status_get .nic.mtu)"
check_eq "status: one RX and one TX queue" "1 1" "$(status_get '"\(.nic.rx_queues) \(.nic.tx_queues)"')"
# veth_set_xdp_features(): basic, redirect and rx-sg always; ndo-xmit and ndo-xmit-sg
# while the peer takes redirected frames (the lab turns GRO on at the client end).
check_eq "status: XDP features as this kernel reports them for a veth whose peer has GRO" \
	'["basic","redirect","ndo-xmit","rx-sg","ndo-xmit-sg"]' "$(status_get .nic.xdp_features)"
check_eq "status: native mode, as asked" "native native" \
	"$(status_get '"\(.xdp_mode) \(.xdp_mode_requested)"')"
check_eq "status: a veth has no hardware IRQs (null)" null "$(status_get .nic.rx_irq_cpus)"
check "bpfnicctl status says so" bash -c \
	"'$BPFNICCTL' --socket '$SOCK' status | grep -q '^rx irqs *no hardware IRQs$'"
check "bpfnicctl status names driver and features" bash -c \
	"'$BPFNICCTL' --socket '$SOCK' status | grep -q '^nic *driver veth, MTU 1500, 1 RX / 1 TX queues, XDP features: basic redirect ndo-xmit rx-sg ndo-xmit-sg'"
check_eq "status: nothing to warn about" '[]' "$(status_get .warnings)"
check_eq "status: drops counted by the kernel's tracepoints" "true true" \
	"$(status_get '"\(.totals.drops.queue_exact) \(.totals.drops.transmit_exact)"')"
check "the kernel has every feature bpfnic uses (nothing said lacking)" \
	bash -c "! grep -q 'lacks' '$DLOG'"
r=$(send --count 200 --rate 2000)
check_eq "requests answered natively" 200 "$(kv received "$r")"

# The peer turns GRO off: the veth no longer transmits redirected frames, and says so.
in_cli ethtool -K "$LAB_CLI_IF" gro off >/dev/null
lost_xmit() { [ "$(status_get .nic.xdp_features)" = '["basic","redirect","rx-sg"]' ]; }
check "status follows: ndo-xmit gone once the peer's GRO is off" wait_until 10 lost_xmit
check "a warning says replies have no way out, and what to change" bash -c \
	"'$BPFNICCTL' --socket '$SOCK' --json status | jq -r '.warnings[]' | grep -q 'without ndo-xmit.*ethtool -K PEER gro on'"
daemon_stop

# --- refused: native mode on an interface that cannot transmit the replies ---------
start_refused "native on a veth whose peer takes no redirected frames"
check "the refusal names the missing feature" err_says "without ndo-xmit): every reply would be dropped"
check "the refusal says what to change" err_says "turn GRO on there (ethtool -K PEER gro on), or use XdpMode=generic"
check "nothing left attached" bash -c "! ip -n '$LAB_SRV_NS' link show dev '$LAB_SRV_IF' | grep -q prog/xdp"
in_cli ethtool -K "$LAB_CLI_IF" gro on >/dev/null

# --- another XDP program, attached over netlink ---------------------------------------
in_srv ip link set dev "$LAB_SRV_IF" xdpgeneric obj "$BUILD/bpf/bpfnic.bpf.o" sec xdp
other=$(ip -n "$LAB_SRV_NS" -j -d link show "$LAB_SRV_IF" | jq -r '.[0].xdp.prog.id')
diag "another program: id $other, generic mode, over netlink"
start_refused "another program attached over netlink"
check "the error names it: id, name, mode" \
	err_says "another XDP program is attached to $LAB_SRV_IF: id $other \"bpfnic_sched\", generic mode"
check "the error says how to remove it" err_says "ip link set dev $LAB_SRV_IF xdpgeneric off"
# Following the advice is enough.
in_srv ip link set dev "$LAB_SRV_IF" xdpgeneric off
daemon_start
check_eq "after removing it, bpfnicd starts (native)" native "$(status_get .xdp_mode)"
daemon_stop

# --- another XDP program, held by a bpf_link (another process owns it) -----------------
# ip netns exec execs dp-attach: $! is dp-attach itself, so signals reach it.
ip netns exec "$LAB_SRV_NS" "$BUILD/tests/tools/dp-attach" --iface "$LAB_SRV_IF" --cpus 0 \
	>"$TMPD/holder.out" 2>&1 &
holder=$!
on_exit "kill -KILL $holder 2>/dev/null"
wait_until 10 grep -q '^ready$' "$TMPD/holder.out" || fail "dp-attach holds the interface"
link=$(bpftool -j link show 2>/dev/null | jq -r --argjson p "$(ip -n "$LAB_SRV_NS" -j -d link show \
	"$LAB_SRV_IF" | jq '.[0].xdp.prog.id')" '.[] | select(.prog_id == $p) | .id')
start_refused "another program held by a bpf_link"
check "the error names the link that holds it ($link)" err_says "native mode, held by bpf_link $link"
check "the error says to stop its owner" err_says "stop the process that owns the link"
kill -INT "$holder"
wait_until 10 bash -c "! kill -0 $holder 2>/dev/null" || kill -KILL "$holder"
wait "$holder"
daemon_start
check_eq "once the owner is gone, bpfnicd starts" native "$(status_get .xdp_mode)"
check "bpfnicd still running" daemon_alive
