#!/usr/bin/env bash
# Fault: the control socket's directory. Missing, bpfnicd makes it (every level) and
# serves. Read-only (a read-only mount: root ignores mode bits), it cannot make its
# socket: it refuses to start with a message naming the path and the reason, exits 1
# (not 78: the config is fine, the machine is not), and leaves nothing attached.
. "$(dirname "$0")/daemon_env.bash"

daemon_setup sd
SOCK=$TMPD/not/there/yet/control.sock
daemon_config
daemon_start
check "the missing directories were made" test -S "$SOCK"
check "bpfnicctl reaches it there" ctl_quiet status
daemon_stop
check "the socket file is gone after the stop" test ! -e "$SOCK"

mkdir -p "$TMPD/ro"
mount -t tmpfs -o ro,size=64k tmpfs "$TMPD/ro" || bail "a read-only tmpfs"
on_exit "umount '$TMPD/ro'"
SOCK=$TMPD/ro/control.sock
daemon_config
check_eq "bpfnicd exits 1 when its socket's directory is read-only" 1 "$(daemon_run_once)"
check "its message names the socket and the cause" grep -qE "$SOCK.*(Read-only|read-only)" "$DLOG"
check "nothing left attached" bash -c "! ip -n '$LAB_SRV_NS' link show dev '$LAB_SRV_IF' | grep -q prog/xdp"

SOCK=$TMPD/ro/sub/control.sock
daemon_config
check_eq "bpfnicd exits 1 when it cannot make the directory either" 1 "$(daemon_run_once)"
check "its message names the directory" grep -qE "$TMPD/ro/sub.*(Read-only|read-only)" "$DLOG"
