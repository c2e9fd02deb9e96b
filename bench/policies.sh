#!/usr/bin/env bash
# The policies beyond the thesis on the lab (issue 11): every policy side by side under
# the thesis' bimodal load as bpfnic-bench's bimodal experiment scales it (90 % of
# requests at 60 us, 10 % at 600 us, Poisson), at 60 % and 70 % of the two CPUs'
# capacity (2 / 114 us = 17 544 req/s), policies interleaved round by round; per
# policy the median over rounds of each class's p99 queuing delay (bpfnic-loadgen's,
# from the replies' server stamps) and of the worse of the two, and the window's
# estimate against the wait for the load-aware ones. Figures, never pass or fail.
#
# POLICIES_ROUNDS=N (default 3), POLICIES_SECONDS=S (measured per run, default 3).
# Measure on a quiet machine (uptime is printed): the load generator and the workers
# share the two CPUs, so other work on them shows as queuing delay.
set -u
BPFNIC_TOP=${BPFNIC_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$BPFNIC_TOP/build}
LAB=$BPFNIC_TOP/scripts/lab
ROUNDS=${POLICIES_ROUNDS:-3}
SECONDS_PER_RUN=${POLICIES_SECONDS:-3}
export BPFNIC_LAB=${BPFNIC_LAB_PREFIX:-b}pol
POLICIES=("rr" "split --long-cpus 1" "lwl" "jsq" "p2c" "p2c --choices 3" "hash")
LOADS=(60 70)
CAPACITY=17544 # 2 CPUs / (0.9 * 60 us + 0.1 * 600 us)

for tool in "$BUILD/bpfnicd" "$BUILD/bpfnicctl" "$BUILD/bpfnic-loadgen"; do
	[ -x "$tool" ] || { echo "missing $tool: run make all"; exit 1; }
