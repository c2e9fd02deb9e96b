#!/usr/bin/env bash
# Fault: no bpffs mounted at all (the default on this machine, and under
# `ip netns exec`, which mounts a /sys of its own). bpfnicd needs none: it pins
# nothing, its programs live as long as it holds their fds. It starts, attaches,
# serves and switches policy with /sys/fs/bpf not a bpffs in its own mount namespace.
. "$(dirname "$0")/daemon_env.bash"

daemon_setup nb
daemon_config
# Its own mount namespace, where /sys/fs/bpf is made sure not to be a bpffs.
# shellcheck disable=SC2016
D_WRAP=(unshare -m sh -c 'while mountpoint -q /sys/fs/bpf; do umount /sys/fs/bpf || exit 1; done; exec "$@"' sh)
daemon_start

no_bpffs() { ! grep -qE ' - bpf ' "/proc/$DPID/mountinfo"; }
check "no bpffs in bpfnicd's mount namespace" no_bpffs
check "attached without a bpffs" xdp_attached
r=$(send --count 300 --rate 1000)
check_eq "it serves: 300 requests, every one answered" 300 "$(kv received "$r")"
check "a policy switch works" ctl_ok policy split --long-cpus 1
check_eq "status shows it" split "$(status_get .policy.name)"
check "no error or warning about bpffs in its log" bash -c "! grep -qiE 'bpffs|/sys/fs/bpf' '$DLOG'"
