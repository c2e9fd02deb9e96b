#!/usr/bin/env bash
# SO_PEERCRED: a caller who is neither root nor in AdminGroup may read status but may
# not change the policy or reload (exit 1, PermissionDenied).
. "$(dirname "$0")/daemon_env.bash"

daemon_setup pm
# The socket must admit the unprivileged user at all: mode 0666 for this test.
D_DAEMON_EXTRA="SocketMode=0666" daemon_config
daemon_start

# A copy nobody can execute wherever the tree lives (a clone under /root is 0700).
install -m 0755 "$BPFNICCTL" "$TMPD/bpfnicctl"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$TMPD/bpfnicctl" --socket "$SOCK" "$@"; }

check "nobody can run bpfnicctl at all" as_nobody --version
out=$(as_nobody --json status)
check_eq "nobody reads status" 0 "$?"
check_eq "nobody sees the policy" rr "$(jq -r .policy.name <<<"$out")"
as_nobody stats >/dev/null
check_eq "nobody reads stats" 0 "$?"

as_nobody policy split --long-cpus 1 2>"$TMPD/err"
check_eq "nobody cannot change the policy (exit 1)" 1 "$?"
check "the refusal is PermissionDenied" grep -q PermissionDenied "$TMPD/err"
sed 's/^/# stderr: /' "$TMPD/err"
check_eq "policy unchanged" rr "$(status_get .policy.name)"
as_nobody reload 2>"$TMPD/err"
check_eq "nobody cannot reload (exit 1)" 1 "$?"
check "the reload refusal is PermissionDenied" grep -q PermissionDenied "$TMPD/err"

check "root can change the policy" ctl_ok policy split --long-cpus 1
check_eq "root's change applied" split "$(status_get .policy.name)"
check "the refused attempt is logged with the caller's uid" grep -qiE "uid[=: ]*65534" "$DLOG"

# A member of AdminGroup= (here as a supplementary group) may change state.
admin_gid=$(getent group daemon | cut -d: -f3)
D_DAEMON_EXTRA="SocketMode=0666" daemon_config
sed -i 's/^AdminGroup=.*/AdminGroup=daemon/' "$CONF"
check "reload: AdminGroup=daemon" ctl_ok reload
as_admin() { setpriv --reuid=nobody --regid=nogroup --groups="$admin_gid" "$TMPD/bpfnicctl" --socket "$SOCK" "$@"; }
as_admin policy rr >/dev/null 2>"$TMPD/err"
check_eq "a member of AdminGroup changes the policy" 0 "$?"
check_eq "the member's change applied" rr "$(status_get .policy.name)"
as_nobody policy split --long-cpus 1 2>/dev/null
check_eq "still refused without the group" 1 "$?"
