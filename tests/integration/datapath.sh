#!/usr/bin/env bash
# The data path end to end on the lab: dp-attach holds the scheduler on the server's
# veth, reqping sends real UDP requests from the client namespace (IPv4 and IPv6,
# 25-byte and extended) and validates every reply; the host's other traffic keeps
# working while attached; nothing is left on the interface after a clean exit or a
# kill -9 (the bpf_link dies with its process). The lab keeps the veth's TX checksum
# offload on (requests arrive with partial UDP checksums); the checksum section runs
# socat, bpfnic-loadgen and reqping with it on and then off, and the client's kernel
# must count no UDP checksum error.
. "${BPFNIC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

export BPFNIC_LAB=${BPFNIC_LAB_PREFIX:-t}dp
eval "$("$BPFNIC_TOP/scripts/lab" env)"
DP_ATTACH=$BUILD/tests/tools/dp-attach
REQPING=$BUILD/tests/tools/reqping
tmp=$(mktemp -d /tmp/bpfnic-dp.XXXXXX)
attach_pid=

cleanup() {
	[ -n "$attach_pid" ] && kill -KILL "$attach_pid" 2>/dev/null
	lab down
	rm -rf "$tmp"
}
on_exit cleanup

in_srv() { ip netns exec "$LAB_SRV_NS" "$@"; }
in_cli() { ip netns exec "$LAB_CLI_NS" "$@"; }
# "prog/xdp", never a bare "xdp": the lab's interface name may contain it (lab "xdp").
xdp_on_iface() { in_srv ip link show dev "$LAB_SRV_IF" | grep -q 'prog/xdp'; }
kv() { sed -n "s/^$2=//p" <<<"$1" | head -1; } # kv OUTPUT KEY

# start_attach ARGS...: dp-attach in the server namespace; waits (bounded) for "ready".
start_attach() {
	: >"$tmp/attach.out"
	# ip netns exec execs dp-attach: $! is dp-attach itself, so signals reach it.
	ip netns exec "$LAB_SRV_NS" "$DP_ATTACH" --iface "$LAB_SRV_IF" --cpus 0,1 --port 7777 "$@" \
		>"$tmp/attach.out" 2>"$tmp/attach.err" &
	attach_pid=$!
	for _ in $(seq 100); do
		grep -q '^ready$' "$tmp/attach.out" && return 0
		kill -0 "$attach_pid" 2>/dev/null || break
		sleep 0.1
	done
	diag "dp-attach not ready: $(cat "$tmp/attach.err")"
	kill -KILL "$attach_pid" 2>/dev/null
	wait "$attach_pid" 2>/dev/null
	attach_pid=
	return 1
}

# stop_attach SIGNAL: signal dp-attach and wait (bounded); sets attach_rc.
stop_attach() {
	if [ -z "$attach_pid" ]; then
		attach_rc=none
		return
	fi
	kill -"$1" "$attach_pid" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$attach_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$attach_pid" 2>/dev/null # still there after 5 s: a failure, not a hang
	wait "$attach_pid"
	attach_rc=$?
	attach_pid=
}

# no_xdp_within: poll up to 3 s for the interface to have no XDP program.
no_xdp_within() {
	for _ in $(seq 30); do
		xdp_on_iface || return 0
		sleep 0.1
	done
	return 1
}

# reqs NAME ARGS...: run reqping in the client namespace; one test point that every
# request got one valid reply; leaves the summary in $out.
reqs() {
	local name=$1; shift
	out=$(in_cli "$REQPING" --timeout-ms 2000 "$@" 2>&1)
	local rc=$?
	if [ $rc -eq 0 ] && [ "$(kv "$out" invalid)" = 0 ] && [ "$(kv "$out" timeouts)" = 0 ] &&
		[ "$(kv "$out" valid)" = "$(kv "$out" sent)" ]; then
		ok "$name: $(kv "$out" valid)/$(kv "$out" sent) valid replies"
	else
		fail "$name (reqping rc $rc)"
		sed 's/^/# /' <<<"$out"
	fi
	# With --capture, reqping also recomputed every reply frame's checksums off the wire.
	if grep -q '^captured=' <<<"$out"; then
		if [ "$(kv "$out" capture_bad_csum)" = 0 ] &&
			[ "$(kv "$out" captured)" -ge "$(kv "$out" valid)" ]; then
			ok "$name: IP and UDP checksums recomputed right in $(kv "$out" captured) reply frames"
		else
			fail "$name: $(kv "$out" capture_bad_csum) of $(kv "$out" captured) reply frames with a wrong checksum"
		fi
	fi
}

