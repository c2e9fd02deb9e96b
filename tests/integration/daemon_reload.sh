#!/usr/bin/env bash
# Reloads: SIGHUP or `bpfnicctl reload` with a broken config keeps the running one
# (status shows the old values; the log and the error say why); a good config applies
# live; keys that need a restart are reported as such.
. "$(dirname "$0")/daemon_env.bash"

daemon_setup rl
D_POLICY=dynamic D_THRESHOLD_US=20 D_SHORT_US=6 daemon_config
daemon_start
check_eq "running config" "20 6" "$(status_get '"\(.policy.threshold_us) \(.workload.short_us)"')"

# A broken file: a bad value and an unknown key.
D_POLICY=dynamic D_THRESHOLD_US=twenty D_DAEMON_EXTRA="NoSuchKey=1" daemon_config
kill -HUP "$DPID"
# The daemon logs the failure; wait for the line that names the bad key.
if wait_until 15 grep -q "ThresholdUs" "$DLOG"; then
	ok "SIGHUP with a broken config: the log says why"
else
	fail "SIGHUP with a broken config: the log says why"
fi
grep -i "ThresholdUs\|NoSuchKey" "$DLOG" | sed 's/^/# log: /' | head -n 4
check "bpfnicd survives the bad reload" daemon_alive
check_eq "status still shows the old values" "dynamic 20 6" \
	"$(status_get '"\(.policy.name) \(.policy.threshold_us) \(.workload.short_us)"')"

ctl reload 2>"$TMPD/err"
check_eq "bpfnicctl reload with a broken config exits 1" 1 "$?"
check "the refusal is ReloadFailed and names the key" \
	bash -c "grep -q ReloadFailed '$TMPD/err' && grep -q ThresholdUs '$TMPD/err'"
sed 's/^/# stderr: /' "$TMPD/err"
check_eq "status still shows the old values after reload" "20 6" \
	"$(status_get '"\(.policy.threshold_us) \(.workload.short_us)"')"

# A good file applies live, through both paths.
D_POLICY=dynamic D_THRESHOLD_US=30 D_SHORT_US=8 daemon_config
check "bpfnicctl reload with a good config" ctl_ok reload
check_eq "new values live" "30 8" "$(status_get '"\(.policy.threshold_us) \(.workload.short_us)"')"

D_POLICY=rr D_THRESHOLD_US=30 D_SHORT_US=9 daemon_config
kill -HUP "$DPID"
new_values() { [ "$(status_get '"\(.policy.name) \(.workload.short_us)"')" = "rr 9" ]; }
check "SIGHUP with a good config applies it" wait_until 15 new_values

# Interface= cannot change live: reported, the running one kept.
D_IFACE=lo D_POLICY=rr D_SHORT_US=9 daemon_config
out=$(ctl --json reload)
check "a changed Interface= is reported as needing a restart" \
	jq -e '.restart_needed | index("Interface")' <<<"$out"
check_eq "the running interface is kept" "$LAB_SRV_IF" "$(status_get .interface)"
check "bpfnicd still running" daemon_alive
