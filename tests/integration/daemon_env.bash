# Shared set-up for the daemon_*.sh integration tests: a lab of their own, a config
# for its veth, the real bpfnicd in the server namespace with its ControlSocket in a
# temp dir, the real bpfnicctl, and real UDP requests from the client namespace.
# Everything is removed on exit (tests/lib.sh's on_exit hooks run in reverse order:
# the daemon stops before the lab goes).
#
# Source it after setting nothing; then: daemon_setup TAG; daemon_config; daemon_start.
# shellcheck shell=bash
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"

# Remember failures so that daemon_stop can show the daemon's log with them.
_daemon_test_failed=
eval "_lib_$(declare -f fail)"
fail() { _daemon_test_failed=1; _lib_fail "$@"; }

BPFNICD=$BUILD/bpfnicd
BPFNICCTL=$BUILD/bpfnicctl
UDPSEND=$BUILD/tests/tools/ctl-udpsend
CTLRAW=$BUILD/tests/tools/ctl-raw
DPID=

# Stop the whole test (one failed TAP point) when set-up itself fails.
bail() {
	fail "$*"
	[ -n "${DLOG:-}" ] && [ -f "$DLOG" ] && sed 's/^/# bpfnicd: /' "$DLOG" | tail -n 30
	exit 1
}

# wait_until SECONDS COMMAND...: poll the command every 0.1 s; 1 when time ran out.
# The bound is generous: the machine is noisy and we never assert a time.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}

daemon_setup() { # TAG
	local tool
	for tool in "$BPFNICD" "$BPFNICCTL" "$UDPSEND" "$CTLRAW"; do
		[ -x "$tool" ] || bail "built: $tool (run make all)"
	done
	export BPFNIC_LAB=${BPFNIC_LAB_PREFIX:-t}$1
	lab down >/dev/null 2>&1 || true
	lab up >/dev/null || bail "lab $BPFNIC_LAB up"
	on_exit lab down
	eval "$(lab env)"
	TMPD=$(mktemp -d /tmp/bpfnic-it-"$BPFNIC_LAB".XXXXXX)
	chmod 0755 "$TMPD" # other users (the non-root test) reach the socket through it
	on_exit "rm -rf '$TMPD'"
	SOCK=$TMPD/control.sock
	CONF=$TMPD/bpfnicd.conf
	DLOG=$TMPD/bpfnicd.log
}

# daemon_config [FILE]: write a config for the lab from the D_* variables.
daemon_config() {
	cat >"${1:-$CONF}" <<EOF
# written by tests/integration/daemon_env.bash
[Daemon]
Interface=${D_IFACE:-$LAB_SRV_IF}
Port=7777
XdpMode=${D_XDP_MODE:-native}
Cpus=0-1
ControlSocket=$SOCK
AdminGroup=root
${D_DAEMON_EXTRA:-}

[Workload]
ShortUs=${D_SHORT_US:-6}
LongUs=${D_LONG_US:-60}
MaxUs=${D_MAX_US:-2000}

[Policy]
Policy=${D_POLICY:-rr}

[Split]
LongCpus=1

[Dynamic]
ThresholdUs=${D_THRESHOLD_US:-20}
Metric=avg
MinCpus=1
MaxCpus=2
CooldownMs=${D_COOLDOWN_MS:-300}
ShrinkBelowUs=${D_SHRINK_US:-10}
IntervalMs=${D_INTERVAL_MS:-100}
EOF
}

ctl() { "$BPFNICCTL" --socket "$SOCK" "$@"; }
ctl_quiet() { ctl "$@" >/dev/null 2>&1; }
# Like ctl_quiet, but a failure shows bpfnicctl's stderr in the log.
ctl_ok() {
	local err rc
	err=$(ctl "$@" 2>&1 >/dev/null)
	rc=$?
	[ $rc -eq 0 ] || diag "bpfnicctl $* -> exit $rc: $err"
	return $rc
}

# One field of the status reply, through jq.
status_get() { ctl --json status 2>/dev/null | jq -cr "$1"; }