# in_range NAME VALUE LOW HIGH: LOW <= VALUE <= HIGH (integers).
in_range() {
	if [ -n "$2" ] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then ok "$1 ($2)"
	else fail "$1 (got '$2', want $3..$4)"; fi
}

lab up >/dev/null 2>&1 || { fail "lab up"; exit 1; }
ok "lab $BPFNIC_LAB up"
check "no XDP program before attaching" bash -c "! ip netns exec $LAB_SRV_NS ip link show dev $LAB_SRV_IF | grep -q prog/xdp"

# --- attached, rr over CPUs 0 and 1, short 5 µs, long 50 µs -------------------------
check "dp-attach ready" start_attach --short-us 5 --long-us 50 --max-us 1000 \
	--stats-json "$tmp/stats.json"
check "XDP program on $LAB_SRV_IF while attached" xdp_on_iface

reqs "IPv4 25-byte requests" --host "$LAB_SRV_IP4" --count 100 --format paper --class 0 \
	--capture "$LAB_CLI_IF"
in_range "IPv4 25-byte: queuing delay bounded (ns)" "$(kv "$out" qdelay_max_ns)" 0 999999999
in_range "IPv4 25-byte: round trip non-zero and bounded (ns)" "$(kv "$out" rtt_min_ns)" 1 999999999

reqs "IPv6 25-byte requests, class 1" --host "$LAB_SRV_IP6" --count 100 --format paper --class 1 \
	--capture "$LAB_CLI_IF"
reqs "IPv4 extended requests with IP options (ihl 6)" --host "$LAB_SRV_IP4" --count 50 --format ext \
	--ip-options --capture "$LAB_CLI_IF"
check_eq "IP options made it to the reply (ihl)" 6 "$(kv "$out" capture_ihl_max)"

reqs "IPv4 extended requests, class 1" --host "$LAB_SRV_IP4" --count 100 --format ext --class 1 \
	--capture "$LAB_CLI_IF"
in_range "IPv4 ext class 1: service >= the long 50 us (ns)" "$(kv "$out" service_min_ns)" 50000 999999999
in_range "IPv4 ext: queuing delay bounded (ns)" "$(kv "$out" qdelay_max_ns)" 0 999999999

reqs "IPv6 extended requests, 20 us requested" --host "$LAB_SRV_IP6" --count 100 --format ext \
	--class 0 --service-us 20 --capture "$LAB_CLI_IF"
in_range "IPv6 ext: service >= the requested 20 us (ns)" "$(kv "$out" service_min_ns)" 20000 999999999

reqs "IPv4 extended requests, class 0" --host "$LAB_SRV_IP4" --count 50 --format ext --class 0
in_range "IPv4 ext class 0: service >= the short 5 us (ns)" "$(kv "$out" service_min_ns)" 5000 999999999

reqs "IPv6 extended, unknown class 7 served" --host "$LAB_SRV_IP6" --count 20 --format ext --class 7
in_range "class 7 served as short, not long (ns)" "$(kv "$out" service_min_ns)" 5000 49999

reqs "IPv4 extended, bursts of 64" --host "$LAB_SRV_IP4" --count 512 --burst 64 --format ext \
	--service-us 10 --capture "$LAB_CLI_IF"
cpus=$(kv "$out" cpus)
check "rr spread the bursts over CPUs 0 and 1 ($cpus)" bash -c "[[ '$cpus' == *0:* && '$cpus' == *1:* ]]"

