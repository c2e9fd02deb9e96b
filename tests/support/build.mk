# Test support shared by the BPF tests, the test tools and the benchmarks: crafted
# frames with an independent checksum (pkt.c; requests through lib/wire), the data
# path opened with its test programs (dptest.c), the tools' command lines
# (toolopt.c), the request senders' socket (udpclient.c), the data path's stand-in for
# the load generator's tests (standin.c), the load-aware picks' reference and crafted
# states (pickref.c, for the BPF and unit tiers), the unit tests' cmocka boilerplate
# (unit.h) and their view of what a module logged on stderr (capture.c); and the
# frame fuzzer of the data path (framefuzz.c).
# A shared fragment: lists only (recursive, see lib/build.mk).
TEST_PKT_SRCS  = tests/support/pkt.c $(WIRE_SRCS)
TEST_DP_SRCS   = $(DATAPATH_SRCS) tests/support/dptest.c $(TEST_PKT_SRCS)
TEST_DP_LIBS   = $(DATAPATH_LIBS)
TOOLOPT_SRCS   = tests/support/toolopt.c $(NUMPARSE_SRCS)
UDPCLIENT_SRCS = tests/support/udpclient.c
STANDIN_SRCS   = tests/support/standin.c $(WIRE_SRCS)
PICKREF_SRCS   = tests/support/pickref.c
CAPTURE_SRCS   = tests/support/capture.c
# The data path's frame fuzzer (tests/bpf/test_frames.c, fuzz/fuzz_frame.c).
FRAMEFUZZ_SRCS = tests/support/framefuzz.c $(TEST_DP_SRCS) $(ARRIVAL_SRCS)
