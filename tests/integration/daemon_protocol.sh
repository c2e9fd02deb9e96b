#!/usr/bin/env bash
# The protocol against its description: every method of a real bpfnicd on the lab,
# refusals and a Monitor sample included, each reply held against the interface
# descriptions (ctl-idlcheck: every member declared with its type, every member not
# optional present); GetInterfaceDescription returns the installed IDL byte for byte.
. "$(dirname "$0")/daemon_env.bash"
IDLCHECK=$BUILD/tests/tools/ctl-idlcheck
IDL=$BUILD/gen/io.bpfnic.varlink
SERVICE_IDL=$BPFNIC_TOP/lib/org.varlink.service.varlink
[ -x "$IDLCHECK" ] && [ -f "$IDL" ] || bail "built: $IDLCHECK and $IDL (run make all)"

daemon_setup pr
D_POLICY=dynamic D_DAEMON_EXTRA="SocketMode=0666" daemon_config
daemon_start
send --count 500 --rate 1000 >/dev/null # some traffic, so the statistics carry values

# idlcheck [--as nobody] STEP...: one TAP point per reply ("PASS"/"FAIL" lines).
idlcheck() {
	local run=("$IDLCHECK") line
	if [ "$1" = --as-nobody ]; then
		shift
		install -m 0755 "$IDLCHECK" "$TMPD/ctl-idlcheck"
		install -m 0644 "$IDL" "$SERVICE_IDL" "$TMPD/"
		run=(setpriv --reuid=nobody --regid=nogroup --clear-groups "$TMPD/ctl-idlcheck")
	fi
	"${run[@]}" --socket "$SOCK" --idl "$IDL" --idl "$SERVICE_IDL" "$@" >"$TMPD/idlcheck.out" 2>&1
	while read -r line; do
		case $line in
		PASS*) ok "${line#PASS }" ;;
		FAIL*) fail "${line#FAIL }" ;;
		*) diag "$line" ;;
		esac
	done <"$TMPD/idlcheck.out"
}

idlcheck --every-method \
	'{"method":"org.varlink.service.GetInfo"}' \
	'{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"io.bpfnic"}}' \
	'{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"org.varlink.service"}}' \
	'{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"com.example"}}' \
	'{"method":"io.bpfnic.GetInfo"}' \
	'{"method":"io.bpfnic.GetStatus"}' \
	'{"method":"io.bpfnic.GetStats"}' \
	'{"method":"io.bpfnic.Monitor","more":true}' \
	'{"method":"io.bpfnic.Monitor"}' \
	'{"method":"io.bpfnic.SetPolicy","parameters":{"policy":"split","long_cpus":1}}' \
	'{"method":"io.bpfnic.SetPolicy","parameters":{"policy":"dynamic","threshold_us":50,"metric":"p99"}}' \
	'{"method":"io.bpfnic.SetPolicy","parameters":{"policy":"dynamic","min_cpus":99}}' \
	'{"method":"io.bpfnic.SetPolicy","parameters":{"policy":"rr","bogus":1}}' \
	'{"method":"io.bpfnic.GetStats","parameters":{"since_usec":0}}' \
	'{"method":"io.bpfnic.GetStats","parameters":{"since_usec":"now"}}' \
	'{"method":"io.bpfnic.Reload"}' \
	'{"method":"io.bpfnic.NoSuchMethod"}' \
	'{"method":"com.example.Nothing"}' \
	'raw:not json' \
	'big' \
	'idle'

# Each refusal came as the error it should (a PASS says only that it matched the IDL).
answered() { grep -qxF "PASS $1" "$TMPD/idlcheck.out"; }
for want in \
	"org.varlink.service.GetInterfaceDescription -> org.varlink.service.InterfaceNotFound" \
	"io.bpfnic.Monitor -> reply" \
	"io.bpfnic.Monitor -> org.varlink.service.ExpectedMore" \
	"io.bpfnic.SetPolicy -> org.varlink.service.InvalidParameter" \
	"io.bpfnic.NoSuchMethod -> org.varlink.service.MethodNotFound" \
	"com.example.Nothing -> org.varlink.service.InterfaceNotFound" \
	"(not a call) -> io.bpfnic.InvalidMessage" \
	"(not a call) -> io.bpfnic.MessageTooLarge" \
	"(not a call) -> io.bpfnic.Failed"; do
	check "answered: $want" answered "$want"
done
# The history after the policy changes: windows and changes, both held against the IDL.
printf '%s\0' '{"method":"io.bpfnic.GetStats","parameters":{"since_usec":0}}' |
	"$CTLRAW" "$SOCK" --timeout-ms 10000 >"$TMPD/since.json"
check "GetStats since_usec: windows, a grow or policy change, truncated" jq -e \
	'.parameters | (.windows | length > 0) and (.changes | any(.action == "policy"))
	 and .truncated == false' "$TMPD/since.json"
check_eq "Monitor: two samples" 2 "$(grep -c '^PASS io.bpfnic.Monitor -> reply' "$TMPD/idlcheck.out")"

# Refusals that need another caller or another file.
idlcheck --as-nobody '{"method":"io.bpfnic.SetPolicy","parameters":{"policy":"rr"}}'
check "answered: PermissionDenied to nobody" \
	answered "io.bpfnic.SetPolicy -> org.varlink.service.PermissionDenied"
D_THRESHOLD_US=twenty daemon_config
idlcheck '{"method":"io.bpfnic.Reload"}'
check "answered: ReloadFailed for a broken file" answered "io.bpfnic.Reload -> io.bpfnic.ReloadFailed"

# The description served is the installed one.
printf '%s\0' '{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"io.bpfnic"}}' |
	"$CTLRAW" "$SOCK" --timeout-ms 10000 | jq -jr .parameters.description >"$TMPD/served.varlink"
check "GetInterfaceDescription returns $IDL" cmp -s "$TMPD/served.varlink" "$IDL"
check "bpfnicd still running" daemon_alive