# The host's own traffic still works while attached.
check "ping IPv4 while attached" in_cli ping -c 3 -i 0.2 -W 2 -q "$LAB_SRV_IP4"
check "ping IPv6 while attached" in_cli ping -6 -c 3 -i 0.2 -W 2 -q "$LAB_SRV_IP6"
tcp_echo() { # family address port
	local listen=TCP4-LISTEN conn=TCP4 bind=$2 reply
	[ "$1" = 6 ] && listen=TCP6-LISTEN conn=TCP6 bind="[$2]"
	ip netns exec "$LAB_SRV_NS" timeout 10 socat "$listen:$3,bind=$bind,reuseaddr" EXEC:cat &
	local srv=$!
	for _ in $(seq 50); do
		in_srv ss -Htln "sport = :$3" | grep -q . && break
		sleep 0.1
	done
	reply=$(echo "bpfnic-tcp-$1" | in_cli timeout 5 socat -t 2 - "$conn:$bind:$3" 2>/dev/null)
	wait $srv 2>/dev/null
	[ "$reply" = "bpfnic-tcp-$1" ]
}
check "TCP over IPv4 while attached" tcp_echo 4 "$LAB_SRV_IP4" 8080
check "TCP over IPv6 while attached" tcp_echo 6 "$LAB_SRV_IP6" 8081
udp_other_port() {
	ip netns exec "$LAB_SRV_NS" timeout 5 socat -u UDP4-RECV:9000,bind="$LAB_SRV_IP4" OPEN:"$tmp/udp.out",creat,trunc &
	local srv=$!
	sleep 0.3
	echo "bpfnic-udp" | in_cli socat -u - UDP4-SENDTO:"$LAB_SRV_IP4":9000
	for _ in $(seq 30); do grep -q bpfnic-udp "$tmp/udp.out" 2>/dev/null && break; sleep 0.1; done
	kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null
	grep -q bpfnic-udp "$tmp/udp.out"
}
check "UDP to another port reaches the stack while attached" udp_other_port
# A datagram to the request port too short to be a request goes to the stack (counted).
echo "short" | in_cli socat -u - UDP4-SENDTO:"$LAB_SRV_IP4":7777 2>/dev/null

stop_attach INT
check_eq "dp-attach exits 0 on SIGINT" 0 "$attach_rc"
check "no XDP program left after dp-attach exits" no_xdp_within
stats=$(cat "$tmp/stats.json" 2>/dev/null)
jnum() { grep -o "\"$1\":[0-9]*" <<<"$stats" | head -1 | cut -d: -f2; }
jarr_sum() { grep -o "\"$1\":\[[0-9,]*\]" <<<"$stats" | head -1 | grep -o '[0-9,]*\]' |
	tr -d ']' | awk -F, '{ s = 0; for (i = 1; i <= NF; i++) s += $i; print s }'; }
total=$((100 + 100 + 50 + 100 + 100 + 50 + 20 + 512))
check_eq "stats: every request processed" "$total" "$(jarr_sum processed)"
check_eq "stats: every request counted by class" "$total" "$(jarr_sum requests)"
check_eq "stats: every request redirected" "$total" "$(jnum redirected)"
check_eq "stats: every reply sent" "$total" "$(jnum tx)"
check_eq "stats: no redirect or tx error" "0 0" "$(jnum redirect_err) $(jnum tx_err)"
in_range "stats: the short datagram counted in short_payload" "$(jnum short_payload)" 1 1
in_range "stats: unknown class counted" "$(grep -o '"requests":\[[0-9,]*\]' <<<"$stats" |
	tr -d ']' | cut -d, -f3)" 20 20
out=$(in_cli "$REQPING" --host "$LAB_SRV_IP4" --count 1 --timeout-ms 300 2>&1)
check_eq "after detach the stack answers, no reply comes back" 0 "$(kv "$out" valid)"

# --- kill -9: the link goes with the process ------------------------------------------
check "dp-attach ready again" start_attach
check "XDP program attached again" xdp_on_iface
reqs "requests served before kill -9" --host "$LAB_SRV_IP6" --count 10 --format ext
stop_attach KILL
check "no XDP program left after kill -9 of dp-attach" no_xdp_within

# --- generic (skb) mode ---------------------------------------------------------------
check "dp-attach ready in generic mode" start_attach --mode generic --short-us 1
check "generic XDP attached" bash -c \
	"ip netns exec $LAB_SRV_NS ip link show dev $LAB_SRV_IF | grep -q xdpgeneric"
reqs "IPv4 extended requests in generic mode" --host "$LAB_SRV_IP4" --count 50 --format ext \
	--ip-options --capture "$LAB_CLI_IF"
reqs "IPv6 25-byte requests in generic mode" --host "$LAB_SRV_IP6" --count 50 --format paper \
	--capture "$LAB_CLI_IF"
