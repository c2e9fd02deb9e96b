#!/usr/bin/env bash
# The metrics endpoint seen by a real Prometheus server (Debian's prometheus package):
# bpfnicd listens on the lab's server address; Prometheus runs in the client namespace
# with its own storage in a temp dir and scrapes it every second across the lab's veth
# (where the XDP scheduler passes it, as it passes every non-request frame). After a
# bpfnic-loadgen run of known size, PromQL through Prometheus' HTTP API must give the
# requests total the load generator sent, and a histogram_quantile p99 within 25 % of
# bpfnicctl's p99 for the same requests. promtool checks the page and the shipped
# alerting rules.
#
# The windows are aligned, not guessed: the daemon is fresh (its counters are the run's
# alone, and Prometheus' histogram is cumulative since attach), its statistics window
# (IntervalMs=) is longer than the run, and the run starts right after a window closed
# (bpfnicctl stats --watch shows every window as it closes). The window that closes
# next must then hold every request of the run: its own counters prove it (0 requests
# before, all of them after), and its p99 is the daemon's figure for exactly the
# requests Prometheus' histogram holds. The traffic is steady: constant-rate arrivals
# of one class, well under what two worker CPUs serve.
. "$(dirname "$0")/daemon_env.bash"

PROMETHEUS=${PROMETHEUS:-/usr/bin/prometheus}
PROMTOOL=${PROMTOOL:-/usr/bin/promtool}
LOADGEN=$BUILD/bpfnic-loadgen
PORT=10777
RULES=$BPFNIC_TOP/packaging/prometheus/bpfnic-alerts.yml
for tool in "$PROMETHEUS" "$PROMTOOL" "$LOADGEN" "$(command -v curl)"; do
	[ -x "$tool" ] || bail "installed: ${tool:-curl} (scripts/install-deps)"
done

daemon_setup pm
D_INTERVAL_MS=5000 daemon_config
printf '\n[Metrics]\nListen=%s:%s\n' "$LAB_SRV_IP4" "$PORT" >>"$CONF"
daemon_start
TARGET=$LAB_SRV_IP4:$PORT

in_cli() { ip netns exec "$LAB_CLI_NS" "$@"; }
page() { in_cli curl -sS --max-time 5 "http://$TARGET$1"; }

# ---------------------------------------------------------------- Prometheus
PROM_DIR=$TMPD/prometheus
mkdir -p "$PROM_DIR/data"
cat >"$PROM_DIR/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: bpfnic
    static_configs:
      - targets: ['$TARGET']
EOF
# Its web/API port is on the client namespace's own loopback.
in_cli "$PROMETHEUS" --config.file="$PROM_DIR/prometheus.yml" \
	--storage.tsdb.path="$PROM_DIR/data" --web.listen-address=127.0.0.1:9090 \
	--log.level=warn >"$PROM_DIR/log" 2>&1 </dev/null &
PROM_PID=$!
on_exit "kill $PROM_PID 2>/dev/null; wait $PROM_PID 2>/dev/null"

