#!/usr/bin/env bash
# bpfnic-bench on the lab: "run all --quick" makes its own lab, runs every shipped
# experiment and removes the lab; every output has its structure (the columns the man
# page lists, one row per repetition, policy, step and class, a series covering the
# run, one SVG and one PNG per thesis figure, the report's knee table, both sides'
# environment). Never a figure's value. Then the real-host path, with command
# prefixes that reach a lab of the test's own (two client "hosts", merged); a bad
# experiment file; an interrupt.
. "$(dirname "$0")/../lib.sh"

BENCH=$BUILD/bpfnic-bench
BPFNICD=$BUILD/bpfnicd
BPFNICCTL=$BUILD/bpfnicctl
MAN=$BPFNIC_TOP/packaging/man/bpfnic-bench.1
EXPERIMENTS=$BPFNIC_TOP/bench/experiments
P=${BPFNIC_LAB_PREFIX:-t}
tmp=$(mktemp -d /tmp/bpfnic-bench-it.XXXXXX)
on_exit "rm -rf '$tmp'"

for tool in "$BENCH" "$BPFNICD" "$BPFNICCTL" "$BUILD/bpfnic-loadgen"; do
	[ -x "$tool" ] || { fail "built: $tool (make all)"; exit 1; }
done

lab_exists() { ip netns list | grep -qw "^$1-srv"; }

# The columns a CSV's man page block lists (the .nf block after its name).
man_columns() { # FILE
	sed -n "/^\\.B $1\$/,/^\\.fi/p" "$MAN" | sed -n '/^\.nf/,/^\.fi/p' | grep -v '^\.' | tr -d '\n'
}

# Fields of a CSV line.
nfields() { awk -F, '{ print NF }' <<<"$1"; }

# The [Figure ID] sections of an experiment file.
figure_ids() { sed -n 's/^\[Figure \(.*\)\]$/\1/p' "$1"; }

png_ok() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }
svg_ok() { grep -q '<svg' "$1" && grep -q '</svg>' "$1"; }

# check_run DIR INI: the structure of one experiment's outputs.
check_run() {
	local dir=$1 ini=$2 name header want rows steps ran classes reps id
	name=$(basename "$ini" .ini)
	for f in results.csv series.csv environment.json report.md; do
		check "$name: $f written" test -s "$dir/$f"
	done
	header=$(head -n 1 "$dir/results.csv")
	check_eq "$name: results.csv has the man page's columns" "$(man_columns results.csv)" "$header"
	check_eq "$name: series.csv has the man page's columns" "$(man_columns series.csv)" \
		"$(head -n 1 "$dir/series.csv")"
	# Every row as wide as the header (a quoted reason may hold commas: count those apart).
	check_eq "$name: every results.csv row has every column" "" \
		"$(awk -F, -v n="$(nfields "$header")" 'NR > 1 && !/"/ && NF != n { print NR }' "$dir/results.csv")"
	# One row per repetition x policy that ran x step x class in the mix.
	steps=$(jq '.experiment.offered_rps | length' "$dir/environment.json")
	ran=$(jq '[.experiment.policies[] | select(.ran)] | length' "$dir/environment.json")
	reps=$(jq '.experiment.repetitions' "$dir/environment.json")
	classes=$(sed -n 's/^Mix=//p' "$ini" | tr ',' '\n' | grep -cv '=0$')
	rows=$(($(wc -l <"$dir/results.csv") - 1))
	check_eq "$name: results.csv rows = $reps reps x $ran policies x $steps steps x $classes classes" \
		$((reps * ran * steps * classes)) "$rows"
	# The daemon's windows cover the run: from before the first step's measured window
	# to after the last one's.
	local first last w_first w_last
	first=$(awk -F, 'NR > 1 { print $30 }' "$dir/results.csv" | sort -n | head -n 1)
	last=$(awk -F, 'NR > 1 { print $31 }' "$dir/results.csv" | sort -n | tail -n 1)
	w_first=$(awk -F, '$1 == "window" { print $2; exit }' "$dir/series.csv")
	w_last=$(awk -F, '$1 == "window" { t = $2 } END { print t }' "$dir/series.csv")
	if [ -n "$w_first" ] && [ -n "$first" ] && [ "$((w_first * 1000))" -le "$first" ] &&
		[ "$((w_last * 1000))" -ge "$last" ]; then
		ok "$name: series.csv covers the run ($w_first..$w_last us)"
	else
		fail "$name: series.csv covers the run (windows ${w_first:-none}..${w_last:-none} us, steps $first..$last ns)"
	fi
	check "$name: series.csv has per-CPU rows" grep -q '^cpu,' "$dir/series.csv"
	check "$name: results.csv has the server's rates" \
		test -n "$(awk -F, 'NR > 1 && $24 != "" { print; exit }' "$dir/results.csv")"
	for id in $(figure_ids "$ini"); do
		check "$name: figure $id as SVG" svg_ok "$dir/fig$id.svg"
		check "$name: figure $id as PNG" png_ok "$dir/fig$id.png"
		check "$name: report shows figure $id" grep -qF "(fig$id.svg)" "$dir/report.md"
	done
	check "$name: report's knee table" grep -qF \
		'| policy | class | measured knee (req/s) | M/C/k/N knee (req/s) | measured/predicted |' \
		"$dir/report.md"
	# The table's rows: its lines starting "| " less the header (the rule starts "|-").
	check_eq "$name: a knee row per policy and class" "$((ran * classes))" \
		"$(($(sed -n '/^| policy | class/,/^$/p' "$dir/report.md" | grep -c '^| ') - 1))"
	check "$name: report has the M/C/k/N analysis" grep -q '^## M/C/k/N analysis' "$dir/report.md"
	for key in .server.kernel .server.cpu_model .server.online_cpus .server.cpufreq \
		.server.worker_thread_class .server.bpfnicd_version .server.configuration \
		'.clients[0].kernel' '.clients[0].loadgen_version' .experiment.name; do
		check "$name: environment.json has $key" \
			test "$(jq -r "$key // empty" "$dir/environment.json")" != ""
	done
}

