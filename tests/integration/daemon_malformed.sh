#!/usr/bin/env bash
# Every kind of bad request gets its error reply or a closed connection, the daemon
# keeps answering `status`, and it leaks no file descriptor.
. "$(dirname "$0")/daemon_env.bash"

daemon_setup mf
daemon_config
daemon_start

fd_count() { ls "/proc/$DPID/fd" | wc -l; }
fds_before=$(fd_count)

# raw NAME EXPECT: send stdin as is; EXPECT is an error name, "any" (any error reply),
# "closed" (closed without a reply), or "NAME|closed" (either).
raw() {
	local name=$1 expect=$2 out rc
	shift 2
	out=$("$CTLRAW" "$SOCK" --timeout-ms 10000 "$@" <"$TMPD/in")
	rc=$?
	diag "$name -> rc $rc: ${out:0:200}"
	case $expect in
	closed) [ $rc -eq 4 ] ;;
	any) [ $rc -eq 0 ] && grep -q '"error"' <<<"$out" ;;
	*\|closed) [ $rc -eq 4 ] || grep -q "\"error\" *: *\"${expect%|closed}\"" <<<"$out" ;;
	*) [ $rc -eq 0 ] && grep -q "\"error\" *: *\"$expect\"" <<<"$out" ;;
	esac || { fail "$name: expected $expect"; return; }
	if ctl_quiet status; then ok "$name: $expect, and status still answers"; else fail "$name: status after"; fi
}
# Inputs go through a file: raw must run in this shell (it counts TAP points).
call() { printf '%s\0' "$1" >"$TMPD/in"; }
input() { cat >"$TMPD/in"; }

head -c 70000 /dev/zero | tr '\0' a | input
raw "oversize message (no NUL)" "io.bpfnic.MessageTooLarge|closed"
{ printf '{"method":"io.bpfnic.GetStatus","parameters":{"pad":"'; head -c 70000 /dev/zero | tr '\0' a; printf '"}}\0'; } | input
raw "oversize message (valid JSON)" "io.bpfnic.MessageTooLarge|closed"
deep=$(printf '[%.0s' $(seq 20))1$(printf ']%.0s' $(seq 20))
call "{\"method\":\"io.bpfnic.GetStatus\",\"parameters\":{\"x\":$deep}}"
raw "JSON nested too deep" io.bpfnic.InvalidMessage
printf '{"method":"io.bpfnic.GetStatus\xff\xfe"}\0' | input
raw "invalid UTF-8" io.bpfnic.InvalidMessage
printf '{"method":"io.bpfnic.GetStatus","parameters":{"x":"\xc0\xaf"}}\0' | input
raw "overlong UTF-8" io.bpfnic.InvalidMessage
# The well-framed requests, a line each: NAME, EXPECT (as raw takes them) and the
# request, separated by tabs.
while IFS=$'\t' read -r -u 3 name expect request; do
	call "$request"
	raw "$name" "$expect"
done 3<<'EOF'
not JSON	io.bpfnic.InvalidMessage	hello, daemon
trailing garbage	io.bpfnic.InvalidMessage	{"method":"io.bpfnic.GetStatus"} trailing
JSON that is not an object	io.bpfnic.InvalidMessage	[1,2,3]
call without a method	any	{"parameters":{}}
parameters not an object	any	{"method":"io.bpfnic.GetStatus","parameters":[]}
unknown method	org.varlink.service.MethodNotFound	{"method":"io.bpfnic.NoSuchMethod"}
wrong parameter type (policy: number)	org.varlink.service.InvalidParameter	{"method":"io.bpfnic.SetPolicy","parameters":{"policy":5}}
wrong parameter type (threshold_us: string)	org.varlink.service.InvalidParameter	{"method":"io.bpfnic.SetPolicy","parameters":{"policy":"dynamic","threshold_us":"20"}}
wrong parameter type (threshold_us: fraction)	org.varlink.service.InvalidParameter	{"method":"io.bpfnic.SetPolicy","parameters":{"policy":"dynamic","threshold_us":20.5}}
out of range (policy: fifo)	org.varlink.service.InvalidParameter	{"method":"io.bpfnic.SetPolicy","parameters":{"policy":"fifo"}}
out of range (threshold_us: -1)	org.varlink.service.InvalidParameter	{"method":"io.bpfnic.SetPolicy","parameters":{"policy":"dynamic","threshold_us":-1}}
out of range (min_cpus: 99)	org.varlink.service.InvalidParameter	{"method":"io.bpfnic.SetPolicy","parameters":{"policy":"dynamic","min_cpus":99}}
out of range (long_cpus: huge)	org.varlink.service.InvalidParameter	{"method":"io.bpfnic.SetPolicy","parameters":{"policy":"split","long_cpus":99999999999}}
unknown parameter	org.varlink.service.InvalidParameter	{"method":"io.bpfnic.SetPolicy","parameters":{"policy":"rr","bogus":1}}
Monitor without more	org.varlink.service.ExpectedMore	{"method":"io.bpfnic.Monitor"}
EOF
printf '{"method":"io.bpfnic.GetSt' | input
raw "half a message, then hang-up" closed --shut-wr
check_eq "after all that, the policy is unchanged" rr "$(status_get .policy.name)"

# A client that connects and says nothing is closed (BPFNIC_CLIENT_IDLE_MS).
"$CTLRAW" "$SOCK" --idle --timeout-ms 30000 >/dev/null
check_eq "a silent client is disconnected" 0 "$?"
check "status answers after the silent client" ctl_quiet status

# Too many clients: those over the limit are refused (error or closed), the others
# are served, and once they go the daemon serves everyone again.
out=$("$CTLRAW" "$SOCK" --hold 72 --timeout-ms 2000)
diag "72 silent clients: $out"
refused=$(sed -n 's/.*refused=\([0-9]*\).*/\1/p' <<<"$out")
open=$(sed -n 's/.*open=\([0-9]*\).*/\1/p' <<<"$out")
check "clients over the limit are refused" test "${refused:-0}" -ge 8
check "no more than the limit are kept" test "${open:-99}" -le 64
check "status answers after too many clients" wait_until 10 ctl_quiet status

# No descriptor leaked: every bad client's fd was closed (poll: the last closes race us).
fds_back() { [ "$(fd_count)" -le "$fds_before" ]; }
check "no file descriptor leak ($fds_before before)" wait_until 10 fds_back
check "bpfnicd still running" daemon_alive
