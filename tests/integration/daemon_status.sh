#!/usr/bin/env bash
# bpfnicd + bpfnicctl on the lab: status counts match what was sent; the CLI's exit
# codes, --json, version, stats, and --watch (bounded, SIGINT, SIGPIPE).
. "$(dirname "$0")/daemon_env.bash"

daemon_setup st
D_POLICY=rr daemon_config
daemon_start

check "status exits 0 and shows the policy" bash -c "'$BPFNICCTL' --socket '$SOCK' status | grep -q '^policy *rr'"
check "status --json is one line of JSON" \
	bash -c "[ \$('$BPFNICCTL' --socket '$SOCK' --json status | wc -l) -eq 1 ] && '$BPFNICCTL' --socket '$SOCK' --json status | jq -e .totals >/dev/null"
check_eq "status reports the lab interface" "$LAB_SRV_IF" "$(status_get .interface)"

# Real UDP requests: short and long, each counted by the sender's sequence numbers.
r_short=$(send --count 3000 --rate 3000)
r_long=$(send --count 500 --rate 1000 --class 1)
diag "short: $r_short"
diag "long:  $r_long"
sent=$(($(kv sent "$r_short") + $(kv sent "$r_long")))
received=$(($(kv received "$r_short") + $(kv received "$r_long")))
check_eq "every request answered" "$sent" "$received"
# The daemon's counters are read per window: poll until they have caught up.
counts_match() { [ "$(status_get .totals.requests)" = "$sent" ] && [ "$(status_get .totals.replies)" = "$received" ]; }
if wait_until 10 counts_match; then
	ok "status totals: requests $sent, replies $received"
else
	fail "status totals (sent $sent, received $received): $(status_get .totals)"
fi
check_eq "no drops" '{"queue":0,"no_cpu":0,"redirect_err":0,"tx_err":0,"short_payload":0}' \
	"$(status_get '.totals.drops | {queue,no_cpu,redirect_err,tx_err,short_payload}')"
# Datagrams to the port that no worker answers go to the stack, counted by cause: one too
# short to be a request (24 bytes) and one longer than the longest served (1481 bytes;
# an MTU of 1500 would fragment it, and fragments are passed as not ours).
ip -n "$LAB_SRV_NS" link set dev "$LAB_SRV_IF" mtu 1600
ip -n "$LAB_CLI_NS" link set dev "$LAB_CLI_IF" mtu 1600
ip netns exec "$LAB_CLI_NS" bash -c "head -c 24 /dev/zero >/dev/udp/$LAB_SRV_IP4/7777;
	head -c 1473 /dev/zero >/dev/udp/$LAB_SRV_IP4/7777"
ip -n "$LAB_CLI_NS" link set dev "$LAB_CLI_IF" mtu 1500
ip -n "$LAB_SRV_NS" link set dev "$LAB_SRV_IF" mtu 1500
passed_counts() { [ "$(status_get '.totals.drops | [.short_payload, .too_long] | @csv')" = "1,1" ]; }
if wait_until 10 passed_counts; then
	ok "a short and a too-long datagram are counted as short_payload and too_long"
else
	fail "short_payload and too_long counted: $(status_get .totals.drops)"
fi
processed=$(ctl --json stats | jq '[.cpus[].processed] | add')
check_eq "stats: per-CPU processed adds up to the replies" "$received" "$processed"
check "stats table has a row per candidate CPU" \
	bash -c "[ \$('$BPFNICCTL' --socket '$SOCK' stats | grep -cE '^ +[01] ') -eq 2 ]"

# version: client and daemon
out=$(ctl version)
check "version names client and daemon" grep -q "^bpfnicctl .*" <<<"$out"
check "version reports the daemon's version" grep -q "^bpfnicd .*$LAB_SRV_IF" <<<"$out"

# --watch: bounded by --count, one JSON line per sample
n=$(timeout 30 "$BPFNICCTL" --socket "$SOCK" --json stats --watch --interval 100 --count 3 | jq -c .window_ms | wc -l)
check_eq "stats --watch --count 3 prints 3 samples" 3 "$n"

# --watch ends cleanly on SIGINT ...
"$BPFNICCTL" --socket "$SOCK" stats --watch --interval 100 >"$TMPD/watch.out" 2>&1 &
wpid=$!
wait_until 10 grep -q PROCESSED "$TMPD/watch.out"
kill -INT "$wpid"
wait_until 10 bash -c "! kill -0 $wpid 2>/dev/null"
wait "$wpid"
check_eq "stats --watch exits 0 on SIGINT" 0 "$?"
# ... and when its reader goes away (SIGPIPE)
timeout 20 bash -c "'$BPFNICCTL' --socket '$SOCK' stats --watch --interval 100 | head -n 1 >/dev/null; exit \${PIPESTATUS[0]}"
check_eq "stats --watch exits 0 when the pipe closes" 0 "$?"

# Exit codes: 2 usage, 3 unreachable (socket path in the message)
ctl policy fifo 2>"$TMPD/err"
check_eq "usage error exits 2" 2 "$?"
check "usage error names the argument" grep -q "'fifo'" "$TMPD/err"
"$BPFNICCTL" --socket "$TMPD/nothing.sock" status 2>"$TMPD/err"
check_eq "unreachable daemon exits 3" 3 "$?"
check "unreachable message names the socket" grep -q "$TMPD/nothing.sock" "$TMPD/err"

check "bpfnicd still running" daemon_alive
