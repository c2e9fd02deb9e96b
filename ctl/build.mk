# bpfnicctl: the CLI that steers bpfnicd over its control socket, and its unit tests
# (the tools its integration tests use are built by tests/tools/build.mk).
CTL_SRCS := ctl/bpfnicctl.c ctl/args.c ctl/format.c ctl/client.c lib/varlink.c lib/cpulist.c lib/numparse.c
$(eval $(call program,bpfnicctl,$(CTL_SRCS),-ljson-c -lm))

$(eval $(call unit_test,test_ctl_args,tests/unit/test_ctl_args.c ctl/args.c lib/numparse.c,-ljson-c))
$(eval $(call unit_test,test_ctl_format,tests/unit/test_ctl_format.c ctl/format.c lib/cpulist.c lib/numparse.c,-ljson-c -lm))
