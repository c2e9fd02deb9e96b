# bpfnic-bench: the thesis' evaluation, one command per experiment (installed), its
# unit tests, and the experiment files it ships (bench/experiments/). Included from
# bench/build.mk.
#
# The pure part (experiment files, the M/C/k/N calculator, knees, the readers of the
# loadgen's and the daemon's JSON, CSV, report and gnuplot scripts) is one list that
# the program and the unit tests share; the loadgen's option parsers give the
# experiment files bpfnic-loadgen's own syntax for mixes, service times and durations.
BENCH_PURE_SRCS = bench/bpfnic-bench/experiment.c bench/bpfnic-bench/mcqueue.c \
	bench/bpfnic-bench/knee.c bench/bpfnic-bench/results.c bench/bpfnic-bench/plan.c \
	bench/bpfnic-bench/output.c bench/bpfnic-bench/plot.c bench/bpfnic-bench/envinfo.c \
	bench/bpfnic-bench/compare.c \
	loadgen/options.c $(PARAMS_SRCS) $(INILINE_SRCS) $(ARRIVAL_SRCS) $(WIRE_SRCS)
BENCH_LIBS = -ljson-c $(INILINE_LIBS) -lm $(MODEL_LIBS)
# The model backend (--model) and the queuing model it runs; sorted: one object each
# where the two lists share lib/ modules.
BENCH_MODEL_SRCS = bench/bpfnic-bench/model.c $(MODEL_SRCS)
# Installed under $(DATADIR)/experiments (packaging/build.mk).
BENCH_EXPERIMENTS = $(sort $(wildcard bench/experiments/*.ini))

$(eval $(call program,bpfnic-bench,bench/bpfnic-bench/main.c bench/bpfnic-bench/runner.c \
	bench/bpfnic-bench/live.c bench/bpfnic-bench/spawn.c bench/bpfnic-bench/paths.c \
	$(sort $(BENCH_PURE_SRCS) $(BENCH_MODEL_SRCS)),$(BENCH_LIBS)))

# Where an installed bpfnic-bench finds the daemon, the tools, the lab script and the
# experiments: packaging/build.mk's directories, written into a header that changes
# (and rebuilds paths.o) only when they do, so "make install PREFIX=..." gets its own.
BENCH_PATHS_H = $(BUILD)/gen/bench-paths.h
$(BENCH_PATHS_H): bench-paths-check
	@mkdir -p $(@D)
	@printf '#define BENCH_SBINDIR "%s"\n#define BENCH_BINDIR "%s"\n#define BENCH_LIBDIR "%s"\n#define BENCH_DATADIR "%s"\n' \
		'$(SBINDIR)' '$(BINDIR)' '$(LIBDIR_BPF)' '$(DATADIR)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
.PHONY: bench-paths-check
$(BUILD)/obj/bench/bpfnic-bench/paths.o: $(BENCH_PATHS_H)
$(BUILD)/obj/bench/bpfnic-bench/paths.o: PKG_CFLAGS += -I$(BUILD)/gen

$(foreach t,test_bench_experiment test_bench_mcqueue test_bench_knee test_bench_output,\
  $(eval $(call unit_test,$(t),tests/unit/$(t).c $(BENCH_PURE_SRCS),$(BENCH_LIBS))))

# The model backend through the runner, as bpfnic-bench run --model runs it.
$(eval $(call unit_test,test_bench_model,tests/unit/test_bench_model.c \
	bench/bpfnic-bench/runner.c bench/bpfnic-bench/spawn.c \
	$(sort $(BENCH_PURE_SRCS) $(BENCH_MODEL_SRCS)),$(BENCH_LIBS)))

# make paper: every shipped experiment in full on the lab (about 15 minutes on 2 CPUs;
# root), its figures and report.md in $(BUILD)/paper/.
paper:
	scripts/install-deps
	$(MAKE) programs
	$(BUILD)/bpfnic-bench run all --out $(BUILD)/paper