daemon_alive() { [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; }

# D_WRAP=(cmd args...): run bpfnicd through it (it must exec bpfnicd, keeping the pid),
# e.g. to give it a mount of its own.
D_WRAP=()
daemon_start() {
	: >"$DLOG"
	ip netns exec "$LAB_SRV_NS" "${D_WRAP[@]}" "$BPFNICD" --config "$CONF" --log-target stderr \
		--log-level debug >>"$DLOG" 2>&1 </dev/null &
	DPID=$! # ip netns exec execs: this is bpfnicd's pid
	on_exit daemon_stop
	wait_until 30 ctl_quiet status || bail "bpfnicd answers status"
}

daemon_stop() {
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null || true
	local i
	for i in $(seq 100); do daemon_alive || break; sleep 0.1; done
	daemon_alive && kill -KILL "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null || true
	DPID=
	if [ -n "${DLOG:-}" ] && [ -f "$DLOG" ] && [ -n "$_daemon_test_failed" ]; then
		sed 's/^/# bpfnicd: /' "$DLOG" | tail -n 40
	fi
}

# send ARGS...: ctl-udpsend from the client namespace to the server's IPv4 address.
# Replies wait up to 5 s by default (a noisy machine stalls a worker for seconds); an
# explicit --drain-ms later on the line wins.
send() { ip netns exec "$LAB_CLI_NS" "$UDPSEND" --dst "$LAB_SRV_IP4" --drain-ms 5000 "$@"; }

# steady_load N_SHORT N_LONG: short requests at 3000/s and long ones at 300/s, in the
# background, a rate both lab CPUs carry easily, bounded in count; their outputs go
# to $TMPD/short.out and $TMPD/long.out, wait for them with wait_load (or
# check_load_lossless).
steady_load() {
	_load_short=$1
	send --count "$1" --rate 3000 --drain-ms 5000 >"$TMPD/short.out" &
	LOAD_PIDS=($!)
	send --count "$2" --rate 300 --class 1 --drain-ms 5000 >"$TMPD/long.out" &
	LOAD_PIDS+=($!)
	on_exit "kill ${LOAD_PIDS[*]} 2>/dev/null"
	_advanced=0
}
wait_load() { wait "${LOAD_PIDS[@]}"; }

# check_load_lossless WHAT: wait for steady_load's senders; every short request was
# sent, none of either class was lost across WHAT (the changes made under the load),
# and none was answered twice.
check_load_lossless() {
	local rs rl
	wait_load
	rs=$(cat "$TMPD/short.out")
	rl=$(cat "$TMPD/long.out")
	diag "short: $rs"
	diag "long:  $rl"
	check_eq "short requests: all sent" "$_load_short" "$(kv sent "$rs")"
	check_eq "short requests: zero lost across $1" 0 "$(kv lost "$rs")"
	check_eq "long requests: zero lost across $1" 0 "$(kv lost "$rl")"
	check_eq "no duplicate replies" "0 0" "$(kv dup "$rs") $(kv dup "$rl")"
}

# advance N: wait until N more requests have passed the scheduler than at the last
# call (the load goes on); 1 when they did not within 20 s.
_more_traffic() {
	local now
	now=$(status_get .totals.requests)
	[ -n "$now" ] && [ "$now" != null ] && [ "$now" -ge $((_advanced + $1)) ]
}
advance() { wait_until 20 _more_traffic "$1" && _advanced=$(status_get .totals.requests); }

# kv KEY "sender output": one value of a key=value line.
kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

xdp_attached() { ip -n "$LAB_SRV_NS" link show dev "$LAB_SRV_IF" | grep -q 'prog/xdp'; }

# The server's books since attach, from status: "requests replies drops" (drops by
# every cause: queue, no_cpu, redirect_err, tx_err, and the replies the interface did
# not transmit).
server_books() {
	status_get '.totals | "\(.requests) \(.replies) \(.drops.queue + .drops.no_cpu + .drops.redirect_err + .drops.tx_err + .drops.transmit)"'
}

# Once the queues are empty the books stop moving: wait for that (bounded), print them.
server_books_settled() {
	local now prev= i
	for i in $(seq 50); do
		now=$(server_books)
		[ -n "$now" ] && [ "$now" = "$prev" ] && break
		prev=$now
		sleep 0.2
	done
	echo "$now"
}

xdp_prog_id() {
	ip -n "$LAB_SRV_NS" -d link show dev "$LAB_SRV_IF" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p'
}

# check_fail_open WHEN PROG_ID: the program is off the interface and freed, and the
# stack answers in its place (IPv4 and IPv6 ping).
check_fail_open() {
	_fail_open_prog=$2
	_detached() { ! xdp_attached; }
	_prog_gone() { ! bpftool prog show id "$_fail_open_prog" >/dev/null 2>&1; }
	check "no XDP program on the interface $1" wait_until 10 _detached
	check "the scheduler program is freed (id $2)" wait_until 10 _prog_gone
	check "ping works $1" ip netns exec "$LAB_CLI_NS" ping -c 3 -i 0.2 -W 2 -q "$LAB_SRV_IP4"
	check "IPv6 ping works $1" ip netns exec "$LAB_CLI_NS" ping -6 -c 3 -i 0.2 -W 2 -q "$LAB_SRV_IP6"
}

# daemon_run_once: bpfnicd in the foreground with $CONF until it exits (bounded); prints
# its exit status; its log is $DLOG.
daemon_run_once() {
	local rc=0
	ip netns exec "$LAB_SRV_NS" timeout 30 "$BPFNICD" --config "$CONF" --log-target stderr \
		>"$DLOG" 2>&1 </dev/null || rc=$?
	sed 's/^/# bpfnicd: /' "$DLOG" | grep -vi libbpf | tail -n 4 >&2
	echo "$rc"
}
