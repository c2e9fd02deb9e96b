#!/usr/bin/env bash
# The metrics endpoint as an HTTP server facing whoever can reach it: Listen= refused
# when it names a host, an address that cannot be bound (bpfnicd runs on without the
# endpoint), IPv4 and IPv6 on Listen=[::], the two pages and 404/405 for everything
# else; then abuse from the client namespace (a 1 MB request line, 200 idle
# connections, slow senders) while the control socket and the tick must keep answering
# as usual, another address must still get its metrics, the idle connections must be
# closed by the server's time-out, and the daemon's memory must stay bounded. No time
# is asserted: status answering within its --timeout of 3 s is the bound, the times
# measured are printed.
. "$(dirname "$0")/daemon_env.bash"

PORT=10777
command -v curl >/dev/null || bail "installed: curl (scripts/install-deps)"
command -v socat >/dev/null || bail "installed: socat (scripts/install-deps)"
daemon_setup mh
in_cli() { ip netns exec "$LAB_CLI_NS" "$@"; }
in_srv() { ip netns exec "$LAB_SRV_NS" "$@"; }

# ---------------------------------------------------------------- Listen=
daemon_config
printf '\n[Metrics]\nListen=localhost:%s\n' "$PORT" >>"$CONF"
out=$("$BPFNICD" --check-config --config "$CONF" 2>&1)
rc=$?
check_eq "--check-config refuses a host name in Listen= (exit 78)" 78 "$rc"
check "... and says which key and why" grep -q "Listen=localhost:$PORT: must be a numeric address" <<<"$out"

# An address taken by another program: the data path runs, the log says why.
# (ip netns exec, not in_srv: $! must be socat itself, not a subshell)
ip netns exec "$LAB_SRV_NS" socat TCP-LISTEN:"$PORT",bind="$LAB_SRV_IP4" /dev/null >/dev/null 2>&1 &
squatter=$!
on_exit "kill $squatter 2>/dev/null"
taken() { in_srv ss -Htln "( sport = :$PORT )" | grep -q .; }
wait_until 10 taken || bail "socat holds $LAB_SRV_IP4:$PORT"
daemon_config
printf '\n[Metrics]\nListen=%s:%s\n' "$LAB_SRV_IP4" "$PORT" >>"$CONF"
daemon_start
check "a Listen= address in use: bpfnicd runs and answers status" ctl_quiet status
check "... and logs why it serves no metrics" \
	grep -q "metrics endpoint: cannot listen on $LAB_SRV_IP4:$PORT: serving no metrics: Address already in use" "$DLOG"
daemon_stop
kill "$squatter" 2>/dev/null
wait "$squatter" 2>/dev/null

# ---------------------------------------------------------------- the pages
daemon_config
printf '\n[Metrics]\nListen=[::]:%s\n' "$PORT" >>"$CONF"
daemon_start
listening() { in_srv ss -Htln "( sport = :$PORT )" | grep -q .; }
wait_until 10 listening || bail "bpfnicd listens on [::]:$PORT"
# http CODE... : status code of a request from the client namespace (curl ARGS).
http() { in_cli curl -sS --max-time 5 -o "$TMPD/body" -D "$TMPD/headers" -w '%{http_code}' "$@"; }
check_eq "GET /metrics over IPv4" 200 "$(http "http://$LAB_SRV_IP4:$PORT/metrics")"
check "... as the text exposition format 0.0.4" \
	grep -qi '^content-type: text/plain; version=0.0.4' "$TMPD/headers"
check "... with the build info" grep -q '^bpfnic_build_info{version="' "$TMPD/body"
check_eq "GET /metrics over IPv6" 200 "$(http "http://[$LAB_SRV_IP6]:$PORT/metrics")"
check_eq "GET / over IPv6" 200 "$(http "http://[$LAB_SRV_IP6]:$PORT/")"
check "... a page that links to /metrics" grep -q 'href="/metrics"' "$TMPD/body"
check_eq "GET /metrics?query (the query is not part of the path)" 200 \
	"$(http "http://$LAB_SRV_IP4:$PORT/metrics?x=1")"
for path in /nope /metrics/ /metrics/x /index.html //metrics; do
	check_eq "GET $path: 404" 404 "$(http "http://$LAB_SRV_IP4:$PORT$path")"
done
for method in POST PUT DELETE OPTIONS; do
	check_eq "$method /metrics: 405" 405 "$(http -X "$method" "http://$LAB_SRV_IP4:$PORT/metrics")"
	check "... with Allow: GET" grep -qi '^allow: GET' "$TMPD/headers"
