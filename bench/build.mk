# Data-path benchmarks (bench/datapath.sh runs them). Frame crafting and the data-path
# test helpers are shared with the BPF tests (tests/bpf/).
$(eval $(call bench_prog,dpbench,bench/dpbench.c daemon/datapath.c lib/dpstats.c tests/bpf/dptest.c tests/bpf/pkt.c,-lbpf -lelf -lz -lm))
