# bpfnic: one entry point. Every component adds itself through its own build.mk
# fragment (see "Fragments" below), so this file rarely changes.
#
#   make            build everything into $(BUILD)/
#   make check      install missing packages, build, run every test tier
#   make demo       lab + bpfnicd + load + result, then remove the lab
#   make bench      benchmarks: figures, never pass/fail
#   make fuzz       the libFuzzer targets of fuzz/ (FUZZ_SECONDS= each, FUZZ_TARGETS=)
#   make soak       the overload soak (bench/soak): about 14 minutes, a report
#   make paper      the thesis' evaluation in full on the lab: $(BUILD)/paper/
#   make install    DESTDIR= PREFIX= aware
#   make deb        Debian package
#   make clean

BUILD   ?= build
PREFIX  ?= /usr
DESTDIR ?=
CC      ?= gcc
CLANG   ?= clang
BPFTOOL ?= bpftool
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
ARCH    := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null)

PKGS := libbpf libsystemd json-c inih libmicrohttpd
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Werror
CPPFLAGS := -D_GNU_SOURCE -DBPFNIC_VERSION='"$(VERSION)"' -I$(BUILD)/bpf -Ibpf -Ilib -I.
# CFLAGS is the user's (optimisation, debug info: make CFLAGS='-O0 -g'); what every
# compile needs whatever CFLAGS says is in BASE_CFLAGS, so an override cannot drop
# the warnings or the dependency files.
CFLAGS   ?= -O2 -g
LDFLAGS  ?=
BASE_CFLAGS := -std=gnu11 $(WARN) -fno-strict-aliasing -MMD -MP
# The sanitizer twins are built at -O0: an uninitialised read that happens to hold
# the right value at -O2 does not there (and tests/run also runs the plain unit
# tests under valgrind's memcheck).
# gcc leaves float-cast-overflow out of "undefined": converting 1e300 to an integer is
# undefined all the same (the control fuzz target found one), so it is asked for.
SAN_FLAGS := -O0 -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_$(ARCH) $(WARN) -Wno-unused-function -Wno-unused-parameter \
	-Ibpf -I/usr/include/$(MULTIARCH)

.DEFAULT_GOAL := all
.PHONY: all programs check demo bench soak install deb clean deps paper
# install and deb: recipes in packaging/build.mk; paper: bench/bpfnic-bench/build.mk

# ----------------------------------------------------------------------------
# Fragments append to these:
#   PROGRAMS      user-space binaries in $(BUILD)/ (installed)
#   BPF_OBJS      BPF objects in $(BUILD)/bpf/ (each gets a .skel.h)
#   TEST_BINS     test executables (built by "make all" too, so check only runs them)
#   BENCH_BINS    benchmark executables
# and use these helpers:
#   $(call program,NAME,SOURCES,LIBS)          -> $(BUILD)/NAME
#   $(call unit_test,NAME,SOURCES,LIBS)        -> $(BUILD)/tests/unit/NAME and the
#                                                 ASan/UBSan twin (-O0) $(BUILD)/tests/unit-asan/NAME
#   $(call test_prog,TIER,NAME,SOURCES,LIBS)   -> $(BUILD)/tests/TIER/NAME
PROGRAMS   :=
BPF_OBJS   :=
TEST_BINS  :=
BENCH_BINS :=

obj  = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
aobj = $(patsubst %.c,$(BUILD)/asan/%.o,$(1))

define program
PROGRAMS += $(BUILD)/$(1)
$(BUILD)/$(1): $(call obj,$(2))
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $(3)
endef

define unit_test
TEST_BINS += $(BUILD)/tests/unit/$(1) $(BUILD)/tests/unit-asan/$(1)
$(BUILD)/tests/unit/$(1): $(call obj,$(2))
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $(3) -lcmocka
$(BUILD)/tests/unit-asan/$(1): $(call aobj,$(2))
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(SAN_FLAGS) $$(LDFLAGS) -o $$@ $$^ $(3) -lcmocka
endef

define test_prog
TEST_BINS += $(BUILD)/tests/$(1)/$(2)
$(BUILD)/tests/$(1)/$(2): $(call obj,$(3))
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $(4)
endef

define bench_prog
BENCH_BINS += $(BUILD)/bench/$(1)
$(BUILD)/bench/$(1): $(call obj,$(2))
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $(3)
endef

# Fragments, one per component folder. The shared ones define the lists the others
# use (CPULIST_SRCS, DATAPATH_SRCS, TEST_DP_SRCS, MODEL_SRCS, ...) and come first; their lists are
# recursive, so their own order does not matter. The rest follow in any order: each
# uses only its own lists and the shared ones.
SHARED_FRAGMENTS := lib/build.mk datapath/build.mk tests/support/build.mk model/build.mk
include $(SHARED_FRAGMENTS)
include $(filter-out $(SHARED_FRAGMENTS),$(sort $(wildcard */build.mk tests/*/build.mk)))

SKELS := $(BPF_OBJS:.bpf.o=.skel.h)

$(BUILD)/obj/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(BASE_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/asan/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(BASE_CFLAGS) $(CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(notdir $*)_bpf > $@.tmp && mv $@.tmp $@

all: $(BPF_OBJS) $(SKELS) $(PROGRAMS) $(TEST_BINS) $(BENCH_BINS)

# Only what gets installed: the Debian build uses this, not "all" (no tests). Here, not
# in packaging/build.mk: the lists are complete only once every fragment is in.
programs: $(BPF_OBJS) $(SKELS) $(PROGRAMS)

deps:
	scripts/install-deps

# check (every test tier), bench, soak and demo: deps first (a fresh machine has
# nothing), then the build, then the script.
RUN_check := tests/run
RUN_bench := bench/run
RUN_soak  := bench/soak
RUN_demo  := scripts/demo
check bench soak demo:
	scripts/install-deps
	$(MAKE) all
	BUILD=$(abspath $(BUILD)) $(RUN_$@)

clean:
	rm -rf $(BUILD)

# Only where the compile rules above write them: $(BUILD) also holds the package tree
# and the systemd tier's Debian roots, full of unrelated *.d files and directories.
-include $(shell find $(BUILD)/obj $(BUILD)/asan $(BUILD)/bpf -name '*.d' -type f 2>/dev/null)
