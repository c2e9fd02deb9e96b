# Test support shared by the BPF tests, the test tools and the benchmarks: crafted
# frames with an independent checksum (pkt.c), and the data path opened with its test
# programs (dptest.c).
TEST_PKT_SRCS := tests/support/pkt.c lib/wire.c
TEST_DP_SRCS  := $(DATAPATH_SRCS) tests/support/dptest.c $(TEST_PKT_SRCS)
TEST_DP_LIBS  := $(DATAPATH_LIBS)
