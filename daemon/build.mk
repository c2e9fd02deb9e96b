comma := ,
# bpfnicd, the table-derived files (the interface description, bpfnicctl's bash
# completion), and the unit tests of the daemon's modules.
VARLINK_LIBS := $(shell pkg-config --libs json-c 2>/dev/null || echo -ljson-c)
SYSTEMD_LIBS := $(shell pkg-config --libs libsystemd 2>/dev/null || echo -lsystemd)
MHD_LIBS := $(shell pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd)


# bpfnic-gen writes what derives from the table into the files that carry it: the
# IDL (then built into bpfnicd as a C string) and the completion (ctl/build.mk).
$(BUILD)/gen/bpfnic-gen: $(call obj,lib/gen.c $(PARAMS_SRCS))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(VARLINK_LIBS) -lm
$(BUILD)/gen/io.bpfnic.varlink: lib/io.bpfnic.varlink.in $(BUILD)/gen/bpfnic-gen
	$(BUILD)/gen/bpfnic-gen idl $< >$@.tmp && mv $@.tmp $@
$(BUILD)/gen/interfaces.c: $(BUILD)/gen/io.bpfnic.varlink lib/org.varlink.service.varlink \
		$(BUILD)/gen/bpfnic-gen
	$(BUILD)/gen/bpfnic-gen cstrings bpfnic_idl_io_bpfnic=$(BUILD)/gen/io.bpfnic.varlink \
		bpfnic_idl_varlink_service=lib/org.varlink.service.varlink >$@.tmp && mv $@.tmp $@
IDL_SRCS := lib/idl.c $(BUILD)/gen/interfaces.c

# bpfnicd itself.
BPFNICD_MODULES := daemon/methods.c daemon/control.c daemon/log.c daemon/config.c $(INILINE_SRCS) \
	daemon/runconf.c daemon/policy.c daemon/scaler.c daemon/splitsize.c daemon/sampler.c daemon/stats.c \
	daemon/history.c daemon/kthread.c daemon/workers.c daemon/nic.c daemon/metrics.c daemon/httpd.c \
	datapath/ifcheck.c lib/varlink.c $(IDL_SRCS) $(PARAMS_SRCS)
BPFNICD_LIBS := $(SYSTEMD_LIBS) $(VARLINK_LIBS) $(INILINE_LIBS) $(MHD_LIBS)
# daemon/handover.c hands the real data path over: with bpfnicd.c, not in the modules
# that the unit tests run on their in-memory data path.
$(eval $(call program,bpfnicd,daemon/bpfnicd.c daemon/handover.c $(BPFNICD_MODULES) $(DATAPATH_SRCS),$(DATAPATH_LIBS) $(BPFNICD_LIBS)))

$(eval $(call unit_test,test_varlink,tests/unit/test_varlink.c lib/varlink.c,$(VARLINK_LIBS) -lm))
$(eval $(call unit_test,test_params,tests/unit/test_params.c lib/idl.c $(PARAMS_SRCS),$(VARLINK_LIBS) -lm))
$(eval $(call unit_test,test_config,tests/unit/test_config.c daemon/config.c $(INILINE_SRCS) $(PARAMS_SRCS),$(INILINE_LIBS) $(VARLINK_LIBS)))
$(eval $(call unit_test,test_scaler,tests/unit/test_scaler.c daemon/scaler.c,))
$(eval $(call unit_test,test_splitsize,tests/unit/test_splitsize.c daemon/splitsize.c,-lm))
$(eval $(call unit_test,test_history,tests/unit/test_history.c daemon/history.c daemon/stats.c datapath/dpstats.c lib/varlink.c $(PARAMS_SRCS),$(VARLINK_LIBS) -lm))
$(eval $(call unit_test,test_stats,tests/unit/test_stats.c daemon/stats.c datapath/dpstats.c lib/varlink.c,$(VARLINK_LIBS) -lm))
# bind() wrapped: the test makes another daemon win the race for the socket path.
$(eval $(call unit_test,test_control,tests/unit/test_control.c daemon/control.c daemon/log.c lib/varlink.c,$(VARLINK_LIBS) $(SYSTEMD_LIBS) -lbpf -lm -Wl$(comma)--wrap=bind))
$(eval $(call unit_test,test_log,tests/unit/test_log.c daemon/log.c $(CAPTURE_SRCS),$(SYSTEMD_LIBS) -lbpf))
$(eval $(call unit_test,test_nic,tests/unit/test_nic.c daemon/nic.c daemon/log.c datapath/ifcheck.c $(CPULIST_SRCS) $(CAPTURE_SRCS),$(SYSTEMD_LIBS) $(VARLINK_LIBS) -lbpf))
# The daemon's modules on a fake data path (tests/unit/fake_datapath.c), which can be
# made to fail: policy changes and their rollback, every method against the IDL.
$(eval $(call unit_test,test_daemon,tests/unit/test_daemon.c tests/unit/fake_datapath.c tests/unit/methods_daemon.c $(BPFNICD_MODULES) datapath/dpstats.c,$(BPFNICD_LIBS) -lbpf -lm))
# The Prometheus exposition of synthetic readings (the sampler is linked, not used: on
# the fake data path).
$(eval $(call unit_test,test_metrics,tests/unit/test_metrics.c tests/unit/fake_datapath.c $(BPFNICD_MODULES) datapath/dpstats.c,$(BPFNICD_LIBS) -lbpf -lm))
