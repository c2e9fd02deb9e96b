#!/usr/bin/env bash
# bpfnicctl without a working daemon: help, usage errors (exit 2), an absent daemon
# and a daemon that accepts but never answers (exit 3, bounded by --timeout).
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=$BUILD/bpfnicctl
[ -x "$CTL" ] || { fail "built: $CTL"; exit 1; }
tmp=$(mktemp -d /tmp/bpfnic-ctl.XXXXXX)
on_exit "rm -rf '$tmp'"

check "bpfnicctl help" bash -c "'$CTL' help | grep -q '^usage: bpfnicctl'"
for cmd in status stats policy reload version; do
	check "bpfnicctl $cmd --help" bash -c "'$CTL' $cmd --help | grep -q '^usage: bpfnicctl.*$cmd'"
	check "bpfnicctl help $cmd" bash -c "'$CTL' help $cmd | grep -q '^usage: bpfnicctl.*$cmd'"
done
check "bpfnicctl --version needs no daemon" bash -c "'$CTL' --socket /nonexistent --version | grep -q '^bpfnicctl [0-9]'"

usage() { # NAME NEEDLE ARGS...: exit 2, one line on stderr naming the culprit
	local name=$1 needle=$2 err rc
	shift 2
	err=$("$CTL" --socket /nonexistent "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && grep -qF -- "$needle" <<<"$err"; then
		ok "usage: $name"
	else
		fail "usage: $name (rc $rc: $err)"
	fi
}
usage "no command" "missing command"
usage "unknown command" "'frobnicate'" frobnicate
usage "unknown policy" "'fifo'" policy fifo
usage "option of another policy" "'--threshold-us'" policy split --threshold-us 5
usage "bad number" "'lots'" policy dynamic --threshold-us lots
usage "bad metric" "'p50'" policy dynamic --metric p50
usage "missing value" "'--socket'" status --socket
usage "--interval without --watch" "'--interval'" stats --interval 100

"$CTL" --socket "$tmp/none.sock" status 2>"$tmp/err"
check_eq "no daemon: exit 3" 3 "$?"
check "no daemon: the message names the socket" grep -q "$tmp/none.sock" "$tmp/err"
"$CTL" --socket "$tmp/none.sock" version >"$tmp/out" 2>/dev/null
check_eq "version without a daemon: exit 3" 3 "$?"
check "version without a daemon still prints the client's" grep -q '^bpfnicctl ' "$tmp/out"

# A "daemon" that accepts and never answers: the CLI gives up after --timeout.
timeout 30 nc -lU "$tmp/mute.sock" >/dev/null </dev/null &
ncpid=$!
on_exit "kill $ncpid 2>/dev/null"
for _ in $(seq 100); do [ -S "$tmp/mute.sock" ] && break; sleep 0.1; done
timeout 20 "$CTL" --socket "$tmp/mute.sock" --timeout 300 status 2>"$tmp/err"
check_eq "mute daemon: exit 3 (not a hang)" 3 "$?"
check "mute daemon: says it did not answer" grep -q "did not answer" "$tmp/err"

# The bash completion (generated from the table) offers what bpfnicctl takes.
complete_words() { # WORD...: what completing after them offers
	bash -c '. /usr/share/bash-completion/bash_completion && . "$0" && COMP_WORDS=("$@") &&
		COMP_CWORD=$(($# - 1)) && COMP_LINE="$*" && COMP_POINT=${#COMP_LINE} && _bpfnicctl &&
		printf "%s\n" "${COMPREPLY[@]}"' "$BUILD/gen/bpfnicctl.bash" bpfnicctl "$@" | sort | tr '\n' ' '
}
for policy in rr split dynamic; do
	# Its usage lines: from "bpfnicctl policy NAME" to the next usage or the blank line.
	help_opts=$("$CTL" help policy | awk -v p="$policy" '/bpfnicctl policy / { on = $0 ~ "policy " p "( |$)" }
		/^$/ { on = 0 } on' | grep -oE -- '--[a-z-]+' |
		cat - <(printf '%s\n' --json --socket --timeout --help) | sort | tr '\n' ' ')
	check_eq "completion of 'policy $policy --' is its options" "$help_opts" \
		"$(complete_words policy "$policy" --)"
done
check_eq "completion of 'policy ' is the policies" "dynamic hash jsq lwl p2c rr split " "$(complete_words policy '')"
