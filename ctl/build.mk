# bpfnicctl: the CLI that steers bpfnicd over its control socket, its unit tests and
# the small tools its integration tests use.
CTL_SRCS := ctl/bpfnicctl.c ctl/args.c ctl/format.c ctl/client.c lib/varlink.c lib/cpulist.c lib/numparse.c
$(eval $(call program,bpfnicctl,$(CTL_SRCS),-ljson-c -lm))

$(eval $(call unit_test,test_ctl_args,tests/unit/test_ctl_args.c ctl/args.c lib/numparse.c,-ljson-c))
$(eval $(call unit_test,test_ctl_format,tests/unit/test_ctl_format.c ctl/format.c lib/cpulist.c lib/numparse.c,-ljson-c -lm))

# Tools for the integration tests: a bounded request sender (framing via lib/wire) that
# counts replies by sequence number, and a raw control-socket client for malformed
# requests.
$(eval $(call test_prog,tools,ctl-udpsend,tests/tools/ctl_udpsend.c lib/wire.c,))
$(eval $(call test_prog,tools,ctl-raw,tests/tools/ctl_raw.c,))
