#!/usr/bin/env bash
# The overload soak's short version (bench/soak with SOAK_SHORT=1: seconds per phase):
# a saturating probe, half capacity, twice capacity, idle, half capacity again. Only
# the accounting is checked, exactly, after each phase: per loadgen run sent =
# received + lost; on the server requests = replies + drops by cause; the clients'
# sent = the server's requests, received <= replies. The figures are make soak's.
. "$(dirname "$0")/../lib.sh"

out=$(mktemp -d /tmp/bpfnic-it-soak.XXXXXX)
on_exit "rm -rf '$out'"
SOAK_SHORT=1 SOAK_OUT=$out BPFNIC_LAB=${BPFNIC_LAB_PREFIX:-t}soak \
	"$BPFNIC_TOP/bench/soak" >"$out/report.txt" 2>&1
rc=$?
if [ ! -s "$out/accounting.txt" ]; then
	fail "the short soak ran to its accounting (exit $rc)"
	sed 's/^/# /' "$out/report.txt" | tail -n 30
	exit 1
fi
while IFS= read -r line; do
	case $line in
	"ok: "*) ok "${line#ok: }" ;;
	*) fail "${line#FAIL: }" ;;
	esac
done <"$out/accounting.txt"
check_eq "bench/soak exits 0 when the accounting holds" 0 "$rc"
grep -E '^(capacity|baseline|overload|after):' "$out/report.txt" | sed 's/^/# /'