stop_attach INT
check "no XDP program left after generic mode" no_xdp_within

# --- split: class 1 to the long group (CPU 1), the rest to CPU 0 ----------------------
check "dp-attach ready with split" start_attach --policy split --long-cpus 1
reqs "split: IPv4 class 1 requests" --host "$LAB_SRV_IP4" --count 40 --burst 8 --format ext --class 1
check_eq "split: class 1 served only by CPU 1" "1:40" "$(kv "$out" cpus)"
reqs "split: IPv6 class 0 requests" --host "$LAB_SRV_IP6" --count 40 --burst 8 --format ext --class 0
check_eq "split: class 0 served only by CPU 0" "0:40" "$(kv "$out" cpus)"
stop_attach TERM
check_eq "dp-attach exits 0 on SIGTERM" 0 "$attach_rc"
check "no XDP program left after split" no_xdp_within

# --- checksums: TX checksum offload on (the veth default), then off ------------------
# With offload on, the client's kernel leaves the UDP checksum of each request partial
# (pseudo-header only) and the veth hands it over as it is; the worker must compute the
# reply's whole, or the client's kernel drops the reply (UdpInCsumErrors).
LG=$BUILD/bpfnic-loadgen
# The client's UDP checksum errors, IPv4 and IPv6 summed (its own namespace's counters).
csum_errors() {
	in_cli awk '
		FILENAME ~ /snmp6$/ && $1 == "Udp6InCsumErrors" { n += $2 }
		FILENAME !~ /snmp6$/ && $1 == "Udp:" {
			if (!col) { for (i = 2; i <= NF; i++) if ($i == "InCsumErrors") col = i }
			else n += $col
		}
		END { print n + 0 }' /proc/net/snmp /proc/net/snmp6
}
# tx_csum_state: "SERVER CLIENT" tx-checksumming of the lab's two veth ends.
tx_csum_state() {
	echo "$(in_srv ethtool -k "$LAB_SRV_IF" | awk '$1 == "tx-checksumming:" { print $2 }')" \
		"$(in_cli ethtool -k "$LAB_CLI_IF" | awk '$1 == "tx-checksumming:" { print $2 }')"
}
# Requests for socat, as bytes: the client's stamp is the text "bpfnic-c"; ext adds
# version 1, the magic "BNXT" (0x54584e42 little-endian), a sequence number.
PAPER_REQ='bpfnic-c\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0'
EXT_REQ="${PAPER_REQ}"'\001BNXT\0\0seq-0001\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0'
# socat_replies TARGET BYTES FORMAT N: N requests written by socat (one datagram per
# BYTES-sized read) in one burst; prints how many replies of BYTES bytes came back
# carrying the client's stamp. socat waits 2 s after the last request for replies.
socat_replies() {
	local i
	for ((i = 0; i < $4; i++)); do printf "$3"; done |
		in_cli timeout 20 socat -b "$2" -t 2 - "$1" 2>/dev/null |
		LC_ALL=C grep -a -o 'bpfnic-c' | wc -l
}
# lg_run NAME TARGET FORMAT: 500 ms of bpfnic-loadgen at 2000 requests/s; every one back.
lg_run() {
	in_cli "$LG" --target "$2" --rate 2000 --duration 500ms --warmup 100ms --drain 5s \
		--format "$3" --quiet --json "$tmp/lg.json" >"$tmp/lg.out" 2>&1
	local rc=$? res
	res=$(jq -r '.steps[0] | "\(.sent) \(.received) \(.lost) \(.invalid)"' "$tmp/lg.json" 2>/dev/null)
	set -- "$1" $res
	if [ $rc -eq 0 ] && [ "${2:-0}" -gt 500 ] && [ "$2" = "$3" ] && [ "$4" = 0 ] && [ "$5" = 0 ]; then
		ok "$1: bpfnic-loadgen got every reply ($3/$2)"
	else
		fail "$1: bpfnic-loadgen (rc $rc, sent received lost invalid: ${res:-none})"
		sed 's/^/# /' "$tmp/lg.out"
	fi
}
# csum_traffic LABEL: the same traffic for each offload state.
csum_traffic() {
	local label=$1 before n
	before=$(csum_errors)
	n=$(socat_replies "UDP4:$LAB_SRV_IP4:7777" 25 "$PAPER_REQ" 20)
	check_eq "$label: socat IPv4 25-byte, every reply" 20 "$n"
	n=$(socat_replies "UDP6:[$LAB_SRV_IP6]:7777" 25 "$PAPER_REQ" 20)
	check_eq "$label: socat IPv6 25-byte, every reply" 20 "$n"
	n=$(socat_replies "UDP4:$LAB_SRV_IP4:7777" 56 "$EXT_REQ" 20)
	check_eq "$label: socat IPv4 56-byte, every reply" 20 "$n"
	n=$(socat_replies "UDP6:[$LAB_SRV_IP6]:7777" 56 "$EXT_REQ" 20)
	check_eq "$label: socat IPv6 56-byte, every reply" 20 "$n"
	lg_run "$label: IPv4 56-byte" "$LAB_SRV_IP4:7777" ext
	lg_run "$label: IPv6 25-byte" "[$LAB_SRV_IP6]:7777" paper
	lg_run "$label: IPv4 25-byte" "$LAB_SRV_IP4:7777" paper
	lg_run "$label: IPv6 56-byte" "[$LAB_SRV_IP6]:7777" ext
	reqs "$label: reqping IPv4 25-byte" --host "$LAB_SRV_IP4" --count 50 --format paper \
		--capture "$LAB_CLI_IF"
	reqs "$label: reqping IPv6 56-byte" --host "$LAB_SRV_IP6" --count 50 --format ext \
		--capture "$LAB_CLI_IF"
	check_eq "$label: the client's kernel counted no UDP checksum error" 0 \
		"$(( $(csum_errors) - before ))"
}

