#!/usr/bin/env bash
# Fault: bpfnicd is killed (SIGKILL) in the middle of a policy switch, between two of
# the switch's map writes. strace delivers the signal at the second bpf() call after
# SetPolicy arrives (the tick is a minute away, so no other bpf() call comes first):
# the kill lands exactly there, every run. Then: the program, its maps and the link
# are gone (fail-open: ping works), nothing is left in the bpffs the daemon could see
# (one of our own, bound over its /sys/fs/bpf), and the next start is clean: it takes
# the socket path back, attaches, runs the configured policy and serves.
. "$(dirname "$0")/daemon_env.bash"

command -v strace >/dev/null || bail "strace is installed (scripts/install-deps)"
daemon_setup ks
D_INTERVAL_MS=60000 daemon_config
mkdir "$TMPD/bpffs"
mount -t bpf bpf "$TMPD/bpffs" || bail "mount a bpffs of our own"
on_exit "umount '$TMPD/bpffs'"
# A fresh bpffs holds the kernel's own iterators (maps.debug, progs.debug): the rest is pins.
bpffs_fresh=$(ls -A "$TMPD/bpffs" | tr '\n' ' ')
# shellcheck disable=SC2016
D_WRAP=(sh -c 'mount --bind "$0" /sys/fs/bpf && exec "$@"' "$TMPD/bpffs")
daemon_start

prog=$(xdp_prog_id)
maps=$(bpftool prog show id "$prog" --json | jq -r '.map_ids | join(" ")')
diag "scheduler program $prog, maps $maps"
check_eq "the policy before the switch is rr" rr "$(status_get .policy.name)"
check "bpffs visible to bpfnicd" grep -q ' /sys/fs/bpf .* bpf ' "/proc/$DPID/mountinfo"

strace -f -qq -o "$TMPD/strace.log" -e trace=bpf -e inject=bpf:signal=KILL:when=2 -p "$DPID" &
spid=$!
traced() { [ "$(awk '/^TracerPid:/ { print $2 }' "/proc/$DPID/status" 2>/dev/null)" = "$spid" ]; }
wait_until 10 traced || bail "strace attached to bpfnicd"
rc=0
ctl --timeout 5000 policy split >"$TMPD/policy.out" 2>&1 || rc=$?
wait "$spid" 2>/dev/null
dead() { ! daemon_alive; }
check "bpfnicd died in the switch (bpfnicctl exit $rc)" wait_until 10 dead
sed 's/^/# strace: /' "$TMPD/strace.log" | tail -n 4
check "it died at the switch's second map write (strace saw two updates)" \
	test "$(grep -c 'BPF_MAP_UPDATE_ELEM' "$TMPD/strace.log")" -ge 2
wait "$DPID" 2>/dev/null
DPID=

check_fail_open "after the kill" "$prog"
maps_gone() {
	local m
	for m in $maps; do bpftool map show id "$m" >/dev/null 2>&1 && return 1; done
	return 0
}
check "every map of the killed daemon is freed ($maps)" wait_until 10 maps_gone
check_eq "nothing pinned in the bpffs it could see" "$bpffs_fresh" "$(ls -A "$TMPD/bpffs" | tr '\n' ' ')"

daemon_start
check "the next start attaches" xdp_attached
check_eq "it runs the configured policy, not a half switch" rr "$(status_get .policy.name)"
check_eq "its groups are whole (main 0,1; long empty)" '[0,1][]' "$(status_get '"\(.groups.main)\(.groups.long)"')"
r=$(send --count 300 --rate 1000)
check_eq "it serves: 300 requests, every one answered" 300 "$(kv received "$r")"
check "a policy switch works again" ctl_ok policy split
check_eq "nothing pinned after the clean start either" "$bpffs_fresh" "$(ls -A "$TMPD/bpffs" | tr '\n' ' ')"
