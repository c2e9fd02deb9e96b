#!/usr/bin/env bash
# bpfnicd's start-up failures say what really went wrong (the callee's error, not a
# stand-in), exit 1, and leave nothing behind. No lab: each fails before attaching.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
BPFNICD=$BUILD/bpfnicd
[ -x "$BPFNICD" ] || { fail "built: $BPFNICD"; exit 1; }
tmp=$(mktemp -d /tmp/bpfnic-start.XXXXXX)
on_exit "rm -rf '$tmp'"
cat >"$tmp/bpfnicd.conf" <<CONF
[Daemon]
Interface=lo
Cpus=0
ControlSocket=$tmp/control.sock
CONF

# Four descriptors: stdin/out/err and the event loop's epoll; the first signalfd
# finds none left (EMFILE), and the message must say so.
bash -c "ulimit -n 4; exec '$BPFNICD' --config '$tmp/bpfnicd.conf' --log-target stderr" \
	>/dev/null 2>"$tmp/err"
check_eq "out of descriptors at start: exit 1" 1 "$?"
check "the message names the signal and the real error" \
	grep -q "cannot watch SIGTERM: Too many open files" "$tmp/err"
sed 's/^/# /' "$tmp/err"
check "no control socket left behind" test ! -e "$tmp/control.sock"
