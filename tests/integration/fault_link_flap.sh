#!/usr/bin/env bash
# Fault: the interface goes down and up under load. bpfnicd stays, the program stays
# attached (the same one), traffic resumes, and the books hold exactly: nothing is
# counted twice or left out (server requests = replies + drops; the client's sent =
# received + lost; the server saw no more requests than were sent, and answered no
# fewer than the client received).
. "$(dirname "$0")/daemon_env.bash"

daemon_setup lf
daemon_config
daemon_start

prog=$(xdp_prog_id)
check "XDP program attached (id $prog)" test -n "$prog"
read -r req0 rep0 drop0 <<<"$(server_books_settled)"

# 4 s of requests; the link is down for about one second of them.
send --count 6000 --rate 1500 --drain-ms 3000 >"$TMPD/load.out" &
lpid=$!
on_exit "kill $lpid 2>/dev/null"
sleep 1
check "link down" ip -n "$LAB_SRV_NS" link set dev "$LAB_SRV_IF" down
sleep 1
check "link up again" ip -n "$LAB_SRV_NS" link set dev "$LAB_SRV_IF" up
wait "$lpid"
r=$(cat "$TMPD/load.out")
diag "load across the flap: $r"

check "bpfnicd kept running across the flap" daemon_alive
check_eq "the same program is attached after the flap" "$prog" "$(xdp_prog_id)"
read -r req rep drop <<<"$(server_books_settled)"
dreq=$((req - req0)) drep=$((rep - rep0)) ddrop=$((drop - drop0))
sent=$(kv sent "$r") recv=$(kv received "$r") lost=$(kv lost "$r")
check_eq "server: requests = replies + drops ($dreq = $drep + $ddrop)" "$dreq" $((drep + ddrop))
check_eq "client: sent = received + lost ($sent = $recv + $lost)" "$sent" $((recv + lost))
check "the server saw no more requests than were sent ($dreq <= $sent)" test "$dreq" -le "$sent"
check "the client received no more than the server answered ($recv <= $drep)" test "$recv" -le "$drep"
check "some requests were answered before or after the flap ($recv)" test "$recv" -gt 0

# After the flap, traffic is served as before, nothing lost.
r=$(send --count 500 --rate 500)
check_eq "after the flap: 500 requests, every one answered" 500 "$(kv received "$r")"
check "bpfnicd answers status after the flap" ctl_quiet status