check "dp-attach ready for the checksum runs" start_attach --short-us 2 --long-us 20
check_eq "the lab keeps TX checksum offload on (server client)" "on on" "$(tx_csum_state)"
csum_traffic "offload on"
in_srv ethtool -K "$LAB_SRV_IF" tx off >/dev/null
in_cli ethtool -K "$LAB_CLI_IF" tx off >/dev/null
check_eq "TX checksum offload turned off (server client)" "off off" "$(tx_csum_state)"
csum_traffic "offload off"
in_srv ethtool -K "$LAB_SRV_IF" tx on >/dev/null
in_cli ethtool -K "$LAB_CLI_IF" tx on >/dev/null
stop_attach INT
check_eq "dp-attach exits 0 after the checksum runs" 0 "$attach_rc"

# --- a tiny cpumap queue overflows: every loss is accounted ---------------------------
# Queues of 8 frames, 64 requests at once at 200 us each: most are dropped at the
# cpumap queue. What the client lost must be exactly what the server says it
# handed to a queue and never processed (the thesis' fig. 5.3, per CPU).
check "dp-attach ready with 8-frame queues" start_attach --queue-size 8 --short-us 200 \
	--stats-json "$tmp/drops.json"
out=$(in_cli "$REQPING" --host "$LAB_SRV_IP4" --count 64 --burst 64 --timeout-ms 1500 --format ext 2>&1)
lost=$(( $(kv "$out" sent) - $(kv "$out" valid) ))
diag "64 requests at once into 8-frame queues: $(kv "$out" valid) replies, $lost lost"
stop_attach INT
stats=$(cat "$tmp/drops.json" 2>/dev/null)
handed=$(grep -o '"handed":[0-9]*' <<<"$stats" | cut -d: -f2 | awk '{ s += $1 } END { print s + 0 }')
served=$(jarr_sum processed)
check_eq "overflow: every request handed to a queue" 64 "$handed"
check_eq "overflow: the client's losses are the queues' drops (handed - processed)" \
	"$lost" "$((handed - served))"
check_eq "overflow: every processed request answered" "$(kv "$out" valid)" "$(jnum tx)"
qdrops=$(grep -o '"queue_drops":[0-9]*' <<<"$stats" | cut -d: -f2 | awk '{ s += $1 } END { print s + 0 }')
check_eq "overflow: the tracer's exact queue drops are the client's losses" "$lost" "$qdrops"
check_eq "overflow: queue drops counted by the kernel's tracepoint" true \
	"$(grep -o '"queue_drops_exact":[a-z]*' <<<"$stats" | cut -d: -f2)"
check "no XDP program left after the overflow run" no_xdp_within
echo "1..$_tap_n"
