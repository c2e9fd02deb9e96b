# Test tools shared by several tiers and benchmarks.
$(eval $(call test_prog,tools,dp-attach,tests/tools/dp_attach.c lib/cpulist.c $(DATAPATH_SRCS),$(DATAPATH_LIBS)))
