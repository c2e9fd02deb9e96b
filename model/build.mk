# The queuing model of the bpfnic server (model/sim.h), its tests, its driver.
# MODEL_DAEMON_SRCS: what model/daemon_glue.c takes from the daemon (its policy
# defaults and checks, its controller); it changes with the daemon's names.
MODEL_DAEMON_SRCS := daemon/controller.c daemon/config.c lib/cpulist.c lib/numparse.c
MODEL_SRCS := model/sim.c model/daemon_glue.c $(MODEL_DAEMON_SRCS) lib/arrival.c lib/hist.c \
	datapath/dpstats.c
MODEL_LIBS := $(shell pkg-config --libs inih 2>/dev/null || echo -linih) -lm

$(eval $(call unit_test,test_model,tests/unit/test_model.c $(MODEL_SRCS),$(MODEL_LIBS)))
$(eval $(call test_prog,tools,model-run,model/run.c $(MODEL_SRCS),$(MODEL_LIBS)))
