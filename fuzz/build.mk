# fuzz/: libFuzzer targets, one per parser of outside input (see fuzz/README.md).
#
#   make fuzz                   each target for FUZZ_SECONDS (default 30), one at a time
#   make fuzz FUZZ_TARGETS=control FUZZ_SECONDS=600
#   make fuzz-build             only build them ($(BUILD)/fuzz/NAME)
#
# Every target is fuzz/fuzz_NAME.c, linked twice:
#   $(BUILD)/fuzz/NAME         clang -fsanitize=fuzzer,address,undefined (make fuzz only:
#                              the code under test is compiled again into $(BUILD)/fuzz-obj)
#   $(BUILD)/tests/fuzz/NAME   the same target with fuzz/replay.c's main(), built like the
#                              unit tests' ASan/UBSan twins: make check replays the
#                              committed corpus fuzz/corpus/NAME/ with it (tests/run, tier
#                              "fuzz"), in seconds and without clang's runtime.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := -O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)
FUZZ_TARGETS ?=
FUZZ_BINS    :=

fobj = $(patsubst %.c,$(BUILD)/fuzz-obj/%.o,$(1))

$(BUILD)/fuzz-obj/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(PKG_CFLAGS) $(BASE_CFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

# $(call fuzz_target,NAME,SOURCES,LIBS): SOURCES besides fuzz/fuzz_NAME.c.
define fuzz_target
FUZZ_BINS += $(BUILD)/fuzz/$(1)
$(BUILD)/fuzz/$(1): $(call fobj,fuzz/fuzz_$(1).c $(2))
	@mkdir -p $$(@D)
	$$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $$@ $$^ $(3)
TEST_BINS += $(BUILD)/tests/fuzz/$(1)
$(BUILD)/tests/fuzz/$(1): $(call aobj,fuzz/fuzz_$(1).c fuzz/replay.c $(2))
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(SAN_FLAGS) $$(LDFLAGS) -o $$@ $$^ $(3)
endef

$(eval $(call fuzz_target,cpulist,$(CPULIST_SRCS),))
$(eval $(call fuzz_target,wire,$(WIRE_SRCS),))
$(eval $(call fuzz_target,idl,lib/idl.c,$(VARLINK_LIBS) -lm))
$(eval $(call fuzz_target,config,daemon/config.c $(INILINE_SRCS) $(PARAMS_SRCS),$(INILINE_LIBS) $(VARLINK_LIBS)))
$(eval $(call fuzz_target,ctl_args,ctl/args.c $(PARAMS_SRCS),$(VARLINK_LIBS) -lm))
$(eval $(call fuzz_target,lg_options,loadgen/options.c $(CPULIST_SRCS) $(ARRIVAL_SRCS) $(WIRE_SRCS),-lm))
$(eval $(call fuzz_target,control,tests/unit/fake_datapath.c tests/unit/methods_daemon.c $(BPFNICD_MODULES) datapath/dpstats.c,$(BPFNICD_LIBS) -lbpf -lm))
$(eval $(call fuzz_target,frame,$(FRAMEFUZZ_SRCS),$(TEST_DP_LIBS) $(ARRIVAL_LIBS)))

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) BUILD=$(abspath $(BUILD)) fuzz/run $(FUZZ_TARGETS)

-include $(shell find $(BUILD)/fuzz-obj -name '*.d' -type f 2>/dev/null)