# ---- run all --quick on the lab ----------------------------------------------------------
export BPFNIC_LAB=${P}bq
lab down >/dev/null 2>&1
start=$SECONDS
"$BENCH" run all --quick --out "$tmp/all" >"$tmp/all.out" 2>"$tmp/all.err"
rc=$?
check_eq "run all --quick exits 0" 0 "$rc"
[ "$rc" = 0 ] || tail -n 20 "$tmp/all.err" | sed 's/^/# /'
diag "run all --quick took $((SECONDS - start)) s"
check "the lab is gone afterwards" bash -c "! ip netns list | grep -qw '^$BPFNIC_LAB-srv'"
for ini in "$EXPERIMENTS"/*.ini; do
	check_run "$tmp/all/$(basename "$ini" .ini)" "$ini"
done
check "the overall report links every experiment" test "$(grep -c '^## .*report.md' "$tmp/all/report.md")" = \
	"$(ls "$EXPERIMENTS"/*.ini | wc -l)"
if [ -e /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor ]; then
	check "governor: both governors ran" test "$(jq '[.experiment.policies[] | select(.ran)] | length' \
		"$tmp/all/governor/environment.json")" = 2
else
	check "governor: the report says it cannot switch governors here" \
		grep -q 'cannot switch governors here' "$tmp/all/governor/report.md"
	check "governor: the governor it has is recorded" \
		test "$(jq -r '.experiment.policies[0].governor' "$tmp/all/governor/environment.json")" = "no cpufreq"
fi

# ---- bad experiment files -------------------------------------------------------------
printf '[Experiment]\nName=bad\n[Traffic]\nMix=short=1\nFrobnicate=2\n' >"$tmp/bad.ini"
"$BENCH" run "$tmp/bad.ini" --out "$tmp/bad" >/dev/null 2>"$tmp/bad.err"
check_eq "a bad file exits 2" 2 "$?"
check "a bad file's error names FILE:LINE" grep -qF "$tmp/bad.ini:5: Frobnicate=: unknown key in [Traffic]" "$tmp/bad.err"
"$BENCH" run no-such-experiment >/dev/null 2>&1
check_eq "an unknown experiment exits 2" 2 "$?"
"$BENCH" run bimodal --client 'ssh x' >/dev/null 2>&1
check_eq "--client without --server exits 2" 2 "$?"
check "list names every shipped experiment" test "$("$BENCH" list | grep -cE '^[a-z]')" = \
	"$(ls "$EXPERIMENTS"/*.ini | wc -l)"

# ---- real hosts, reached through command prefixes --------------------------------------
# A lab of the test's own with bpfnicd in it; bpfnic-bench gets only prefixes: the
# "server" is reached with an environment naming the daemon's socket, the two client
# "hosts" are the client namespace twice; tools by name, from the PATH.
export BPFNIC_LAB=${P}bs
lab down >/dev/null 2>&1
if lab up >"$tmp/lab.log" 2>&1; then ok "lab $BPFNIC_LAB up"; else fail "lab up"; exit 1; fi
on_exit "BPFNIC_LAB=$BPFNIC_LAB lab down >/dev/null 2>&1" # the name now, not at exit
eval "$(lab env)"
cat >"$tmp/srv.conf" <<EOF
[Daemon]
Interface=$LAB_SRV_IF
ControlSocket=$tmp/control.sock
AdminGroup=root
[Policy]
Policy=split
[Split]
LongCpus=1
EOF
ip netns exec "$LAB_SRV_NS" "$BPFNICD" --config "$tmp/srv.conf" --log-target stderr \
	>"$tmp/srv.log" 2>&1 </dev/null &
dpid=$!
on_exit "kill $dpid 2>/dev/null; wait $dpid 2>/dev/null"
for _ in $(seq 100); do
	"$BPFNICCTL" --socket "$tmp/control.sock" status >/dev/null 2>&1 && break
	sleep 0.1
done
before=$("$BPFNICCTL" --socket "$tmp/control.sock" --json status | jq -c .policy)
cat >"$tmp/tiny.ini" <<'EOF'
[Experiment]
Name=tiny
[Traffic]
Mix=short=9,long=1
Service=short=20us,long=200us
[Load]
Steps=1000:2000:1000
Duration=300ms
Warmup=100ms
Drain=200ms
[Knee]
BoundUs=5000
[Policy rr]
Policy=rr
[Figure 1]
Plot=qdelay
EOF
srv="env PATH=$BUILD:$PATH BPFNIC_SOCKET=$tmp/control.sock"
cli="ip netns exec $LAB_CLI_NS env PATH=$BUILD:$PATH"
# A relative --out and file: as a user in their own directory types them.
(cd "$tmp" && "$BENCH" run ./tiny.ini --out hosts --server "$srv" --target "$LAB_SRV_IP4:7777" \
	--client "$cli" --client "$cli" >"$tmp/hosts.out" 2>"$tmp/hosts.err")
rc=$?
check_eq "--server with two --client hosts exits 0" 0 "$rc"
[ "$rc" = 0 ] || tail -n 20 "$tmp/hosts.err" | sed 's/^/# /'
check "each client host's run is kept" test -s "$tmp/hosts/raw/rep1-rr-step1-client2.json"
check "their runs are merged" test -s "$tmp/hosts/raw/rep1-rr-step1-merged.json"
check_eq "the merged step carries both hosts' requests" \
	"$(jq '[.steps[0].classes[].sent] | add' "$tmp/hosts/raw/rep1-rr-step2-client1.json" \
		"$tmp/hosts/raw/rep1-rr-step2-client2.json" | jq -s add)" \
	"$(jq '[.steps[0].classes[].sent] | add' "$tmp/hosts/raw/rep1-rr-step2-merged.json")"
check_eq "both hosts are in environment.json" 2 "$(jq '.clients | length' "$tmp/hosts/environment.json")"
check_eq "the server's policy is put back" "$before" \
	"$("$BPFNICCTL" --socket "$tmp/control.sock" --json status | jq -c .policy)"
check "the report is written" grep -q '^## Knees' "$tmp/hosts/report.md"
check "its figure is drawn" png_ok "$tmp/hosts/fig1.png"

# The governor switch where the machine has no cpufreq: the server prefix binds a
# directory of cpufreq files over /sys/devices/system/cpu, in a mount namespace of
# its own for each command, so the switch and its undoing run for real on them.
fake=$tmp/fakecpu
for c in 0 1; do
	mkdir -p "$fake/cpu$c/cpufreq"
	echo schedutil >"$fake/cpu$c/cpufreq/scaling_governor"
	echo 2000000 >"$fake/cpu$c/cpufreq/scaling_cur_freq"
done
touch -d '-1 hour' "$fake"/cpu*/cpufreq/*
touch "$tmp/gov-start"
srv_freq="unshare -m sh -c 'mount --bind $fake /sys/devices/system/cpu && exec \"\$@\"' sh $srv"
"$BENCH" run governor --quick --out "$tmp/gov" --server "$srv_freq" --target "$LAB_SRV_IP4:7777" \
	--client "$cli" >"$tmp/gov.out" 2>"$tmp/gov.err"
rc=$?
check_eq "governor with cpufreq exits 0" 0 "$rc"
[ "$rc" = 0 ] || tail -n 20 "$tmp/gov.err" | sed 's/^/# /'
check_eq "both governors ran, each under its own" "performance powersave" \
	"$(jq -r '[.experiment.policies[] | select(.ran) | .governor] | join(" ")' "$tmp/gov/environment.json")"
check_eq "the server's governors before the run are recorded" schedutil \
	"$(jq -r '.server.cpufreq["1"].governor' "$tmp/gov/environment.json")"
# Written (switched, then put back), not only read.
check "the governor files were written" test -n "$(find "$fake" -name scaling_governor -newer "$tmp/gov-start")"
check_eq "the server's governors are put back" "schedutil schedutil" \
	"$(cat "$fake"/cpu*/cpufreq/scaling_governor | tr '\n' ' ' | sed 's/ $//')"
check "no 'cannot switch' in that report" bash -c "! grep -q 'cannot switch governors' '$tmp/gov/report.md'"

# ---- an interrupt removes the lab and says so -------------------------------------------
export BPFNIC_LAB=${P}bi
lab down >/dev/null 2>&1
"$BENCH" run bimodal --quick --out "$tmp/intr" >"$tmp/intr.out" 2>"$tmp/intr.err" &
bpid=$!
for _ in $(seq 300); do
	grep -q 'step 1/' "$tmp/intr.err" && break
	sleep 0.1
done
kill -INT "$bpid"
wait "$bpid"
check_eq "an interrupted run exits 130" 130 "$?"
check "an interrupted run removes its lab" bash -c "! ip netns list | grep -qw '^$BPFNIC_LAB-srv'"
check "an interrupted run still writes its report" grep -q 'interrupted' "$tmp/intr/report.md"
