# Shared by the lab benchmarks (sourced, not run: bench/run runs executables only).
#
# bench_lab TAG: a lab of the benchmark's own (BPFNIC_LAB=<prefix>TAG), made now and
# removed on exit together with the temp dir $tmp; the lab's LAB_* variables set.
# bench_stop PID_VAR...: on exit, first stop the processes whose pids these variables
# hold then.
# shellcheck shell=bash
lab() { "$BPFNIC_TOP/scripts/lab" "$@"; }

_bench_pid_vars=()
bench_stop() { _bench_pid_vars+=("$@"); }

_bench_cleanup() {
	local v
	for v in "${_bench_pid_vars[@]}"; do
		[ -n "${!v:-}" ] && kill "${!v}" 2>/dev/null && wait "${!v}" 2>/dev/null
	done
	lab down >/dev/null 2>&1
	rm -rf "$tmp"
}

bench_lab() {
	export BPFNIC_LAB=${BPFNIC_LAB_PREFIX:-t}$1
	tmp=$(mktemp -d "/tmp/bpfnic-bench-$1.XXXXXX")
	trap _bench_cleanup EXIT
	lab down >/dev/null 2>&1
	lab up >"$tmp/lab.log" 2>&1 || { cat "$tmp/lab.log"; exit 1; }
	eval "$(lab env)"
}
