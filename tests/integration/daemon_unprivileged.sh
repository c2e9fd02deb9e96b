#!/usr/bin/env bash
# Least privilege, outside systemd: bpfnicd as an ordinary user (nobody) holding only
# the capabilities the unit grants it as ambient ones (CAP_BPF, CAP_NET_ADMIN,
# CAP_PERFMON), its bounding set reduced to them. It attaches, serves, counts queue
# drops exactly (its tracer needs CAP_PERFMON), sees its cpumap threads' CPU use, gives
# its socket to the group it runs in, and obeys root's calls (root is the peer, not
# bpfnicd). The systemd tier checks the same under the unit (User=bpfnic).
. "$(dirname "$0")/daemon_env.bash"

CAPS=bpf,net_admin,perfmon
MASK=000000c000001000 # bits 12 (net_admin), 38 (perfmon), 39 (bpf)
daemon_setup up
# Its socket's directory is its own, as RuntimeDirectory= makes /run/bpfnic.
mkdir "$TMPD/run"
chown nobody:nogroup "$TMPD/run"
SOCK=$TMPD/run/control.sock
D_DAEMON_EXTRA="SocketGroup=nogroup" daemon_config
chmod 0644 "$CONF"
D_WRAP=(setpriv --reuid=nobody --regid=nogroup --clear-groups "--inh-caps=-all,+${CAPS//,/,+}"
	"--ambient-caps=+${CAPS//,/,+}" "--bounding-set=-all,+${CAPS//,/,+}")
daemon_start

status_field() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$DPID/status"; }
check_eq "bpfnicd runs as nobody" 65534 "$(status_field Uid)"
for set in CapEff CapPrm CapAmb CapBnd; do
	check_eq "$set is exactly CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON" "$MASK" "$(status_field "$set")"
done
check "attached" xdp_attached
check_eq "its socket belongs to its group" nogroup "$(stat -c %G "$SOCK")"
r=$(send --count 500 --rate 1000)
check_eq "it serves: 500 requests, every one answered" 500 "$(kv received "$r")"
check_eq "queue drops are exact (the tracer is loaded)" true "$(status_get .totals.drops.queue_exact)"
util_known() { [ "$(ctl --json stats | jq -r '[.cpus[].kthread_util] | map(. != null) | all')" = true ]; }
check "its cpumap threads' CPU use is known" wait_until 5 util_known
check "root's policy switch is obeyed" ctl_ok policy split --long-cpus 1
check_eq "status shows it" split "$(status_get .policy.name)"
