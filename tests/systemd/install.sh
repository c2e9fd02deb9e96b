#!/usr/bin/env bash
# "make install" honours DESTDIR and PREFIX: everything lands under DESTDIR, in
# PREFIX's directories, and the unit points at the binaries where they went.
. "${BPFNIC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
dest=$(mktemp -d)
on_exit "rm -rf '$dest'"

unit_paths() { # unit prefix etc
	local config=""
	[ "$3" = /etc ] || config=" --config $3/bpfnic/bpfnicd.conf"
	grep -qx "ExecStart=$2/sbin/bpfnicd$config" "$1" &&
		grep -qx "ExecReload=+$2/bin/bpfnicctl reload" "$1"
}

for prefix in /usr /opt/bpfnic; do
	root=$dest/root${prefix//\//_}
	if ! make -C "$BPFNIC_TOP" --no-print-directory BUILD="$BUILD" install \
		DESTDIR="$root" PREFIX="$prefix" >"$dest/log" 2>&1; then
		fail "make install DESTDIR=... PREFIX=$prefix"
		tail -n 20 "$dest/log" | sed 's/^/# /'
		continue
	fi
	ok "make install DESTDIR=... PREFIX=$prefix"
	etc=/etc
	[ "$prefix" = /usr ] || etc=$prefix/etc
	missing=""
	for f in "$prefix/sbin/bpfnicd" "$prefix/bin/bpfnicctl" "$prefix/bin/bpfnic-loadgen" \
		"$prefix/lib/bpfnic/bpfnic.bpf.o" "$etc/bpfnic/bpfnicd.conf" \
		"$prefix/lib/systemd/system/bpfnicd.service" "$prefix/lib/sysusers.d/bpfnic.conf" \
		"$prefix/lib/systemd/system/bpfnicd-metrics.socket" \
		"$prefix/share/bpfnic/prometheus/bpfnic-alerts.yml" "$prefix/share/man/man7/bpfnicd-metrics.7" \
		"$prefix/lib/systemd/catalog/bpfnic.catalog" \
		"$prefix/share/bash-completion/completions/bpfnicctl" "$prefix/share/bpfnic/io.bpfnic.varlink" \
		"$prefix/share/man/man8/bpfnicd.8" "$prefix/share/man/man5/bpfnicd.conf.5" \
		"$prefix/share/man/man8/bpfnicctl.8" "$prefix/share/man/man1/bpfnic-loadgen.1" \
		"$prefix/bin/bpfnic-bench" "$prefix/lib/bpfnic/lab" "$prefix/share/man/man1/bpfnic-bench.1" \
		"$prefix/share/bash-completion/completions/bpfnic-bench" \
		"$prefix/share/bpfnic/experiments/bimodal.ini" \
		"$prefix/share/bpfnic/experiments/unimodal-dynamic.ini" \
		"$prefix/share/bpfnic/experiments/governor.ini" \
		"$prefix/share/bpfnic/experiments/dynamic-vs-static.ini" \
		"$prefix/share/bpfnic/experiments/policies.ini"; do
		[ -e "$root$f" ] || missing+=" $f"
	done
	check_eq "PREFIX=$prefix: every file where expected" "" "$missing"
	stray=$(cd "$root" && find . -type f | grep -vE "^\.($prefix|$etc)/" | tr '\n' ' ')
	check_eq "PREFIX=$prefix: nothing outside PREFIX and $etc" "" "$stray"
	check "PREFIX=$prefix: unit runs $prefix/sbin/bpfnicd (config in $etc), reloads with $prefix/bin/bpfnicctl" \
		unit_paths "$root$prefix/lib/systemd/system/bpfnicd.service" "$prefix" "$etc"
done
