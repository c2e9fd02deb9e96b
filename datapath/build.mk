# The data-path module (load, steer, read the BPF programs), the statistics maths over
# its counters, what an interface can do (netdev: read from the kernel; ifcheck: what
# the data path needs of it, pure) and where it runs (support: kernel feature probes).
# bpfnicd, the BPF tests, the benchmarks and the test tools link it.
# A shared fragment: lists (recursive, see lib/build.mk) and its own tests.
DATAPATH_SRCS = datapath/datapath.c datapath/dpstats.c datapath/netdev.c datapath/ifcheck.c \
	datapath/support.c $(CPULIST_SRCS)
DATAPATH_LIBS = -lbpf -lelf -lz -lm

$(eval $(call unit_test,test_dpstats,tests/unit/test_dpstats.c datapath/dpstats.c,-lm))
# The interface checks and the support message (pure; support.c's probes stay unused).
$(eval $(call unit_test,test_ifcheck,tests/unit/test_ifcheck.c datapath/ifcheck.c datapath/support.c datapath/netdev.c $(CPULIST_SRCS),-lbpf -lelf -lz))
