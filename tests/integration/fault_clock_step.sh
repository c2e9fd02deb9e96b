#!/usr/bin/env bash
# Fault: the wall clock steps, a day forward, then back, under a running bpfnicd.
# Windows, rates and cooldowns run on CLOCK_MONOTONIC and must not notice: the window
# stays IntervalMs= long, the rates match what is sent, a cooldown lasts as configured
# (a forward step does not end it early, a backward step does not make it last two
# days). Only the history's time stamps, CLOCK_REALTIME by design, follow the clock.
#
# The step is made by tests/tools/clockshim.so (LD_PRELOAD) in bpfnicd alone: the
# realtime clock has no namespace, and stepping the machine's own would step every
# other test and service on a shared machine (see the shim).
. "$(dirname "$0")/daemon_env.bash"

SHIM=$BUILD/tests/tools/clockshim.so
[ -f "$SHIM" ] || bail "built: $SHIM"
daemon_setup cs
# Load grows the group (threshold 20 us); idle shrinks it after the cooldown.
D_POLICY=dynamic D_THRESHOLD_US=20 D_SHRINK_US=10 D_COOLDOWN_MS=4000 D_INTERVAL_MS=100 daemon_config
OFFSET=$TMPD/clock_offset
echo 0 >"$OFFSET"
D_WRAP=(env "LD_PRELOAD=$SHIM" "BPFNIC_CLOCKSHIM_FILE=$OFFSET")
daemon_start
day=86400
step() { echo "$1" >"$OFFSET"; diag "wall clock of bpfnicd now $1 s off"; }
group_size() { status_get '.groups.main | length'; }
group_is() { [ "$(group_size)" = "$1" ]; }
now_s() { date +%s; }

check_eq "starts at MinCpus" 1 "$(group_size)"
sleep 4 # the cooldown counts from the start too
# 500 us of work per request at 3000 requests/s: 1.5 CPUs, more than one can carry.
send --count 3000 --rate 3000 --service-us 500 --drain-ms 2000 >"$TMPD/a.out" &
lpid=$!
on_exit "kill $lpid 2>/dev/null"
check "load grew the group" wait_until 20 group_is 2
wait "$lpid"
t0=$SECONDS
# A day forward: a cooldown on the wall clock would be over at once.
step "$day"
sleep 1
size_early=$(group_size)
early=$((SECONDS - t0))
# Checked only when the poll came well within the cooldown (4 s) of the last request:
# a stalled machine makes the check late, not wrong.
if [ "$early" -le 3 ]; then
	check_eq "a step of a day forward does not end the cooldown ($early s after the load)" 2 "$size_early"
else
	diag "the poll came $early s after the load: too late to see the cooldown"
	check "the group was 2 or shrank after the cooldown" test "$size_early" -le 2
fi
# Two days back: a cooldown on the wall clock would last two days.
step "-$day"
check "idle shrinks the group after the cooldown, not two days later" wait_until 30 group_is 1

# The history's stamps are wall-clock ones: they show the steps (and that the shim works).
grow_t=$(status_get '[.history[] | select(.action == "grow")][-1].time_usec')
shrink_t=$(status_get '[.history[] | select(.action == "shrink")][-1].time_usec')
near() { awk -v t="$1" -v w="$2" 'BEGIN { d = t / 1e6 - w; exit !(d > -120 && d < 120) }'; }
check "the grow's time stamp is the wall clock's" near "$grow_t" "$(now_s)"
check "the shrink's time stamp is a day behind (the shim stepped bpfnicd's clock)" near "$shrink_t" $(($(now_s) - day))

# Rates and windows while the clock steps back and forth under load.
send --count 5000 --rate 1000 >"$TMPD/b.out" &
lpid=$!
on_exit "kill $lpid 2>/dev/null"
windows_ok=1 rates_ok=1
for off in 3600 "-$day" 0; do
	sleep 0.8
	step "$off"
	sleep 0.3
	read -r wms rps <<<"$(ctl --json stats 2>/dev/null | jq -r '"\(.window_ms) \(.totals.in_rps)"')"
	diag "window $wms ms, in $rps requests/s"
	awk -v w="$wms" 'BEGIN { exit !(w >= 50 && w <= 1000) }' || windows_ok=0
	awk -v r="$rps" 'BEGIN { exit !(r >= 300 && r <= 3000) }' || rates_ok=0
done
wait "$lpid"
check "every window stayed about IntervalMs=100 long across the steps" test "$windows_ok" = 1
check "every window's rate matched the 1000 requests/s sent" test "$rates_ok" = 1
check_eq "every request answered across the steps" 5000 "$(kv received "$(cat "$TMPD/b.out")")"
check "bpfnicd kept running" daemon_alive
