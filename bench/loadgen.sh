#!/usr/bin/env bash
# bpfnic-loadgen's ceiling against sockperf, side by side in one run on one lab.
#
# Server side: the bpfnic data path (dp-attach) on the lab's server veth, worker CPU 1,
# zero service time, so the generator, not the server, is the limit. Client side:
# one sending thread on CPU 0 for both tools, the same UDP payload size (the extended
# request, 56 bytes), the same destination (port 7777, through the same XDP path).
#
#   loadgen   bpfnic-loadgen --calibrate, with constant and with Poisson arrivals:
#             the highest rate whose step is VALID (loadgen/validity.h: sent within
#             5 % of the schedule, send-lag p99 at most a quarter of the RTT p99, no
#             reply dropped by the client's sockets), and the highest rate sent on
#             schedule whatever the lag (its raw packets/s, like sockperf's). For
#             comparison, the highest probe that passed the rule before (send-lag
#             p99 below the mean gap between requests), read from the same probes.
#             It also reads and checks every reply, which sockperf tp does not.
#   sockperf  `sockperf tp`: sends as fast as it can, no schedule, reads nothing.
#
# Prints figures and the commands that produced them; never passes or fails on time.
set -u
BPFNIC_TOP=${BPFNIC_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$BPFNIC_TOP/build}
LG=$BUILD/bpfnic-loadgen
DP=$BUILD/tests/tools/dp-attach
export BPFNIC_LAB=${BPFNIC_LAB_PREFIX:-t}lgb
DURATION=${LG_BENCH_DURATION:-1s}
SOCKPERF_SECONDS=${LG_BENCH_SOCKPERF_SECONDS:-5}
SIZE=56 # BPFNIC_REQ_EXT_LEN: the loadgen's default request

for tool in "$LG" "$DP"; do
	[ -x "$tool" ] || { echo "missing $tool: run make all"; exit 1; }
done
command -v sockperf >/dev/null || { echo "sockperf is not installed (scripts/install-deps)"; exit 1; }
command -v jq >/dev/null || { echo "jq is not installed (scripts/install-deps)"; exit 1; }

lab() { "$BPFNIC_TOP/scripts/lab" "$@"; }
tmp=$(mktemp -d /tmp/bpfnic-lgbench.XXXXXX)
dp_pid=
cleanup() {
	[ -n "$dp_pid" ] && kill "$dp_pid" 2>/dev/null && wait "$dp_pid" 2>/dev/null
	lab down >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
lab down >/dev/null 2>&1
lab up >"$tmp/lab.log" 2>&1 || { cat "$tmp/lab.log"; exit 1; }
eval "$(lab env)"

ip netns exec "$LAB_SRV_NS" "$DP" --iface "$LAB_SRV_IF" --cpus 1 --port 7777 --short-us 0 \
	>"$tmp/dp.out" 2>&1 &
dp_pid=$!
for _ in $(seq 100); do grep -q ready "$tmp/dp.out" && break; sleep 0.1; done
grep -q ready "$tmp/dp.out" || { echo "dp-attach did not start:"; cat "$tmp/dp.out"; exit 1; }

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r)"
echo "server: dp-attach --iface $LAB_SRV_IF --cpus 1 --port 7777 --short-us 0 (in $LAB_SRV_NS)"
echo

calibrate() { # arrivals -> "valid on-schedule old-rule" rps per thread
	local arr=$1 cmd
	cmd="$LG --target $LAB_SRV_IP4:7777 --calibrate --cpus 0 --arrivals $arr --duration $DURATION --json $tmp/cal-$arr.json"
	echo "\$ ip netns exec $LAB_CLI_NS $cmd" >&2
	# shellcheck disable=SC2086
	ip netns exec "$LAB_CLI_NS" $cmd >"$tmp/cal-$arr.out" 2>&1 || { cat "$tmp/cal-$arr.out" >&2; echo 0; return; }
	grep -E 'stalled|timing floor|ceiling|on schedule' "$tmp/cal-$arr.out" | sed "s/^ */  [$arr] /" >&2
	# The old rule, on the probes (steps 2..: step 1 is the idle floor): the highest
	# probed rate sent on schedule with send-lag p99 below the mean gap.
	jq -r '(.calibration | "\(.max_valid_rps_per_thread | floor) \(.max_on_schedule_rps_per_thread | floor)")
		+ " " + ([.steps[1:][] | select(.sent >= 0.95 * .scheduled and .send_lag_us.p99 < .mean_gap_us)
		| .offered_rps] | max // 0 | floor | tostring)' "$tmp/cal-$arr.json"
}

read -r lg_const lg_const_raw lg_const_old < <(calibrate constant)
read -r lg_poisson lg_poisson_raw lg_poisson_old < <(calibrate poisson)

cmd="sockperf tp -i $LAB_SRV_IP4 -p 7777 -m $SIZE -t $SOCKPERF_SECONDS"
echo "\$ ip netns exec $LAB_CLI_NS taskset -c 0 $cmd"
# shellcheck disable=SC2086
ip netns exec "$LAB_CLI_NS" taskset -c 0 $cmd >"$tmp/sockperf.out" 2>&1
sp=$(sed -n 's/.*Message Rate is \([0-9]*\).*/\1/p' "$tmp/sockperf.out" | tail -1)
if [ -z "$sp" ]; then
	echo "sockperf gave no rate:"; cat "$tmp/sockperf.out"; exit 1
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo
row() { printf "%-58s %12s %8s\n" "$1" "$2" "$(ratio "$2" "$sp")"; }
printf "%-58s %12s %8s\n" "one sending thread, $SIZE-byte UDP payload" "packets/s" "vs sockperf"
row "sockperf tp (no schedule, no replies read)" "$sp"
row "bpfnic-loadgen, on schedule, constant arrivals" "$lg_const_raw"
row "bpfnic-loadgen, on schedule, Poisson arrivals" "$lg_poisson_raw"
row "bpfnic-loadgen, VALID, constant arrivals" "$lg_const"
row "bpfnic-loadgen, VALID, Poisson arrivals" "$lg_poisson"
row "  before: lag p99 < mean gap, constant (highest probe)" "$lg_const_old"
row "  before: lag p99 < mean gap, Poisson (highest probe)" "$lg_poisson_old"
echo "(VALID: sent within 5 % of the schedule, send-lag p99 at most 25 % of the RTT p99,"
echo " no reply dropped by the client's sockets; see bpfnic-loadgen --help. VALID rates"
echo " are bounded by the client CPU's stalls above: a send cannot be more punctual than"
echo " the machine lets the thread run.)"
