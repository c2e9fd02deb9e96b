# The queuing model of the bpfnic server (model/sim.h), its tests, its driver.
# MODEL_DAEMON_SRCS: the daemon's own code the model runs (model/daemon_glue.c wraps
# it); the rest are lib/ modules and the statistics maths of datapath/.
MODEL_DAEMON_SRCS := daemon/scaler.c
MODEL_SRCS = model/sim.c model/daemon_glue.c $(MODEL_DAEMON_SRCS) $(PARAMS_SRCS) \
	$(ARRIVAL_SRCS) $(HIST_SRCS) datapath/dpstats.c
MODEL_LIBS = $(shell pkg-config --libs json-c 2>/dev/null || echo -ljson-c) $(ARRIVAL_LIBS) \
	$(HIST_LIBS)

$(eval $(call unit_test,test_model,tests/unit/test_model.c $(MODEL_SRCS),$(MODEL_LIBS)))
$(eval $(call test_prog,tools,model-run,model/run.c $(MODEL_SRCS) $(TOOLOPT_SRCS),$(MODEL_LIBS)))
