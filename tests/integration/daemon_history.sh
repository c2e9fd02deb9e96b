#!/usr/bin/env bash
# The daemon's history on the lab: bpfnicctl stats --since reads every window and
# change of a span in one go (the daemon answers in pages of one message, bpfnicctl
# joins them), the windows' requests add up to what was sent, policy changes are
# recorded, a ring too small for the span says so (truncated), a bad TIME is a usage
# error. Counts are compared, never times.
. "$(dirname "$0")/daemon_env.bash"

daemon_setup hi
# 10 ms windows: a few seconds of them take more than one message (64 KiB).
D_POLICY=rr D_INTERVAL_MS=10 daemon_config
daemon_start

since=$(date +%s.%N)
before=$(status_get .totals.requests)
r=$(send --count 6000 --rate 2000)
diag "sent: $r"
sent=$(kv sent "$r")
ctl_ok policy split
sleep 0.2 # a few windows under split
ctl_ok policy rr
# The last requests are counted in the window that closes after them.
counted() { [ "$(status_get .totals.requests)" -ge $((before + sent)) ]; }
wait_until 10 counted || fail "the daemon counted the requests: $(status_get .totals)"
sleep 0.2

ctl --json stats --since "$since" >"$TMPD/h.json" 2>"$TMPD/h.err"
check_eq "stats --json --since exits 0" 0 "$?"
[ -s "$TMPD/h.err" ] && diag "$(cat "$TMPD/h.err")"
nwin=$(jq '.windows | length' "$TMPD/h.json")
check "windows after TIME ($nwin)" test "${nwin:-0}" -gt 50
check "every window ended after TIME, oldest first" jq -e --argjson s "$since" \
	'[.windows[].time_usec] as $t | ($t[0] > ($s * 1e6 - 1)) and
	 ([range(1; $t | length) | select($t[.] <= $t[. - 1])] | length == 0)' "$TMPD/h.json"
check "every window covers both candidate CPUs, with the group that served it" jq -e \
	'all(.windows[]; (.cpus | map(.cpu)) == [0, 1] and .groups.main != null and
	 (.cpus[0].group == "main"))' "$TMPD/h.json"
# Each window's rate times its length is its requests: together, what was sent (to
# 1 %: window_ms is given to 0.1 ms).
in_windows=$(jq '[.windows[] | .in_rps * .window_ms / 1000] | add | round' "$TMPD/h.json")
served=$(jq '[.windows[] | .cpus[].out_rps * .window_ms / 1000] | add | round' "$TMPD/h.json")
near_sent() { [ "$1" -ge $((sent - sent / 100 - 2)) ] && [ "$1" -le $((sent + sent / 100 + 2)) ]; }
check "the windows' requests add up to those sent ($in_windows of $sent)" near_sent "$in_windows"
check "... and the CPUs served them ($served)" near_sent "$served"
check_eq "both policy changes, in order" '["split","rr"]' \
	"$(jq -c '[.changes[] | select(.action == "policy") | .reason | capture("^policy (?<p>[a-z]+)").p]' "$TMPD/h.json")"
check "a policy change names who asked and has no CPU" jq -e \
	'all(.changes[] | select(.action == "policy"); (.reason | test("by uid 0")) and .cpu == null)' \
	"$TMPD/h.json"
check "the windows show the split" jq -e \
	'any(.windows[]; .policy == "split" and .groups.long == [1] and .cpus[1].group == "long")' \
	"$TMPD/h.json"
check_eq "nothing truncated" false "$(jq .truncated "$TMPD/h.json")"
check "one object: the last statistics, no page marker" jq -e \
	'has("totals") and has("cpus") and (has("next_since_usec") | not)' "$TMPD/h.json"

# The daemon answered in pages: one reply holds only part of the span.
usec=$(awk -v s="$since" 'BEGIN { printf "%.0f", s * 1e6 }')
printf '%s\0' "{\"method\":\"io.bpfnic.GetStats\",\"parameters\":{\"since_usec\":$usec}}" |
	"$CTLRAW" "$SOCK" --timeout-ms 10000 >"$TMPD/page.json"
page=$(jq '.parameters.windows | length' "$TMPD/page.json")
check "one reply is one page ($page windows) with where to go on" jq -e \
	--argjson n "$nwin" '.parameters | (.windows | length) < $n and .next_since_usec > 0' "$TMPD/page.json"

# A span back from now, and the table.
check "stats --since -DURATION" bash -c "[ \$('$BPFNICCTL' --socket '$SOCK' --json stats --since -2s |
	jq '.windows | length') -gt 0 ]"
ctl stats --since "$since" >"$TMPD/h.txt"
# (Later than the JSON: as many windows, and those that closed since.)
check "the table: a line per window" test "$(grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2} ' "$TMPD/h.txt")" -ge "$nwin"
check "the table: the changes" grep -qE '^  [0-9-]+ [0-9:.]+ +policy ' "$TMPD/h.txt"

# Bad TIME: a usage error, nothing asked.
ctl stats --since yesterday 2>"$TMPD/err"
check_eq "bad TIME exits 2" 2 "$?"
check "bad TIME is named" grep -q "'yesterday'" "$TMPD/err"

# A ring smaller than the span: the oldest windows are gone, and the reply says so.
daemon_stop
D_POLICY=rr D_INTERVAL_MS=10 D_DAEMON_EXTRA="HistoryWindows=10" daemon_config
daemon_start
since=$(date +%s.%N)
# More than 10 windows since: the ring has wrapped (polled: a loaded machine ticks late).
wrapped() { [ "$(ctl --json stats --since "$since" | jq -r .truncated)" = true ]; }
wait_until 30 wrapped
check_eq "a full ring: the last HistoryWindows= windows, truncated" "10 true" \
	"$(ctl --json stats --since "$since" | jq -r '"\(.windows | length) \(.truncated)"')"
check "the table says so" bash -c "'$BPFNICCTL' --socket '$SOCK' stats --since '$since' |
	grep -q 'no longer holds the start'"
check "bpfnicd still running" daemon_alive