done
tmp=$(mktemp -d /tmp/bpfnic-policies.XXXXXX)
dpid=
cleanup() {
	[ -n "$dpid" ] && kill -TERM "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	"$LAB" down >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
"$LAB" up >/dev/null || exit 1
eval "$("$LAB" env)"
cat >"$tmp/bpfnicd.conf" <<EOF
[Daemon]
Interface=$LAB_SRV_IF
Cpus=0-1
ControlSocket=$tmp/control.sock
AdminGroup=root
[Workload]
ShortUs=60
LongUs=600
MaxUs=2000
EOF
ip netns exec "$LAB_SRV_NS" "$BUILD/bpfnicd" --config "$tmp/bpfnicd.conf" --log-target stderr \
	>"$tmp/bpfnicd.log" 2>&1 </dev/null &
dpid=$!
ctl() { "$BUILD/bpfnicctl" --socket "$tmp/control.sock" "$@"; }
for _ in $(seq 50); do ctl status >/dev/null 2>&1 && break; sleep 0.1; done
ctl status >/dev/null || { echo "bpfnicd did not start:"; cat "$tmp/bpfnicd.log"; exit 1; }

# The workers (cpumap kernel threads) in a real-time class, as bpfnicd's
# WorkerScheduling= does where it exists: as SCHED_OTHER tasks they lose the CPU to
# the load generator for milliseconds (design.md). This daemon's threads are those of
# the cpumap its scheduler, attached to the lab's interface, uses.
if ! ctl --json status | jq -e .workers >/dev/null 2>&1; then
	prog=$(ip netns exec "$LAB_SRV_NS" bpftool -j net show dev "$LAB_SRV_IF" |
		jq -r '.[0].xdp[0].id // empty')
	maps=$(bpftool -j prog show id "$prog" 2>/dev/null | jq -r '.map_ids[]?')
	cpumap=$(for m in $maps; do bpftool -j map show id "$m" | jq -r 'select(.type == "cpumap") | .id'; done)
	for cpu in 0 1; do
		for pid in $(pgrep -x "cpumap/$cpu/map:$cpumap"); do
			chrt -f -p 49 "$pid" && echo "(worker thread cpumap/$cpu/map:$cpumap, pid $pid: SCHED_FIFO 49)"
		done
	done
fi

echo "machine: $(nproc) CPUs, $(uptime | sed 's/.*load/load/')"
echo "\$ bpfnicd (Cpus=0-1, ShortUs=60, LongUs=600) on the lab; for each load, round and policy:"
echo "\$ bpfnicctl policy POLICY"
echo "\$ ip netns exec $LAB_CLI_NS bpfnic-loadgen --target $LAB_SRV_IP4:7777 --rate RATE" \
	"--mix short=90,long=10 --duration ${SECONDS_PER_RUN}s --warmup 1s --drain 1s --flows 16 --csv F"
echo "(policies in a rotating order each round; $ROUNDS rounds)"

: >"$tmp/results"
for load in "${LOADS[@]}"; do
	rate=$((CAPACITY * load / 100))
	for round in $(seq "$ROUNDS"); do
		n=${#POLICIES[@]}
		for k in $(seq 0 $((n - 1))); do
			policy=${POLICIES[$(((k + round) % n))]}
			# shellcheck disable=SC2086 # the policy and its options, word by word
			ctl policy $policy >/dev/null || { echo "policy $policy refused"; exit 1; }
			ip netns exec "$LAB_CLI_NS" "$BUILD/bpfnic-loadgen" --target "$LAB_SRV_IP4:7777" \
				--rate "$rate" --mix short=90,long=10 --duration "${SECONDS_PER_RUN}s" \
				--warmup 1s --drain 1s --flows 16 --quiet --csv "$tmp/run.csv" >/dev/null 2>&1 ||
				{ echo "bpfnic-loadgen failed under $policy"; exit 1; }
			est=$(ctl --json stats | jq -r '.estimate // empty | "\(.wait_us) \(.estimated_wait_us) \(.abs_error_us)"')
			# columns: class 5, lost 8, qdelay_p99_us 20, valid 26
			awk -F, -v load="$load" -v policy="${policy// /_}" -v est="${est:--}" '
				NR > 1 && ($5 == "short" || $5 == "long") { p99[$5] = $20; lost += $8; valid = valid && $26 }
				BEGIN { valid = 1 }
				END { printf "%s %s %s %s %d %d %s\n", load, policy, p99["short"], p99["long"], lost, valid, est }
			' "$tmp/run.csv" >>"$tmp/results"
		done
	done
done

echo
echo "p99 queuing delay (us), median over $ROUNDS rounds; worst = the worse class; x = worst of"
echo "the better of rr and split over this policy's worst (above 1: better than both)"
printf "%-5s %-18s %10s %10s %10s %8s %7s %s\n" load policy short long worst x lost "estimate: wait/estimated/|error| us (last window)"
awk '
	function median(s,   a, n, i, j, t) {
		n = split(s, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{
		key = $1 " " $2; order[key] = order[key] ? order[key] : ++seen
		s[key] = s[key] " " $3; l[key] = l[key] " " $4; w[key] = w[key] " " ($3 > $4 ? $3 : $4)
		lost[key] += $5; bad[key] += !$6; est[key] = $7 == "-" ? "-" : $7 "/" $8 "/" $9
	}
	END {
		for (key in order) { split(key, k, " "); worst[key] = median(w[key]) }
		for (key in order) {
			split(key, k, " ")
			base = worst[k[1] " rr"] < worst[k[1] " split_--long-cpus_1"] ? worst[k[1] " rr"] : worst[k[1] " split_--long-cpus_1"]
			line[order[key]] = sprintf("%-5s %-18s %10.1f %10.1f %10.1f %7.2fx %7d %s%s", k[1] "%", k[2], median(s[key]),
				median(l[key]), worst[key], worst[key] > 0 ? base / worst[key] : 0, lost[key], est[key],
				bad[key] ? " (" bad[key] " runs not valid: the generator lagged)" : "")
		}
		for (i = 1; i <= seen; i++) print line[i]
	}
' "$tmp/results" | sed 's/_/ /g'
