# The BPF object and its skeleton (build/bpf/bpfnic.skel.h, struct bpfnic_bpf).
BPF_OBJS += $(BUILD)/bpf/bpfnic.bpf.o

# The data-path module and the statistics maths every user of it links.
DATAPATH_SRCS := daemon/datapath.c lib/dpstats.c
DATAPATH_LIBS := -lbpf -lelf -lz -lm
