#!/usr/bin/env bash
# Modes: generic (skb) mode end to end (scheduler, cpumap worker, replies), asked for
# or fallen back to. XdpMode=auto tries native and, when the kernel refuses it, attaches
# generic with a warning that says why: here a client MTU of 4000, too large for
# single-buffer XDP on the server's veth (the kernel: "Peer MTU is too large to set
# XDP"; the limit, 3506 bytes, named). XdpMode=native refuses to start instead. Auto
# also falls back when the veth cannot transmit redirected frames, which generic mode
# does not need.
. "$(dirname "$0")/daemon_env.bash"

daemon_setup gn
REQPING=$BUILD/tests/tools/reqping
VLANPING=$BUILD/tests/tools/vlanping
in_srv() { ip netns exec "$LAB_SRV_NS" "$@"; }
in_cli() { ip netns exec "$LAB_CLI_NS" "$@"; }
kv_line() { sed -n "s/^$1=//p" <<<"$2"; }

# reqs NAME ARGS...: reqping from the client; every request one valid reply, and the
# reply frames' checksums right on the wire.
reqs() {
	local name=$1 out; shift
	out=$(in_cli "$REQPING" --timeout-ms 2000 --capture "$LAB_CLI_IF" "$@" 2>&1)
	if [ $? -eq 0 ] && [ "$(kv_line capture_bad_csum "$out")" = 0 ]; then
		ok "$name: $(kv_line valid "$out")/$(kv_line sent "$out") valid replies"
	else
		fail "$name"
		sed 's/^/# /' <<<"$out"
	fi
}
# served_by_workers: the worker CPUs processed every request status counted.
served_by_workers() {
	[ "$(ctl --json stats | jq '[.cpus[].processed] | add')" = "$(status_get .totals.requests)" ]
}
balanced() {
	[ "$(status_get '.totals.requests == .totals.replies + (.totals.drops | .queue + .no_cpu + .redirect_err + .tx_err + .transmit)')" = true ]
}
# start_refused NAME: bpfnicd must exit 1 with its reason on stderr (in $TMPD/err).
start_refused() {
	in_srv timeout 30 "$BPFNICD" --config "$CONF" --log-target stderr >/dev/null 2>"$TMPD/err"
	check_eq "$1: bpfnicd exits 1" 1 "$?"
	sed 's/^/# bpfnicd: /' "$TMPD/err" | tail -n 3
}

# --- XdpMode=generic -------------------------------------------------------------------
D_XDP_MODE=generic daemon_config
daemon_start
check_eq "generic: the mode in use" "generic generic" \
	"$(status_get '"\(.xdp_mode) \(.xdp_mode_requested)"')"
check "generic: the kernel has it in the skb path" bash -c \
	"ip -n '$LAB_SRV_NS' link show dev '$LAB_SRV_IF' | grep -q xdpgeneric"
reqs "generic: IPv4 extended requests" --host "$LAB_SRV_IP4" --count 100 --burst 10 --format ext
reqs "generic: IPv6 25-byte requests" --host "$LAB_SRV_IP6" --count 100 --burst 10 --format paper
reqs "generic: IPv4 with IP options" --host "$LAB_SRV_IP4" --count 50 --format ext --ip-options
mac=$(ip -n "$LAB_SRV_NS" -j link show "$LAB_SRV_IF" | jq -r '.[0].address')
out=$(in_cli "$VLANPING" --iface "$LAB_CLI_IF" --dst-mac "$mac" --src "$LAB_CLI_IP4" \
	--dst "$LAB_SRV_IP4" --qinq --count 20)
check_eq "generic: QinQ-tagged requests answered on their VLAN" 20 "$(kv_line valid "$out")"
r=$(send --count 1000 --rate 5000)
check_eq "generic: 1000 requests at 5000/s, every reply back" 1000 "$(kv received "$r")"
check "generic: both worker CPUs served" bash -c "[[ '$r' == *cpu0=* && '$r' == *cpu1=* ]]"
check "generic: the cpumap workers processed every request" wait_until 10 served_by_workers
check "generic: requests = replies + drops by cause" balanced
check_eq "generic: nothing dropped" 0 "$(status_get '.totals.drops | .queue + .no_cpu + .redirect_err + .tx_err + .transmit')"
daemon_stop

# --- auto, the client's MTU too large for native XDP on the server's veth ---------------
ip -n "$LAB_CLI_NS" link set dev "$LAB_CLI_IF" mtu 4000
D_XDP_MODE=auto daemon_config
daemon_start
check_eq "auto, MTU 4000: fell back to generic" "generic auto" \
	"$(status_get '"\(.xdp_mode) \(.xdp_mode_requested)"')"
check "auto: the warning gives the kernel's reason" \
	grep -q 'warning: XdpMode=auto attached in generic mode: native XDP on .* refused: .*the kernel says ".*Peer MTU is too large to set XDP"' "$DLOG"
check "auto: the warning names the limit" grep -q 'an MTU of at most 3506 bytes' "$DLOG"
check "auto: status keeps the reason" bash -c \
	"'$BPFNICCTL' --socket '$SOCK' --json status | jq -r .nic.fallback | grep -q 'Peer MTU is too large'"
check "auto: bpfnicctl status shows the mode asked for" bash -c \
	"'$BPFNICCTL' --socket '$SOCK' status | grep -q '^interface .*(XDP generic, asked for auto)'"
reqs "auto in generic mode: IPv4 requests" --host "$LAB_SRV_IP4" --count 100 --burst 10 --format ext
reqs "auto in generic mode: IPv6 requests" --host "$LAB_SRV_IP6" --count 100 --burst 10 --format ext
daemon_stop

D_XDP_MODE=native daemon_config
start_refused "native, MTU 4000"
check "native: the refusal names the limit" \
	grep -q 'Peer MTU is too large to set XDP.*an MTU of at most 3506 bytes' "$TMPD/err"
check "native: nothing left attached" bash -c \
	"! ip -n '$LAB_SRV_NS' link show dev '$LAB_SRV_IF' | grep -q prog/xdp"
ip -n "$LAB_CLI_NS" link set dev "$LAB_CLI_IF" mtu 1500

# --- auto, the veth's peer takes no redirected frames: generic needs none ---------------
in_cli ethtool -K "$LAB_CLI_IF" gro off >/dev/null
D_XDP_MODE=auto daemon_config
daemon_start
check_eq "auto, peer without GRO: generic" generic "$(status_get .xdp_mode)"
check "auto: the warning says ndo-xmit is missing" \
	grep -q 'attached in generic mode: .*without ndo-xmit' "$DLOG"
reqs "auto, peer without GRO: requests answered in generic mode" --host "$LAB_SRV_IP4" \
	--count 100 --burst 10 --format ext
check "bpfnicd still running" daemon_alive
