# Test support shared by the BPF tests, the test tools and the benchmarks: crafted
# frames with an independent checksum (pkt.c; requests through lib/wire), and the
# data path opened with its test programs (dptest.c).
# A shared fragment: lists only (recursive, see lib/build.mk).
TEST_PKT_SRCS = tests/support/pkt.c $(WIRE_SRCS)
TEST_DP_SRCS  = $(DATAPATH_SRCS) tests/support/dptest.c $(TEST_PKT_SRCS)
TEST_DP_LIBS  = $(DATAPATH_LIBS)
