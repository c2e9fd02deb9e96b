#!/usr/bin/env bash
# The man pages tell the truth: they render without warnings, every option a
# binary's --help lists is documented in its page and every option the page
# documents exists, and bpfnicd.conf(5) documents exactly the keys of the shipped
# etc/bpfnicd.conf.
. "${BPFNIC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
man_dir=$BPFNIC_TOP/packaging/man
tmp=$(mktemp -d)
on_exit "rm -rf '$tmp'"

render() { LC_ALL=C.UTF-8 MANWIDTH=200 man --warnings -E UTF-8 -l "$1" 2>"$tmp/warn" | col -b; }
long_opts() { grep -oE -- '--[a-z][a-z0-9-]+' | sort -u; }

for page in bpfnicd.8 bpfnicd.conf.5 bpfnicd-metrics.7 bpfnicctl.8 bpfnic-loadgen.1 bpfnic-bench.1; do
	render "$man_dir/$page" >"$tmp/$page.txt"
	if [ -s "$tmp/$page.txt" ] && [ ! -s "$tmp/warn" ]; then
		ok "$page renders without warnings"
	else
		fail "$page renders without warnings"; sed 's/^/# /' "$tmp/warn"
	fi
done

# help_text BINARY: every help text the binary has (bpfnicctl: one per command).
help_text() {
	case $1 in
	bpfnicctl)
		"$BUILD/bpfnicctl" --help
		for c in status stats policy reload version; do "$BUILD/bpfnicctl" help "$c"; done ;;
	*) "$BUILD/$1" --help ;;
	esac 2>&1
}

for pair in bpfnicd:bpfnicd.8 bpfnicctl:bpfnicctl.8 bpfnic-loadgen:bpfnic-loadgen.1 \
	bpfnic-bench:bpfnic-bench.1; do
	bin=${pair%%:*} page=${pair#*:}
	if [ ! -x "$BUILD/$bin" ]; then
		fail "$page matches $bin --help ($BUILD/$bin not built)"
		continue
	fi
	help_text "$bin" | long_opts >"$tmp/help.opts"
	# Lines quoting another command's options (systemctl enable --now, the data-path
	# test tool's --short-us) are not about this binary.
	grep -vE 'systemctl|journalctl|bpftool|test tool' "$tmp/$page.txt" | long_opts >"$tmp/man.opts"
	undocumented=$(comm -23 "$tmp/help.opts" "$tmp/man.opts" | tr '\n' ' ')
	invented=$(comm -13 "$tmp/help.opts" "$tmp/man.opts" | tr '\n' ' ')
	check_eq "$page documents every option of $bin --help" "" "$undocumented"
	check_eq "$page documents no option $bin lacks" "" "$invented"
done

# Keys of the shipped config ("Key=" or "#Key=" lines) against the page's keys.
conf=$BPFNIC_TOP/etc/bpfnicd.conf
if [ -f "$conf" ]; then
	grep -oE '^[#;]? ?[A-Z][A-Za-z]+=' "$conf" | tr -d '#; =' | sort -u >"$tmp/conf.keys"
	grep -oE '^ {0,8}[A-Z][A-Za-z]+=' "$tmp/bpfnicd.conf.5.txt" | tr -d ' =' | sort -u >"$tmp/man.keys"
	check_eq "bpfnicd.conf(5) documents every key of etc/bpfnicd.conf" "" \
		"$(comm -23 "$tmp/conf.keys" "$tmp/man.keys" | tr '\n' ' ')"
	check_eq "bpfnicd.conf(5) documents no key etc/bpfnicd.conf lacks" "" \
		"$(comm -13 "$tmp/conf.keys" "$tmp/man.keys" | tr '\n' ' ')"
else
	fail "etc/bpfnicd.conf exists"
fi
