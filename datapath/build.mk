# The data-path module (load, steer, read the BPF programs) and the statistics maths
# over its counters. bpfnicd, the BPF tests, the benchmarks and the test tools link it.
# A shared fragment: lists (recursive, see lib/build.mk) and its own test.
DATAPATH_SRCS = datapath/datapath.c datapath/dpstats.c
DATAPATH_LIBS = -lbpf -lelf -lz -lm

$(eval $(call unit_test,test_dpstats,tests/unit/test_dpstats.c datapath/dpstats.c,-lm))
