# bpfnicctl: the CLI that steers bpfnicd over its control socket, its bash completion
# (filled in from the table of policies and parameters), its unit tests and the small
# tools its integration tests use.
CTL_SRCS := ctl/bpfnicctl.c ctl/args.c ctl/format.c ctl/since.c lib/vlclient.c lib/varlink.c \
	$(PARAMS_SRCS)
$(eval $(call program,bpfnicctl,$(CTL_SRCS),-ljson-c -lm))

# The generator is built by daemon/build.mk; named here by its path, not a variable.
$(BUILD)/gen/bpfnicctl.bash: packaging/bash-completion/bpfnicctl.in $(BUILD)/gen/bpfnic-gen
	$(BUILD)/gen/bpfnic-gen completion $< >$@.tmp && mv $@.tmp $@
all: $(BUILD)/gen/bpfnicctl.bash

$(eval $(call unit_test,test_ctl_args,tests/unit/test_ctl_args.c ctl/args.c $(PARAMS_SRCS),-ljson-c -lm))
$(eval $(call unit_test,test_ctl_since,tests/unit/test_ctl_since.c ctl/since.c,-ljson-c))
$(eval $(call unit_test,test_ctl_format,tests/unit/test_ctl_format.c ctl/format.c $(CPULIST_SRCS),-ljson-c -lm))
