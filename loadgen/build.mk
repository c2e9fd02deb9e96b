# bpfnic-loadgen, its unit tests, and its test echo server (a user-space stand-in for
# the data path).
LOADGEN_SRCS = loadgen/options.c loadgen/engine.c loadgen/client.c loadgen/stalls.c \
	loadgen/calibrate.c loadgen/report.c loadgen/validity.c loadgen/merge.c \
	$(CPULIST_SRCS) $(ARRIVAL_SRCS) $(HIST_SRCS) $(WIRE_SRCS)
LOADGEN_LIBS = -lpthread -ljson-c $(ARRIVAL_LIBS) $(HIST_LIBS)

$(eval $(call program,bpfnic-loadgen,loadgen/main.c $(LOADGEN_SRCS),$(LOADGEN_LIBS)))
$(eval $(call test_prog,tools,lg-echo,loadgen/test-echo.c $(STANDIN_SRCS) $(TOOLOPT_SRCS),))

$(foreach t,test_lg_options test_lg_report test_lg_calibrate test_lg_merge,\
  $(eval $(call unit_test,$(t),tests/unit/$(t).c $(LOADGEN_SRCS),$(LOADGEN_LIBS))))
$(eval $(call unit_test,test_lg_engine,tests/unit/test_lg_engine.c $(STANDIN_SRCS) $(LOADGEN_SRCS),$(LOADGEN_LIBS)))
$(eval $(call unit_test,test_lg_validity,tests/unit/test_lg_validity.c loadgen/validity.c,))
