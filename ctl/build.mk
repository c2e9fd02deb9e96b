# bpfnicctl: the CLI that steers bpfnicd over its control socket, its unit tests and
# the small tools its integration tests use.
CTL_SRCS := ctl/bpfnicctl.c ctl/args.c ctl/format.c ctl/client.c lib/varlink.c lib/cpulist.c
$(eval $(call program,bpfnicctl,$(CTL_SRCS),-ljson-c))

$(eval $(call unit_test,test_ctl_args,tests/unit/test_ctl_args.c ctl/args.c,-ljson-c))
$(eval $(call unit_test,test_ctl_format,tests/unit/test_ctl_format.c ctl/format.c lib/cpulist.c,-ljson-c -lm))

# Tools for the integration tests and `make demo`: a bounded request sender that
# counts replies by sequence number, and a raw control-socket client for malformed
# requests.
$(eval $(call test_prog,tools,ctl-udpsend,tests/tools/ctl_udpsend.c,))
$(eval $(call test_prog,tools,ctl-raw,tests/tools/ctl_raw.c,))
