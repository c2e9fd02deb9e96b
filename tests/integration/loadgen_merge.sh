#!/usr/bin/env bash
# Two bpfnic-loadgen processes, as two client hosts would, against one bpfnicd on the
# lab at the same time; bpfnic-loadgen merge joins their runs: the merged counts are
# the sums, and equal the requests the daemon counted over the span; histograms add
# up; runs whose steps differ are refused. Counts are compared, never times.
. "$(dirname "$0")/daemon_env.bash"
LG=$BUILD/bpfnic-loadgen
[ -x "$LG" ] || bail "built: $LG (run make all)"

daemon_setup lm
D_POLICY=rr D_INTERVAL_MS=50 daemon_config
daemon_start
cli() { ip netns exec "$LAB_CLI_NS" "$@"; }

before=$(status_get .totals.requests)
# No warm-up: every request each run sends is one it counts. Drains of 5 s: on a noisy
# machine a reply can take seconds, and a run ends as soon as all are answered anyway.
cli "$LG" --target "$LAB_SRV_IP4:7777" --rate 1000 --duration 2s --warmup 0 --drain 5s \
	--json "$TMPD/a.json" --quiet 2>"$TMPD/a.err" &
apid=$!
cli "$LG" --target "$LAB_SRV_IP4:7777" --rate 1500 --duration 2s --warmup 0 --drain 5s \
	--mix short=90,long=10 --json "$TMPD/b.json" --quiet 2>"$TMPD/b.err" &
bpid=$!
wait "$apid"; arc=$?
wait "$bpid"; brc=$?
check_eq "two loadgens at once exit 0" "0 0" "$arc $brc"
counted() { [ "$(status_get .totals.requests)" -ge $((before + $(jq .steps[0].sent "$TMPD/a.json") +
	$(jq .steps[0].sent "$TMPD/b.json"))) ]; }
wait_until 10 counted
after=$(status_get .totals.requests)

"$LG" merge "$TMPD/a.json" "$TMPD/b.json" --json "$TMPD/m.json" --csv "$TMPD/m.csv" \
	>"$TMPD/m.out" 2>"$TMPD/m.err"
check_eq "merge exits 0" 0 "$?"
[ -s "$TMPD/m.err" ] && diag "$(cat "$TMPD/m.err")"
sum() { jq -s "map($1) | add" "$TMPD/a.json" "$TMPD/b.json"; }
m() { jq "$1" "$TMPD/m.json"; }
check_eq "merged: sent is the sum" "$(sum .steps[0].sent)" "$(m .steps[0].sent)"
check_eq "merged: received is the sum" "$(sum .steps[0].received)" "$(m .steps[0].received)"
check_eq "merged: short requests, the sum" "$(sum .steps[0].classes.short.sent)" \
	"$(m .steps[0].classes.short.sent)"
check_eq "merged: clients and offered rates add" "2 2500" \
	"$(m '.steps[0] | "\(.clients) \(.offered_rps | round)"' | tr -d '"')"
check_eq "the daemon counted what the merged run sent, over the span" "$((after - before))" \
	"$(m .steps[0].sent)"
check_eq "merged: the RTT histogram holds every reply" "$(m .steps[0].classes.short.received)" \
	"$(m '[.steps[0].classes.short.rtt_hist.buckets[][1]] | add')"
check "merged: p99 from the summed histogram, between the runs' own" jq -e -s \
	'(.[0].steps[0].classes.short.rtt_us.p99) as $a | (.[1].steps[0].classes.short.rtt_us.p99) as $b |
	 .[2].steps[0].classes.short.rtt_us.p99 as $m | $m >= ([$a, $b] | min) and $m <= ([$a, $b] | max)' \
	"$TMPD/a.json" "$TMPD/b.json" "$TMPD/m.json"
check "merged: the window spans both runs'" jq -e -s \
	'.[2].steps[0].wall_start_ns == ([.[0], .[1]] | map(.steps[0].wall_start_ns) | min) and
	 .[2].steps[0].wall_end_ns == ([.[0], .[1]] | map(.steps[0].wall_end_ns) | max)' \
	"$TMPD/a.json" "$TMPD/b.json" "$TMPD/m.json"
check "merged: the inputs are named" jq -e '.merged_from | map(.file | test("[ab].json$")) == [true, true]' \
	"$TMPD/m.json"
check "merged: the table and the CSV" bash -c "grep -q '^step 1/1: 2 clients' '$TMPD/m.out' &&
	[ \$(tail -n +2 '$TMPD/m.csv' | wc -l) -eq 2 ]"
# The daemon's own history over the span says the same (to 1 %: window_ms is given to 0.1 ms).
span=$(ctl --json stats --since "$(m '.steps[0].warmup_start_ns / 1e9 - 1')" |
	jq '[.windows[] | .in_rps * .window_ms / 1000] | add | round')
sent=$(m .steps[0].sent)
check "the daemon's windows over the span hold them ($span of $sent)" \
	test "$span" -ge $((sent - sent / 100 - 2)) -a "$span" -le $((sent + sent / 100 + 2))

# A merged run merges again; runs whose steps differ do not.
"$LG" merge "$TMPD/m.json" "$TMPD/a.json" --json "$TMPD/mm.json" --quiet
check_eq "a merged run merges again" "$(($(m .steps[0].sent) + $(jq .steps[0].sent "$TMPD/a.json")))" \
	"$(jq .steps[0].sent "$TMPD/mm.json")"
cli "$LG" --target "$LAB_SRV_IP4:7777" --sweep 500:1000:500 --duration 300ms --warmup 0 --drain 2s \
	--json "$TMPD/c.json" --quiet
"$LG" merge "$TMPD/a.json" "$TMPD/c.json" 2>"$TMPD/err" >/dev/null
check_eq "runs with different steps: exit 1" 1 "$?"
check "... saying the step lists differ" grep -q "step lists differ" "$TMPD/err"
"$LG" merge "$TMPD/a.json" "$TMPD/nothing.json" 2>"$TMPD/err" >/dev/null
check_eq "a missing run: exit 1" 1 "$?"
"$LG" merge --frobnicate 2>"$TMPD/err"
check_eq "bad usage: exit 2" 2 "$?"
check "bpfnicd still running" daemon_alive
