#!/usr/bin/env bash
# The dynamic policy: load one worker CPU cannot carry grows the core group (candidates
# 0-1, MinCpus=1, MaxCpus=2); once the load stops the group shrinks back to MinCpus.
# Both are waited for with bounded polling; no time is asserted.
. "$(dirname "$0")/daemon_env.bash"

daemon_setup dy
D_POLICY=dynamic D_THRESHOLD_US=50 D_SHRINK_US=20 D_COOLDOWN_MS=300 D_INTERVAL_MS=100 \
	daemon_config
daemon_start

group_size() { status_get '.groups.main | length'; }
group_is() { [ "$(group_size)" = "$1" ]; }

check_eq "dynamic starts at MinCpus" 1 "$(group_size)"

# 500 µs of work per request at 3000 requests/s is 1.5 CPUs of work: one worker CPU
# cannot keep up, so its queue (and queuing delay) grows without bound. Bounded:
# 24000 requests, ~8 s. Losses are expected here (the queue overflows); not asserted.
send --count 24000 --rate 3000 --service-us 500 --drain-ms 2000 >"$TMPD/load.out" &
lpid=$!
on_exit "kill $lpid 2>/dev/null"

if wait_until 30 group_is 2; then
	ok "overload grows the group to MaxCpus"
else
	fail "overload grows the group (size $(group_size), status $(status_get .policy))"
fi
check_eq "history records the grow" grow "$(status_get '[.history[] | select(.action == "grow")][0].action')"
check "the grow has a reason" test -n "$(status_get '[.history[] | select(.action == "grow")][0].reason // empty')"
check "never more than MaxCpus" test "$(group_size)" -le 2

wait "$lpid"
diag "load: $(cat "$TMPD/load.out")"

if wait_until 30 group_is 1; then
	ok "idle shrinks the group back to MinCpus"
else
	fail "idle shrinks the group (size $(group_size), history $(status_get .history))"
fi
check_eq "history records the shrink" shrink "$(status_get '.history[-1].action')"
ctl status | sed 's/^/# /'

# Light load afterwards is served by the one remaining CPU, with nothing lost.
r=$(send --count 1000 --rate 500)
check_eq "light load after the shrink: nothing lost" 0 "$(kv lost "$r")"
check "bpfnicd still running" daemon_alive
