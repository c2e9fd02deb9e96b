# The BPF object and its skeleton (build/bpf/bpfnic.skel.h, struct bpfnic_bpf).
BPF_OBJS += $(BUILD)/bpf/bpfnic.bpf.o
