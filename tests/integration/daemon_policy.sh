#!/usr/bin/env bash
# Live policy switches rr -> split -> dynamic -> rr under steady load: not one request
# lost, and each switch visible in status at once. Refused changes change nothing.
. "$(dirname "$0")/daemon_env.bash"

daemon_setup po
D_POLICY=rr D_THRESHOLD_US=1000 daemon_config
daemon_start

# Steady load for the whole sequence (~12 s); the switches happen while it runs.
steady_load 36000 3600

advance 2000 || fail "load reaches the daemon"
check_eq "starts with rr over both CPUs" "rr [0,1]" "$(status_get '"\(.policy.name) \(.groups.main)"')"

check "policy split --long-cpus 1" ctl_ok policy split --long-cpus 1
check_eq "split: short group 0, long group 1" "split [0] [1]" \
	"$(status_get '"\(.policy.name) \(.groups.main) \(.groups.long)"')"
advance 2000 || fail "load continues under split"

check "policy dynamic --threshold-us 1000 --min-cpus 1 --max-cpus 2" \
	ctl_ok policy dynamic --threshold-us 1000 --min-cpus 1 --max-cpus 2 --metric avg
check_eq "dynamic, thresholds as given" "dynamic 1000 avg 1 2" \
	"$(status_get '"\(.policy.name) \(.policy.threshold_us) \(.policy.metric) \(.policy.min_cpus) \(.policy.max_cpus)"')"
advance 2000 || fail "load continues under dynamic"

check "policy rr" ctl_ok policy rr
check_eq "back to rr over both CPUs" "rr [0,1]" "$(status_get '"\(.policy.name) \(.groups.main)"')"

# Refusals: exit 1, the error named on stderr, nothing changed.
ctl policy dynamic --min-cpus 3 --max-cpus 3 2>"$TMPD/err"
check_eq "more CPUs than candidates: refused (exit 1)" 1 "$?"
check "the refusal names InvalidParameter" grep -q InvalidParameter "$TMPD/err"
check_eq "a refused change leaves the policy" rr "$(status_get .policy.name)"
ctl --json policy split --long-cpus 1 >"$TMPD/reply.json"
check_eq "policy --json prints the reply's policy object" split "$(jq -r .policy.name "$TMPD/reply.json")"
check "policy rr (again)" ctl_ok policy rr

check_load_lossless "four switches"
check "bpfnicd still running" daemon_alive
