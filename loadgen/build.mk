# bpfnic-loadgen and the shared pieces it brings to lib/ (histogram, arrivals, request
# framing), their unit tests, its test echo server and its test tiers' programs.
LOADGEN_LIB := lib/hist.c lib/arrival.c lib/wire.c lib/cpulist.c lib/numparse.c
LOADGEN_SRC := loadgen/main.c loadgen/options.c loadgen/engine.c loadgen/report.c

$(eval $(call program,bpfnic-loadgen,$(LOADGEN_SRC) $(LOADGEN_LIB),-lpthread -ljson-c -lm))
$(eval $(call test_prog,tools,lg-echo,loadgen/test-echo.c lib/wire.c,))

$(eval $(call unit_test,test_hist,tests/unit/test_hist.c lib/hist.c lib/arrival.c,-lm))
$(eval $(call unit_test,test_arrival,tests/unit/test_arrival.c lib/arrival.c,-lm))
$(eval $(call unit_test,test_wire,tests/unit/test_wire.c lib/wire.c lib/arrival.c,-lm))
$(eval $(call unit_test,test_lg_options,tests/unit/test_lg_options.c loadgen/options.c lib/arrival.c lib/cpulist.c lib/numparse.c,-lm))
$(eval $(call unit_test,test_lg_report,tests/unit/test_lg_report.c loadgen/report.c loadgen/engine.c loadgen/options.c lib/hist.c lib/arrival.c lib/wire.c lib/cpulist.c lib/numparse.c,-ljson-c -lm -lpthread))
$(eval $(call unit_test,test_lg_engine,tests/unit/test_lg_engine.c loadgen/engine.c loadgen/options.c lib/hist.c lib/arrival.c lib/wire.c lib/cpulist.c lib/numparse.c,-lpthread -lm))
