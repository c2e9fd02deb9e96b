# Shell helpers for the integration and systemd tiers: TAP output, the lab, cleanup.
# Source it: . "$BPFNIC_TOP/tests/lib.sh"
set -u
BPFNIC_TOP=${BPFNIC_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-$BPFNIC_TOP/build}
_tap_n=0

ok()   { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
fail() { _tap_n=$((_tap_n + 1)); echo "not ok $_tap_n - $*"; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1 # SKIP ${2:-}"; }
diag() { echo "# $*"; }

# check NAME COMMAND...: one test point from a command's exit status.
check() {
	local name=$1; shift
	if "$@"; then ok "$name"; else fail "$name"; fi
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1 (expected '$2', got '$3')"; fi
}

# Each test file gets its own lab so tiers and developers never collide.
lab() { "$BPFNIC_TOP/scripts/lab" "$@"; }

# Run on exit, whatever happens: cleanup functions registered with on_exit.
_exit_hooks=()
on_exit() { _exit_hooks+=("$*"); }
_run_exit_hooks() {
	local i
	for ((i = ${#_exit_hooks[@]} - 1; i >= 0; i--)); do eval "${_exit_hooks[$i]}" || true; done
}
trap _run_exit_hooks EXIT
