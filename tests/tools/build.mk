# Test tools shared by several tiers and benchmarks: attach the data path by hand
# (dp-attach); request senders that check every reply on the wire (reqping) or count
# replies by sequence number at a steady rate (ctl-udpsend, for bpfnicd's tests); a raw
# control-socket client for malformed requests (ctl-raw).
$(eval $(call test_prog,tools,dp-attach,tests/tools/dp_attach.c $(TOOLOPT_SRCS) $(CPULIST_SRCS) $(DATAPATH_SRCS),$(DATAPATH_LIBS)))
$(eval $(call test_prog,tools,reqping,tests/tools/reqping.c $(TOOLOPT_SRCS) $(UDPCLIENT_SRCS) $(TEST_PKT_SRCS),))
$(eval $(call test_prog,tools,ctl-udpsend,tests/tools/ctl_udpsend.c $(TOOLOPT_SRCS) $(UDPCLIENT_SRCS) $(WIRE_SRCS),))
$(eval $(call test_prog,tools,ctl-raw,tests/tools/ctl_raw.c $(TOOLOPT_SRCS),))