# query PROMQL: the value of the first series of an instant query, or nothing.
query() {
	in_cli curl -sS --max-time 5 http://127.0.0.1:9090/api/v1/query --data-urlencode "query=$1" |
		jq -r '.data.result[0].value[1] // empty' 2>/dev/null
}
prom_ready() { in_cli curl -sf --max-time 2 http://127.0.0.1:9090/-/ready >/dev/null 2>&1; }
scraped() { [ "$(query 'up{job="bpfnic"}')" = 1 ]; }
if wait_until 30 prom_ready && wait_until 15 scraped; then
	ok "Prometheus is up and scrapes bpfnicd at $TARGET"
else
	fail "Prometheus scrapes bpfnicd (up{job=\"bpfnic\"}: '$(query 'up{job="bpfnic"}')')"
	sed 's/^/# prometheus: /' "$PROM_DIR/log" | tail -n 20
	exit 1
fi

# ---------------------------------------------------------------- a run of known size
: >"$TMPD/windows.jsonl" # there before the background job opens it
ctl --json stats --watch >>"$TMPD/windows.jsonl" 2>"$TMPD/watch.err" &
WATCH_PID=$!
on_exit "kill $WATCH_PID 2>/dev/null"
windows() { wc -l <"$TMPD/windows.jsonl"; }
window_after() { [ "$(windows)" -gt "$1" ]; }
# Start right after a window closes (the daemon sends each as it closes).
n=$(windows)
wait_until 10 window_after "$n" || bail "bpfnicctl stats --watch shows the windows"
n=$(windows)
in_cli "$LOADGEN" --target "$LAB_SRV_IP4:7777" --rate 4000 --arrivals constant --duration 1s \
	--warmup 0 --drain 1s --csv "$TMPD/loadgen.csv" >"$TMPD/loadgen.out" 2>&1 ||
	bail "bpfnic-loadgen ran: $(tail -n 3 "$TMPD/loadgen.out")"
sed 's/^/# loadgen: /' "$TMPD/loadgen.out" | head -n 8
sent=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	{ s += $col["sent"] } END { print s + 0 }' "$TMPD/loadgen.csv")
check "the load generator sent requests ($sent)" test "$sent" -gt 0
wait_until 10 window_after "$n" || bail "the window of the run closed"
run_window=$(sed -n "$((n + 1))p" "$TMPD/windows.jsonl")
before=$(sed -n "${n}p" "$TMPD/windows.jsonl" | jq .totals.requests)
in_window=$(jq .totals.requests <<<"$run_window")
check_eq "the daemon's window holds the whole run: requests before it" 0 "$before"
check_eq "the daemon's window holds the whole run: requests at its end" "$sent" "$in_window"
daemon_p99_us=$(jq .totals.qdelay_us.p99 <<<"$run_window")
daemon_avg_us=$(jq .totals.qdelay_us.avg <<<"$run_window")

# ---------------------------------------------------------------- PromQL
Q_REQ='sum(bpfnic_requests_total)'
Q_P99='histogram_quantile(0.99, sum by (le) (bpfnic_worker_queue_delay_seconds_bucket))'
Q_AVG='sum(bpfnic_worker_queue_delay_seconds_sum) / sum(bpfnic_worker_queue_delay_seconds_count)'
requests_scraped() { [ "$(query "$Q_REQ")" = "$sent" ]; }
if wait_until 10 requests_scraped; then
	ok "PromQL $Q_REQ = $sent, what the load generator sent"
else
	fail "PromQL $Q_REQ = '$(query "$Q_REQ")', the load generator sent $sent"
fi
check_eq "PromQL sum(bpfnic_replies_total) = every request answered" "$sent" \
	"$(query 'sum(bpfnic_replies_total)')"
prom_p99=$(query "$Q_P99")
prom_avg=$(query "$Q_AVG")
diag "PromQL: $Q_P99 = $prom_p99 s"
diag "PromQL: $Q_AVG = $prom_avg s"
diag "bpfnicctl --json stats --watch, the run's window ($(jq .window_ms <<<"$run_window") ms): requests $in_window, replies $(jq .totals.replies <<<"$run_window"), qdelay p99 $daemon_p99_us us, avg $daemon_avg_us us"
within() { # A B PERCENT: |A - B| <= PERCENT % of B
	awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= p / 100 * b) }'
}
check "histogram_quantile p99 ($prom_p99 s) within 25 % of bpfnicctl's ($daemon_p99_us us)" \
	within "$(awk -v s="${prom_p99:-0}" 'BEGIN { print s * 1e6 }')" "$daemon_p99_us" 25
check "the mean from _sum/_count ($prom_avg s) within 1 % of bpfnicctl's ($daemon_avg_us us)" \
	within "$(awk -v s="${prom_avg:-0}" 'BEGIN { print s * 1e6 }')" "$daemon_avg_us" 1

# ---------------------------------------------------------------- promtool
page /metrics >"$TMPD/metrics.txt"
check "the page has a histogram with data" grep -q '_count{cpu="[0-9]*"} [1-9]' "$TMPD/metrics.txt"
out=$("$PROMTOOL" check metrics <"$TMPD/metrics.txt" 2>&1)
rc=$?
[ -n "$out" ] && sed 's/^/# promtool: /' <<<"$out"
check "promtool check metrics finds no problem" test "$rc" = 0 -a -z "$out"
out=$("$PROMTOOL" check rules "$RULES" 2>&1)
rc=$?
sed 's/^/# promtool: /' <<<"$out"
check "promtool check rules accepts the shipped alerting rules" test "$rc" = 0
out=$("$PROMTOOL" test rules "$BPFNIC_TOP/tests/integration/metrics_alerts_test.yml" 2>&1)
rc=$?
[ "$rc" = 0 ] || sed 's/^/# promtool: /' <<<"$out"
check "promtool test rules: the alerts fire on the series bpfnicd exposes" test "$rc" = 0

check "bpfnicd still running" daemon_alive
