# Installation and the Debian package.
#
#   make install [DESTDIR=/tmp/stage] [PREFIX=/usr]
#   make deb     -> $(BUILD)/deb/bpfnic_<version>_<arch>.deb (+ lintian report)
#
# Directories follow PREFIX; with PREFIX=/usr the config goes to /etc, otherwise to
# $(PREFIX)/etc. Every one can be overridden (the Debian build sets UNITDIR to the
# directory debhelper expects).
BINDIR      ?= $(PREFIX)/bin
SBINDIR     ?= $(PREFIX)/sbin
LIBDIR_BPF  ?= $(PREFIX)/lib/bpfnic
MANDIR      ?= $(PREFIX)/share/man
SYSCONFDIR  ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
CATALOGDIR  ?= $(PREFIX)/lib/systemd/catalog
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DATADIR     ?= $(PREFIX)/share/bpfnic
INSTALL     ?= install

# The daemon looks in /etc by default; elsewhere the unit names the file.
CONFIG_ARG = $(if $(filter-out /etc,$(SYSCONFDIR)), --config $(SYSCONFDIR)/bpfnic/bpfnicd.conf)

# Besides the programs (Makefile), the generated interface description and completion
# (daemon/, ctl/build.mk) are installed, and for bpfnic-bench the lab script (run from
# LIBDIR_BPF) and the experiment files (bench/bpfnic-bench/build.mk).
programs: $(BUILD)/gen/io.bpfnic.varlink $(BUILD)/gen/bpfnicctl.bash

install: programs
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR_BPF) \
		$(DESTDIR)$(SYSCONFDIR)/bpfnic $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(CATALOGDIR) \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DATADIR)/prometheus
	$(INSTALL) -m 0755 $(BUILD)/bpfnicd $(DESTDIR)$(SBINDIR)/bpfnicd
	$(INSTALL) -m 0755 $(BUILD)/bpfnicctl $(DESTDIR)$(BINDIR)/bpfnicctl
	$(INSTALL) -m 0755 $(BUILD)/bpfnic-loadgen $(DESTDIR)$(BINDIR)/bpfnic-loadgen
	$(INSTALL) -m 0755 $(BUILD)/bpfnic-bench $(DESTDIR)$(BINDIR)/bpfnic-bench
	$(INSTALL) -m 0644 $(BUILD)/bpf/bpfnic.bpf.o $(DESTDIR)$(LIBDIR_BPF)/bpfnic.bpf.o
	$(INSTALL) -m 0755 scripts/lab $(DESTDIR)$(LIBDIR_BPF)/lab
	$(INSTALL) -d $(DESTDIR)$(DATADIR)/experiments
	$(INSTALL) -m 0644 $(BENCH_EXPERIMENTS) $(DESTDIR)$(DATADIR)/experiments/
	$(INSTALL) -m 0644 etc/bpfnicd.conf $(DESTDIR)$(SYSCONFDIR)/bpfnic/bpfnicd.conf
	sed -e 's|^ExecStart=/usr/sbin/bpfnicd$$|ExecStart=$(SBINDIR)/bpfnicd$(CONFIG_ARG)|' \
	    -e 's|/usr/bin/bpfnicctl|$(BINDIR)/bpfnicctl|' systemd/bpfnicd.service \
		>$(DESTDIR)$(UNITDIR)/bpfnicd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/bpfnicd.service
	$(INSTALL) -m 0644 systemd/bpfnicd-metrics.socket $(DESTDIR)$(UNITDIR)/bpfnicd-metrics.socket
	$(INSTALL) -m 0644 systemd/bpfnic.sysusers $(DESTDIR)$(SYSUSERSDIR)/bpfnic.conf
	$(INSTALL) -m 0644 systemd/bpfnic.catalog $(DESTDIR)$(CATALOGDIR)/bpfnic.catalog
	$(INSTALL) -m 0644 $(BUILD)/gen/bpfnicctl.bash $(DESTDIR)$(BASHCOMPDIR)/bpfnicctl
	$(INSTALL) -m 0644 packaging/bash-completion/bpfnic-bench $(DESTDIR)$(BASHCOMPDIR)/bpfnic-bench
	$(INSTALL) -m 0644 $(BUILD)/gen/io.bpfnic.varlink $(DESTDIR)$(DATADIR)/io.bpfnic.varlink
	$(INSTALL) -m 0644 packaging/prometheus/bpfnic-alerts.yml $(DESTDIR)$(DATADIR)/prometheus/
	$(INSTALL) -m 0644 packaging/man/bpfnic-loadgen.1 packaging/man/bpfnic-bench.1 $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 packaging/man/bpfnicd.conf.5 $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 0644 packaging/man/bpfnicd-metrics.7 $(DESTDIR)$(MANDIR)/man7/
	$(INSTALL) -m 0644 packaging/man/bpfnicd.8 packaging/man/bpfnicctl.8 $(DESTDIR)$(MANDIR)/man8/

# dpkg-buildpackage wants debian/ at the top of the source tree: assemble one under
# $(BUILD)/deb/src from the sources (git's view of them, or every file outside build/
# when this is not a git checkout) plus packaging/debian, build there (its own
# build/ inside), and leave the .deb, .buildinfo, .changes and lintian's report in
# $(BUILD)/deb/. The environment is cleaned so the outer make's BUILD, DESTDIR and
# MAKEFLAGS cannot leak into the package build.
DEB_DIR := $(BUILD)/deb
deb:
	@v=$$(dpkg-parsechangelog -l packaging/debian/changelog -S Version); \
	[ "$$v" = "$(VERSION)" ] || { echo "packaging/debian/changelog is at $$v, VERSION is $(VERSION):" \
		"add a changelog entry (dch -v $(VERSION))" >&2; exit 1; }
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard -- . ':!:packaging/debian'; \
	else \
		find . -path ./.git -prune -o -path './$(BUILD)' -prune -o -path ./build -prune \
			-o -path ./packaging/debian -prune -o -type f -print0; \
	fi | tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C $(DEB_DIR)/src
	cp -r packaging/debian $(DEB_DIR)/src/debian
	cp systemd/bpfnic.sysusers $(DEB_DIR)/src/debian/bpfnic.sysusers
	cd $(DEB_DIR)/src && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u DESTDIR \
		-u PREFIX dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ tail -n 40 ../build.log; exit 1; }
	cd $(DEB_DIR) && { lintian -I bpfnic_*.changes >lintian.txt 2>&1 || true; }
	@cat $(DEB_DIR)/lintian.txt
	@ls $(DEB_DIR)/*.deb
	@! grep -q '^E:' $(DEB_DIR)/lintian.txt || { echo "lintian reported errors" >&2; exit 1; }
