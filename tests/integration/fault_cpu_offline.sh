#!/usr/bin/env bash
# Fault: a CPU of Cpus= goes offline under load, then comes back. The kernel keeps
# the cpumap entry and moves that CPU's thread to another CPU (for good: it does not
# bind it back): bpfnicd keeps running, says so once each way in its log, gives the CPU
# a new thread when it returns, every request is answered and the books hold.
#
# This takes CPU 1 of the machine offline for about two seconds (this kernel lets
# root write /sys/devices/system/cpu/cpu1/online): whatever else runs then shares
# CPU 0. The CPU is brought back on any exit.
. "$(dirname "$0")/daemon_env.bash"

ONLINE=/sys/devices/system/cpu/cpu1/online
[ -w "$ONLINE" ] || bail "$ONLINE is writable here (CPU hotplug): it is not on this machine"
[ "$(cat "$ONLINE")" = 1 ] || bail "CPU 1 is online before the test"
daemon_setup co
daemon_config
daemon_start
read -r req0 rep0 drop0 <<<"$(server_books_settled)"
on_exit "echo 1 >'$ONLINE' 2>/dev/null"

send --count 4000 --rate 1000 --drain-ms 3000 >"$TMPD/load.out" &
lpid=$!
on_exit "kill $lpid 2>/dev/null"
sleep 1
rc=0
echo 0 >"$ONLINE" 2>"$TMPD/offline.err" || rc=$?
check "CPU 1 taken offline (rc $rc: $(cat "$TMPD/offline.err"))" test "$rc" = 0
check "bpfnicd answers with CPU 1 offline" ctl_quiet status
said_offline() { grep -q 'CPU 1 went offline' "$DLOG"; }
check "bpfnicd says CPU 1 went offline" wait_until 5 said_offline
sleep 0.5
echo 1 >"$ONLINE"
check "CPU 1 back online" test "$(cat "$ONLINE")" = 1
said_online() { grep -q 'CPU 1 is online again: its cpumap thread restarted on it' "$DLOG"; }
check "bpfnicd says CPU 1 is online again" wait_until 5 said_online
wait "$lpid"
r=$(cat "$TMPD/load.out")
diag "load across the offline: $r"
check_eq "every request answered across the offline" 4000 "$(kv received "$r")"
read -r req rep drop <<<"$(server_books_settled)"
check_eq "server: requests = replies + drops" $((req - req0)) $((rep - rep0 + drop - drop0))
check_eq "server: the 4000 requests seen once each" 4000 $((req - req0))

# Back online, CPU 1 has a thread of its own again (the kernel does not bind the moved
# one back; bpfnicd gives it a new one): the replies name the CPU that served them.
r=$(send --count 400 --rate 1000)
check "CPU 1 serves again once online ($(kv cpu1 "$r") of 400)" test "$(kv cpu1 "$r")" -gt 0
check_eq "every request answered after" 400 "$(kv received "$r")"
check "bpfnicd kept running" daemon_alive
