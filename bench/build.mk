# Data-path benchmarks (bench/datapath.sh runs them). Frame crafting and the data-path
# test helpers are shared with the BPF tests (tests/support/).
$(eval $(call bench_prog,dpbench,bench/dpbench.c $(TOOLOPT_SRCS) $(TEST_DP_SRCS),$(TEST_DP_LIBS)))

# bpfnic-bench has a folder of its own.
include bench/bpfnic-bench/build.mk
