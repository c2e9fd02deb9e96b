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
	loadgen/options.c lib/params.c $(CPULIST_SRCS) $(ARRIVAL_SRCS) $(WIRE_SRCS)
BENCH_LIBS = -ljson-c -linih -lm

$(eval $(call program,bpfnic-bench,bench/bpfnic-bench/main.c bench/bpfnic-bench/runner.c \
	bench/bpfnic-bench/live.c bench/bpfnic-bench/spawn.c bench/bpfnic-bench/paths.c \
	$(BENCH_PURE_SRCS),$(BENCH_LIBS)))

# Where an installed bpfnic-bench finds the daemon, the tools, the lab script and the
# experiments (packaging/build.mk's directories; PKG_CFLAGS is expanded when used).
$(BUILD)/obj/bench/bpfnic-bench/paths.o: PKG_CFLAGS += -DBENCH_SBINDIR='"$(SBINDIR)"' \
	-DBENCH_BINDIR='"$(BINDIR)"' -DBENCH_LIBDIR='"$(LIBDIR_BPF)"' -DBENCH_DATADIR='"$(DATADIR)"'

$(foreach t,test_bench_experiment test_bench_mcqueue test_bench_knee test_bench_output,\
  $(eval $(call unit_test,$(t),tests/unit/$(t).c $(BENCH_PURE_SRCS),$(BENCH_LIBS))))
