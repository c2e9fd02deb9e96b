# Test tools shared by several tiers and benchmarks: attach the data path by hand
# (dp-attach); request senders that check every reply on the wire (reqping) or count
# replies by sequence number at a steady rate (ctl-udpsend, for bpfnicd's tests); a raw
# control-socket client for malformed requests (ctl-raw); a checker that calls every
# method of a real daemon and holds each reply against the IDL (ctl-idlcheck); tagged
# requests over a packet socket, replies checked for their VLAN (vlanping); a shim
# that steps CLOCK_REALTIME for one process (clockshim.so); the fd store and restarts
# of a service manager, for bpfnicd's restarts on the lab (svcmgr).
$(eval $(call test_prog,tools,dp-attach,tests/tools/dp_attach.c $(TOOLOPT_SRCS) $(PARAMS_SRCS) $(DATAPATH_SRCS),$(DATAPATH_LIBS) -ljson-c))
$(eval $(call test_prog,tools,reqping,tests/tools/reqping.c $(TOOLOPT_SRCS) $(UDPCLIENT_SRCS) $(TEST_PKT_SRCS),))
$(eval $(call test_prog,tools,ctl-udpsend,tests/tools/ctl_udpsend.c $(TOOLOPT_SRCS) $(UDPCLIENT_SRCS) $(WIRE_SRCS),))
$(eval $(call test_prog,tools,ctl-raw,tests/tools/ctl_raw.c $(TOOLOPT_SRCS),))
$(eval $(call test_prog,tools,svcmgr,tests/tools/svcmgr.c,))
$(eval $(call test_prog,tools,ctl-idlcheck,tests/tools/ctl_idlcheck.c lib/idl.c lib/vlclient.c lib/varlink.c,-ljson-c -lm))
$(eval $(call test_prog,tools,vlanping,tests/tools/vlanping.c $(TOOLOPT_SRCS) $(TEST_PKT_SRCS),))
# The clock-step fault test's shim (LD_PRELOAD; see tests/tools/clockshim.c).
TEST_BINS += $(BUILD)/tests/tools/clockshim.so
$(BUILD)/tests/tools/clockshim.so: tests/tools/clockshim.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=gnu11 $(WARN) $(CFLAGS) -fPIC -shared -o $@ $< -ldl
