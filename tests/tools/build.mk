# Test tools shared by several tiers and benchmarks: attach the data path by hand
# (dp-attach), and a request client that checks every reply on the wire (reqping).
$(eval $(call test_prog,tools,dp-attach,tests/tools/dp_attach.c lib/params.c lib/cpulist.c lib/numparse.c $(DATAPATH_SRCS),$(DATAPATH_LIBS) -ljson-c))
$(eval $(call test_prog,tools,reqping,tests/tools/reqping.c $(TEST_PKT_SRCS) lib/wire.c,))
