comma := ,
# bpfnicd and the control-protocol framing it shares with bpfnicctl (lib/varlink.c).
VARLINK_LIBS := $(shell pkg-config --libs json-c 2>/dev/null || echo -ljson-c)

$(eval $(call unit_test,test_varlink,tests/unit/test_varlink.c lib/varlink.c,$(VARLINK_LIBS) -lm))
INIH_LIBS := $(shell pkg-config --libs inih 2>/dev/null || echo -linih)
$(eval $(call unit_test,test_config,tests/unit/test_config.c daemon/config.c lib/cpulist.c lib/numparse.c,$(INIH_LIBS)))
$(eval $(call unit_test,test_controller,tests/unit/test_controller.c daemon/controller.c,))
$(eval $(call unit_test,test_request,tests/unit/test_request.c daemon/request.c daemon/config.c lib/cpulist.c lib/numparse.c lib/varlink.c,$(VARLINK_LIBS) $(INIH_LIBS) -lm))

# bpfnicd itself.
SYSTEMD_LIBS := $(shell pkg-config --libs libsystemd 2>/dev/null || echo -lsystemd)
BPFNICD_SRCS := daemon/bpfnicd.c daemon/methods.c daemon/control.c daemon/log.c \
	daemon/config.c daemon/controller.c daemon/request.c daemon/stats.c daemon/kthread.c \
	lib/varlink.c lib/cpulist.c lib/numparse.c $(DATAPATH_SRCS)
$(eval $(call program,bpfnicd,$(BPFNICD_SRCS),$(DATAPATH_LIBS) $(SYSTEMD_LIBS) $(VARLINK_LIBS) $(INIH_LIBS)))
$(eval $(call unit_test,test_stats,tests/unit/test_stats.c daemon/stats.c datapath/dpstats.c,-lm))
# bind() wrapped: the test makes another daemon win the race for the socket path.
$(eval $(call unit_test,test_control,tests/unit/test_control.c daemon/control.c daemon/log.c lib/varlink.c,$(VARLINK_LIBS) $(SYSTEMD_LIBS) -lbpf -lm -Wl$(comma)--wrap=bind))
$(eval $(call unit_test,test_log,tests/unit/test_log.c daemon/log.c,$(SYSTEMD_LIBS) -lbpf))
