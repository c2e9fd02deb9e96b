# BPF tier: the data-path programs through BPF_PROG_TEST_RUN on crafted frames
# (tests/support/ has the frames and the data-path test helpers). Each test is also
# built with ASan/UBSan: they drive the data-path module through open/close cycles,
# so leaks and overflows there show.
define bpf_test_asan
TEST_BINS += $(BUILD)/tests/bpf/$(1)-asan
$(BUILD)/tests/bpf/$(1)-asan: $(call aobj,$(2))
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(SAN_FLAGS) $$(LDFLAGS) -o $$@ $$^ $(3)
endef

$(foreach t,test_sched test_worker test_handover,\
  $(eval $(call test_prog,bpf,$(t),tests/bpf/$(t).c $(TEST_DP_SRCS),$(TEST_DP_LIBS) -lcmocka))\
  $(eval $(call bpf_test_asan,$(t),tests/bpf/$(t).c $(TEST_DP_SRCS),$(TEST_DP_LIBS) -lcmocka)))

# The load-aware picks against the plain-way reference (tests/support/pickref.c).
$(eval $(call test_prog,bpf,test_picks,tests/bpf/test_picks.c $(TEST_DP_SRCS) $(PICKREF_SRCS),$(TEST_DP_LIBS) -lcmocka))
$(eval $(call bpf_test_asan,test_picks,tests/bpf/test_picks.c $(TEST_DP_SRCS) $(PICKREF_SRCS),$(TEST_DP_LIBS) -lcmocka))
# The frame fuzzer: random and mutated frames, requests cut at every length.
$(eval $(call test_prog,bpf,test_frames,tests/bpf/test_frames.c $(FRAMEFUZZ_SRCS),$(TEST_DP_LIBS) $(ARRIVAL_LIBS) -lcmocka))
