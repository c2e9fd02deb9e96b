#!/usr/bin/env bash
# The data path's figures (issue 2, point 6): scheduler cost next to the reference,
# the worker's own cost per request, worker service-time accuracy, sustained
# requests/s with one worker CPU. Figures, not pass/fail; each is preceded by the
# command that gives it.
#
# DPBENCH_BASELINE_REV=REV (a git revision) also builds that revision's BPF object and
# runs its worker next to this tree's, interleaved: what a change to the worker costs,
# e.g. DPBENCH_BASELINE_REV=674d138 for the full UDP checksum (issue 9).
set -u
BPFNIC_TOP=${BPFNIC_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$BPFNIC_TOP/build}
DPBENCH=$BUILD/bench/dpbench
export BPFNIC_LAB=${BPFNIC_LAB_PREFIX:-b}dpb

run() { echo "\$ $*"; "$@"; local rc=$?; echo; return $rc; }

rc=0
run "$DPBENCH" sched --repeat 2000000 --rounds 9 || rc=1

baseline=()
if [ -n "${DPBENCH_BASELINE_REV:-}" ]; then
	bdir=$(mktemp -d /tmp/bpfnic-baseline.XXXXXX)
	trap 'rm -rf "$bdir"' EXIT
	if git -C "$BPFNIC_TOP" archive "$DPBENCH_BASELINE_REV" | tar -x -C "$bdir" &&
		make -s -C "$bdir" BUILD=build build/bpf/bpfnic.bpf.o >/dev/null; then
		baseline=(--baseline "$bdir/build/bpf/bpfnic.bpf.o")
		echo "(baseline: bpfnic.bpf.o built from $DPBENCH_BASELINE_REV)"
	else
		echo "(baseline $DPBENCH_BASELINE_REV could not be built: worker cost alone)"
		rc=1
	fi
fi
run "$DPBENCH" worker --repeat 2000000 --rounds 15 "${baseline[@]}" || rc=1
run "$DPBENCH" service --us 1,6,60 --count 500 || rc=1

# Live frames need a real ingress interface: the lab's server veth.
"$BPFNIC_TOP/scripts/lab" up >/dev/null || exit 1
trap '"$BPFNIC_TOP/scripts/lab" down; rm -rf "${bdir:-}"' EXIT
eval "$("$BPFNIC_TOP/scripts/lab" env)"
run ip netns exec "$LAB_SRV_NS" "$DPBENCH" capacity --iface "$LAB_SRV_IF" \
	--service-us 0,6 --seconds 2 --rounds 3 || rc=1
run ip netns exec "$LAB_SRV_NS" "$DPBENCH" capacity --iface "$LAB_SRV_IF" \
	--service-us 0,6 --seconds 2 --rounds 3 --no-tx || rc=1

# The same accuracy through the real path: the cpumap worker on the lab, requests from
# the client namespace asking for each time (figures from the replies' timestamps).
echo "\$ ip netns exec $LAB_SRV_NS $BUILD/tests/tools/dp-attach --iface $LAB_SRV_IF --cpus 1 --max-us 1000 &"
ip netns exec "$LAB_SRV_NS" "$BUILD/tests/tools/dp-attach" --iface "$LAB_SRV_IF" --cpus 1 \
	--max-us 1000 >"$BPFNIC_TOP/build/.dpbench-attach.out" 2>&1 &
attach=$!
for _ in $(seq 100); do grep -q ready "$BPFNIC_TOP/build/.dpbench-attach.out" 2>/dev/null && break; sleep 0.1; done
echo "worker service time through the cpumap worker on CPU 1 (lab, 500 extended requests each, one at a time)"
printf '  %12s %12s %12s %12s %10s %10s\n' requested p50 mean p99 "p50 err" "mean err"
for us in 1 6 60; do
	cmd="ip netns exec $LAB_CLI_NS $BUILD/tests/tools/reqping --host $LAB_SRV_IP4 --count 500 --format ext --service-us $us"
	out=$($cmd)
	awk -v us="$us" -F= '
		{ v[$1] = $2 }
		END { want = us * 1000
		      printf "  %9d us %9.3f us %9.3f us %9.3f us %+9.2f%% %+9.2f%%   (%s/%s replies)\n", us,
			v["service_p50_ns"] / 1000, v["service_avg_ns"] / 1000, v["service_p99_ns"] / 1000,
			(v["service_p50_ns"] - want) / want * 100, (v["service_avg_ns"] - want) / want * 100,
			v["valid"], v["sent"] }' <<<"$out"
	echo "    \$ $cmd"
done
kill -INT "$attach" 2>/dev/null; wait "$attach" 2>/dev/null
rm -f "$BPFNIC_TOP/build/.dpbench-attach.out"
echo

echo "(machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end: other" \
	"tasks on CPU 1 lower served/s; 'per CPU-s' is the worker's rate on the CPU time it got)"
exit $rc
