# BPF tier: the data-path programs through BPF_PROG_TEST_RUN (tests/bpf/), and the
# request client the integration test drives (tests/tools/reqping).
# tests/bpf/pkt.c (frames, independent checksum) and tests/bpf/dptest.c (open the
# data path with its test programs, run, read stats) are shared with bench/.
BPFTEST_DP_SRCS := daemon/datapath.c lib/dpstats.c tests/bpf/dptest.c tests/bpf/pkt.c
BPFTEST_DP_LIBS := -lbpf -lelf -lz -lm

$(eval $(call test_prog,bpf,test_sched,tests/bpf/test_sched.c $(BPFTEST_DP_SRCS),$(BPFTEST_DP_LIBS) -lcmocka))
$(eval $(call test_prog,bpf,test_worker,tests/bpf/test_worker.c $(BPFTEST_DP_SRCS),$(BPFTEST_DP_LIBS) -lcmocka))
$(eval $(call test_prog,tools,reqping,tests/tools/reqping.c tests/bpf/pkt.c,))

# The same BPF tests built with ASan/UBSan: they drive the data-path module
# (daemon/datapath.c) through open/close cycles, so leaks and overflows there show.
define bpf_test_asan
TEST_BINS += $(BUILD)/tests/bpf/$(1)-asan
$(BUILD)/tests/bpf/$(1)-asan: $(call aobj,$(2))
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(SAN_FLAGS) $$(LDFLAGS) -o $$@ $$^ $(3)
endef
$(eval $(call bpf_test_asan,test_sched,tests/bpf/test_sched.c $(BPFTEST_DP_SRCS),$(BPFTEST_DP_LIBS) -lcmocka))
$(eval $(call bpf_test_asan,test_worker,tests/bpf/test_worker.c $(BPFTEST_DP_SRCS),$(BPFTEST_DP_LIBS) -lcmocka))
