#!/usr/bin/env bash
# The systemd tier: bpfnicd as users meet it, under a real systemd.
#
# Builds the .deb, takes the cached minimal Debian root (tests/systemd/mkroot makes
# it once under $BUILD/systemd-cache), copies a fresh root, installs the package
# there with apt (dependencies resolve from the Debian archive as on a user's
# machine), boots the root with systemd-nspawn on a private network and lets
# in-container/checks.sh (started by bpfnic-checks.service) exercise the service:
# it makes a veth lab inside the container, sets Interface=, and ends with poweroff.
# Its results are read back here and printed as TAP, one line per check.
#
# BPFNIC_SYSTEMD_BOOT_TIMEOUT (default 300 s) bounds the boot; BPFNIC_SYSTEMD_KEEP=1
# keeps the run's root for inspection.
. "${BPFNIC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
set -o pipefail
here=$BPFNIC_TOP/tests/systemd
cache=$BUILD/systemd-cache
run=$BUILD/systemd-run
boot_timeout=${BPFNIC_SYSTEMD_BOOT_TIMEOUT:-300}
t0=$SECONDS

cleanup() {
	[ "${BPFNIC_SYSTEMD_KEEP:-0}" = 1 ] || rm -rf "$run/root"
}
on_exit cleanup

# ---------------------------------------------------------------- package
if make -C "$BPFNIC_TOP" --no-print-directory BUILD="$BUILD" deb >"$BUILD/systemd-deb.log" 2>&1; then
	ok "make deb builds the package"
else
	fail "make deb builds the package (log: $BUILD/systemd-deb.log)"
	tail -n 30 "$BUILD/systemd-deb.log" | sed 's/^/# /'
	exit 1
fi
deb=$(ls "$BUILD"/deb/bpfnic_*.deb | head -1)
diag "$(basename "$deb") built in $((SECONDS - t0)) s"
# The upgrade the checks install under load: a higher version, a changed scheduler.
t1=$SECONDS
if upgrade_deb=$("$BPFNIC_TOP/tests/systemd/mkupgrade" "$BPFNIC_TOP" "$BUILD/systemd-upgrade"); then
	ok "an upgrade package builds ($(basename "$upgrade_deb"), $((SECONDS - t1)) s)"
else
	fail "an upgrade package builds (log: $BUILD/systemd-upgrade/make.log)"
	exit 1
fi
if grep -q '^E:' "$BUILD/deb/lintian.txt"; then
	fail "lintian reports no errors"; grep '^E:' "$BUILD/deb/lintian.txt" | sed 's/^/# /'
else
	ok "lintian reports no errors ($(grep -c '^W:' "$BUILD/deb/lintian.txt") warnings)"
fi

# ---------------------------------------------------------------- root
t1=$SECONDS
cached=no
[ -f "$cache/root/.bpfnic-root-complete" ] && cached=yes
if root=$("$here/mkroot" "$cache"); then
	ok "Debian root ready (cached: $cached, $((SECONDS - t1)) s)"
else
	fail "Debian root ready (debootstrap; log: $cache/debootstrap.log)"
	exit 1
fi
rm -rf "$run"
mkdir -p "$run" "$cache/apt-archives/partial"
cp -a --reflink=auto "$root" "$run/root"
R=$run/root

# nspawn options shared by the install step and the boot.
nspawn=(systemd-nspawn --keep-unit --register=no --quiet -D "$R")

# ---------------------------------------------------------------- install with apt
cp "$deb" "$R/var/tmp/"
mkdir -p "$R/var/tmp/upgrade"
cp "$upgrade_deb" "$R/var/tmp/upgrade/"
apt_install() {
	"${nspawn[@]}" --bind="$cache/apt-archives:/var/cache/apt/archives" --pipe \
		--setenv=DEBIAN_FRONTEND=noninteractive -- /bin/sh -c "$1" </dev/null
}
t1=$SECONDS
inst="apt-get install -y -q --no-install-recommends /var/tmp/$(basename "$deb")"
# The root's package lists may have gone stale since it was cached: refresh once.
if apt_install "$inst" >"$run/apt.log" 2>&1 ||
	apt_install "apt-get update -q && $inst" >>"$run/apt.log" 2>&1; then
	ok "apt-get install ./$(basename "$deb") in the root ($((SECONDS - t1)) s)"
else
	fail "apt-get install ./$(basename "$deb") in the root (log: $run/apt.log)"
	tail -n 20 "$run/apt.log" | sed 's/^/# /'
	exit 1
fi
grep -E '^(Get|Setting up)' "$run/apt.log" | sed 's/^/# apt: /' | head -n 20
# The postinst (dh_installsysusers) must create the user and its group at once, not at
# next boot: the unit runs with User=bpfnic.
check "postinst created group bpfnic before any boot" grep -q '^bpfnic:' "$R/etc/group"
check "and the system user bpfnic" grep -q '^bpfnic:' "$R/etc/passwd"

# ---------------------------------------------------------------- the checks
mkdir -p "$R/usr/local/lib/bpfnic-test" "$R/var/lib/bpfnic-test"
install -m 0755 "$here/in-container/checks.sh" "$R/usr/local/lib/bpfnic-test/checks.sh"
install -m 0644 "$here/in-container/bpfnic-checks.service" "$R/etc/systemd/system/"
ln -sf /etc/systemd/system/bpfnic-checks.service \
	"$R/etc/systemd/system/multi-user.target.wants/bpfnic-checks.service"
# The daemon's fixed MESSAGE_IDs (daemon/log.h), so the journal checks follow it.
{
	sed -nE 's/^#define BPFNICD_(MID_[A-Z_]+) +"([0-9a-f]{32})".*/\1=\2/p' \
		"$BPFNIC_TOP/daemon/log.h" 2>/dev/null
} >"$R/var/lib/bpfnic-test/env"

t1=$SECONDS
# kcmp: systemd tells the fds in a service's fd store apart with it; without it (nspawn
# filters it by default) it compares inodes, and every BPF fd shares one anonymous
# inode: it would keep one map of bpfnicd's data path and drop the rest as duplicates.
timeout --kill-after=15 "$boot_timeout" "${nspawn[@]}" -b --private-network \
	--capability=all --system-call-filter='bpf perf_event_open kcmp' </dev/null \
	>"$run/console.log" 2>&1
rc=$?
diag "container booted, checked and powered off in $((SECONDS - t1)) s (nspawn rc $rc)"
[ "$rc" = 124 ] && fail "container powered off within ${boot_timeout}s"

results=$R/var/lib/bpfnic-test/results
if [ ! -s "$results" ]; then
	fail "in-container checks produced results"
	tail -n 40 "$run/console.log" | sed 's/^/# console: /'
	exit 1
fi
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) fail "${line#not ok - }" ;;
	"# done") ;;
	"#"*) echo "$line" ;;
	esac
done <"$results"
if ! grep -qx '# done' "$results"; then
	fail "in-container checks ran to the end"
	tail -n 30 "$R/var/lib/bpfnic-test/log" | sed 's/^/# log: /'
fi
if grep -q '^not ok' "$results"; then
	cp -a "$R/var/lib/bpfnic-test" "$run/results" 2>/dev/null
	diag "details: $run/results/ (log, journal.txt)"
	grep -E 'bpfnicd' "$R/var/lib/bpfnic-test/journal.txt" | tail -n 30 | sed 's/^/# journal: /'
fi
[ -f "$R/var/lib/bpfnic-test/security.txt" ] && cp "$R/var/lib/bpfnic-test/security.txt" "$BUILD/systemd-security.txt"
diag "systemd tier total $((SECONDS - t0)) s"
