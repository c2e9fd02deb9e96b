#!/usr/bin/env bash
# The data path's figures (issue 2, point 6): scheduler cost next to the reference,
# worker service-time accuracy, sustained requests/s with one worker CPU. Figures,
# not pass/fail; each is preceded by the command that gives it.
set -u
BPFNIC_TOP=${BPFNIC_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$BPFNIC_TOP/build}
DPBENCH=$BUILD/bench/dpbench
export BPFNIC_LAB=${BPFNIC_LAB_PREFIX:-b}dpb

run() { echo "\$ $*"; "$@"; local rc=$?; echo; return $rc; }

rc=0
run "$DPBENCH" sched --repeat 2000000 --rounds 9 || rc=1
run "$DPBENCH" service --us 1,6,60 --count 500 || rc=1

# Live frames need a real ingress interface: the lab's server veth.
"$BPFNIC_TOP/scripts/lab" up >/dev/null || exit 1
trap '"$BPFNIC_TOP/scripts/lab" down' EXIT
eval "$("$BPFNIC_TOP/scripts/lab" env)"
run ip netns exec "$LAB_SRV_NS" "$DPBENCH" capacity --iface "$LAB_SRV_IF" \
	--service-us 0,6 --seconds 2 --rounds 3 || rc=1
run ip netns exec "$LAB_SRV_NS" "$DPBENCH" capacity --iface "$LAB_SRV_IF" \
	--service-us 0,6 --seconds 2 --rounds 3 --no-tx || rc=1
echo "(machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end: other" \
	"tasks on CPU 1 lower served/s; 'per CPU-s' is the worker's rate on the CPU time it got)"
exit $rc