done
check_eq "HEAD /: 405" 405 "$(http -I "http://$LAB_SRV_IP4:$PORT/")"
check_eq "POST to an unknown path: 404" 404 \
	"$(http -X POST --data-binary x "http://$LAB_SRV_IP4:$PORT/nope")"

# ---------------------------------------------------------------- abuse
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$DPID/status"; }
# One status round trip in ms; fails when status does not answer within 3 s.
status_ms() {
	local t0 t1
	t0=$(date +%s%N)
	ctl --timeout 3000 status >/dev/null 2>&1 || return 1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
usual=$(for i in 1 2 3; do status_ms; done | sort -n | tail -n 1)
rss_before=$(rss_kb)
diag "before the abuse: status answers in ${usual} ms (slowest of 3), RSS ${rss_before} kB"

# A request line of 1 MB: refused, the connection closed.
reply=$(in_cli timeout 20 bash -c "{ printf 'GET /'; head -c 1048576 /dev/zero | tr '\\0' a;
	printf ' HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'; } | socat -t 5 - TCP:$LAB_SRV_IP4:$PORT 2>/dev/null" |
	head -n 1 | tr -d '\r')
diag "1 MB request line: '${reply:-connection closed}'"
check "a 1 MB request line is refused (4xx or closed), not served" \
	bash -c "[ -z '$reply' ] || [[ '$reply' =~ ^HTTP/1\\.[01]\\ 4[0-9][0-9] ]]"

# 5 slow senders (a byte every half second for 6 s), then 200 idle connections held
# open by the client for 40 s.
abuse_start=$SECONDS
for i in 1 2 3 4 5; do
	ip netns exec "$LAB_CLI_NS" timeout 30 bash -c "exec 3<>/dev/tcp/$LAB_SRV_IP4/$PORT || exit 0
		for ((j = 0; j < 12; j++)); do printf 'G' >&3 2>/dev/null || exit 0; sleep 0.5; done" \
		>/dev/null 2>&1 &
	on_exit "kill $! 2>/dev/null"
done
sleep 0.5 # the slow senders first: they get slots of the 8 per address
ip netns exec "$LAB_CLI_NS" timeout 40 bash -c "
	for i in \$(seq 200); do exec {fd}<>/dev/tcp/$LAB_SRV_IP4/$PORT || true; done
	sleep 40" >/dev/null 2>&1 &
idle=$!
on_exit "kill $idle 2>/dev/null"
sleep 2
during=$(for i in 1 2 3; do status_ms || echo fail; done | sort -n | tail -n 1)
diag "with 200 idle connections and 5 slow senders: status answers in ${during} ms (slowest of 3)"
check "the control socket answers status during the abuse" test "$during" != fail
n=$(timeout 20 "$BPFNICCTL" --socket "$SOCK" --json stats --watch --count 3 2>/dev/null | wc -l)
check_eq "the tick goes on: three statistics windows arrive during the abuse" 3 "$n"
held=$(in_srv ss -Htn state established "( sport = :$PORT )" | wc -l)
check "the server holds at most its per-address limit ($held connections, at most 8)" \
	test "$held" -le 8
check_eq "another address still gets its metrics (the per-address limit)" 200 \
	"$(in_srv curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics")"
# The server's idle time-out (10 s) closes what the client still holds open: no
# connection left on the server's side well before the client lets go (40 s).
none_held() { [ "$(in_srv ss -Htn state established "( sport = :$PORT )" | wc -l)" = 0 ]; }
if wait_until 25 none_held && [ $((SECONDS - abuse_start)) -lt 35 ]; then
	ok "the server closed the idle connections by its time-out ($((SECONDS - abuse_start)) s)"
else
	fail "the server closes idle connections ($(in_srv ss -Htn state established "( sport = :$PORT )" | wc -l) left after $((SECONDS - abuse_start)) s)"
fi
kill "$idle" 2>/dev/null
wait "$idle" 2>/dev/null
check_eq "after the abuse, GET /metrics from the client again" 200 \
	"$(http "http://$LAB_SRV_IP4:$PORT/metrics")"
rss_after=$(rss_kb)
diag "after the abuse: RSS ${rss_after} kB (before ${rss_before} kB)"
check "the daemon's memory stays bounded (RSS grew by $((rss_after - rss_before)) kB, at most 4096)" \
	test $((rss_after - rss_before)) -le 4096
check "bpfnicd still running" daemon_alive
